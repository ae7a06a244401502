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
# # 02 · Activation functions
#
# Between every two layers of a neural network sits a small, humble function applied to
# each number separately: the **activation**. In assignment 01 it was the perceptron's
# all-or-nothing step. Here you will meet the activations that modern networks actually use,
# find out why a network without them is no better than a single layer, and learn the
# numerical tricks that keep them from blowing up on large inputs.
#
# For every activation you will write the function *and its derivative*. Training a network
# (assignment 04) means following derivatives downhill, so an activation is only as useful
# as its slope: where the slope is zero, learning stops.
#
# **What you will write:** `sigmoid`, `sigmoid_grad`, `tanh`, `tanh_grad`, `relu`,
# `relu_grad`, `leaky_relu`, `leaky_relu_grad`, `elu`, `elu_grad` and `softmax`. Each exercise
# cell contains a stub that raises `NotImplementedError`; replace it with your code, then run
# the check cell below it.
#
# **Rules for every function here** (the hidden tests check all of them):
# - the input may be a Python number, a (nested) list or a numpy array of any shape; the
#   output is a float64 numpy array of the same shape (start with
#   `x = np.asarray(x, dtype=np.float64)`; for a single number, a 0-d array or a numpy
#   float64 are both fine);
# - never modify the input array: build a new array instead;
# - the values are PyTorch's (in float64) for every finite input, including the convention
#   at exactly `x = 0` that each exercise states (which side of a kink counts there); the sign
#   of a zero result (`0.0` or `-0.0`) and the result for a `nan` input are not graded;
# - no overflow warning, `nan` or `inf` for inputs as large as $\pm 10^4$;
# - numpy only: `torch`, `scipy`, `sklearn` and `jax` may not be imported, and `tanh` may not
#   call `np.tanh` or `math.tanh`.

# %% tags=["given"]
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 1. Why a network needs non-linearity
#
# A layer computes $h = W_1 x + b_1$. Feed that into a second layer and you get
#
# $$W_2 (W_1 x + b_1) + b_2 = \underbrace{(W_2 W_1)}_{W} x + \underbrace{(W_2 b_1 + b_2)}_{b}.$$
#
# Two linear layers are **one** linear layer with weights $W = W_2 W_1$ and bias
# $b = W_2 b_1 + b_2$. The same holds for a hundred layers: without something non-linear in
# between, depth buys nothing, and the whole network still draws only straight lines (flat
# planes, in more dimensions). It could not even learn XOR, the function that defeated the
# perceptron in assignment 01. Let us check the algebra numerically (rows are examples, so a
# layer is `x @ W.T + b`, as in `torch.nn.Linear`):

# %%
demo_rng = np.random.default_rng(0)
W1, b1 = demo_rng.normal(size=(5, 3)), demo_rng.normal(size=5)   # 3 inputs -> 5 hidden
W2, b2 = demo_rng.normal(size=(2, 5)), demo_rng.normal(size=2)   # 5 hidden -> 2 outputs
x_demo = demo_rng.normal(size=(4, 3))                             # a batch of 4 examples

two_layers = (x_demo @ W1.T + b1) @ W2.T + b2
W_merged, b_merged = W2 @ W1, W2 @ b1 + b2
one_layer = x_demo @ W_merged.T + b_merged
print("two linear layers == one linear layer:", np.allclose(two_layers, one_layer))
print("merged weights have shape", W_merged.shape)

# %% [markdown]
# Put a non-linear function $\varphi$ between the layers, $W_2\,\varphi(W_1 x + b_1) + b_2$,
# and the collapse no longer happens. A wide enough network of this form can approximate
# any continuous function on a bounded region (the **universal approximation theorem**): the
# non-linearity is what gives depth and width their power. At the end of this notebook you
# will see the difference on a curve-fitting problem.
#
# Which $\varphi$? The step function of assignment 01 is non-linear, but its slope is 0
# everywhere (and undefined at 0), so the derivatives that training relies on tell the
# weights nothing. We want functions that are non-linear, have a useful slope, and are cheap
# to compute. The next cell defines a helper that draws a function next to its derivative;
# the dots on the right are the slope measured by **central differences**,
# $\frac{f(x + h) - f(x - h)}{2h}$, which should sit exactly on your derivative's curve.

