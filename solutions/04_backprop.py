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
# # 04 · Backpropagation: how a network learns
#
# Assignment 03 built the forward pass: an input goes in, logits come out. With random
# weights those logits are nonsense. This assignment is about the other half of every
# training step: measuring *how wrong* the network is (the **loss**) and computing, for
# every single weight, which way to nudge it to make the loss smaller (the **gradient**).
# The algorithm that computes all those gradients in one sweep from the output back to the
# input is **backpropagation**. It is nothing more than the chain rule from calculus,
# applied carefully and in the right order, and by the end of this notebook you will have
# written every piece of it yourself and trained a network with it.
#
# **What you will write:**
# * the backward pass of each layer: `linear_backward`, `relu_backward`,
#   `sigmoid_backward`, `tanh_backward`, `softmax_backward`;
# * four losses and their gradients: `mse_loss`, `cross_entropy_loss`, `bce_loss`,
#   `bce_with_logits_loss` and the matching `..._grad` functions;
# * gradient checking: `numerical_gradient` and `relative_error`;
# * the whole network: `mlp_loss_and_grads`.
#
# Each exercise cell contains a stub that raises `NotImplementedError`; replace it with your
# code, then run the check cell below it. Use numpy only (no torch: you are building what
# `loss.backward()` does for you). The forward pieces of assignment 03 are given.
#
# **Conventions for every function here** (the hidden tests check them):
# - an array argument may also be a Python number or a (nested) list, of floats or of ints:
#   convert it with `np.asarray(..., dtype=np.float64)` before computing with it (class
#   labels become integers: `np.asarray(labels).astype(np.int64)`);
# - no function modifies its inputs: build new arrays instead (no `+=` or `-=` on an
#   argument). The one exception is `numerical_gradient`, which changes one entry of `x` at
#   a time and restores it exactly (section 5).

# %% tags=["given"]
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 0. The forward pieces (given)
#
# These are the solutions of assignments 02 and 03, so that this notebook stands on its own:
# the activations (written so that no `exp` ever overflows), a numerically stable `softmax`,
# one fully connected layer `linear_forward` (`x @ W.T + b`, with `W` of shape `(out, in)`
# as in `torch.nn.Linear`), `init_mlp` (PyTorch's initialisation) and `mlp_forward`
# (activation after every layer but the last; the last layer returns logits).

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


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, with the maximum subtracted first (no overflow)."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


ACTIVATIONS = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}


def linear_forward(x, W, b):
    """A fully connected layer. x: (N, in); W: (out, in); b: (out,) -> (N, out) float64."""
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return x @ W.T + b


def init_linear(in_features, out_features, rng):
    """torch.nn.Linear's init: W (out, in) then b (out,), both U(-k, k), k = 1/sqrt(in)."""
    k = 1.0 / np.sqrt(in_features)
    W = rng.uniform(-k, k, size=(out_features, in_features))
    b = rng.uniform(-k, k, size=out_features)
    return W, b


