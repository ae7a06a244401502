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
# # 05 · Optimizers: how a network walks downhill
#
# Assignment 04 computed, for every weight of a network, the gradient of the loss: which way
# is uphill, and how steeply. This assignment is about what to *do* with those gradients.
# The rule that turns gradients into changes of the parameters is the **optimizer**, and it
# decides how fast a network learns, or whether it learns at all. You will write the two
# optimizers almost everyone uses, in exactly the form PyTorch implements them, so that the
# `torch.optim.SGD(..., momentum=0.9)` and `torch.optim.Adam(...)` of assignment 06 hold no
# mystery.
#
# **What you will write:**
# * `sgd_update` (one step downhill) and `gradient_descent` (many of them);
# * `SGD`, an optimizer object with optional momentum, with the semantics of `torch.optim.SGD`;
# * `Adam`, with the semantics of `torch.optim.Adam`.
#
# Each exercise cell contains a stub that raises `NotImplementedError`; replace it with your
# code, then run the check cell below it. Use numpy only (no torch: you are building what
# `torch.optim` does for you).
#
# **Conventions for every function here** (the hidden tests check them):
# - a point, a parameter or a gradient may also be a Python number or a (nested) list, of
#   floats or of ints: convert it with `np.asarray(..., dtype=np.float64)` (or copy it with
#   `np.array(..., dtype=np.float64)`) before computing with it. The one exception is the
#   `params` of the optimizer objects `SGD` and `Adam`: float64 arrays that `step` updates
#   in place (section 4);
# - apart from those `params`, no function modifies its inputs: build new arrays instead.

# %% tags=["given"]
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 1. Walking down a surface
#
# Take a network with only two parameters, $x$ and $y$. For every choice of them the loss
# $z = L(x, y)$ is one number, so the loss is a **surface** over the $(x, y)$ plane: the
# parameters are where you stand on a map, the loss is the altitude. The network, with its
# current parameters, is a point on that surface, and training means walking it down into
# the lowest valley we can find.
#
# The catch: we walk in thick fog. We cannot see the valley, only feel the ground under our
# feet, which is exactly what the gradient measures. The vector of partial derivatives
#
# $$\nabla L(x, y) = \left(\frac{\partial L}{\partial x}, \frac{\partial L}{\partial y}\right)$$
#
# points in the direction in which the surface rises most steeply, and its length says how
# steep it is there. So the sensible move is a small step the *opposite* way, then feel the
# ground again and repeat:
#
# $$x \leftarrow x - \eta\,\frac{\partial L}{\partial x}, \qquad
#   y \leftarrow y - \eta\,\frac{\partial L}{\partial y}
#   \qquad\text{or, for all parameters at once,}\qquad
#   \theta \leftarrow \theta - \eta\,\nabla L(\theta).$$
#
# $\eta$ (`lr`, the **learning rate**) sets the stride. A real network has millions of
# parameters instead of two, so its "surface" lives in millions of dimensions, but the
# picture and the formula stay exactly the same.
#
# Our test landscape for this notebook is a long, narrow valley: the elongated bowl
#
# $$L(x, y) = \tfrac12\,(x^2 + 20\,y^2),$$
#
# twenty times steeper across ($y$) than along ($x$). Valleys like this are the rule in
# real networks, not the exception, and they are what makes plain gradient descent slow.
# The arrows below show $-\nabla L$, the downhill direction at each point: most of them
# point *across* the valley, not towards the minimum at the origin.

# %%
CURVATURE = np.array([1.0, 20.0])  # the bowl's steepness along x and along y


def bowl(x, y):
    """The elongated bowl 0.5 * (x^2 + 20 y^2); x and y may be arrays (a grid)."""
    return 0.5 * (CURVATURE[0] * x**2 + CURVATURE[1] * y**2)


def bowl_grad(theta):
    """Its gradient at theta = (x, y)."""
    return CURVATURE * np.asarray(theta, dtype=np.float64)


def contour_map(ax, f, xlim, ylim, levels, title):
    """Contour lines of f over a grid: the map of the landscape, seen from above."""
    xs, ys = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    ax.contour(xs, ys, f(xs, ys), levels=levels, cmap="viridis", linewidths=0.8)
    ax.set(title=title, xlabel="$x$", ylabel="$y$", xlim=xlim, ylim=ylim)