# %%
def plot_activation(name, f, f_grad, xs=np.linspace(-6, 6, 401), **params):
    """Draw f and its derivative side by side (the dots: central differences of f)."""
    try:
        values, slopes = f(xs, **params), f_grad(xs, **params)
    except NotImplementedError as exc:
        print(f"Finish the exercises above to see the plot of {name}:", exc)
        return
    h, coarse = 1e-5, xs[::20]
    measured = (f(coarse + h, **params) - f(coarse - h, **params)) / (2 * h)
    call = f"{name}(x" + "".join(f", {k}={v}" for k, v in params.items()) + ")"
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    left.plot(xs, values, color="#3b6fb6", lw=2)
    left.set(title=call, xlabel="x")
    right.plot(xs, slopes, color="#d9682b", lw=2, label="your derivative")
    right.plot(coarse, measured, "k.", label="central differences")
    right.set(title=f"derivative of {call}", xlabel="x")
    right.legend(loc="best", fontsize=8)
    for ax in (left, right):
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.grid(alpha=0.3)
    plt.tight_layout()
    plt.show()


# %% [markdown]
# ## 2. Sigmoid
#
# The **logistic sigmoid** squashes any real number into the interval $(0, 1)$:
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma(0) = \tfrac12, \qquad
#   \sigma(-x) = 1 - \sigma(x).$$
#
# It is a smooth version of the step function, and its output can be read as a probability,
# which is why it still sits at the output of binary classifiers.
#
# ### Numbers too large for a computer
#
# A float64 cannot hold anything above about $1.8 \times 10^{308}$, and
# $e^{710} \approx 2.2 \times 10^{308}$ is already too large. Numpy returns `inf` and warns
# about an overflow. Watch what happens to the textbook formula at $x = -1000$, where
# $e^{-x} = e^{1000}$:

# %%
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    big = np.exp(1000.0)
    naive = 1 / (1 + np.exp(-np.array([-1000.0, 0.0, 1000.0])))
    other_form = np.exp(np.array([1000.0])) / (1 + np.exp(np.array([1000.0])))
print("np.exp(1000.0) =", big)
print("1 / (1 + exp(-x)) at x = -1000, 0, 1000:", naive)
print("exp(x) / (1 + exp(x)) at x = 1000:", other_form, " <- inf / inf is nan")
for message in sorted({str(w.message) for w in caught}):
    print("  numpy warned:", message)

# %% [markdown]
# The first formula happens to land on the right answer (`1 / inf` is `0`), but only after an
# overflow, and numpy says so. The second, algebraically identical formula gives `nan`. Neither
# is acceptable in a network, where an `inf` or a `nan` spreads through every later
# computation.
#
# The cure is to **never take `exp` of a large positive number**. Let $e = e^{-|x|}$, which
# always lies in $(0, 1]$. Then
#
# $$\sigma(x) = \begin{cases} \dfrac{1}{1 + e} & x \ge 0 \\[2mm]
#                            \dfrac{e}{1 + e} & x < 0 \end{cases}$$
#
# (multiply the top and bottom of $\frac{1}{1 + e^{-x}}$ by $e^{x}$ to get the second line).
# Both branches are safe for every input.
#
# ### Exercise 1: `sigmoid(x)`
# Elementwise, any shape, float64, no overflow for $|x|$ up to $10^4$. Careful with
# `np.where(cond, a, b)`: numpy computes *both* `a` and `b` for every entry before choosing,
# so an `exp` that overflows in the branch you do not pick still warns.

