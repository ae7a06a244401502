# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · The forward pass: from one unit to a network
#
# In assignment 01 a single perceptron drew one straight line, and XOR defeated it. The way
# out is to use *many* units side by side (a **layer**) and to stack layers, feeding each
# layer's outputs to the next. The result is a **multi-layer perceptron** (MLP), the
# workhorse behind every larger architecture you will meet later.
#
# This assignment is about the **forward pass**: how an input travels through such a network
# to become a prediction. You will see that a whole layer is one matrix product, learn the
# shape of every array along the way (most bugs in neural-network code are shape bugs),
# find out why the *scale* of the initial random weights matters so much, and build a
# network by hand that approximates a curve.
#
# **What you will write:** `linear_forward`, `init_linear`, `init_mlp`, `mlp_forward`,
# `predict` and `count_parameters`. Each exercise cell contains a stub that raises
# `NotImplementedError`; replace it with your code, then run the check cell below it.
# Use numpy only (no torch here: you are building what `torch.nn` does for you).
#
# **Conventions for every function here** (the hidden tests check them):
# - an array argument may also be a Python number or a (nested) list, of floats or of ints:
#   convert it with `np.asarray(..., dtype=np.float64)` before computing with it;
# - no function modifies its inputs: build new arrays instead (no `+=` on an argument).

# %% tags=["given"]
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 0. Smooth activations (given)
#
# A perceptron's step function is all or nothing, which makes it impossible to learn by
# small adjustments (assignment 04 needs derivatives). Networks use smooth or piecewise
# linear **activations** instead. Assignment 02 is all about them; here they are given so
# that this notebook stands on its own:
#
# | name | formula | range |
# |---|---|---|
# | `relu` | $\max(0, z)$ | $[0, \infty)$ |
# | `tanh` | $\dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$ | $(-1, 1)$ |
# | `sigmoid` | $\dfrac{1}{1 + e^{-z}}$ | $(0, 1)$ |
#
# The sigmoid below never computes `exp` of a large positive number: for $z < 0$ it uses the
# equivalent form $e^{z} / (1 + e^{z})$, so inputs like $-10^4$ give $0$ without an overflow.
# `ACTIVATIONS` maps each name to its function; you will look activations up in it.