def init_mlp(layer_sizes, rng):
    """[(W1, b1), (W2, b2), ...]: one init_linear per consecutive pair of layer_sizes."""
    sizes = list(layer_sizes)
    return [init_linear(n_in, n_out, rng) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def mlp_forward(x, params, activation="relu"):
    """Logits (N, out) of the MLP params = [(W1, b1), ...]; activation after all but the last."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    phi = ACTIVATIONS[activation]
    h = np.asarray(x, dtype=np.float64)
    *hidden, (W_out, b_out) = params
    for W, b in hidden:
        h = phi(linear_forward(h, W, b))
    return linear_forward(h, W_out, b_out)


# %% [markdown]
# ## 1. The loss is a landscape, and training walks downhill
#
# A **loss function** turns "how wrong is the network on this batch" into one number $L$.
# Everything the network computes depends on its parameters (all the weights and biases),
# so the loss is a function of the parameters: $L(\theta)$. Picture it as a landscape. With
# just two parameters, say a slope $w$ and an intercept $b$, it is a real surface: $w$ and $b$
# are the east-west and north-south coordinates, and $L(w, b)$ is the altitude. Training
# means finding the lowest valley.
#
# We cannot see the landscape (a real network has millions of coordinates), but at the
# point where we stand we can measure the **slope**. The vector of partial derivatives, the
# **gradient**
#
# $$\nabla L = \left(\frac{\partial L}{\partial w}, \frac{\partial L}{\partial b}\right),$$
#
# points in the direction in which the loss rises fastest. So we take a small step the other
# way, and repeat:
#
# $$w \leftarrow w - \eta \frac{\partial L}{\partial w}, \qquad
#   b \leftarrow b - \eta \frac{\partial L}{\partial b}.$$
#
# This is **gradient descent**, and $\eta$ is the **learning rate**, the length of our
# steps. Too small and we crawl; too large and we overshoot the valley and bounce from wall
# to wall (assignment 05 studies this, and cleverer ways to walk). Below, the landscape of
# fitting a line $\hat y = w x + b$ to a few points with the mean squared error, and the
# path gradient descent takes from a poor starting guess. Notice that each step leaves the
# contour line through its starting point at a right angle: the gradient is always
# perpendicular to the contour lines (both axes are drawn to the same scale, so that angles
# on the page are the true ones).
#
# Everything in this notebook serves one purpose: computing $\nabla L$ for a whole network,
# exactly and fast.

# %%
_rng = np.random.default_rng(4)
x_line = np.linspace(-1, 1, 20)
y_line = 1.5 * x_line - 0.5 + 0.2 * _rng.normal(size=20)


def line_loss_and_grad(w, b):
    """Mean squared error of y = w x + b on the points above, and its gradient (by hand)."""
    residual = w * x_line + b - y_line
    return np.mean(residual ** 2), 2 * np.mean(residual * x_line), 2 * np.mean(residual)


ws, bs = np.meshgrid(np.linspace(-1.5, 3.5, 120), np.linspace(-2.5, 2.0, 120))
surface = np.mean((ws[..., None] * x_line + bs[..., None] - y_line) ** 2, axis=-1)
path = [(-1.0, 1.5)]
for _ in range(40):
    w_now, b_now = path[-1]
    _, dw, db = line_loss_and_grad(w_now, b_now)
    path.append((w_now - 0.3 * dw, b_now - 0.3 * db))
path = np.array(path)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
contours = ax1.contour(ws, bs, surface, levels=np.geomspace(0.05, 12, 14), cmap="viridis")
ax1.plot(path[:, 0], path[:, 1], "o-", color="#d9682b", ms=3, label="gradient descent, lr = 0.3")
ax1.set(xlabel="w (slope)", ylabel="b (intercept)", title="the loss landscape L(w, b)")
ax1.set_aspect("equal")  # one unit of w as long as one of b: right angles look right
ax1.legend()
ax2.plot([line_loss_and_grad(w, b)[0] for w, b in path], marker="o", ms=3)
ax2.set(xlabel="step", ylabel="loss", yscale="log", title="the loss along the path")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. The chain rule, worked by hand on the smallest network
#
# Take the smallest network there is: one input $x$, one weight $w$, one bias $b$, a sigmoid,
# and the squared error against a target $y$:
#
# $$z = w x + b, \qquad a = \sigma(z), \qquad L = (a - y)^2 .$$
#
# The loss depends on $w$ only *through* $z$ and $a$, a chain of three simple steps. The
# **chain rule** says that the derivative along a chain is the product of the derivatives
# of its links:
#
# $$\frac{\partial L}{\partial w}
#   = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}
#     \cdot\frac{\partial z}{\partial w}
#   = 2(a - y) \cdot \sigma(z)\,(1 - \sigma(z)) \cdot x ,
# \qquad
#   \frac{\partial L}{\partial b}
#   = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}\cdot 1 .$$
#
# (The sigmoid has the famously convenient derivative $\sigma'(z) = \sigma(z)(1 - \sigma(z))$,
# which you derived in assignment 02.) Now with numbers: $x = 1.5$, $w = 0.8$, $b = -0.2$,
# $y = 1$.
#
# | quantity | forward (top to bottom) | backward (bottom to top) |
# |---|---|---|
# | $w$ | $0.8$ | $\partial L/\partial w = \partial L/\partial z \cdot x = -0.1586$ |
# | $b$ | $-0.2$ | $\partial L/\partial b = \partial L/\partial z \cdot 1 = -0.1058$ |
# | $z$ | $wx + b = 1.0$ | $\partial L/\partial z = -0.5379 \cdot 0.1966 = -0.1058$ |
# | $a$ | $\sigma(z) = 0.7311$ | $\partial a/\partial z = a(1-a) = 0.1966$ |
# | $L$ | $(a - y)^2 = 0.0723$ | $\partial L/\partial a = 2(a - y) = -0.5379$ |
#
# Read the backward column from the bottom up: we start at the loss and move towards the
# parameters, multiplying by one local derivative per step. Both gradients are negative, so
# gradient descent *increases* $w$ and $b$; that raises $z$, so $a$ moves up towards the
# target $1$. One step with $\eta = 1$ gives $w = 0.9586$, $b = -0.0942$ and a loss of
# $0.0428$ instead of $0.0723$.
#
# Two observations make this scale to networks with millions of weights:
#
# * **Reuse.** $\partial L/\partial z$ appears in *both* parameter gradients. Computing it
#   once and passing it backwards is what makes backpropagation fast: the backward pass
#   costs about as much as the forward pass, instead of one forward pass per weight.
# * **Locality.** Each step only needs its own local derivative and the gradient arriving
#   from the step after it (the **upstream gradient**, called `dout` below). No step needs
#   to know the rest of the network. So we can write each layer's backward pass once, as its
#   own function, and chain them.
#
# You can always verify a derivative by *nudging*: change $w$ by a tiny $h$ and see how much
# the loss changes. The ratio is the slope. This is the idea behind gradient checking
# (section 5).

# %%
def tiny_network_loss(w, b, x=1.5, y=1.0):
    return (sigmoid(w * x + b) - y) ** 2


w0, b0, x0, y0 = 0.8, -0.2, 1.5, 1.0
a0 = sigmoid(w0 * x0 + b0)
dL_dz = 2 * (a0 - y0) * a0 * (1 - a0)
print(f"chain rule:  dL/dw = {dL_dz * x0:+.6f}   dL/db = {dL_dz:+.6f}")
h = 1e-6
nudge_w = (tiny_network_loss(w0 + h, b0) - tiny_network_loss(w0 - h, b0)) / (2 * h)
nudge_b = (tiny_network_loss(w0, b0 + h) - tiny_network_loss(w0, b0 - h)) / (2 * h)
print(f"nudging:     dL/dw = {nudge_w:+.6f}   dL/db = {nudge_b:+.6f}")
print(f"loss {float(tiny_network_loss(w0, b0)):.4f} -> after one step with lr = 1: "
      f"{float(tiny_network_loss(w0 - dL_dz * x0, b0 - dL_dz)):.4f}")

# %% [markdown]
# ## 3. Backward passes, one layer at a time
#
# In a real network every quantity is an array, and every layer becomes a pair of functions:
#
# * **forward**: inputs $\to$ output, as in assignment 03;
# * **backward**: given the inputs (remembered from the forward pass) and the upstream
#   gradient `dout` $= \partial L/\partial(\text{output})$, return the gradient of the loss
#   with respect to each input: $\partial L/\partial(\text{input})$.
#
# One rule keeps you out of most trouble: **a gradient has the shape of the thing it is the
# gradient of.** $\partial L/\partial W$ holds one number per entry of $W$ ("how much does
# the loss change if I nudge this weight"), so it has $W$'s shape. If your `dW` comes out
# transposed, the formula is wrong, however plausible it looked.
#
# ### The linear layer
# Forward: $y = x W^\top + b$, entry by entry $y_{nj} = \sum_i x_{ni} W_{ji} + b_j$. Apply
# the chain rule to one entry at a time and collect the results into matrices:
#
# * $W_{ji}$ influences $y_{nj}$ for every example $n$, with slope $x_{ni}$, so
#   $\partial L/\partial W_{ji} = \sum_n \text{dout}_{nj}\, x_{ni}$, that is
#   `dW = dout.T @ x`;
# * $x_{ni}$ influences $y_{nj}$ for every output unit $j$, with slope $W_{ji}$, so
#   $\partial L/\partial x_{ni} = \sum_j \text{dout}_{nj}\, W_{ji}$, that is `dx = dout @ W`;
# * $b_j$ is added to $y_{nj}$ for every example $n$, with slope 1, so
#   $\partial L/\partial b_j = \sum_n \text{dout}_{nj}$, that is `db = dout.sum(axis=0)`.
#
# | array | forward role | its gradient | shape |
# |---|---|---|---|
# | `x` | input batch | `dx = dout @ W` | `(N, in)`, like `x` |
# | `W` | weights, one row per unit | `dW = dout.T @ x` | `(out, in)`, like `W` |
# | `b` | biases | `db = dout.sum(axis=0)` | `(out,)`, like `b` |
# | `y = x @ W.T + b` | output | `dout` (given to you) | `(N, out)`, like `y` |
#
# Check the shapes: `(N, out) @ (out, in)` is `(N, in)`; `(out, N) @ (N, in)` is
# `(out, in)`. And notice the **sum** in `db`: the bias is used once per example, and a
# quantity used several times collects the gradient from every use. Do not divide by $N$
# here: if the loss is a mean over the batch, its gradient `dout` already contains the
# $1/N$, and dividing again would count it twice.
#
# ### Exercise 1: `linear_backward(dout, x, W)`
# Return `(dx, dW, db)` as float64 arrays with the shapes in the table. (The layer's
# backward pass does not need `b`: the bias does not affect any derivative.) As everywhere in
# this notebook, `dout`, `x` and `W` may arrive as nested lists (of ints, too): convert each
# with `np.asarray(..., dtype=np.float64)` first, since a list has no `.T` and no `@`.

# %% tags=["exercise"]
def linear_backward(dout, x, W):
    """Backward pass of y = x @ W.T + b. dout (N, out), x (N, in), W (out, in) -> (dx, dW, db)."""
    # BEGIN SOLUTION hint: dx = dout @ W, dW = dout.T @ x, db = dout summed over the batch axis 0
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    dx = dout @ W
    dW = dout.T @ x
    db = dout.sum(axis=0)
    return dx, dW, db
    # END SOLUTION


# %% tags=["check"] check="linear_backward"
_x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])  # N=2, in=3
_W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 0.5, 1.0], [1.0, 1.0, 1.0]])  # out=4
_dout = np.array([[1.0, 0.0, 0.0, 2.0], [0.0, 1.0, -1.0, 0.0]])  # (N, out)
_dx, _dW, _db = linear_backward(_dout, _x, _W)
assert _dx.shape == (2, 3), f"dx has the shape of x, (N, in) = (2, 3); got {_dx.shape}"
assert _dW.shape == (4, 3), f"dW has the shape of W, (out, in) = (4, 3); got {_dW.shape}"
assert _db.shape == (4,), f"db has the shape of b, (out,) = (4,); got {_db.shape}"
assert np.allclose(_dx, [[3.0, 2.0, 1.0], [2.0, 0.5, -1.0]]), "wrong dx: it is dout @ W"
assert np.allclose(_dW[0], [1.0, 2.0, 3.0]) and np.allclose(_dW[2], [0.0, 1.0, -0.5]), \
    "wrong dW: it is dout.T @ x"
assert np.allclose(_db, [1.0, 1.0, -1.0, 2.0]), "db is dout summed over the batch (not averaged)"
_parts = linear_backward(_dout.astype(int).tolist(), _x.tolist(), _W.tolist())
assert all(np.allclose(_got, _want) for _got, _want in zip(_parts, (_dx, _dW, _db))), \
    "dout, x and W may be nested lists (of ints, too): convert each with np.asarray first"

# %% [markdown]
# ### Elementwise activations
# An activation $a = \phi(z)$ acts on each entry separately, so each entry's gradient is
# just multiplied by the local slope there: $\partial L/\partial z = \text{dout} \cdot \phi'(z)$,
# elementwise, with the same shape as `z`. This is where the derivatives of assignment 02 go:
#
# | activation | $\phi'(z)$ | note |
# |---|---|---|
# | ReLU | $1$ where $z > 0$, else $0$ | at exactly $z = 0$ the slope is taken as $0$, as in torch |
# | sigmoid | $\sigma(z)(1 - \sigma(z))$ | at most $1/4$: every sigmoid layer shrinks the gradient |
# | tanh | $1 - \tanh(z)^2$ | at most $1$, and tiny for large $\lvert z \rvert$ |
#
# Careful: each backward function receives the activation's **input** `x` (the
# pre-activation), not its output. Compute `sigmoid(x)` or `tanh(x)` yourself where you need
# them. And notice the last column: when $|z|$ is large, sigmoid and tanh are flat, their
# slope is nearly $0$, and almost no gradient gets through. Stack many such layers and the
# gradient reaching the first layers **vanishes**: one reason ReLU became the default.
#
# ### Exercise 2: `relu_backward(dout, x)`, `sigmoid_backward(dout, x)`, `tanh_backward(dout, x)`
# Each returns `dL/dx`, a float64 array of the shape of `x`.

# %% tags=["exercise"]
def relu_backward(dout, x):
    """dL/dx for a = relu(x), given dout = dL/da (same shape as x)."""
    # BEGIN SOLUTION hint: the gradient passes where x > 0 (strictly) and is 0 elsewhere
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, dout, 0.0)
    # END SOLUTION


# %% tags=["check"] check="relu_backward"
_g = relu_backward(np.array([[1.0, 2.0, 3.0]]), np.array([[-1.0, 0.0, 2.0]]))
assert _g.shape == (1, 3) and _g.dtype == np.float64, "keep the shape of x, in float64"
assert _g.tolist() == [[0.0, 0.0, 3.0]], f"expected [[0, 0, 3]] (slope 0 at 0), got {_g.tolist()}"


# %% tags=["exercise"]
def sigmoid_backward(dout, x):
    """dL/dx for a = sigmoid(x), given dout = dL/da (same shape as x)."""
    # BEGIN SOLUTION hint: s = sigmoid(x) (x is the input, not the output); dout * s * (1 - s)
    dout = np.asarray(dout, dtype=np.float64)
    s = sigmoid(x)
    return dout * s * (1.0 - s)
    # END SOLUTION


# %% tags=["check"] check="sigmoid_backward"
_g = sigmoid_backward(np.array([2.0, 1.0, 1.0]), np.array([0.0, 1e4, -1e4]))
assert np.allclose(_g, [0.5, 0.0, 0.0]), f"sigma'(0) = 1/4 so 2 * 1/4 = 0.5; flat far out; got {_g}"
assert np.isclose(sigmoid_backward(1.0, 1.0), 0.7310585786300049 * (1 - 0.7310585786300049)), \
    "x is the input of the sigmoid: compute s = sigmoid(x) first"


# %% tags=["exercise"]
def tanh_backward(dout, x):
    """dL/dx for a = tanh(x), given dout = dL/da (same shape as x)."""
    # BEGIN SOLUTION hint: t = tanh(x); multiply dout by 1 - t ** 2
    dout = np.asarray(dout, dtype=np.float64)
    t = tanh(x)
    return dout * (1.0 - t ** 2)
    # END SOLUTION


# %% tags=["check"] check="tanh_backward"
_g = tanh_backward(np.array([3.0, 1.0, 1.0]), np.array([0.0, 1e4, 1.0]))
assert np.allclose(_g, [3.0, 0.0, 1 - np.tanh(1.0) ** 2]), f"tanh' is 1 - tanh(x)^2; got {_g}"

# %% [markdown]
# ### Softmax: not elementwise
# Softmax turns a row of scores into probabilities, $s_i = e^{x_i} / \sum_k e^{x_k}$. Every
# output depends on *every* input (raise one score and all the other probabilities must
# drop, since they sum to 1), so the local derivative is a whole matrix, the **Jacobian**:
#
# $$\frac{\partial s_i}{\partial x_j} = s_i(\delta_{ij} - s_j), \qquad
#   \delta_{ij} = \begin{cases} 1 & i = j \\ 0 & i \ne j \end{cases}$$
#
# The diagonal ($i = j$) is $s_i(1 - s_i)$, just like the sigmoid's; the off-diagonal entries
# $-s_i s_j$ are the "if one goes up, the others go down" part. Using only the diagonal,
# `dout * s * (1 - s)`, is a classic mistake. The chain rule sums over all outputs $i$:
#
# $$\frac{\partial L}{\partial x_j} = \sum_i \text{dout}_i\, s_i(\delta_{ij} - s_j)
#   = s_j \Big(\text{dout}_j - \sum_i \text{dout}_i\, s_i\Big).$$
#
# So you never build the matrix: compute $s$, the weighted sum $\sum_i \text{dout}_i s_i$
# along the softmax axis (`keepdims=True`, so that it broadcasts back), subtract and multiply.
#
# ### Exercise 3: `softmax_backward(dout, x, axis=-1)`
# `dL/dx` for `s = softmax(x, axis)`, same shape as `x`, for any `axis` (for a batch of
# rows it is the last axis; `axis=0` normalises columns instead). Use the given `softmax`.

# %% tags=["exercise"]
def softmax_backward(dout, x, axis=-1):
    """dL/dx for s = softmax(x, axis), given dout = dL/ds (same shape as x)."""
    # BEGIN SOLUTION hint: s = softmax(x, axis); s * (dout - (dout * s).sum(axis, keepdims=True))
    dout = np.asarray(dout, dtype=np.float64)
    s = softmax(x, axis=axis)
    return s * (dout - np.sum(dout * s, axis=axis, keepdims=True))
    # END SOLUTION


# %% tags=["check"] check="softmax_backward"
_x = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
_s = softmax(_x)
_g = softmax_backward(np.array([[1.0, 0.0, 0.0], [2.0, 2.0, 2.0]]), _x)
assert _g.shape == (2, 3), "dx has the shape of x"
assert np.allclose(_g[0], _s[0, 0] * (np.eye(3)[0] - _s[0])), "row 0: s_0 * (delta_0j - s_j)"
assert np.allclose(_g[1], 0.0), "the same dout for every probability changes nothing: 0 gradient"
assert np.allclose(softmax_backward(_x.T, _x.T, axis=0), softmax_backward(_x, _x).T), \
    "axis=0 must work on columns as the default works on rows"

# %% [markdown]
# ## 4. Losses: measuring how wrong the network is
#
# The loss sits at the end of the chain: it is where backpropagation *starts*, with the
# gradient of the loss with respect to the network's output. All our losses are **means**
# over the examples (torch's default `reduction="mean"`), so that the loss, and the size of
# the gradient steps, do not depend on the batch size. Which loss to use depends on what
# the network predicts:
#
# | task | network output | loss | torch |
# |---|---|---|---|
# | regression (predict numbers) | any real values | mean squared error | `nn.MSELoss` |
# | one of $C$ classes | $C$ logits per example | cross-entropy | `nn.CrossEntropyLoss` |
# | yes/no questions | probabilities in $[0, 1]$ | binary cross-entropy | `nn.BCELoss` |
# | yes/no questions | logits | BCE with logits | `nn.BCEWithLogitsLoss` |
#
# A loss returns one number, a Python `float`. Its gradient has the shape of the prediction.
#
# ### Mean squared error (regression)
# $$L = \frac{1}{M} \sum_{k} (\hat y_k - y_k)^2, \qquad
#   \frac{\partial L}{\partial \hat y_k} = \frac{2}{M} (\hat y_k - y_k),$$
#
# where the mean runs over **all** $M$ entries: for predictions of shape `(N, D)`, $M = N D$.
# Large errors are punished quadratically, which is what you want when predicting
# quantities, and too harsh for class labels. Do not forget the $2$ (from the square) or the
# $1/M$ (from the mean) in the gradient: gradient checking would catch both.
#
# ### Exercise 4: `mse_loss(pred, target)` (a float) and `mse_loss_grad(pred, target)`

# %% tags=["exercise"]
def mse_loss(pred, target):
    """Mean squared error over all elements, as a Python float."""
    # BEGIN SOLUTION hint: np.mean over all entries of the squared differences; return float(...)
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    return float(np.mean((pred - target) ** 2))
    # END SOLUTION


# %% tags=["check"] check="mse_loss"
_l = mse_loss(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]]))
assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
assert np.isclose(_l, 13 / 4), f"(0 + 4 + 9 + 0) / 4 entries = 3.25, got {_l}"
assert mse_loss([0.5, 0.5], [0.5, 0.5]) == 0.0, "no error, no loss"


# %% tags=["exercise"]
def mse_loss_grad(pred, target):
    """dL/dpred of mse_loss: 2 * (pred - target) / (number of elements), shape of pred."""
    # BEGIN SOLUTION hint: 2 * (pred - target) divided by pred.size
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    return 2.0 * (pred - target) / pred.size
    # END SOLUTION


# %% tags=["check"] check="mse_loss_grad"
_g = mse_loss_grad(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]]))
assert _g.shape == (2, 2), "the gradient has the shape of pred"
assert np.allclose(_g, [[0.0, 1.0], [1.5, 0.0]]), f"2 (pred - target) / 4; got {_g.tolist()}"

# %% [markdown]
# ### Cross-entropy (multi-class classification, from logits)
# The network outputs one logit per class; softmax turns a row into probabilities $p$, and
# the loss of an example is $-\log p_y$, minus the log of the probability given to the
# **correct** class $y$. A confident right answer costs almost nothing; a confident wrong
# one costs a lot. Averaged over the batch:
#
# $$L = \frac{1}{N} \sum_{n} -\log \operatorname{softmax}(z_n)_{y_n}
#     = \frac{1}{N} \sum_{n} \Big( \log \sum_c e^{z_{nc}} - z_{n y_n} \Big).$$
#
# **Computing it safely.** `np.log(softmax(z))` is a bad idea: a probability can underflow
# to exactly $0$ and its log is $-\infty$. Work with the second form instead, and compute
# the **log-sum-exp** with the row maximum $m$ subtracted first:
#
# $$\log \sum_c e^{z_c} = m + \log \sum_c e^{z_c - m}.$$
#
# All the exponents are now $\le 0$, so nothing overflows, and one term is $e^0 = 1$, so
# the sum is at least 1 and its log is safe. Logits of 1000 (which make `np.exp` return
# `inf`) are no problem at all.
#
# **The gradient** is the most satisfying formula of this course. Differentiate one row:
# $\partial/\partial z_c \big(\log\sum_k e^{z_k} - z_y\big) = p_c - [c = y]$. Probability
# minus one-hot label, divided by $N$ for the mean:
#
# $$\frac{\partial L}{\partial z}
#   = \frac{1}{N}\big(\operatorname{softmax}(z) - \text{onehot}(y)\big).$$
#
# (You could get the same by chaining `softmax_backward` with the gradient of $-\log p_y$,
# but the fused formula is simpler, faster and more accurate. That is why
# `nn.CrossEntropyLoss` takes logits and why the network has no softmax layer at the end.)
#
# ### Exercise 5: `cross_entropy_loss(logits, labels)` and `cross_entropy_loss_grad(logits, labels)`
# `logits` has shape `(N, C)`, `labels` holds `N` integer class indices. The loss is a float,
# the gradient has shape `(N, C)`. `logits[np.arange(N), labels]` picks the correct class's
# logit in every row.

# %% tags=["exercise"]
def cross_entropy_loss(logits, labels):
    """Mean over the N rows of -log softmax(logits)[label], computed stably; a float."""
    # BEGIN SOLUTION hint: z - row max m; lse = m + log(sum(exp(z - m))); mean of lse - right logit
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)
    n = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(n), labels]))
    # END SOLUTION


# %% tags=["check"] check="cross_entropy_loss"
_l = cross_entropy_loss(np.array([[0.0, 0.0], [np.log(3.0), 0.0]]), np.array([0, 0]))
assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
assert np.isclose(_l, (np.log(2) + np.log(4 / 3)) / 2), f"(-log 1/2 - log 3/4) / 2, got {_l}"
_big = cross_entropy_loss(np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))
assert np.isfinite(_big) and np.isclose(_big, 1000.0), \
    f"logits of 1000 must not overflow (subtract the row max), expected 1000.0, got {_big}"


# %% tags=["exercise"]
def cross_entropy_loss_grad(logits, labels):
    """dL/dlogits of cross_entropy_loss: (softmax(logits) - onehot(labels)) / N, shape (N, C)."""
    # BEGIN SOLUTION hint: p = softmax(logits, axis=1); p[np.arange(N), labels] -= 1; divide by N
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)
    n = logits.shape[0]
    grad = softmax(logits, axis=1)
    grad[np.arange(n), labels] -= 1.0
    return grad / n
    # END SOLUTION


# %% tags=["check"] check="cross_entropy_loss_grad"
_g = cross_entropy_loss_grad(np.array([[0.0, 0.0], [np.log(3.0), 0.0]]), np.array([0, 1]))
assert _g.shape == (2, 2), "the gradient has the shape of the logits"
assert np.allclose(_g, [[-0.25, 0.25], [0.375, -0.375]]), f"(p - onehot) / N, got {_g.tolist()}"
assert np.allclose(_g.sum(axis=1), 0.0), "each row of (p - onehot) sums to 0"

# %% [markdown]
# ### Binary cross-entropy (yes/no questions)
# For a yes/no target $t \in \{0, 1\}$ (or a soft target in between) and a predicted
# probability $p$ of "yes" (the output of a sigmoid):
#
# $$L = -\frac{1}{M} \sum_k \Big( t_k \log p_k + (1 - t_k) \log(1 - p_k) \Big)$$
#
# over all $M$ entries. When the prediction is exactly wrong ($p = 0$ with $t = 1$) the log is
# $-\infty$. PyTorch's `BCELoss` avoids infinite losses by **clamping each log term at
# $-100$**: it uses $\max(\log p, -100)$ and $\max(\log(1 - p), -100)$. We do the same, so
# that our values match torch's exactly, also at $p = 0$ and $p = 1$ (compute the logs with
# `np.errstate(divide="ignore")` so that numpy does not warn about `log(0)`; note that
# $0 \cdot (-100) = 0$, while $0 \cdot (-\infty)$ would be `nan`). Torch computes
# $\log(1 - p)$ as `np.log1p(-p)`, which is more accurate when $p$ is tiny.
#
# The derivative of one term with respect to $p$ is $\frac{p - t}{p(1 - p)}$, which blows up
# at $p = 0$ or $1$; torch guards the denominator with $10^{-12}$:
#
# $$\frac{\partial L}{\partial p_k}
#   = \frac{p_k - t_k}{\max\big(p_k(1 - p_k),\, 10^{-12}\big)\, M}.$$
#
# ### Exercise 6: `bce_loss(probs, targets)` and `bce_loss_grad(probs, targets)`

# %% tags=["exercise"]
def bce_loss(probs, targets):
    """Mean binary cross-entropy, each log term clamped at -100 (torch's BCELoss); a float."""
    # BEGIN SOLUTION hint: with np.errstate(divide="ignore"): np.maximum(np.log(p), -100), log1p(-p)
    p = np.asarray(probs, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_not_p = np.maximum(np.log1p(-p), -100.0)
    return float(-np.mean(t * log_p + (1.0 - t) * log_not_p))
    # END SOLUTION


# %% tags=["check"] check="bce_loss"
_l = bce_loss(np.array([0.9, 0.2]), np.array([1.0, 0.0]))
assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
assert np.isclose(_l, -(np.log(0.9) + np.log(0.8)) / 2), f"wrong value {_l}"
assert bce_loss(np.array([0.0, 1.0]), np.array([1.0, 0.0])) == 100.0, \
    "a certain wrong answer costs 100 (the clamp at -100), not inf"
assert bce_loss(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0, "a certain right answer costs 0"


# %% tags=["exercise"]
def bce_loss_grad(probs, targets):
    """dL/dprobs of bce_loss: (p - t) / max(p * (1 - p), 1e-12) / M elementwise (torch's)."""
    # BEGIN SOLUTION hint: (p - t) / np.maximum(p * (1 - p), 1e-12), divided by p.size
    p = np.asarray(probs, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    return (p - t) / np.maximum(p * (1.0 - p), 1e-12) / p.size
    # END SOLUTION


# %% tags=["check"] check="bce_loss_grad"
_g = bce_loss_grad(np.array([0.5, 0.2, 0.0]), np.array([1.0, 0.0, 0.0]))
assert _g.shape == (3,), "the gradient has the shape of probs"
assert np.allclose(_g, [-2 / 3, 1.25 / 3, 0.0]), f"(p - t) / (p (1 - p)) / 3, got {_g.tolist()}"
assert np.isfinite(bce_loss_grad(np.array([0.0]), np.array([1.0]))).all(), "guard with 1e-12"

# %% [markdown]
# ### Binary cross-entropy with logits: the stable way
# If the network's last layer is followed by a sigmoid and then `bce_loss`, the two are
# better merged into one function of the logit $z$, just as softmax and cross-entropy were.
# With $p = \sigma(z)$, $\log p = -\log(1 + e^{-z})$ and $\log(1 - p) = -\log(1 + e^{z})$; for
# one entry
#
# $$\ell(z, t) = t \log(1 + e^{-z}) + (1 - t) \log(1 + e^{z})
#             = \max(z, 0) - z t + \log\big(1 + e^{-|z|}\big).$$
#
# (Check the last form separately for $z \ge 0$ and $z < 0$.) It never exponentiates a
# positive number, and `np.log1p(np.exp(-np.abs(z)))` is accurate even when $e^{-|z|}$ is
# tiny. Why bother? Because in float64, $\sigma(40)$ *is* exactly $1.0$: the sigmoid has
# thrown away the information that the logit was 40 and not 4000. If the target is 0, `bce_loss`
# then sees $\log(1 - 1) = -\infty$, clamps it, and reports a loss of 100 whatever the
# logit, with a useless gradient; the true loss is 40, which the formula above returns exactly.
#
# The gradient is as neat as cross-entropy's: prediction minus target,
#
# $$\frac{\partial L}{\partial z_k} = \frac{\sigma(z_k) - t_k}{M}.$$
#
# ### Exercise 7: `bce_with_logits_loss(logits, targets)` and `bce_with_logits_loss_grad(logits, targets)`
# Both must work for logits as large as $\pm 10^4$ without warnings, `inf` or `nan`.

# %% tags=["exercise"]
def bce_with_logits_loss(logits, targets):
    """Mean of max(z, 0) - z * t + log(1 + exp(-|z|)) (torch's BCEWithLogitsLoss); a float."""
    # BEGIN SOLUTION hint: np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))), then the mean
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    return float(np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))))
    # END SOLUTION


# %% tags=["check"] check="bce_with_logits_loss"
_l = bce_with_logits_loss(np.array([0.0, 2.0]), np.array([1.0, 0.0]))
assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
assert np.isclose(_l, (np.log(2) + np.log(1 + np.exp(2))) / 2), f"wrong value {_l}"
assert np.isclose(bce_with_logits_loss(np.array([40.0, -1e4]), np.array([0.0, 0.0])), 20.0), \
    "logit 40 with target 0 costs 40 (and -1e4 with target 0 costs 0): mean 20, no overflow"


# %% tags=["exercise"]
def bce_with_logits_loss_grad(logits, targets):
    """dL/dlogits of bce_with_logits_loss: (sigmoid(z) - t) / M."""
    # BEGIN SOLUTION hint: (sigmoid(z) - t) divided by the number of entries
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    return (sigmoid(z) - t) / z.size
    # END SOLUTION


# %% tags=["check"] check="bce_with_logits_loss_grad"
_z, _t = np.array([[0.0, 1e4], [-1e4, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])
_g = bce_with_logits_loss_grad(_z, _t)
assert _g.shape == (2, 2), "the gradient has the shape of the logits"
assert np.allclose(_g, [[-0.125, 0.0], [-0.25, 0.125]]), f"(sigmoid(z) - t) / 4, got {_g.tolist()}"

# %% [markdown]
# Here is the difference in practice: the loss of one example with target 0 as its logit
# grows. Going through `sigmoid` and `bce_loss`, the loss follows $z$ up to about $z = 34$,
# then climbs in coarse steps ($1 - \sigma(z)$ is rounded to the spacing of float64 numbers
# near 1), and at $z \approx 37$, where $\sigma(z)$ rounds to exactly $1$, it **jumps to
# 100** (the $-100$ clamp of $\log(1 - p)$) and stays flat at 100 however large $z$ grows: too
# high for $37 < z < 100$, too low beyond. The fused version follows $z$ all the way, as it
# should.

# %%
try:
    z_grid = np.linspace(-10, 120, 300)
    via_probs = [bce_loss(sigmoid(np.array([z])), np.array([0.0])) for z in z_grid]
    fused = [bce_with_logits_loss(np.array([z]), np.array([0.0])) for z in z_grid]
    plt.figure(figsize=(6, 3.5))
    plt.plot(z_grid, via_probs, lw=3, alpha=0.6, label="bce_loss(sigmoid(z), 0)")
    plt.plot(z_grid, fused, "--", label="bce_with_logits_loss(z, 0)")
    plt.xlabel("logit z")
    plt.ylabel("loss (target 0)")
    plt.legend()
    plt.title("sigmoid then BCE saturates; BCE with logits does not")
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish bce_loss and bce_with_logits_loss to see this plot:", exc)

# %% [markdown]
# ## 5. Gradient checking: trust, but verify
#
# A backward pass with a bug still returns numbers, and the network may even train a
# little, just worse. So professionals test their gradients against the definition of the
# derivative. For each entry $x_i$ of the input, nudge it both ways by a small $h$:
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},$$
#
# where $x + h e_i$ means "$x$ with only entry $i$ increased by $h$". This **central
# difference** is much more accurate than the one-sided **forward difference**
# $(f(x + h e_i) - f(x)) / h$. Taylor's expansion shows why:
# $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + \dots$
# The forward difference keeps the $\tfrac{h}{2} f''$ term, an error proportional to $h$;
# in the central difference the $h^2$ terms cancel and the error is proportional to $h^2$.
# With $h = 10^{-5}$ that is the difference between 5 and 10 correct digits. (And $h$ cannot
# be made arbitrarily small: $f(x+h)$ and $f(x-h)$ become so close that their difference is
# mostly rounding error. The plot below shows both effects; in float64, $h \approx 10^{-5}$
# is a good compromise for central differences.)
#
# Checking costs two evaluations of $f$ per entry, far too slow for training, but perfect
# for testing on small inputs. To compare the two gradients use the **relative error**
#
# $$\text{rel}(a, b) = \max_k \frac{|a_k - b_k|}{\max\big(10^{-8}, |a_k| + |b_k|\big)},$$
#
# which judges every entry relative to its own size (an error of $10^{-6}$ is tiny for a
# gradient of $1000$ and huge for one of $10^{-5}$). The floor $10^{-8}$ keeps it from
# dividing $0$ by $0$ where both gradients are exactly zero. As a rule of thumb, in float64:
# below $10^{-7}$ your gradient is right; above $10^{-4}$ it is almost certainly wrong (with
# ReLU, an input sitting within $h$ of the kink can cause a legitimate mismatch).

# %%
hs = np.geomspace(1e-13, 1e-1, 60)
x_at = 1.0
forward_err = np.abs((np.sin(x_at + hs) - np.sin(x_at)) / hs - np.cos(x_at))
central_err = np.abs((np.sin(x_at + hs) - np.sin(x_at - hs)) / (2 * hs) - np.cos(x_at))
plt.figure(figsize=(6, 3.5))
plt.loglog(hs, forward_err, label="forward difference: error ~ h")
plt.loglog(hs, central_err, label="central difference: error ~ h²")
plt.xlabel("step h")
plt.ylabel("|error| of the derivative of sin at 1")
plt.title("too large: truncation error; too small: rounding error")
plt.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise 8: `numerical_gradient(f, x, h=1e-5)`
# `f` takes an array of `x`'s shape and returns a number. Return the central-difference
# gradient, a float64 array of `x`'s shape. Go through the entries one at a time
# (`np.ndindex(x.shape)` yields every index of an array of any shape). The simplest way is
# to change the entry **in place**, call `f(x)`, and put it back, which also works for an `f`
# that reads `x` from somewhere else. "Put it back" means restoring the saved original
# value: subtracting `h` again is not the same, since `(x + h) - h` is not always exactly
# `x` in floating point. When you are done, `x` must hold exactly the values it started with.

# %% tags=["exercise"]
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function f at the float array x; x unchanged."""
    # BEGIN SOLUTION hint: for ix in np.ndindex(x.shape): old = x[ix]; f at old + h and old - h
    x = np.asarray(x)
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        f_plus = float(f(x))
        x[ix] = old - h
        f_minus = float(f(x))
        x[ix] = old
        grad[ix] = (f_plus - f_minus) / (2 * h)
    return grad
    # END SOLUTION


# %% tags=["check"] check="numerical_gradient"
_x = np.array([1.0, -2.0, 0.5])
_g = numerical_gradient(lambda v: np.sum(v ** 3), _x)
assert _g.shape == (3,) and np.allclose(_g, 3 * _x ** 2, rtol=1e-6), f"3x^2 expected, got {_g}"
assert _x.tolist() == [1.0, -2.0, 0.5], "x must hold its original values afterwards"
assert np.allclose(numerical_gradient(lambda v: np.sum(v ** 2), _x, h=0.5), 2 * _x), \
    "central differences are exact for a quadratic even with h = 0.5 (forward ones are off by h)"
_m = np.arange(6.0).reshape(2, 3)
assert np.allclose(numerical_gradient(lambda v: np.sum(v * _m), np.ones((2, 3))), _m), \
    "x may have any shape: the gradient has x's shape"


# %% [markdown]
# ### Exercise 9: `relative_error(a, b)`
# The formula above, returned as a Python float.

# %% tags=["exercise"]
def relative_error(a, b):
    """max over entries of |a - b| / max(1e-8, |a| + |b|), as a float."""
    # BEGIN SOLUTION hint: |a - b| / np.maximum(1e-8, |a| + |b|) entrywise, then the max, as a float
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    # END SOLUTION


# %% tags=["check"] check="relative_error"
_e = relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
assert isinstance(_e, float) and np.isclose(_e, 0.2), f"max(0/2, 1/5) = 0.2 expected, got {_e}"
assert relative_error(np.zeros(3), np.zeros(3)) == 0.0, "two zero gradients agree: 0.0, not nan"
assert np.isclose(relative_error(np.array([1e-10]), np.array([3e-10])), 0.02), \
    "tiny values are divided by the floor 1e-8, not by |a| + |b|"

# %% [markdown]
# Now put your gradient checker to work on your own backward passes. To check a function
# `backward(dout, x)` for a layer `y = forward(x)`, use the scalar $L = \sum(\text{dout}
# \cdot \text{forward}(x))$: its gradient with respect to $y$ is exactly `dout`, so its
# gradient with respect to $x$ is what `backward(dout, x)` must return. Every line should
# report a relative error far below $10^{-7}$. (Try breaking one of your functions, for
# example dropping the off-diagonal part of `softmax_backward`, and run this cell again.)

# %%
try:
    _rng = np.random.default_rng(0)
    x_c, W_c, b_c = _rng.normal(size=(4, 5)), _rng.normal(size=(3, 5)), _rng.normal(size=3)
    d_c = _rng.normal(size=(4, 3))  # upstream gradient for a (4, 3) output
    labels_c, targets_c = np.array([0, 2, 1, 2]), _rng.uniform(size=(4, 3))
    dx_c, dW_c, db_c = linear_backward(d_c, x_c, W_c)
    z_c = _rng.normal(size=(4, 3))
    p_c = sigmoid(z_c)  # probabilities for bce_loss
    checks = {  # name: (your analytic gradient, the scalar function, where to differentiate)
        "linear_backward dx": (dx_c, lambda v: np.sum(d_c * linear_forward(v, W_c, b_c)), x_c),
        "linear_backward dW": (dW_c, lambda v: np.sum(d_c * linear_forward(x_c, v, b_c)), W_c),
        "linear_backward db": (db_c, lambda v: np.sum(d_c * linear_forward(x_c, W_c, v)), b_c),
        "relu_backward": (relu_backward(d_c, z_c), lambda v: np.sum(d_c * relu(v)), z_c),
        "sigmoid_backward": (sigmoid_backward(d_c, z_c), lambda v: np.sum(d_c * sigmoid(v)), z_c),
        "tanh_backward": (tanh_backward(d_c, z_c), lambda v: np.sum(d_c * tanh(v)), z_c),
        "softmax_backward": (softmax_backward(d_c, z_c), lambda v: np.sum(d_c * softmax(v)), z_c),
        "mse_loss_grad": (mse_loss_grad(z_c, targets_c), lambda v: mse_loss(v, targets_c), z_c),
        "cross_entropy_loss_grad": (cross_entropy_loss_grad(z_c, labels_c),
                                    lambda v: cross_entropy_loss(v, labels_c), z_c),
        "bce_loss_grad": (bce_loss_grad(p_c, targets_c), lambda v: bce_loss(v, targets_c), p_c),
        "bce_with_logits_loss_grad": (bce_with_logits_loss_grad(z_c, targets_c),
                                      lambda v: bce_with_logits_loss(v, targets_c), z_c),
    }
    for name, (analytic, f, at) in checks.items():
        error = relative_error(analytic, numerical_gradient(f, at))
        print(f"{name:27s} relative error {error:.1e}  {'ok' if error < 1e-7 else 'CHECK THIS'}")
except NotImplementedError as exc:
    print("Finish the exercises above to check your gradients:", exc)

# %% [markdown]
# ## 6. Backpropagation through a whole network
#
# Now chain everything. For `params = [(W1, b1), ..., (WL, bL)]`, `mlp_forward` computes, for
# each layer $l$, $z_l = \text{linear}(h_{l-1})$ and $h_l = \phi(z_l)$ (no $\phi$ after the
# last layer), starting from $h_0 = x$ and ending with the logits $z_L$. Backpropagation runs
# the same chain in reverse:
#
# | forward (keep what backward needs) | backward (read from the bottom up) |
# |---|---|
# | `h0 = x` | |
# | `z1 = linear_forward(h0, W1, b1)` | `dh0, dW1, db1 = linear_backward(dz1, h0, W1)` |
# | `h1 = phi(z1)` | `dz1 = phi_backward(dh1, z1)` |
# | `z2 = linear_forward(h1, W2, b2)` | `dh1, dW2, db2 = linear_backward(dz2, h1, W2)` |
# | ... | ... |
# | `zL = linear_forward(hK, WL, bL)` | `dhK, dWL, dbL = linear_backward(dzL, hK, WL)` |
# | `loss = cross_entropy_loss(zL, labels)` | start: `dzL = cross_entropy_loss_grad(zL, labels)` |
#
# (`hK` is the output of the last hidden layer, $K = L - 1$.) Read the backward column from
# the bottom up. During the forward pass, remember each layer's input $h_{l-1}$ (for
# `linear_backward`) and each pre-activation $z_l$ (for the activation's backward function:
# it takes the activation's *input*). Then walk the layers
# from last to first: the linear layer gives that layer's $(\text{d}W, \text{d}b)$ and
# $\text{d}h$ for the layer below; unless you are at the first layer, pass $\text{d}h$ back
# through the activation. Forgetting that step is the most common bug: the gradients still
# have the right shapes, but they are wrong (gradient checking catches it).
#
# ### Exercise 10: `mlp_loss_and_grads(x, labels, params, activation="relu")`
# Return `(loss, grads)`: `loss` is `cross_entropy_loss(mlp_forward(x, params, activation),
# labels)` as a float, and `grads` is a list of `(dW, db)` pairs, one per layer in the order of
# `params`, each with the shapes of that layer's `(W, b)`. The `BACKWARD` dictionary below
# maps an activation's name to your backward function. An unknown `activation` raises a
# `ValueError`. Do not modify `x` or `params`.

# %% tags=["given"]
BACKWARD = {"relu": relu_backward, "tanh": tanh_backward, "sigmoid": sigmoid_backward}


# %% tags=["exercise"]
def mlp_loss_and_grads(x, labels, params, activation="relu"):
    """(cross-entropy loss as a float, [(dW1, db1), ...] shaped like params) for the MLP params."""
    # BEGIN SOLUTION hint: keep each layer's input and z; backward over reversed(range(len(params)))
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    phi, phi_backward = ACTIVATIONS[activation], BACKWARD[activation]
    h = np.asarray(x, dtype=np.float64)
    layer_inputs, pre_activations = [], []
    for index, (W, b) in enumerate(params):
        layer_inputs.append(h)
        z = linear_forward(h, W, b)
        if index < len(params) - 1:
            pre_activations.append(z)
            h = phi(z)
    loss = cross_entropy_loss(z, labels)
    dz = cross_entropy_loss_grad(z, labels)
    grads = [None] * len(params)
    for index in reversed(range(len(params))):
        dh, dW, db = linear_backward(dz, layer_inputs[index], params[index][0])
        grads[index] = (dW, db)
        if index > 0:
            dz = phi_backward(dh, pre_activations[index - 1])
    return loss, grads
    # END SOLUTION


# %% tags=["check"] check="mlp_loss_and_grads"
_rng = np.random.default_rng(3)
_params = init_mlp([4, 5, 3], _rng)
_x, _labels = _rng.normal(size=(6, 4)), np.array([0, 1, 2, 2, 1, 0])
_loss, _grads = mlp_loss_and_grads(_x, _labels, _params, "tanh")
assert isinstance(_loss, float), f"the loss is a Python float, got {type(_loss).__name__}"
_logits = mlp_forward(_x, _params, "tanh")
assert np.isclose(_loss, cross_entropy_loss(_logits, _labels)), "loss = cross_entropy_loss(logits)"
assert [(_dW.shape, _db.shape) for _dW, _db in _grads] == [((5, 4), (5,)), ((3, 5), (3,))], \
    "grads must be [(dW, db), ...] with the shapes of params, first layer first"
_W1 = _params[0][0].copy()
_W1[1, 2] += 1e-6
_up = cross_entropy_loss(mlp_forward(_x, [(_W1, _params[0][1]), _params[1]], "tanh"), _labels)
_W1[1, 2] -= 2e-6
_down = cross_entropy_loss(mlp_forward(_x, [(_W1, _params[0][1]), _params[1]], "tanh"), _labels)
assert np.isclose(_grads[0][0][1, 2], (_up - _down) / 2e-6, rtol=1e-5, atol=1e-9), \
    "dW1[1, 2] disagrees with a central difference: check the backward pass through the activation"

# %% [markdown]
# Use your gradient checker once more, on every parameter of a small network with each
# activation. Expect errors around $10^{-7}$ or below: each entry is judged relative to its
# own size, and for a gradient entry of $10^{-4}$ the rounding error of the central
# difference (about $10^{-11}$ for a loss near 1 and $h = 10^{-5}$) is already $10^{-7}$ of it.
# (ReLU's kink could also cause a mismatch where an input sits within $h$ of 0; with random
# inputs that practically never happens.)

# %%
try:
    _rng = np.random.default_rng(7)
    x_g, labels_g = _rng.normal(size=(5, 4)), np.array([0, 2, 1, 1, 0])
    for act in ("relu", "tanh", "sigmoid"):
        params_g = init_mlp([4, 6, 5, 3], _rng)
        _, grads_g = mlp_loss_and_grads(x_g, labels_g, params_g, act)
        worst = 0.0
        for layer, pair in enumerate(grads_g):
            for which in (0, 1):  # 0: the weights W, 1: the biases b

                def loss_of(value, layer=layer, which=which):
                    """The loss with one array of params_g replaced by value."""
                    trial = [list(p) for p in params_g]
                    trial[layer][which] = value
                    return cross_entropy_loss(mlp_forward(x_g, trial, act), labels_g)

                numeric = numerical_gradient(loss_of, params_g[layer][which])
                worst = max(worst, relative_error(pair[which], numeric))
        print(f"{act:8s} worst relative error over all weights and biases: {worst:.1e}")
except NotImplementedError as exc:
    print("Finish the exercises above to check the whole network:", exc)

# %% [markdown]
# ## 7. Training a network with your own gradients
#
# Everything is in place. The loop below trains a small MLP on a toy problem, three
# interleaved spirals that no straight line can separate, with plain gradient descent:
# compute the loss and the gradients with *your* `mlp_loss_and_grads`, and step every
# weight against its gradient. This is, in miniature, what `loss.backward()` and
# `optimizer.step()` do in PyTorch (assignments 05 and 06).

# %%
def make_spirals(points_per_class, classes=3, noise=0.2, seed=0):
    """Points on `classes` interleaved spiral arms in the plane, labelled by their arm."""
    g = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.05, 1.0, points_per_class), classes)
    labels = np.repeat(np.arange(classes), points_per_class)
    angle = radius * 4.0 + labels * 2 * np.pi / classes + g.normal(scale=noise, size=radius.size)
    return np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]), labels


try:
    X_sp, y_sp = make_spirals(60)
    params_sp = init_mlp([2, 48, 3], np.random.default_rng(0))
    history = []
    for step in range(600):
        loss, grads = mlp_loss_and_grads(X_sp, y_sp, params_sp, "relu")
        history.append(loss)
        params_sp = [(W - 1.0 * dW, b - 1.0 * db) for (W, b), (dW, db) in zip(params_sp, grads)]
    accuracy_sp = np.mean(np.argmax(mlp_forward(X_sp, params_sp), axis=1) == y_sp)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(history)
    ax1.set(xlabel="gradient descent step", ylabel="cross-entropy loss", yscale="log",
            title=f"training loss (final {history[-1]:.3f})")
    grid_x, grid_y = np.meshgrid(np.linspace(-1.2, 1.2, 120), np.linspace(-1.2, 1.2, 120))
    regions = np.argmax(mlp_forward(np.column_stack([grid_x.ravel(), grid_y.ravel()]), params_sp),
                        axis=1).reshape(grid_x.shape)
    ax2.contourf(grid_x, grid_y, regions, levels=[-0.5, 0.5, 1.5, 2.5],
                 colors=["#dde6f5", "#f7dccb", "#dcefd6"])
    ax2.scatter(*X_sp.T, c=y_sp, cmap="brg", s=12, edgecolor="k", linewidth=0.3)
    ax2.set(title=f"decision regions, training accuracy {accuracy_sp:.0%}", xlabel="$x_1$",
            ylabel="$x_2$")
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to train the network:", exc)

# %% [markdown]
# Two hidden layers would do even better, and a better optimizer would get there in fewer
# steps: that is the topic of assignment 05. In assignment 06 you will meet the same
# pieces again in PyTorch, where `nn.CrossEntropyLoss`, `loss.backward()` and
# `optimizer.step()` do exactly what you just wrote by hand.