# %% tags=["exercise"]
def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), elementwise, float64, stable for large |x|."""
    # BEGIN SOLUTION hint: e = np.exp(-np.abs(x)) is safe; np.where(x >= 0, 1/(1+e), e/(1+e))
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION


# %% tags=["check"] check="sigmoid"
assert np.isclose(sigmoid(0.0), 0.5), "sigmoid(0) should be 0.5"
assert np.allclose(sigmoid([-2.0, 2.0]), [0.11920292, 0.88079708]), "wrong values at -2 and 2"
assert sigmoid(np.zeros((2, 3))).shape == (2, 3), "sigmoid must keep the shape of its input"
assert sigmoid(np.array([1, 2])).dtype == np.float64, "sigmoid must return float64 values"
with np.errstate(over="raise"):
    _s = sigmoid(np.array([-1e4, 1e4]))  # raises FloatingPointError if exp overflows
assert _s.tolist() == [0.0, 1.0], "sigmoid(-1e4) should be 0.0 and sigmoid(1e4) should be 1.0"

# %% [markdown]
# ### Its derivative
#
# The sigmoid has a famously neat derivative, written with its own output:
#
# $$\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr).$$
#
# (Differentiate $(1 + e^{-x})^{-1}$ to get $\frac{e^{-x}}{(1 + e^{-x})^2}$, then split it into
# $\frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}}$.) Notice that the formula uses
# $\sigma(x)$, not $x$.
#
# ### Exercise 2: `sigmoid_grad(x)`
# The derivative of the sigmoid *evaluated at* `x` (so `sigmoid_grad(0.0)` is `0.25`). Reuse
# your `sigmoid`.

# %% tags=["exercise"]
def sigmoid_grad(x):
    """d sigmoid / dx at x, elementwise, float64."""
    # BEGIN SOLUTION hint: s = sigmoid(x); the derivative is s * (1 - s)
    s = sigmoid(x)
    return s * (1.0 - s)
    # END SOLUTION


# %% tags=["check"] check="sigmoid_grad"
assert np.isclose(sigmoid_grad(0.0), 0.25), "sigmoid_grad(0) should be 0.25"
assert np.allclose(sigmoid_grad([-3.0, 3.0]), [0.04517666, 0.04517666]), \
    "the sigmoid's slope is symmetric: sigmoid_grad(-3) == sigmoid_grad(3) ~ 0.0452"
assert np.asarray(sigmoid_grad(np.ones((3, 1)))).shape == (3, 1), "keep the input's shape"
assert np.all(np.isfinite(sigmoid_grad(np.array([-1e4, 1e4])))), "no inf/nan for large |x|"

# %%
plot_activation("sigmoid", sigmoid, sigmoid_grad)

# %% [markdown]
# Look at the right-hand plot: the slope is at most $0.25$, reached at $x = 0$, and it is
# practically zero once $|x| > 5$. A unit whose input lands far out on either side is
# **saturated**: it barely reacts to changes, and so its weights barely learn. Worse,
# backpropagation (assignment 04) multiplies one such factor per layer: through ten sigmoid
# layers the slopes alone multiply the signal by at most $0.25^{10} \approx 10^{-6}$, a
# shrinking by a factor of at least a million (before the weights have their say). This is the **vanishing
# gradient** problem, and the main reason sigmoid went out of fashion for hidden layers.
#
# ## 3. Tanh
#
# The hyperbolic tangent is a rescaled sigmoid, stretched to the range $(-1, 1)$:
#
# $$\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1, \qquad
#   \tanh'(x) = 1 - \tanh^2(x).$$
#
# Its outputs are **centred on zero** (positive and negative equally often for symmetric
# inputs), which makes the next layer's job easier than sigmoid's always-positive outputs,
# and its slope at 0 is 1 instead of 0.25. It still saturates for large $|x|$.
#
# The textbook formula overflows: $e^{1000}$ appears on both top and bottom, and
# `inf / inf` is `nan`. Use the same trick as for the sigmoid. The function is **odd**,
# $\tanh(-x) = -\tanh(x)$, so compute it for $|x|$ and put the sign back. Dividing top and
# bottom by $e^{|x|}$ gives, with $e = e^{-2|x|} \in (0, 1]$,
#
# $$\tanh(|x|) = \frac{1 - e}{1 + e}.$$
#
# ### Exercise 3: `tanh(x)`
# Build it from `np.exp` as above: calling `np.tanh` or `math.tanh` (or any library's tanh)
# is not allowed here, and the tests check. `np.sign(x)` or `np.copysign(value, x)` puts the
# sign back.

# %% tags=["exercise"]
def tanh(x):
    """Hyperbolic tangent from exp (no np.tanh), elementwise, float64, stable for large |x|."""
    # BEGIN SOLUTION hint: e = np.exp(-2 * np.abs(x)); (1 - e) / (1 + e) with the sign of x
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-2.0 * np.abs(x))  # in (0, 1]: never overflows
    return np.copysign((1.0 - e) / (1.0 + e), x)
    # END SOLUTION


# %% tags=["check"] check="tanh"
assert np.isclose(tanh(0.0), 0.0), "tanh(0) should be 0"
assert np.allclose(tanh([-1.0, 0.5, 2.0]), [-0.76159416, 0.46211716, 0.96402758]), \
    "wrong values at -1, 0.5 and 2"
assert np.allclose(tanh([-3.0]), -tanh([3.0])), "tanh is odd: tanh(-x) == -tanh(x)"
with np.errstate(over="raise", invalid="raise"):
    _t = tanh(np.array([-1e4, 1e4]))  # raises FloatingPointError on overflow or inf/inf
assert _t.tolist() == [-1.0, 1.0], "tanh(-1e4) should be -1.0 and tanh(1e4) should be 1.0"

# %% [markdown]
# ### Exercise 4: `tanh_grad(x)`
# $1 - \tanh^2(x)$, evaluated at `x`. As with the sigmoid, the formula is in terms of the
# function's *output* $\tanh(x)$, not of $x$.

# %% tags=["exercise"]
def tanh_grad(x):
    """d tanh / dx at x, elementwise, float64."""
    # BEGIN SOLUTION hint: t = tanh(x); the derivative is 1 - t ** 2
    t = tanh(x)
    return 1.0 - t * t
    # END SOLUTION


# %% tags=["check"] check="tanh_grad"
assert np.isclose(tanh_grad(0.0), 1.0), "tanh_grad(0) should be 1"
assert np.allclose(tanh_grad([-1.0, 2.0]), [0.41997434, 0.07065082]), "wrong values at -1 and 2"
assert np.all(np.isfinite(tanh_grad(np.array([-1e4, 1e4])))), "no inf/nan for large |x|"

# %%
plot_activation("tanh", tanh, tanh_grad)

# %% [markdown]
# ## 4. ReLU
#
# The **rectified linear unit** is almost embarrassingly simple:
#
# $$\operatorname{relu}(x) = \max(0, x), \qquad
#   \operatorname{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}$$
#
# It costs one comparison, and for positive inputs its slope is exactly 1, however large
# the input: no saturation, no vanishing gradient on that side. Since deep networks became
# practical around 2010, ReLU has been the default activation for hidden layers.
#
# **What happens at exactly 0?** There is a corner there and the derivative does not exist;
# any value between 0 and 1 is a valid "subgradient". Libraries simply pick one, and PyTorch
# picks **0**: `relu_grad(0.0)` is `0.0`. Your functions must follow PyTorch, so use
# `x > 0`, not `x >= 0`. (This is the opposite of the step function in assignment 01, which
# fired at 0.)
#
# ### Exercise 5: `relu(x)`
# Float64 output even for an integer input (`np.maximum(x, 0)` keeps the dtype of `x`), and
# do not zero the negative entries of the caller's array in place.

# %% tags=["exercise"]
def relu(x):
    """max(0, x) elementwise, float64."""
    # BEGIN SOLUTION hint: convert to float64 first, then np.where(x > 0, x, 0.0) builds a new array
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, 0.0)
    # END SOLUTION


# %% tags=["check"] check="relu"
assert relu([-2.0, 0.0, 3.5]).tolist() == [0.0, 0.0, 3.5], "relu keeps positives, zeroes the rest"
assert relu(np.array([[-1, 2]])).dtype == np.float64, "relu must return float64, even for ints"
_x = np.array([-1.0, 1.0])
relu(_x)
assert _x.tolist() == [-1.0, 1.0], "relu must not modify its input"

# %% [markdown]
# ### Exercise 6: `relu_grad(x)`
# `1.0` where `x > 0`, else `0.0` (including at exactly 0 and at -0.0).

# %% tags=["exercise"]
def relu_grad(x):
    """d relu / dx at x: 1.0 where x > 0, else 0.0 (0.0 at x == 0, as in torch)."""
    # BEGIN SOLUTION hint: a comparison gives booleans; np.where turns them into 1.0 and 0.0
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, 0.0)
    # END SOLUTION


# %% tags=["check"] check="relu_grad"
assert relu_grad([-1.0, 2.0]).tolist() == [0.0, 1.0], "slope 0 on the left, 1 on the right"
assert relu_grad(0.0) == 0.0, "relu_grad(0) must be 0.0 (PyTorch's convention): use x > 0"
assert relu_grad(np.array([3, -3])).dtype == np.float64, "relu_grad must return float64"

# %%
plot_activation("relu", relu, relu_grad)

# %% [markdown]
# Notice the lone dot at height 0.5 above $x = 0$: at the corner, the central difference
# averages the slope on the left (0) and on the right (1). The derivative really does not
# exist there, and the value you return at 0 is a convention, PyTorch's 0.
#
# ## 5. Dying ReLUs, and two fixes
#
# ReLU's flat left half has a dark side. Suppose a unit's pre-activation $w \cdot x + b$ is
# negative for *every* input in the training set, for instance because one large update
# pushed its bias far down. Then its output is always 0, its slope is always 0, and so every
# gradient that would flow into $w$ and $b$ is multiplied by 0. The unit never changes again:
# it is **dead**. In a badly tuned network a large share of the units can die this way.
#
# The fix is to give the left half a small slope, so that a unit that has drifted into the
# negative region still receives a (weak) gradient and can climb back out.
#
# **Leaky ReLU** uses a small straight line on the left:
#
# $$\operatorname{leaky\_relu}(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}
#   \qquad \operatorname{leaky\_relu}'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0
#   \end{cases}$$
#
# where $a$ is the `negative_slope`, 0.01 by default as in PyTorch. At exactly 0 the
# slope is `negative_slope`, again following PyTorch's `x > 0` test.
#
# ### Exercise 7: `leaky_relu(x, negative_slope=0.01)`

# %% tags=["exercise"]
def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x; elementwise, float64."""
    # BEGIN SOLUTION hint: np.where(x > 0, x, negative_slope * x), after converting x to float64
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, negative_slope * x)
    # END SOLUTION