# %% tags=["given"]
def relu(z):
    """max(0, z) elementwise, float64."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def tanh(z):
    """Hyperbolic tangent elementwise, float64."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def sigmoid(z):
    """1 / (1 + exp(-z)) elementwise, float64, without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}

# %% [markdown]
# ## 1. A layer is many perceptrons at once
#
# Take `out` units that all look at the same input $x \in \mathbb{R}^{\text{in}}$. Unit $j$
# has its own weight vector $w_j$ and bias $b_j$ and computes $z_j = w_j \cdot x + b_j$.
# Write the weight vectors as the **rows** of one matrix $W$, and the biases as one vector
# $b$:
#
# $$W = \begin{pmatrix} \text{---}\; w_1 \;\text{---} \\ \vdots \\
#       \text{---}\; w_{\text{out}} \;\text{---} \end{pmatrix} \in
#       \mathbb{R}^{\text{out} \times \text{in}}, \qquad
#   z = W x + b \in \mathbb{R}^{\text{out}}.$$
#
# This is exactly how `torch.nn.Linear(in_features, out_features)` stores its weights:
# `weight` has shape `(out_features, in_features)`, one row per output unit.
#
# In code, examples are the **rows** of a batch `x` of shape `(N, in)`. Computing $W x_n + b$
# for every row $n$ at once is a single matrix product with the transpose of $W$:
#
# $$y = x W^\top + b$$
#
# | quantity | expression | shape |
# |---|---|---|
# | batch of inputs | `x` | `(N, in)` |
# | weights (one row per unit) | `W` | `(out, in)` |
# | transposed weights | `W.T` | `(in, out)` |
# | weighted sums | `x @ W.T` | `(N, out)` |
# | biases | `b` | `(out,)` |
# | layer output | `x @ W.T + b` | `(N, out)` (`b` is added to every row by broadcasting) |
#
# Entry `[n, j]` of the result is unit `j`'s weighted sum for example `n`. The inner
# dimensions of the product must agree (`in` with `in`); if you forget the `.T`, numpy
# complains about a shape mismatch, unless `W` happens to be square, in which case you
# silently get wrong numbers. Keep an eye on the shapes!
#
# ### Exercise 1: `linear_forward(x, W, b)`
# Return `x @ W.T + b` as a float64 array of shape `(N, out)`, for inputs that may also be
# nested lists or integer arrays. Do not modify the inputs.

# %% tags=["exercise"]
def linear_forward(x, W, b):
    """A fully connected layer. x: (N, in); W: (out, in); b: (out,) -> (N, out) float64."""
    # BEGIN SOLUTION hint: np.asarray(..., dtype=np.float64) each input, then x @ W.T plus b
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return x @ W.T + b
    # END SOLUTION


# %% tags=["check"] check="linear_forward"
_x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])  # N=2 examples, in=3
_W = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 2.0]])  # out=4
_b = np.array([0.5, 0.0, -1.0, 0.0])
_y = linear_forward(_x, _W, _b)
assert _y.shape == (2, 4), f"expected shape (N, out) = (2, 4), got {_y.shape}"
assert _y.dtype == np.float64, "linear_forward must return float64 values"
assert np.allclose(_y, [[1.5, 5.0, 5.0, 6.0], [0.5, -0.5, -1.5, 1.0]]), "wrong values"
assert np.allclose(linear_forward(np.zeros((3, 3)), _W, _b), _b), "zero input should give b"
assert linear_forward([[1, 2, 3]], _W, _b).dtype == np.float64, "lists of ints work too"

# %% [markdown]
# Let us convince ourselves that the matrix product really is "many perceptrons": compute
# each unit's weighted sum with its own loop and compare.

# %%
try:
    _rng = np.random.default_rng(0)
    x_demo = _rng.normal(size=(5, 3))  # N=5, in=3
    W_demo, b_demo = _rng.normal(size=(4, 3)), _rng.normal(size=4)  # out=4
    one_by_one = np.array([[W_demo[j] @ x_n + b_demo[j] for j in range(4)] for x_n in x_demo])
    print("unit by unit, example by example:", one_by_one.shape)
    print("one matrix product:              ", linear_forward(x_demo, W_demo, b_demo).shape)
    print("same numbers:", np.allclose(one_by_one, linear_forward(x_demo, W_demo, b_demo)))
except NotImplementedError as exc:
    print("Finish linear_forward to run this demo:", exc)

# %% [markdown]
# ## 2. Initialisation: why the scale of the random weights matters
#
# Before training, the weights are random. They must not all be equal (units with identical
# weights compute identical things and, as assignment 04 will show, receive identical
# updates, so they stay clones forever). But *how large* should they be?
#
# Look at one output unit: $z = \sum_{i=1}^{\text{in}} w_i x_i + b$. If the $w_i$ are
# independent with mean $0$ and variance $\sigma_w^2$, and the inputs have mean square
# $\mathbb{E}[x_i^2] = q$, then
#
# $$\operatorname{Var}(z) \approx \text{in} \cdot \sigma_w^2 \cdot q .$$
#
# The sum has `in` terms, so its spread grows with the number of inputs. If we drew every
# weight from the same fixed range, a layer with 1000 inputs would produce numbers 10 times
# larger than a layer with 10 inputs. The cure is to shrink the range as the layer gets
# wider. `torch.nn.Linear` draws
#
# $$W_{ji},\, b_j \sim \mathcal{U}(-k, k), \qquad k = \frac{1}{\sqrt{\text{in}}},$$
#
# and a uniform distribution on $(-k, k)$ has variance $k^2 / 3 = 1 / (3\,\text{in})$, so
# $\operatorname{Var}(z) \approx q / 3$ **whatever the width**.
#
# ### Exercise 2: `init_linear(in_features, out_features, rng)`
# `rng` is a `numpy.random.Generator` (made with `np.random.default_rng(seed)`). Compute
# `k = 1 / sqrt(in_features)`, then draw **first** `W = rng.uniform(-k, k, size=(out_features,
# in_features))` and **then** `b = rng.uniform(-k, k, size=out_features)`, and return `(W, b)`.
# The order matters: a generator hands out one stream of numbers, so drawing `b` first would
# give different values. Always draw from the `rng` you are given (never `np.random.uniform`):
# that is what makes an experiment reproducible from its seed.

# %% tags=["exercise"]
def init_linear(in_features, out_features, rng):
    """torch.nn.Linear's init: W (out, in) then b (out,), both U(-k, k), k = 1/sqrt(in)."""
    # BEGIN SOLUTION hint: k = 1 / np.sqrt(in_features); rng.uniform(-k, k, size=...) for W, then b
    k = 1.0 / np.sqrt(in_features)
    W = rng.uniform(-k, k, size=(out_features, in_features))
    b = rng.uniform(-k, k, size=out_features)
    return W, b
    # END SOLUTION


