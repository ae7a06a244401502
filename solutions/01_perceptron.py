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
# # 01 · The perceptron
#
# A neural network is built from many small units that each do something simple. The
# oldest and simplest of those units is the **perceptron** (Rosenblatt, 1958). In this
# assignment you will build one from scratch, teach it two logic gates, and then watch it
# fail on a third, which is exactly the failure that motivates everything that comes
# after it in this course.
#
# **What you will write:** `step`, `perceptron_output`, `perceptron_update`,
# `train_perceptron` and `accuracy`. Each exercise cell contains a stub that raises
# `NotImplementedError`; replace the stub with your code, then run the check cell below it.
#
# **Conventions for every function here** (the hidden tests check them):
# - an input may be a Python number, a (nested) list or a numpy array: convert it with
#   `np.asarray(..., dtype=np.float64)` before computing with it;
# - no function modifies its inputs: build new arrays instead (no `+=` on an argument).

# %% tags=["given"]
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 1. A weighted vote
#
# A perceptron receives a vector of inputs $x = (x_1, \dots, x_D)$. Each input has a
# **weight** $w_i$ saying how much it matters and in which direction, and the unit has one
# **bias** $b$, a threshold that shifts how easily it fires. The perceptron adds up the
# weighted evidence and fires when the total is not negative:
#
# $$z = \sum_{i=1}^{D} w_i x_i + b = w \cdot x + b, \qquad
#   \hat y = \operatorname{step}(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}$$
#
# The function that turns the weighted sum $z$ into an output is the **activation**. Here it
# is the Heaviside step: all or nothing. Note the convention at the boundary: at exactly
# $z = 0$ the unit fires. (This also holds for $-0.0$, which compares equal to $0$.)
#
# ### Exercise 1: `step(z)`
# Return `1.0` where `z >= 0` and `0.0` elsewhere, elementwise, for a scalar, a list or an
# array of any shape. The result is a float64 array of the same shape as `z` (a 0-d array
# for a scalar). Do not modify `z`.

# %% tags=["exercise"]
def step(z):
    """Heaviside step. z: scalar, list or array of any shape -> float64 array, same shape."""
    # BEGIN SOLUTION hint: np.asarray turns any input into an array; np.where picks per entry
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0, 0.0)
    # END SOLUTION


# %% tags=["check"] check="step"
assert step(0.0) == 1.0, "step(0.0) should be 1.0: the unit fires at exactly zero"
assert step(-1e-9) == 0.0, "step of a tiny negative number should be 0.0"
assert step([[-2.0, 3.0]]).shape == (1, 2), "step must keep the shape of its input"
assert step(np.array([-1, 0, 2])).dtype == np.float64, "step must return float64 values"

# %% [markdown]
# ## 2. One unit, many examples
#
# With a whole dataset the weighted sums of all examples come from one matrix product.
# If the rows of `X` are examples, `X` has shape `(N, D)` and
#
# | quantity | expression | shape |
# |---|---|---|
# | inputs | `X` | `(N, D)` |
# | weights | `w` | `(D,)` |
# | weighted sums | `X @ w + b` | `(N,)` |
# | outputs | `step(X @ w + b)` | `(N,)` |
#
# The same code handles a single example `x` of shape `(D,)`: then `x @ w + b` is a
# scalar and the output has shape `()`.
#
# ### Exercise 2: `perceptron_output(x, w, b)`

# %% tags=["exercise"]
def perceptron_output(x, w, b):
    """x: (D,) or (N, D); w: (D,); b: float -> outputs of shape () or (N,), 0.0 or 1.0."""
    # BEGIN SOLUTION hint: one matrix product, plus the bias, through step
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return step(x @ w + b)
    # END SOLUTION