# %% tags=["check"] check="leaky_relu"
assert np.allclose(leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0]), "default slope is 0.01"
assert np.allclose(leaky_relu([-2.0, 3.0], negative_slope=0.5), [-1.0, 3.0]), \
    "use the negative_slope you are given"
assert leaky_relu(np.array([-1, 1])).dtype == np.float64, "leaky_relu must return float64"

# %% [markdown]
# ### Exercise 8: `leaky_relu_grad(x, negative_slope=0.01)`
# `1.0` where `x > 0`, else `negative_slope` (so `negative_slope` at exactly 0).

# %% tags=["exercise"]
def leaky_relu_grad(x, negative_slope=0.01):
    """d leaky_relu / dx at x: 1.0 where x > 0, else negative_slope."""
    # BEGIN SOLUTION hint: np.where(x > 0, 1.0, negative_slope)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, negative_slope)
    # END SOLUTION


# %% tags=["check"] check="leaky_relu_grad"
assert np.allclose(leaky_relu_grad([-2.0, 3.0]), [0.01, 1.0]), "slopes 0.01 and 1 by default"
assert np.isclose(leaky_relu_grad(0.0, negative_slope=0.2), 0.2), \
    "at exactly 0 the slope is negative_slope (PyTorch's convention)"
assert np.asarray(leaky_relu_grad(np.zeros((2, 2)))).shape == (2, 2), "keep the input's shape"