BOWL_VIEW = dict(xlim=(-5.5, 1.0), ylim=(-1.6, 1.6), levels=np.geomspace(0.02, 60, 14))

fig, ax = plt.subplots(figsize=(8, 4))
contour_map(ax, bowl, title="$L(x, y) = (x^2 + 20y^2)/2$: arrows point downhill ($-\\nabla L$)",
            **BOWL_VIEW)
qx, qy = np.meshgrid(np.linspace(-5, 0.5, 12), np.linspace(-1.3, 1.3, 7))
downhill = -CURVATURE[:, None, None] * np.array([qx, qy])
ax.quiver(qx, qy, *downhill, color="#d9682b", angles="xy", scale=200, width=0.003)
ax.plot(0, 0, "k*", ms=12)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise 1: `sgd_update(param, grad, lr)`
# One step downhill: return `param - lr * grad` as a **new** float64 array, for arrays of any
# shape (and for Python scalars and lists). Leave `param` and `grad` as they were.

# %% tags=["exercise"]
def sgd_update(param, grad, lr):
    """One gradient descent step: param - lr * grad, a new float64 array (inputs untouched)."""
    # BEGIN SOLUTION hint: np.asarray(..., dtype=np.float64) both inputs, then one line of arithmetic
    param = np.asarray(param, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    return param - lr * grad
    # END SOLUTION


# %% tags=["check"] check="sgd_update"
_p, _g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
assert np.allclose(sgd_update(_p, _g, 0.1), [0.95, -2.05]), \
    "sgd_update should return param - lr * grad: a step against the gradient, downhill"
assert _p.tolist() == [1.0, -2.0] and _g.tolist() == [0.5, 0.5], \
    "sgd_update must not modify its inputs: build a new array instead of using -="
assert np.asarray(sgd_update([1, 2], [1, 1], 0.5)).dtype == np.float64, \
    "sgd_update should return float64 values, even for integer inputs"

# %% [markdown]
# ### Exercise 2: `gradient_descent(grad_fn, x0, lr=0.1, steps=100)`
# Walk: starting at `x0` (shape `(D,)`), apply `x <- x - lr * grad_fn(x)` `steps` times.
# Return the whole path, a float64 array of shape `(steps + 1, D)` whose row 0 is `x0` and
# whose row `k` is the point after step `k`. `grad_fn` is any function that takes a point and
# returns the gradient there (like `bowl_grad`). `x0` may be a list such as `[1.0, -4.0]`
# (then `x0 - ...` fails: convert first), and do not modify it: the caller still needs it.

# %% tags=["exercise"]
def gradient_descent(grad_fn, x0, lr=0.1, steps=100):
    """The path of gradient descent from x0: an array (steps + 1, D), row 0 is x0."""
    # BEGIN SOLUTION hint: copy x0 into a float array, collect every point in a list (x0 first), np.array(list) at the end
    x = np.array(x0, dtype=np.float64)  # a copy: the caller's x0 stays as it was
    path = [x]
    for _ in range(steps):
        x = sgd_update(x, grad_fn(x), lr)
        path.append(x)
    return np.array(path)
    # END SOLUTION


# %% tags=["check"] check="gradient_descent"
_x0 = np.array([1.0, -4.0])
_path = gradient_descent(lambda x: 2 * x, _x0, lr=0.25, steps=3)
assert np.shape(_path) == (4, 2), \
    f"steps=3 from a 2-D x0 should give x0 and 3 iterates, shape (4, 2); got {np.shape(_path)}"
assert np.allclose(_path[0], [1.0, -4.0]), "row 0 of the path must be x0 itself"
assert np.allclose(_path[1], [0.5, -2.0]), "x1 = x0 - 0.25 * (2 * x0) = 0.5 * x0"
assert np.allclose(_path[3], [0.125, -0.5]), "each step halves x here: x3 = x0 / 8"
assert _x0.tolist() == [1.0, -4.0], "gradient_descent must not modify x0"
assert np.allclose(gradient_descent(lambda x: 2 * x, [1.0, -4.0], lr=0.25, steps=1),
                   [[1.0, -4.0], [0.5, -2.0]]), "x0 may be a list: convert it with np.array first"

# %% [markdown]
# Here is the walk on our valley, from $(-5, 1.2)$ with $\eta = 0.09$. Across the valley the
# slope is steep, so every step overshoots to the other wall and the path zigzags; along the
# valley floor the slope is gentle, so progress towards the minimum is slow. That is gradient
# descent's weakness in one picture: the learning rate that keeps the steep direction under
# control is far too timid for the flat one.

# %%
THETA0 = np.array([-5.0, 1.2])
try:
    gd_path = gradient_descent(bowl_grad, THETA0, lr=0.09, steps=40)
    fig, ax = plt.subplots(figsize=(8, 4))
    contour_map(ax, bowl, title="gradient descent, $\\eta = 0.09$, 40 steps", **BOWL_VIEW)
    ax.plot(*gd_path.T, "o-", ms=3, color="#3b6fb6", label="gradient descent")
    ax.plot(0, 0, "k*", ms=12)
    ax.legend(loc="upper right")
    plt.tight_layout()
    plt.show()
    print(f"after 40 steps: theta = {gd_path[-1].round(4)}, loss = {bowl(*gd_path[-1]):.5f}")
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ## 2. The learning rate
#
# On a bowl the effect of $\eta$ can be worked out exactly. Along a direction of curvature
# $\lambda$ the gradient is $\lambda$ times the distance to the minimum, so one step turns
# a distance $d$ into $d - \eta \lambda d = (1 - \eta\lambda)\,d$. Three regimes follow:
#
# | learning rate | factor $1 - \eta\lambda$ | what you see |
# |---|---|---|
# | $\eta < 1/\lambda$ | between 0 and 1 | smooth, steady descent (slow if $\eta$ is tiny) |
# | $1/\lambda < \eta < 2/\lambda$ | between -1 and 0 | overshoots, zigzags, still converges |
# | $\eta > 2/\lambda$ | below -1 | every step lands higher than the last: **divergence** |
#
# The steepest direction sets the limit: our bowl has $\lambda = 20$ across the valley, so
# anything above $2/20 = 0.1$ blows up, while the gentle direction ($\lambda = 1$) would
# happily take steps twenty times larger. In a real network you cannot compute $\lambda$,
# so you try a few learning rates, usually spaced by factors of 3 or 10, and watch the loss:
# exactly what the plot below does.

# %%
try:  # compute first: an unfinished exercise raises here, before a figure exists
    lr_paths = {label: gradient_descent(bowl_grad, THETA0, lr=lr, steps=60)
                for lr, label in [(0.002, "0.002: too small, crawls"), (0.03, "0.03: steady, slow"),
                                  (0.09, "0.09: good (zigzags, but fastest here)"),
                                  (0.105, "0.105: too large, diverges")]}
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, path in lr_paths.items():
        ax.semilogy(bowl(path[:, 0], path[:, 1]), label=f"lr = {label}")
    ax.set(xlabel="step", ylabel="loss (log scale)", title="the same walk, four learning rates")
    ax.legend()
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ## 3. Stochastic gradient descent: why minibatches
#
# For a network the loss is an average over the training set, $L(\theta) = \frac1N \sum_i
# \ell_i(\theta)$, one term $\ell_i$ per example, and so is its gradient. Computing it
# exactly costs a pass over all $N$ examples for *one* step. With a million images that is
# a lot of computing for one small, careful step.
#
# **Stochastic gradient descent** (SGD) instead estimates the gradient from a small random
# **minibatch** of $B$ examples (say 32): the average of $B$ random terms is an unbiased,
# noisy estimate of the average of all $N$, at a fraction $B/N$ of the cost. The walk becomes
# a bit drunk, wobbling around the true downhill direction, but it takes $N/B$ steps for the
# price of one exact step, and those many approximate steps win by a wide margin. A full pass
# over the data, one minibatch after another, is an **epoch**. (The noise even helps a little:
# it shakes the walk out of flat regions and narrow dips. And `torch.optim.SGD` is named
# after this idea although its update is simply $\theta - \eta g$: the "stochastic" part is
# the minibatch gradient $g$ you feed it.)
#
# Below, a linear regression with $N = 2000$ examples: full-batch gradient descent against
# minibatch SGD with $B = 32$, both with `sgd_update`, plotted against the number of
# examples whose gradient was computed, which is what costs time.

# %%
data_rng = np.random.default_rng(0)
X_reg = data_rng.normal(size=(2000, 5))
y_reg = X_reg @ np.array([2.0, -1.0, 0.5, 3.0, -2.0]) + 0.1 * data_rng.normal(size=2000)


def regression_loss(w):
    return float(np.mean((X_reg @ w - y_reg) ** 2))


def regression_grad(w, rows):
    """Gradient of the mean squared error over the examples in `rows`."""
    Xb, yb = X_reg[rows], y_reg[rows]
    return 2.0 * Xb.T @ (Xb @ w - yb) / len(rows)


try:
    curves = {}
    for name, batch in [("full batch (B = 2000)", 2000), ("minibatch SGD (B = 32)", 32)]:
        w, seen, losses = np.zeros(5), [0], [regression_loss(np.zeros(5))]
        order_rng = np.random.default_rng(1)
        while seen[-1] < 3 * 2000:  # three epochs' worth of example gradients
            order = order_rng.permutation(2000)
            for start in range(0, 2000, batch):
                w = sgd_update(w, regression_grad(w, order[start:start + batch]), lr=0.05)
                seen.append(seen[-1] + batch)
                losses.append(regression_loss(w))
        curves[name] = (seen, losses)
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, (seen, losses) in curves.items():
        ax.semilogy(seen, losses, ".-" if "full" in name else "-", label=name)
    ax.set(xlabel="examples processed (cost)", ylabel="training loss (log scale)",
           title="same cost: 3 exact steps vs ~190 noisy ones")
    ax.legend()
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ## 4. Optimizers are objects that hold on to the parameters
#
# In PyTorch you never pass parameters to each step. You hand them over once:
#
# ```python
# optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
# for x, y in loader:
#     optimizer.zero_grad()
#     loss = criterion(model(x), y)
#     loss.backward()        # fills p.grad for every parameter p
#     optimizer.step()       # changes every p, in place
# ```
#
# The optimizer keeps *references* to the very tensors the model computes with (not
# copies), and `step()` overwrites their values in place, which is the only way the model can
# see the change. It also keeps per-parameter **state** between steps (the momentum buffers
# and Adam's moments below), stored alongside each parameter. (PyTorch also lets you split the
# parameters into *param groups* with different learning rates; we use a single group.)
#
# Our numpy optimizers work the same way. `params` is a list of float64 arrays (a weight
# matrix, a bias vector, ...), and `step(grads)` receives a list of gradients aligned with
# it, `grads[i]` for `params[i]`, and changes each array **in place**. In numpy that is the
# difference between these two lines:

# %%
w = np.array([1.0, 2.0])
params = [w]                       # what an optimizer holds: a reference to the same array
for p in params:
    p = p - 0.5 * np.ones(2)       # REBINDS the name p to a new array: w never changes
print("after p = p - ...:", w)
for p in params:
    p -= 0.5 * np.ones(2)          # writes into the array itself: w changes
print("after p -= ...:   ", w, "(same object:", params[0] is w, ")")

# %% [markdown]
# In place: `p -= ...`, `p[...] = ...`, `np.subtract(p, ..., out=p)`. Not in place:
# `p = p - ...`, and neither is `self.params[i] = p - ...`, which swaps a new array into
# the optimizer's list while the model keeps the old one. The gradients, on the other hand,
# belong to the caller: read them, do not write into them.

# %% [markdown]
# ## 5. Momentum: a heavy ball instead of a hiker
#
# Gradient descent is a hiker with no memory: each step depends only on the slope right here.
# In our valley the slope across flips sign at every step while the slope along is small but
# always the same. A **heavy ball** rolling down the same surface behaves better: it builds
# up speed in the direction that stays consistent, and its inertia averages away the
# back-and-forth. That is **momentum**: keep a running "velocity" (the **buffer** $b$) and
# step along it instead of along the raw gradient. PyTorch's convention is
#
# $$b_1 = g_1, \qquad b_t = \mu\, b_{t-1} + g_t \quad (t \ge 2), \qquad
#   \theta \leftarrow \theta - \eta\, b_t,$$
#
# with $g_t$ the gradient of step $t$ and $\mu$ the momentum (0.9 is the classic choice).
# Unrolled, $b_t = g_t + \mu g_{t-1} + \mu^2 g_{t-2} + \dots$: a sum of past gradients,
# older ones fading. If the gradient is steadily $g$, the buffer grows towards
# $g / (1 - \mu)$, ten times $g$ for $\mu = 0.9$, so along a gentle, consistent slope the
# ball moves ten times faster than the hiker. Where gradients alternate in sign they largely
# cancel in the sum.
#
# Conventions differ between texts, so here are the details of `torch.optim.SGD`, which you
# will match exactly:
# * the buffer starts as a copy of the first gradient (not as zeros followed by an update);
# * the new gradient is added in full: no factor $(1 - \mu)$ (torch calls that factor
#   *dampening*, and its default is 0);
# * the buffer is updated first, then used for this very step;
# * `momentum=0` (the default) means no buffer at all: plain $\theta \leftarrow \theta - \eta g$.
#
# ### Exercise 3: `class SGD(params, lr, momentum=0.0)`
# `__init__` keeps the list of parameter arrays (the arrays themselves, not copies), the
# hyperparameters, and room for one momentum buffer per parameter. `step(grads)` updates
# every `params[i]` in place, using `grads[i]`.

# %% tags=["exercise"]
class SGD:
    """Stochastic gradient descent with optional momentum, as torch.optim.SGD
    (dampening 0, no Nesterov, no weight decay). Updates the arrays in params in place."""

    def __init__(self, params, lr, momentum=0.0):
        # BEGIN SOLUTION hint: self.params = list(params) keeps the same arrays; one buffer slot per parameter, None until the first step
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.buffers = [None] * len(self.params)
        # END SOLUTION

    def step(self, grads):
        """One update of every parameter, in place; grads[i] is the gradient of params[i]."""
        # BEGIN SOLUTION hint: first step: buffer = a copy of grad; then buffer = momentum * buffer + grad; finally p -= lr * buffer
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = np.asarray(g, dtype=np.float64)
            if self.momentum != 0:
                if self.buffers[i] is None:
                    self.buffers[i] = g.copy()
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + g
                g = self.buffers[i]
            p -= self.lr * g
        # END SOLUTION


# %% tags=["check"] check="SGD"
_w, _b = np.array([1.0, 2.0]), np.array([0.5])
_opt = SGD([_w, _b], lr=0.1, momentum=0.9)
_opt.step([np.array([1.0, -1.0]), np.array([2.0])])
assert not (np.array_equal(_w, [1.0, 2.0]) and np.array_equal(_b, [0.5])), \
    "the first step did not move: the buffer starts as a copy of the first gradient and is " \
    "used in that same step (and p must change in place: p -= ...)"
assert np.allclose(_w, [0.9, 2.1]) and np.allclose(_b, [0.3]), \
    "after the first step w should be [0.9, 2.1] and b [0.3], changed IN PLACE (p -= ...): " \
    "the first buffer is the gradient itself, so the first step is p -= lr * grad"
_opt.step([np.array([1.0, -1.0]), np.array([0.0])])
for _mistake, (_w_then, _b_then) in {  # what classic mistakes make of the second step
        "momentum ignored: these are plain SGD steps": ([0.8, 2.2], [0.3]),
        "momentum with dampening (1 - momentum) * grad": ([0.8, 2.2], [0.12])}.items():
    assert not (np.allclose(_w, _w_then) and np.allclose(_b, _b_then)), \
        f"second step: got w = {_w}, b = {_b}. This looks like: {_mistake}"
assert np.allclose(_w, [0.71, 2.29]) and np.allclose(_b, [0.12]), \
    "second step: buffer = 0.9 * buffer + grad (no (1 - momentum) factor), then p -= lr * buffer"
_q = np.array([3.0])
_plain = SGD([_q], lr=0.5)
_g = np.array([2.0])
_plain.step([_g])
_plain.step([_g])
assert np.allclose(_q, [1.0]) and _g.tolist() == [2.0], \
    "momentum=0 is plain SGD: two steps of 0.5 * 2 from 3 reach 1 (and grads are not modified)"

# %% [markdown]
# The heavy ball against the hiker, on the same valley and from the same start. The ball
# gets a smaller learning rate (along a steady slope its stride grows to $1/(1 - \mu)$ times
# the hiker's: five times for $\mu = 0.8$), overshoots the floor once or twice, and then
# rolls along it.

# %%
def run_optimizer(make_optimizer, grad_fn, theta0, steps):
    """The path of an optimizer object over `steps` steps, from theta0 (one parameter array)."""
    theta = np.array(theta0, dtype=np.float64)
    optimizer = make_optimizer([theta])
    path = [theta.copy()]
    for _ in range(steps):
        optimizer.step([grad_fn(theta)])
        path.append(theta.copy())  # theta itself was changed in place by step
    return np.array(path)


try:
    gd_path = run_optimizer(lambda ps: SGD(ps, lr=0.09), bowl_grad, THETA0, 40)
    ball_path = run_optimizer(lambda ps: SGD(ps, lr=0.03, momentum=0.8), bowl_grad, THETA0, 40)
    fig, ax = plt.subplots(figsize=(8, 4))
    contour_map(ax, bowl, title="40 steps each", **BOWL_VIEW)
    ax.plot(*gd_path.T, "o-", ms=3, color="#3b6fb6", label="SGD, lr 0.09")
    ax.plot(*ball_path.T, "o-", ms=3, color="#d9682b", label="SGD, lr 0.03, momentum 0.8")
    ax.plot(0, 0, "k*", ms=12)
    ax.legend(loc="upper right")
    plt.tight_layout()
    plt.show()
    for name, path in [("no momentum", gd_path), ("momentum", ball_path)]:
        print(f"{name:12s} final loss {bowl(*path[-1]):.2e}")
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ## 6. Adam: a step size for every parameter
#
# Momentum fixes the zigzag, but every parameter still shares one learning rate, and in a
# network the gradients of different parameters can differ by many orders of magnitude (the
# first layer's weights and the last layer's bias hardly live on the same scale). **Adam**
# (Kingma and Ba, 2015, "adaptive moment estimation") gives each parameter its own effective
# step size, from two running averages kept per entry:
#
# * the **first moment** $m$, an average of recent gradients: the direction, smoothed like
#   momentum's buffer;
# * the **second moment** $v$, an average of recent *squared* gradients: how large this
#   entry's gradients typically are.
#
# The step is $m / \sqrt{v}$, entry by entry. Dividing by the typical size cancels the scale:
# an entry whose gradients are always around $10^{-4}$ and one whose gradients are around
# $10^{2}$ both move by about $\eta$ per step. The learning rate becomes a distance in
# parameter space rather than a multiplier of the gradient.
#
# **Bias correction.** $m$ and $v$ start at zero, so early on they are averages of a few
# gradients *and a lot of zeros*: much too small. After $t$ steps the weights given to real
# gradients add up to $1 - \beta^t$, so dividing by that undoes the shrinking. With $t$
# counting steps **from 1**, the very first step has $\hat m = g$ and $\hat v = g^2$: it moves
# every entry by $\eta\,|g| / (|g| + \epsilon) \approx \eta$, whatever the gradient's scale.
#
# `torch.optim.Adam`, step by step (all operations entrywise, $g$ the gradient):
#
# $$\begin{aligned}
# t &\leftarrow t + 1 \\
# m &\leftarrow \beta_1 m + (1 - \beta_1)\, g \\
# v &\leftarrow \beta_2 v + (1 - \beta_2)\, g^2 \\
# \hat m &= m / (1 - \beta_1^t), \qquad \hat v = v / (1 - \beta_2^t) \\
# \theta &\leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)
# \end{aligned}$$
#
# with defaults $\eta = 10^{-3}$, $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$.
# $\epsilon$ only prevents a division by zero; note that it is added *after* the square root.
# One step counter $t$ serves all parameters; $m$ and $v$ exist once per parameter, with its
# shape, starting at zero.
#
# ### Exercise 4: `class Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`
# Like `SGD`: keep the arrays, update them in place in `step(grads)`.

# %% tags=["exercise"]
class Adam:
    """Adam with bias-corrected moments, as torch.optim.Adam (no weight decay, no amsgrad).
    Updates the arrays in params in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        # BEGIN SOLUTION hint: keep list(params) and the hyperparameters; a step counter t = 0; m and v start as np.zeros_like(p) for each p
        self.params = list(params)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p, dtype=np.float64) for p in self.params]
        self.v = [np.zeros_like(p, dtype=np.float64) for p in self.params]
        # END SOLUTION

    def step(self, grads):
        """One Adam update of every parameter, in place; grads[i] belongs to params[i]."""
        # BEGIN SOLUTION hint: t += 1 first (t is 1 on the first step); update m and v; bias-correct both; p -= lr * m_hat / (sqrt(v_hat) + eps)
        self.t += 1
        bias1 = 1 - self.beta1 ** self.t
        bias2 = 1 - self.beta2 ** self.t
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = np.asarray(g, dtype=np.float64)
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g
            m_hat = self.m[i] / bias1
            v_hat = self.v[i] / bias2
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        # END SOLUTION


# %% tags=["check"] check="Adam"
_p = np.array([1.0, -1.0, 0.0])
_adam = Adam([_p], lr=0.1)
_adam.step([np.array([1e-3, -50.0, 0.0])])
assert not np.array_equal(_p, [1.0, -1.0, 0.0]), \
    "the first step left p as it was. This looks like: parameters rebound instead of updated " \
    "in place (p = p - ...): the caller's arrays never change. Write into them: p -= ..."
assert np.all(np.isfinite(_p)), \
    f"got {_p} after the first step. In Adam a nan or inf usually comes from a division by zero " \
    "in the bias correction (t must be 1 on the first step, so 1 - beta ** t is never 0) or " \
    "from the square root of a negative v (v must average grad * grad)"
_mistakes = {  # what the first step makes of the entry 1.0 (gradient 1e-3, lr 0.1) in classic bugs
    "eps inside the square root (torch adds eps after it: sqrt(v_hat) + eps)":
        1 - 0.1 * 1e-3 / np.sqrt(1e-6 + 1e-8),
    "Adam without bias correction (divide m by 1 - beta1 ** t and v by 1 - beta2 ** t)":
        1 - 0.1 * 1e-4 / (np.sqrt(1e-9) + 1e-8),
    "Adam step count off by one (t must start at 1): t += 1 once per step, before the "
    "bias correction": 1 - 0.1 * (1e-4 / 0.19) / (np.sqrt(1e-9 / (1 - 0.999 ** 2)) + 1e-8),
    "v averaging grad (or |grad|) instead of grad * grad": 1 - 0.1 * 1e-3 / (np.sqrt(1e-3) + 1e-8),
    "eps scaled by the bias correction (the paper's 'efficient' form); torch adds eps to "
    "sqrt(v_hat)": 1 - 0.1 * 1e-3 / (1e-3 + 1e-8 / np.sqrt(1e-3)),
}
for _mistake, _value in _mistakes.items():
    assert not np.isclose(_p[0], _value, rtol=0, atol=1e-9), \
        f"got {_p} after the first step. This looks like: {_mistake}"
assert np.allclose(_p, [1 - 1e-4 / (1e-3 + 1e-8), -1 + 5 / (50 + 1e-8), 0.0], rtol=0, atol=1e-9), \
    "Adam's first step should move every entry by about lr = 0.1 against its gradient's sign, " \
    "whatever the gradient's size, and leave a zero-gradient entry alone, in place (p -= ...); " \
    f"got {_p}"
_adam.step([np.array([3e-3, 50.0, 0.0])])
assert np.allclose(_p, [0.8082233, -0.90526316, 0.0], atol=1e-6), \
    f"second step: m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g * g, both bias-corrected; got {_p}"
_q = np.array([2.0])
_small = Adam([_q], lr=0.5, betas=(0.8, 0.99), eps=1e-6)
_small.step([np.array([1e-6])])
assert np.allclose(_q, [1.75]), \
    "with eps = 1e-6 and a gradient of 1e-6 the first step is lr * g / (|g| + eps) = 0.25: " \
    "eps is added after the square root, and betas and eps come from the arguments"

# %% [markdown]
# Now all three on the valley. Adam's first steps have length $\eta$ in *both* coordinates,
# although the gradient across the valley is twenty times steeper, so it heads much more
# directly towards the minimum. It then slows down near the bottom and wobbles a little
# around it, because its steps stay of size about $\eta$ until $v$ catches up with the small
# gradients there (in practice one lowers the learning rate late in training).

# %%
try:
    adam_path = run_optimizer(lambda ps: Adam(ps, lr=0.3), bowl_grad, THETA0, 40)
    fig, ax = plt.subplots(figsize=(8, 4))
    contour_map(ax, bowl, title="40 steps each", **BOWL_VIEW)
    for path, color, label in [(gd_path, "#3b6fb6", "SGD, lr 0.09"),
                               (ball_path, "#d9682b", "SGD, lr 0.03, momentum 0.8"),
                               (adam_path, "#2a9d5c", "Adam, lr 0.3")]:
        ax.plot(*path.T, "o-", ms=3, color=color, label=label)
    ax.plot(0, 0, "k*", ms=12)
    ax.legend(loc="upper right")
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ### A harder valley: Rosenbrock's banana
#
# $L(x, y) = (1 - x)^2 + 100\,(y - x^2)^2$ is the classic torture test for optimizers: a
# curved, flat-bottomed valley whose minimum sits at $(1, 1)$. Finding the valley is easy;
# following its curve to the end is not. With a learning rate small enough to be stable in
# the steep walls, plain gradient descent barely moves along the floor; momentum and Adam
# get much further in the same 400 steps.

# %%
def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(theta):
    x, y = theta
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


try:
    start = np.array([-1.2, 1.0])
    runs = [("SGD, lr 1e-3", lambda ps: SGD(ps, lr=1e-3), "#3b6fb6"),
            ("SGD, lr 1e-3, momentum 0.9", lambda ps: SGD(ps, lr=1e-3, momentum=0.9), "#d9682b"),
            ("Adam, lr 0.1", lambda ps: Adam(ps, lr=0.1), "#2a9d5c")]
    banana_paths = [run_optimizer(make, rosenbrock_grad, start, 400) for _, make, _ in runs]
    fig, ax = plt.subplots(figsize=(7, 5))
    contour_map(ax, rosenbrock, xlim=(-2, 2), ylim=(-1, 3), levels=np.geomspace(0.3, 2500, 15),
                title="Rosenbrock, 400 steps each")
    for (label, _, color), path in zip(runs, banana_paths):
        ax.plot(*path.T, "-", lw=1.5, color=color,
                label=f"{label}: ends at loss {rosenbrock(*path[-1]):.2g}")
        ax.plot(*path[-1], "o", ms=7, color=color, markeredgecolor="k")  # where it stopped
    ax.plot(1, 1, "k*", ms=12)
    ax.legend(loc="upper center", fontsize=8)
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ## 7. Summary
#
# | optimizer | update | state per parameter | in PyTorch |
# |---|---|---|---|
# | gradient descent / SGD | $\theta \leftarrow \theta - \eta g$ | none | `torch.optim.SGD(params, lr)` |
# | SGD with momentum | $b \leftarrow \mu b + g$ ($b_1 = g_1$); $\theta \leftarrow \theta - \eta b$ | buffer $b$ | `torch.optim.SGD(params, lr, momentum=0.9)` |
# | Adam | $\theta \leftarrow \theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)$ | $m$, $v$ (and one shared $t$) | `torch.optim.Adam(params, lr=1e-3)` |
#
# * Training walks the parameters down the loss surface, one small step against the gradient
#   at a time; the learning rate is the stride, and the steepest direction limits it.
# * Minibatches give cheap, noisy gradients: many noisy steps beat a few exact ones.
# * Momentum remembers past gradients, speeding up consistent directions and damping
#   oscillations; Adam also rescales every entry by its typical gradient size.
# * An optimizer holds the parameter arrays themselves and changes them in place.
#
# Your `SGD` and `Adam` reproduce `torch.optim.SGD` and `torch.optim.Adam` number for number:
# the hidden tests compare them with PyTorch over many steps. In assignment 06 you will use
# PyTorch's versions to train a real network.