# %% tags=["check"] check="init_linear"
_W, _b = init_linear(16, 3, np.random.default_rng(0))
assert _W.shape == (3, 16) and _b.shape == (3,), "W must be (out, in) = (3, 16), b (out,) = (3,)"
assert np.abs(_W).max() <= 0.25 and np.abs(_b).max() <= 0.25, "k = 1/sqrt(16) = 0.25 bounds all"
assert _W.min() < 0 < _W.max(), "draw from (-k, k), not (0, k)"
_g = np.random.default_rng(0)
assert np.array_equal(_W, _g.uniform(-0.25, 0.25, size=(3, 16))), "W must be the first draw"
assert np.array_equal(_b, _g.uniform(-0.25, 0.25, size=3)), "b must be drawn right after W"

# %% [markdown]
# ### Exercise 3: `init_mlp(layer_sizes, rng)`
# A network is described by its layer sizes, from the input to the output. For example
# `[784, 128, 64, 10]` means 784 inputs, two hidden layers of 128 and 64 units, and 10
# outputs: three layers, one per *consecutive pair* of sizes, `(784 -> 128)`,
# `(128 -> 64)` and `(64 -> 10)`. Return the list of their `(W, b)` pairs, first layer first,
# each made by `init_linear` with the same `rng` (so the draws follow each other).