# %% tags=["check"] check="perceptron_output"
_w, _b = np.array([1.0, -2.0]), 0.5
assert perceptron_output(np.array([1.0, 1.0]), _w, _b) == 0.0, "1 - 2 + 0.5 < 0, so 0.0"
assert perceptron_output(np.array([[1.0, 0.0], [0.0, 1.0]]), _w, _b).tolist() == [1.0, 0.0]
assert perceptron_output(np.array([[0.0, 0.25]]), _w, _b).shape == (1,), "one output per row"

# %% [markdown]
# ## 3. Learning from mistakes
#
# How should the weights change when the perceptron gets an example wrong? Rosenblatt's
# rule is almost embarrassingly simple. For an example $x$ with label $y \in \{0, 1\}$,
# compute the **error** $e = y - \hat y$, which is $+1$ (should have fired, did not), $-1$
# (fired, should not have) or $0$ (right). Then
#
# $$w \leftarrow w + \eta\, e\, x, \qquad b \leftarrow b + \eta\, e .$$
#
# When the unit failed to fire, each weight moves towards its input, so the same example
# produces a larger $z$ next time; when it fired wrongly, the weights move away. A correct
# answer changes nothing. $\eta$ (`lr`) is the **learning rate**, the size of each nudge.
#
# ### Exercise 3: `perceptron_update(x, y, w, b, lr=1.0)`
# Return the *new* pair `(w, b)` with `b` a Python float, and leave the `w` you were given
# untouched: build a new array rather than using `+=` on it.

# %% tags=["exercise"]
def perceptron_update(x, y, w, b, lr=1.0):
    """One step of the perceptron rule. x: (D,); y: 0 or 1; w: (D,); b: float -> (w, b)."""
    # BEGIN SOLUTION hint: error = y - perceptron_output(x, w, b); return new arrays, not w itself
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    error = float(y - perceptron_output(x, w, b))
    return w + lr * error * x, float(b + lr * error)
    # END SOLUTION


# %% tags=["check"] check="perceptron_update"
_w0 = np.zeros(2)
_w1, _b1 = perceptron_update(np.array([1.0, 2.0]), 0, _w0, 0.0)
assert _w1.tolist() == [-1.0, -2.0] and _b1 == -1.0, "a wrong 'fire' should push w and b down"
assert _w0.tolist() == [0.0, 0.0], "perceptron_update must not modify the w it was given"
assert isinstance(_b1, float), "the new bias should be a Python float"

# %% [markdown]
# ## 4. Training
#
# Training repeats the rule over the dataset. One pass over every example, in order, is an
# **epoch**. We start from all-zero weights and count the mistakes (examples whose error was
# not zero) in each epoch. If an epoch makes no mistake, every example is classified
# correctly and further passes would change nothing, so we stop. Otherwise we give up
# after `max_epochs` epochs.
#
# The **perceptron convergence theorem** promises that if some line (a hyperplane, in more
# dimensions) separates the two classes, this loop stops after finitely many mistakes.
#
# ### Exercise 4: `train_perceptron(X, y, lr=1.0, max_epochs=100)`
# Return `(w, b, mistakes)` where `mistakes` is a list of ints, one per epoch run.