# %% [markdown]
# How much does the small slope help? The demo below takes a layer of 200 units, shifts all
# biases down by a growing amount (as a bad update might), and counts the units whose slope
# is 0 on every one of 500 inputs: those can never learn again.

# %%
def dead_fraction(grad_fn, shift, **params):
    """Share of 200 units whose slope is zero on all of 500 inputs after lowering b by shift."""
    g = np.random.default_rng(1)
    inputs, W, b = g.normal(size=(500, 10)), g.normal(size=(200, 10)) / np.sqrt(10), np.zeros(200)
    slopes = grad_fn(inputs @ W.T + b - shift, **params)  # (500 inputs, 200 units)
    return np.mean(np.all(slopes == 0, axis=0))


try:  # compute first: an unfinished exercise raises here, before a figure exists
    shifts = np.linspace(0, 5, 21)
    dead_relu = [dead_fraction(relu_grad, s) for s in shifts]
    dead_leaky = [dead_fraction(leaky_relu_grad, s) for s in shifts]
    plt.figure(figsize=(6, 3.4))
    plt.plot(shifts, dead_relu, "o-", label="relu")
    plt.plot(shifts, dead_leaky, "s-", label="leaky_relu")
    plt.gca().set(xlabel="how far the biases were pushed down", ylabel="share of dead units",
                  title="Units that can no longer learn")
    plt.legend()
    plt.grid(alpha=0.3)
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish relu_grad and leaky_relu_grad to see this plot:", exc)