# %% tags=["exercise"]
def init_mlp(layer_sizes, rng):
    """[(W1, b1), (W2, b2), ...]: one init_linear per consecutive pair of layer_sizes."""
    # BEGIN SOLUTION hint: zip(layer_sizes[:-1], layer_sizes[1:]) gives the (in, out) pairs
    sizes = list(layer_sizes)
    return [init_linear(n_in, n_out, rng) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    # END SOLUTION


# %% tags=["check"] check="init_mlp"
_params = init_mlp([5, 4, 2], np.random.default_rng(1))
assert isinstance(_params, list) and len(_params) == 2, "sizes [5, 4, 2] make 2 layers"
assert [_W.shape for _W, _ in _params] == [(4, 5), (2, 4)], "W shapes are (out, in) per layer"
assert [_b.shape for _, _b in _params] == [(4,), (2,)], "one bias per output unit"
_g = np.random.default_rng(1)
assert np.array_equal(_params[0][0], init_linear(5, 4, _g)[0]), "the first layer comes first"
assert np.array_equal(_params[1][0], init_linear(4, 2, _g)[0]), "layers share the one rng"

# %% [markdown]
# Now let us *see* why the scale matters. First, one layer of growing width fed with
# standard normal inputs: with a fixed range $k = 0.1$ the outputs grow like
# $\sqrt{\text{in}}$, with $k = 1/\sqrt{\text{in}}$ they stay put.
#
# Second, a deep stack: 30 ReLU layers of width 128 whose weights are `init_linear`'s times a
# factor $c$, that is $k = c / \sqrt{\text{in}}$ (biases set to 0 to isolate the weights).
# Every layer multiplies the typical size of the activations by about the same factor, so
# over 30 layers that factor is raised to the 30th power: below 1 and the
# activations **vanish**, above 1 and they **explode** (note the log scale). A fixed
# $k = 0.5$ that ignores the width explodes fastest.
#
# The constant matters too. A ReLU zeroes about half of its inputs, which halves the mean
# square; the uniform distribution contributes its factor $1/3$. The constant that exactly
# makes up for both is $c = \sqrt{6}$ (He, or Kaiming, initialisation): its curve stays flat.
# With $c = 1$, our `init_linear` and PyTorch's default, the activations shrink by about
# $\sqrt{6} \approx 2.4$ per ReLU layer: harmless for the two or three layers of the
# networks in this course, fatal for thirty. The lesson: dividing by $\sqrt{\text{in}}$ makes
# a layer of any width start in a sane range, and deep networks also need the constant in
# front matched to their activation (or normalisation layers, which you will meet later).

# %%
try:  # compute first: an unfinished exercise raises here, before a figure exists
    _rng = np.random.default_rng(0)
    widths = [4, 16, 64, 256, 1024, 4096]
    one_layer = {}  # label: std of the outputs for each width
    for label, make_k in (("fixed k = 0.1", lambda n: 0.1),
                          ("k = 1/sqrt(in)  (init_linear)", lambda n: 1 / np.sqrt(n))):
        stds = []
        for n_in in widths:
            W, b = init_linear(n_in, 64, _rng)
            scale = make_k(n_in) * np.sqrt(n_in)  # init_linear draws with k = 1/sqrt(in)
            stds.append((linear_forward(_rng.normal(size=(200, n_in)), W * scale, b * scale)).std())
        one_layer[label] = stds

    x_deep = _rng.normal(size=(16, 128))  # 16 examples of width 128
    deep = {}  # label: std of the activations after each of the 30 layers
    for label, c in (("c = 0.5 (too small)", 0.5), ("c = 1 (init_linear)", 1.0),
                     ("c = sqrt(6) (He)", np.sqrt(6)), ("c = 4 (too large)", 4.0),
                     ("fixed k = 0.5 (no 1/sqrt(in))", 0.5 * np.sqrt(128))):
        h, stds = x_deep, []
        for _ in range(30):
            W, _ = init_linear(128, 128, _rng)
            h = relu(linear_forward(h, c * W, np.zeros(128)))  # biases 0: only W's scale
            stds.append(h.std())
        deep[label] = stds

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for label, stds in one_layer.items():
        ax1.plot(widths, stds, marker="o", label=label)
    ax1.set(xscale="log", yscale="log", xlabel="in_features (width of the input)",
            ylabel="std of the layer's outputs", title="One layer: the width must be divided out")
    ax1.legend()
    for label, stds in deep.items():
        ax2.plot(range(1, 31), stds, label=label)
    ax2.set(yscale="log", xlabel="layer", ylabel="std of the activations",
            title="30 ReLU layers of width 128, k = c / sqrt(in)")
    ax2.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish linear_forward and init_linear to see these plots:", exc)

# %% [markdown]
# ## 3. The forward pass of a network
#
# Stacking layers means feeding each layer's output, through the activation $\phi$, to the
# next layer. For `layer_sizes = [D, H1, H2, C]` and a batch of `N` examples:
#
# | step | expression | shape |
# |---|---|---|
# | input | `x` | `(N, D)` |
# | layer 1 | `z1 = x @ W1.T + b1` | `(N, H1)` with `W1`: `(H1, D)` |
# | activation | `h1 = phi(z1)` | `(N, H1)` |
# | layer 2 | `z2 = h1 @ W2.T + b2` | `(N, H2)` with `W2`: `(H2, H1)` |
# | activation | `h2 = phi(z2)` | `(N, H2)` |
# | layer 3 (output) | `logits = h2 @ W3.T + b3` | `(N, C)` with `W3`: `(C, H2)` |
#
# Two things to notice.
#
# * **The activations are essential.** Without them the network is a chain of linear maps,
#   and a chain of linear maps is itself one linear map:
#   $W_2 (W_1 x + b_1) + b_2 = (W_2 W_1) x + (W_2 b_1 + b_2)$. However many layers you
#   stack, you could only ever draw a straight line, and XOR would still be out of reach.
# * **The last layer is linear.** Its outputs, the **logits**, are raw scores, one per
#   class, and may be any real number. Turning them into probabilities (softmax, assignment
#   02) happens in the loss function (assignment 04), exactly like `nn.CrossEntropyLoss`,
#   which expects logits. Squashing them with a ReLU would, for instance, clip every negative
#   score to 0.
#
# This is what `torch.nn.Sequential(nn.Linear(D, H1), nn.ReLU(), nn.Linear(H1, H2),
# nn.ReLU(), nn.Linear(H2, C))` computes.
#
# ### Exercise 4: `mlp_forward(x, params, activation="relu")`
# `params` is a list of `(W, b)` as made by `init_mlp`. Apply every layer with
# `linear_forward`; after every layer **but the last** apply the activation named by
# `activation`, looked up in `ACTIVATIONS`. An unknown name must raise a `ValueError` saying
# which names exist (silently falling back to ReLU would hide a typo like `"tahn"`). Return
# the logits `(N, out)`. Do not modify `x` or the `params` list.

# %% tags=["exercise"]
def mlp_forward(x, params, activation="relu"):
    """Logits (N, out) of the MLP params = [(W1, b1), ...]; activation after all but the last."""
    # BEGIN SOLUTION hint: check the name first; params[:-1] with the activation, params[-1] without
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    phi = ACTIVATIONS[activation]
    h = np.asarray(x, dtype=np.float64)
    *hidden, (W_out, b_out) = params
    for W, b in hidden:
        h = phi(linear_forward(h, W, b))
    return linear_forward(h, W_out, b_out)
    # END SOLUTION


# %% tags=["check"] check="mlp_forward"
_params = [(np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]]), np.array([0.0, -1.0, 0.5])),
           (np.array([[1.0, 1.0, -1.0]]), np.array([-0.5]))]  # sizes [2, 3, 1]