# %% tags=["exercise"]
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    """X: (N, D); y: (N,) of 0/1 -> (w (D,), b float, mistakes: list of int per epoch)."""
    # BEGIN SOLUTION hint: loop over epochs, then over examples in order; stop after a clean epoch
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes = []
    for _ in range(max_epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            if y_i - perceptron_output(x_i, w, b) != 0:
                count += 1
            w, b = perceptron_update(x_i, y_i, w, b, lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes
    # END SOLUTION


# %% tags=["check"] check="train_perceptron"
_X_or = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_w, _b, _m = train_perceptron(_X_or, np.array([0, 1, 1, 1]))
assert _m[-1] == 0, "OR is linearly separable: the last epoch should make no mistakes"
assert all(isinstance(k, int) for k in _m), "mistakes should be a list of ints"
assert perceptron_output(_X_or, _w, _b).tolist() == [0.0, 1.0, 1.0, 1.0]

# %% [markdown]
# ### Exercise 5: `accuracy(y_true, y_pred)`
# The fraction of positions where the two agree, as a Python float.

# %% tags=["exercise"]
def accuracy(y_true, y_pred):
    """y_true, y_pred: (N,) -> fraction of equal entries, a float."""
    # BEGIN SOLUTION hint: compare elementwise, then take the mean
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    # END SOLUTION


# %% tags=["check"] check="accuracy"
assert accuracy([1, 0, 1, 1], [1, 1, 1, 0]) == 0.5
assert isinstance(accuracy(np.ones(3), np.ones(3)), float), "accuracy should return a float"

# %% [markdown]
# ## 5. Teaching it logic: AND and OR
#
# Two inputs that are each 0 or 1 give four examples. AND fires only for `(1, 1)`; OR fires
# unless both are 0. Let us train on both and draw what the perceptron learned. The line
# where $w \cdot x + b = 0$ is the **decision boundary**: on one side the unit fires, on the
# other it stays silent.

# %%
X_gate = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
gates = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "XOR": np.array([0, 1, 1, 0])}


def plot_boundary(ax, X, y, w, b, title):
    """Shade where the perceptron fires and mark the examples by their true label."""
    xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    ax.contourf(xx, yy, perceptron_output(grid, w, b).reshape(xx.shape),
                levels=[-0.5, 0.5, 1.5], colors=["#dde6f5", "#f7dccb"])
    for label, marker in ((0, "o"), (1, "s")):
        ax.scatter(*X[y == label].T, marker=marker, s=90, edgecolor="k",
                   color="#3b6fb6" if label == 0 else "#d9682b", label=f"label {label}")
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))


try:  # compute first: an unfinished exercise raises here, before a figure exists
    trained = {gate: train_perceptron(X_gate, gates[gate]) for gate in ["AND", "OR"]}
    perceptron_output(X_gate, *trained["AND"][:2])
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, (gate, (w_gate, b_gate, history)) in zip(axes, trained.items()):
        plot_boundary(ax, X_gate, gates[gate], w_gate, b_gate,
                      f"{gate}: w={w_gate}, b={b_gate}, {len(history)} epochs")
    axes[0].legend(loc="upper left")
    plt.tight_layout()
    plt.show()
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)

# %% [markdown]
# ## 6. Where a single perceptron fails: XOR
#
# XOR fires when exactly one input is 1. Try to draw one straight line that puts `(0, 1)`
# and `(1, 0)` on one side and `(0, 0)` and `(1, 1)` on the other: you cannot. The two
# classes are not **linearly separable**, so no choice of `w` and `b` works, and the
# convergence theorem no longer applies: the mistakes never reach zero and training stops
# only because of `max_epochs`.
#
# This limitation (made famous by Minsky and Papert in 1969) is why we stack units into
# layers. A hidden layer can compute, say, OR and NAND, and a second layer can AND those
# together: that is XOR. Assignment 03 builds such multi-layer networks; assignments 02 and
# 04 supply the smooth activations and gradients that make them trainable.

# %%
try:  # compute first: an unfinished exercise raises here, before a figure exists
    w_xor, b_xor, history = train_perceptron(X_gate, gates["XOR"], max_epochs=30)
    xor_accuracy = accuracy(gates["XOR"], perceptron_output(X_gate, w_xor, b_xor))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
    ax1.plot(range(1, len(history) + 1), history, marker="o")
    ax1.set(title="XOR: mistakes per epoch never reach 0", xlabel="epoch", ylabel="mistakes")
    plot_boundary(ax2, X_gate, gates["XOR"], w_xor, b_xor, "XOR: the best a line can do")
    plt.tight_layout()
    plt.show()
    print(f"accuracy on XOR after {len(history)} epochs: {xor_accuracy:.2f}")
except NotImplementedError as exc:
    print("Finish the exercises above to see this plot:", exc)