# %%
plot_activation("leaky_relu", leaky_relu, leaky_relu_grad, negative_slope=0.1)

# %% [markdown]
# **ELU** (exponential linear unit) bends smoothly instead, levelling off at $-\alpha$:
#
# $$\operatorname{elu}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0
#   \end{cases} \qquad \operatorname{elu}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\, e^{x} &
#   x \le 0 \end{cases}$$
#
# with $\alpha = 1$ by default. Its negative outputs push the mean activation towards zero
# (like tanh), and for $\alpha = 1$ the slope is continuous at 0. PyTorch evaluates the left
# branch at exactly 0, so `elu_grad(0.0)` is $\alpha e^0 = \alpha$.
#
# Two numerical details. First, the `np.where` trap: `np.where(x > 0, x, alpha * (np.exp(x)
# - 1))` computes `np.exp(x)` for *every* entry, including $x = 10^4$, which overflows even
# though that branch is thrown away. Feed the exponential `np.minimum(x, 0)` instead: on the
# entries that use it nothing changes. Second, for tiny $x$, `np.exp(x) - 1` subtracts two
# nearly equal numbers and loses digits; `np.expm1(x)` computes $e^x - 1$ accurately.
#
# ### Exercise 9: `elu(x, alpha=1.0)`

# %% tags=["exercise"]
def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (exp(x) - 1); elementwise, float64, no overflow."""
    # BEGIN SOLUTION hint: np.where, with np.expm1 (exp - 1) of np.minimum(x, 0)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    # END SOLUTION


# %% tags=["check"] check="elu"
assert np.allclose(elu([-1.0, 0.0, 2.0]), [-0.63212056, 0.0, 2.0]), "wrong values at -1, 0, 2"
assert np.allclose(elu([-1.0], alpha=2.0), [-1.26424112]), "use the alpha you are given"
with np.errstate(over="raise"):
    _e = elu(np.array([-1e4, 1e4]))  # raises FloatingPointError if exp overflows
assert _e.tolist() == [-1.0, 1e4], "elu(-1e4) should be -alpha and elu(1e4) should be 1e4"

# %% [markdown]
# ### Exercise 10: `elu_grad(x, alpha=1.0)`
# `1.0` where `x > 0`, else `alpha * exp(x)` (so `alpha` at exactly 0). Mind the `np.where`
# trap again.

# %% tags=["exercise"]
def elu_grad(x, alpha=1.0):
    """d elu / dx at x: 1.0 where x > 0, else alpha * exp(x); float64, no overflow."""
    # BEGIN SOLUTION hint: the same np.where and np.minimum(x, 0) trick as in elu
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    # END SOLUTION


# %% tags=["check"] check="elu_grad"
assert np.allclose(elu_grad([-1.0, 2.0]), [0.36787944, 1.0]), "slope exp(x) on the left, 1 right"
assert np.isclose(elu_grad(0.0, alpha=3.0), 3.0), \
    "at exactly 0 the slope is alpha * exp(0) = alpha (PyTorch's convention)"
with np.errstate(over="raise"):
    _g = elu_grad(np.array([-1e4, 1e4]))  # raises FloatingPointError if exp overflows
assert _g.tolist() == [0.0, 1.0], "elu_grad(-1e4) should be 0.0 and elu_grad(1e4) should be 1.0"

# %%
plot_activation("elu", elu, elu_grad)

# %% [markdown]
# ## 6. Softmax: scores into probabilities
#
# A classifier with $C$ classes ends with $C$ raw scores per example, the **logits** $z$.
# Softmax turns them into a probability distribution over the classes:
#
# $$\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{C} e^{z_j}}.$$
#
# Every output is positive, they sum to 1, and the order of the scores is kept: the largest
# logit gets the largest probability. Unlike the other functions here, softmax is *not*
# elementwise: each output depends on all the logits of its example. With a batch of logits
# of shape `(N, C)` (rows are examples) the sum runs along the last axis, so each *row* sums
# to 1; the `axis` argument says which axis holds the classes.
#
# Logits are not bounded, and values in the hundreds happen. Then $e^{z_i}$ overflows:

# %%
logits = np.array([1000.0, 1001.0, 1002.0])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    naive = np.exp(logits) / np.sum(np.exp(logits))
print("naive softmax of [1000, 1001, 1002]:", naive)
for message in sorted({str(w.message) for w in caught}):
    print("  numpy warned:", message)

# %% [markdown]
# Softmax has a useful property: adding the same constant $c$ to every logit changes
# nothing, because $e^{z_i - c} = e^{z_i} e^{-c}$ and the factor $e^{-c}$ cancels between top
# and bottom. Choose $c = \max_j z_j$: then every exponent is $\le 0$, so no term can
# overflow, and the largest term is exactly $e^0 = 1$, so the sum is at least 1 and never 0.
# The shifted logits `[1000, 1001, 1002] - 1002 = [-2, -1, 0]` give the right answer,
# about `[0.09, 0.245, 0.665]`.
#
# ### Exercise 11: `softmax(x, axis=-1)`
# Subtract the maximum *along `axis`*, exponentiate, divide by the sum along `axis`.
# `np.max(x, axis=axis, keepdims=True)` keeps a length-1 axis so that the subtraction and
# division broadcast against `x`, for any number of dimensions and any `axis`.

# %% tags=["exercise"]
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, with the maximum along axis subtracted first."""
    # BEGIN SOLUTION hint: subtract np.max(x, axis=axis, keepdims=True), exp, divide by the sum
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
    # END SOLUTION