_x = np.array([[1.0, 2.0], [3.0, -1.0]])
_out = mlp_forward(_x, _params)
assert _out.shape == (2, 1), f"expected logits of shape (N, out) = (2, 1), got {_out.shape}"
assert np.allclose(_out, [[-2.0], [8.5]]), "relu on the hidden layer; the last layer stays linear"
assert np.allclose(mlp_forward(_x, _params, "tanh"), tanh(_x @ _params[0][0].T + _params[0][1])
                   @ _params[1][0].T + _params[1][1]), "wrong values with activation='tanh'"
assert np.allclose(mlp_forward(_x, _params[:1], "sigmoid"), linear_forward(_x, *_params[0])), \
    "a one-layer network is linear only: no activation after the last layer"
try:
    mlp_forward(_x, _params, activation="tahn")
    raise AssertionError("an unknown activation name must raise ValueError")
except ValueError:
    pass

# %% [markdown]
# ## 4. Predictions
#
# For classification the network outputs one logit per class, and the predicted class is the
# one with the largest logit: an **argmax** along the class axis. (Softmax would not change
# the winner: it is increasing, so the largest logit has the largest probability.) With
# logits of shape `(N, C)` the class axis is `axis=1`, and the result holds one integer
# class index per example, shape `(N,)`.
#
# ### Exercise 5: `predict(x, params, activation="relu")`

# %% tags=["exercise"]
def predict(x, params, activation="relu"):
    """Index of the largest logit for each example: integers of shape (N,)."""
    # BEGIN SOLUTION hint: np.argmax of mlp_forward(...) along the class axis (axis=1)
    return np.argmax(mlp_forward(x, params, activation), axis=1)
    # END SOLUTION


# %% tags=["check"] check="predict"
_params = [(np.eye(3), np.zeros(3)), (np.array([[1.0, 0, 0], [0, 1.0, 0]]), np.array([0.0, 0.5]))]
_pred = predict(np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 0.0], [-1.0, -1.0, 5.0]]), _params)
assert _pred.shape == (3,), f"one prediction per example: expected shape (3,), got {_pred.shape}"
assert np.issubdtype(_pred.dtype, np.integer), "predictions are integer class indices"
assert _pred.tolist() == [0, 1, 1], f"expected [0, 1, 1], got {_pred.tolist()}"

# %% [markdown]
# ### XOR, solved by hand
#
# Remember XOR from assignment 01? Two hidden ReLU units are enough. With
# $h_1 = \operatorname{relu}(x_1 + x_2)$ and $h_2 = \operatorname{relu}(x_1 + x_2 - 1)$, the
# combination $h_1 - 2 h_2$ is $0, 1, 1, 0$ on the four corners. Give class 1 that score as
# its logit and class 0 the constant $0.5$, and `predict` computes XOR. The shaded regions
# show that the decision boundary is no longer one straight line.

# %%
xor_params = [
    (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])),  # hidden: h1, h2
    (np.array([[0.0, 0.0], [1.0, -2.0]]), np.array([0.5, 0.0])),  # logits: class 0, class 1
]
X_gate = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
try:
    print("XOR predictions for (0,0), (0,1), (1,0), (1,1):", predict(X_gate, xor_params))
    xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 150), np.linspace(-0.5, 1.5, 150))
    regions = predict(np.column_stack([xx.ravel(), yy.ravel()]), xor_params).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.contourf(xx, yy, regions, levels=[-0.5, 0.5, 1.5], colors=["#dde6f5", "#f7dccb"])
    ax.scatter(*X_gate.T, c=["#3b6fb6", "#d9682b", "#d9682b", "#3b6fb6"], s=90, edgecolor="k")
    ax.set(title="XOR with one hidden layer of 2 ReLUs", xlabel="$x_1$", ylabel="$x_2$")
    plt.show()
except NotImplementedError as exc:
    print("Finish mlp_forward and predict to see XOR solved:", exc)

# %% [markdown]
# ## 5. What one hidden layer can do: universal approximation
#
# The **universal approximation theorem** says that a network with a single hidden layer and
# a non-polynomial activation (ReLU, sigmoid and tanh all qualify) can approximate any
# continuous function on a bounded interval as closely as you like, given enough hidden units. It promises that suitable weights exist
# (not that training will find them, nor how many units you need), and its proof is easy
# to see in one dimension. Build the network by hand:
#
# * **ReLU hinges.** The hidden unit $\operatorname{relu}(x - t)$ is flat up to $t$ and then
#   rises with slope 1. A weighted sum of such hinges, placed at knots $t_1 < t_2 < \dots$, is
#   a piecewise linear curve whose slope changes by the output weight $a_i$ at each knot.
#   Choose the slope changes to follow the target and you get its "connect the dots" version.
# * **Sigmoid steps.** The unit $\sigma(s (x - t))$ with a large steepness $s$ is a smooth step
#   at $t$. Two opposite steps make a bump; a sum of steps with heights $a_i$ makes a
#   staircase that follows the curve.
#
# In both cases `W1` (hidden units, 1 input) holds the steepness, `b1` the positions,
# `W2` the heights or slope changes, and `mlp_forward` evaluates the whole thing. More
# hidden units, better fit.

# %%
def target(x):
    return np.sin(2 * x) + 0.3 * x