# %% tags=["check"] check="softmax"
assert np.allclose(softmax([1.0, 2.0, 3.0]), [0.09003057, 0.24472847, 0.66524096]), \
    "wrong values for [1, 2, 3]"
_p = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
assert np.allclose(_p.sum(axis=1), 1.0), "with the default axis=-1 every row must sum to 1"
assert np.allclose(softmax(np.array([[1.0, 5.0], [2.0, 0.0]]), axis=0).sum(axis=0), 1.0), \
    "with axis=0 every column must sum to 1"
with np.errstate(over="raise", invalid="raise"):
    _p = softmax(np.array([1000.0, 1001.0, 1002.0]))  # raises FloatingPointError on overflow
assert np.allclose(_p, [0.09003057, 0.24472847, 0.66524096]), "subtract the maximum first"

# %% [markdown]
# Dividing the logits by a **temperature** $T$ before the softmax shows how the
# distribution depends on the *gaps* between logits: a low temperature sharpens it towards
# the largest logit (a "soft" argmax), a high one flattens it towards uniform.

# %%
try:
    scores = np.array([2.0, 1.0, 0.2, -1.0])
    temperatures = [0.25, 1.0, 4.0]
    probs = softmax(scores[None, :] / np.array(temperatures)[:, None])  # one row per T
    fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
    for ax, T, row in zip(axes, temperatures, probs):
        ax.bar(range(len(scores)), row, color="#3b6fb6")
        ax.set(title=f"T = {T}: sum = {row.sum():.3f}", xlabel="class", xticks=range(4))
    axes[0].set_ylabel("probability")
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish softmax to see this plot:", exc)