def hinge_network(knots):
    """1 -> len(knots) ReLUs -> 1, interpolating target linearly between the knots."""
    values = target(knots)
    slopes = np.diff(values) / np.diff(knots)  # slope on each piece
    changes = np.diff(np.concatenate([[0.0], slopes]))  # how much each hinge bends
    W1, b1 = np.ones((len(knots) - 1, 1)), -knots[:-1]
    W2, b2 = changes[None, :], np.array([values[0]])
    return [(W1, b1), (W2, b2)]


def step_network(centres, steepness=25.0):
    """1 -> len(centres)-1 sigmoid steps -> 1: a staircase through target(centres)."""
    values = target(centres)
    edges = (centres[:-1] + centres[1:]) / 2  # where the staircase rises or falls
    W1, b1 = np.full((len(edges), 1), steepness), -steepness * edges
    W2, b2 = np.diff(values)[None, :], np.array([values[0]])
    return [(W1, b1), (W2, b2)]


try:
    x_plot = np.linspace(0, 3, 400)[:, None]  # (N, 1): 400 examples, 1 input each
    kinds = ((hinge_network, "relu", "ReLU hinges"), (step_network, "sigmoid", "sigmoid steps"))
    curves = [{units: mlp_forward(x_plot, build(np.linspace(0, 3, units + 1)), act)
               for units in (3, 6, 16)} for build, act, _ in kinds]  # before any figure
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, (_, _, kind), fits in zip(axes, kinds, curves):
        ax.plot(x_plot, target(x_plot), color="k", lw=3, alpha=0.3, label="target")
        for units, fit in fits.items():
            ax.plot(x_plot, fit, label=f"{units} hidden units")
        ax.set(title=f"one hidden layer of {kind}", xlabel="x")
        ax.legend()
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish mlp_forward to see the approximations:", exc)

# %% [markdown]
# ## 6. Counting parameters
#
# Every layer `(in -> out)` has `out * in` weights and `out` biases. The network
# `[784, 128, 64, 10]` from above therefore has
#
# | layer | weights | biases | total |
# |---|---|---|---|
# | 784 -> 128 | 100 352 | 128 | 100 480 |
# | 128 -> 64 | 8 192 | 64 | 8 256 |
# | 64 -> 10 | 640 | 10 | 650 |
# | **network** | | | **109 386** |
#
# which is what `sum(p.numel() for p in model.parameters())` reports in PyTorch. Most of
# them sit in the first layer, where the input is widest.
#
# ### Exercise 6: `count_parameters(layer_sizes)`
# Return the number of weights plus biases as a Python `int`.

# %% tags=["exercise"]
def count_parameters(layer_sizes):
    """Number of weights plus biases of the MLP with these layer sizes, an int."""
    # BEGIN SOLUTION hint: a pair (n_in, n_out) of sizes has n_out * n_in weights and n_out biases
    sizes = [int(n) for n in layer_sizes]
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    # END SOLUTION


# %% tags=["check"] check="count_parameters"
assert count_parameters([784, 128, 64, 10]) == 109386, "see the table above"
assert count_parameters([3, 2]) == 8, "one layer 3 -> 2: 6 weights and 2 biases"
assert isinstance(count_parameters([4, 5, 1]), int), "return a Python int"

# %% [markdown]
# Finally, all the pieces together: a freshly initialised network's parameter count matches
# `count_parameters`, and its logits have one row per example and one column per class.
# These predictions are of course no better than chance: the weights are random. Assignments
# 04 and 05 compute the gradients and take the steps that turn this random network into a
# trained one.

# %%
try:
    sizes = [784, 128, 64, 10]
    net = init_mlp(sizes, np.random.default_rng(42))
    print("parameters:", sum(W.size + b.size for W, b in net), "=", count_parameters(sizes))
    images = np.random.default_rng(1).uniform(0, 1, size=(8, 784))  # 8 fake images
    print("logits shape:", mlp_forward(images, net).shape)
    print("predicted classes:", predict(images, net))
except NotImplementedError as exc:
    print("Finish the exercises above to run the whole network:", exc)