# %% [markdown]
# ## 7. Choosing an activation
#
# | where | usual choice | why |
# |---|---|---|
# | hidden layers | **ReLU** | cheap, slope 1 for positive inputs, the safe default |
# | hidden layers, many dead units | **leaky ReLU**, **ELU** | a slope on the left: units recover |
# | hidden layers of small or recurrent nets | **tanh** | smooth and zero-centred (but saturates) |
# | output, binary classification | **sigmoid** | one probability in $(0, 1)$ |
# | output, one of $C$ classes | **softmax** | $C$ probabilities that sum to 1 |
# | output, regression | none (identity) | the target can be any real number |
#
# Avoid sigmoid and tanh in the hidden layers of deep networks (vanishing gradients), and
# avoid the step function everywhere (no slope to learn from). In practice the output
# activation is often folded into the loss function for numerical stability: PyTorch's
# `CrossEntropyLoss` takes raw logits and applies a log-softmax itself, and
# `BCEWithLogitsLoss` does the same with the sigmoid. Assignment 04 shows why.
#
# ## 8. Seeing the difference
#
# Back to the start: what does the non-linearity buy? Below, a layer of 40 units with fixed
# random weights feeds a linear output layer, whose weights are fitted to the curve
# $y = \sin(2x)$ by least squares. With the identity as activation the whole model is
# linear and the best it can do is a straight line; with any of your activations, the sum of
# 40 bent pieces follows the curve.

# %%
def random_feature_fit(activation, x, y, units=40, seed=0):
    """Fit y with a linear layer on top of `units` fixed random activation units."""
    g = np.random.default_rng(seed)
    w, b = g.normal(size=units) * 1.5, g.uniform(-3, 3, size=units)
    features = activation(x[:, None] * w + b)           # (N, units)
    design = np.column_stack([features, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design @ coef


try:
    xs = np.linspace(-3, 3, 200)
    target = np.sin(2 * xs)
    choices = {"identity (no activation)": lambda z: z, "relu": relu, "tanh": tanh,
               "elu": elu}
    fits = {name: random_feature_fit(phi, xs, target) for name, phi in choices.items()}
    fig, axes = plt.subplots(1, 4, figsize=(13, 3), sharey=True)
    for ax, (name, fit) in zip(axes, fits.items()):
        ax.plot(xs, target, color="0.6", lw=3, label="target")
        ax.plot(xs, fit, color="#d9682b", lw=1.5, label="fit")
        ax.set(title=f"{name}\nmean squared error {np.mean((fit - target) ** 2):.4f}",
               xlabel="x")
    axes[0].legend(loc="lower right", fontsize=8)
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# That is the whole story of this assignment in one picture. In assignment 03 you will stack
# such layers into a multi-layer perceptron, and in assignment 04 you will use the
# derivatives you wrote here to train it.
