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
# # 07 · Handwritten digits: your first network on real data
#
# Six assignments so far, and every data set was made up: logic gates, two moons, points on
# a loss surface. This one is real: 1,797 handwritten digits from the UCI "optical
# recognition of handwritten digits" collection, written on forms by 13 people, scanned,
# and reduced to tiny 8×8 grey images. The task is the classic one: look at an image, say
# which digit it is.
#
# You will solve it twice. First **from scratch in numpy**: the forward pass of 03, the
# backward pass of 04 and the optimizer step of 05, written again, this time in one cell
# that you can read from top to bottom as a whole network. Then **in PyTorch**, with the
# training loop of 06 and a model that uses dropout. Along the way you meet what real data
# brings with it: looking at it first, preparing the inputs without cheating, choosing
# hyperparameters on a validation set, and finding out *which* digits the network gets wrong.
#
# **What you will write:**
# * the data pieces: `train_val_split`, `fit_standardizer`, `standardize`,
#   `standardize_splits`, `one_hot`, `accuracy`, `confusion_matrix`;
# * the numpy network: `init_params`, `forward`, `softmax_cross_entropy`, `backward`,
#   `sgd_step`, `predict` and `train_network`;
# * the PyTorch network: `DigitsNet`, your `train_one_epoch` and `evaluate` from 06, and
#   `train_digits_net`.
#
# Each exercise cell contains a stub that raises `NotImplementedError`; replace it with your
# code, then run the check cell below it. The numpy network must use numpy alone.
#
# **How it is graded.** The grader keeps digits of its own that your code never sees: it
# trains *your* `train_network` and `train_digits_net` on the rest, takes the parameters
# they return, and measures the accuracy itself on its hidden digits. When the grader runs
# your notebook the data set is hidden from it, so the demo cells below skip themselves
# there; that is expected.

# %% tags=["given"]
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm.auto import tqdm

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

torch.set_num_threads(1)  # networks this small train fastest on one thread
try:
    digits = load_digits()
    X_all, y_all, images = digits.data, digits.target, digits.images
    print(f"{len(X_all)} digits; images {images.shape[1:]}, inputs {X_all.shape[1:]}")
except Exception as exc:  # inside the grader's sandbox the data set is hidden
    digits = X_all = y_all = images = None
    print("The digits data set is not available here, so the demos are skipped:", exc)

# %% [markdown]
# ## 1. Look at the data first
#
# Before any model, look at the data: what one example looks like, what the labels are, how
# many examples each class has. Ten minutes of looking saves hours of debugging a network
# that was fed something other than what you thought.
#
# Each image is an 8×8 grid of integers from 0 (white paper) to 16 (full ink): a tiny
# image, which is what makes this data set quick to train on.

# %%
if images is not None:
    fig, axes = plt.subplots(3, 10, figsize=(10, 3.4))
    for ax, image, label in zip(axes.ravel(), images, y_all):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(str(label), fontsize=10)
        ax.axis("off")
    fig.suptitle("the first 30 digits and their labels")
    plt.tight_layout()
    plt.show()
    print("the first image as numbers:\n", images[0].astype(int))

# %% [markdown]
# Are the classes balanced? If 90% of the examples were sevens, a "network" that always says
# 7 would be 90% accurate, and accuracy would be a poor yardstick. Here every digit has
# about 180 examples, so accuracy means what it says.

# %%
if y_all is not None:
    counts = np.bincount(y_all, minlength=10)
    fig, ax = plt.subplots(figsize=(6, 2.5))
    ax.bar(range(10), counts, color="#3b6fb6")
    ax.set(title="examples per class", xlabel="digit", ylabel="count", xticks=range(10))
    plt.show()
    print("examples per class:", counts.tolist())

# %% [markdown]
# ## 2. From images to input vectors
#
# A fully connected network takes a vector, not a grid. We **flatten** each 8×8 image into
# 64 numbers, row after row: pixel $(r, c)$ becomes input $8r + c$. `reshape` does it
# without copying, and `reshape(8, 8)` undoes it; scikit-learn already gives both forms,
# `digits.images` of shape `(1797, 8, 8)` and `digits.data` of shape `(1797, 64)`.
#
# Flattening throws away which pixels are neighbours: for the network, input 9 is no
# closer to input 10 than to input 50. It has to learn the spatial structure from the data.
# (Convolutional networks build that structure in; they are the next step after this course.)

# %%
if images is not None:
    flat = images.reshape(len(images), -1)
    print("images", images.shape, "-> flattened", flat.shape)
    print("the same numbers as digits.data:", np.array_equal(flat, X_all))
    print("pixel (2, 3) of image 0 is input", 8 * 2 + 3, ":", images[0, 2, 3], "==", flat[0, 19])

# %% [markdown]
# ## 3. Three kinds of data: training, validation, test
#
# A network is judged on digits it has never seen: that is the only accuracy that predicts
# how it will do on the next person's handwriting. So the data is split:
#
# - the **training set** is what the network learns from;
# - the **validation set** is what *you* learn from: you compare learning rates, hidden
#   sizes and numbers of epochs by their validation accuracy;
# - the **test set** is looked at once, at the very end, to report a number. Here the grader
#   holds it: its own digits, which your code never sees.
#
# Why not choose hyperparameters on the test set? Because every choice made by looking at
# a set fits the model a little more to that set. After fifty comparisons on the test set,
# its accuracy is no longer the accuracy on *new* digits.
#
# The split must be random (the file is not shuffled: it starts 0, 1, 2, ..., 9, 0, 1, ...,
# and neighbouring rows may well come from the same writer) and reproducible (the same
# seed gives the same split, so that results can be compared).
#
# ### Exercise 1: `train_val_split(X, y, val_fraction=0.2, seed=0)`
# Draw a permutation of the row indices with `np.random.default_rng(seed).permutation(N)`.
# Its first `n_val = int(N * val_fraction)` indices are the validation rows, the remaining
# ones the training rows, both in the permutation's order. Return
# `(X_train, X_val, y_train, y_val)` (the order of scikit-learn's `train_test_split`). Index
# `X` and `y` with the same indices so that every image keeps its label.

# %% tags=["exercise"]
def train_val_split(X, y, val_fraction=0.2, seed=0):
    """X: (N, D), y: (N,) -> (X_train, X_val, y_train, y_val), a seeded random split."""
    # BEGIN SOLUTION hint: perm = np.random.default_rng(seed).permutation(len(X)); the first n_val go to validation
    X, y = np.asarray(X), np.asarray(y)
    perm = np.random.default_rng(seed).permutation(len(X))
    n_val = int(len(X) * val_fraction)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    return X[train_idx], X[val_idx], y[train_idx], y[val_idx]
    # END SOLUTION


# %% tags=["check"] check="train_val_split"
_X = np.arange(20.0).reshape(10, 2)
_parts = train_val_split(_X, np.arange(10), val_fraction=0.3, seed=1)
assert len(_parts) == 4, "return (X_train, X_val, y_train, y_val)"
_Xtr, _Xva, _ytr, _yva = _parts
assert _Xtr.shape == (7, 2) and _Xva.shape == (3, 2), "int(10 * 0.3) = 3 validation rows"
assert sorted(_ytr.tolist() + _yva.tolist()) == list(range(10)), "every row in exactly one part"
assert np.array_equal(_Xtr[:, 0] // 2, _ytr), "each row must keep its own label"
assert np.array_equal(_yva, np.random.default_rng(1).permutation(10)[:3]), \
    "the validation rows are the first n_val indices of default_rng(seed).permutation(N)"

# %%
X_train_raw = X_val_raw = y_train = y_val = None
if X_all is not None:
    try:
        X_train_raw, X_val_raw, y_train, y_val = train_val_split(X_all, y_all, 0.2, seed=0)
        print("training:", X_train_raw.shape, " validation:", X_val_raw.shape)
    except NotImplementedError:
        print("Finish train_val_split above to split the digits.")

# %% [markdown]
# ## 4. Standardising the inputs
#
# The raw inputs run from 0 to 16, and some pixels are almost always dark while others
# almost always white. Gradient descent works best when every input is on a similar scale,
# centred at zero: then no weight needs a learning rate of its own. **Standardisation**
# rescales each feature $j$ (each pixel) to mean 0 and standard deviation 1:
#
# $$x'_{ij} = \frac{x_{ij} - \mu_j}{\sigma_j}, \qquad
#   \mu_j = \frac1N \sum_i x_{ij}, \qquad \sigma_j = \sqrt{\frac1N \sum_i (x_{ij} - \mu_j)^2}.$$
#
# **Which data do $\mu$ and $\sigma$ come from?** From the training split, and only from
# it. They are learned from data, exactly like the weights, and the same numbers are then
# applied to the validation and test inputs. Computing them on the test set (or on all the
# data before splitting) is a **leak**: information about the test digits flows into the
# model, and the reported accuracy is then more optimistic than it will be on new data. A
# deployed model sees one new digit at a time; it cannot compute statistics over a test
# set that does not exist yet.
#
# **Constant pixels.** Look at the edges of the picture of standard deviations: in the
# training split three pixels (the top-left corner, and the first and the last pixel of the
# fifth row) are 0 in every single image, so $\sigma_j = 0$ and the formula divides by zero (`nan` and `inf`
# follow, and training falls apart). Such a feature carries no information anyway; the
# usual fix (scikit-learn's `StandardScaler` does it too) is to use $\sigma_j = 1$ there,
# which maps the feature to 0. Use a threshold rather than `== 0`: a constant column of
# 0.7s gives a computed standard deviation of about $10^{-16}$ from rounding alone.

# %%
if X_train_raw is not None:
    pixel_std = X_train_raw.std(axis=0)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.5))
    for ax, values, title in ((ax1, X_train_raw.mean(axis=0), "mean of each pixel"),
                              (ax2, pixel_std, "standard deviation of each pixel")):
        shown = ax.imshow(values.reshape(8, 8), cmap="viridis")
        ax.set_title(title)
        ax.axis("off")
        fig.colorbar(shown, ax=ax, fraction=0.046)
    plt.tight_layout()
    plt.show()
    print("pixels that are constant in the training split:", np.flatnonzero(pixel_std == 0).tolist())

# %% [markdown]
# ### Exercise 2: `fit_standardizer(X)`, `standardize(X, mean, std)` and `standardize_splits(X_train, X_other)`
# - `fit_standardizer(X)` returns `(mean, std)`, both float64 of shape `(D,)`: the mean and
#   the standard deviation of each column (`np.std`'s default, dividing by $N$), with `std`
#   replaced by `1.0` wherever it is below `1e-8`.
# - `standardize(X, mean, std)` returns `(X - mean) / std` as float64, leaving `X` as it was.
# - `standardize_splits(X_train, X_other)` fits the statistics on `X_train` only and returns
#   `(X_train_std, X_other_std, mean, std)`: both splits standardised with the training
#   split's statistics.

# %% tags=["exercise"]
def fit_standardizer(X):
    """X: (N, D) -> (mean, std), each (D,); std is 1.0 where a column is (nearly) constant."""
    # BEGIN SOLUTION hint: X.mean(axis=0), X.std(axis=0), then np.where(std < 1e-8, 1.0, std)
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std = np.where(std < 1e-8, 1.0, std)
    return mean, std
    # END SOLUTION


def standardize(X, mean, std):
    """X: (N, D), mean and std: (D,) -> (X - mean) / std, float64 (N, D)."""
    # BEGIN SOLUTION hint: broadcasting does the rest; do not write into X
    return (np.asarray(X, dtype=np.float64) - mean) / std
    # END SOLUTION


def standardize_splits(X_train, X_other):
    """Standardise both splits with the statistics of X_train alone.
    Returns (X_train_std, X_other_std, mean, std)."""
    # BEGIN SOLUTION hint: fit on X_train only, then standardize both with the same mean and std
    mean, std = fit_standardizer(X_train)
    return standardize(X_train, mean, std), standardize(X_other, mean, std), mean, std
    # END SOLUTION


# %% tags=["check"] check="fit_standardizer"
_X = np.array([[1.0, 5.0, 0.7], [3.0, 5.0, 0.7], [5.0, 5.0, 0.7]])
_mean, _std = fit_standardizer(_X)
assert np.allclose(_mean, [3.0, 5.0, 0.7]), "the mean of each column"
assert np.allclose(_std[0], np.sqrt(8 / 3)), "np.std's default divides by N, not N - 1"
assert _std[1] == 1.0 and _std[2] == 1.0, "constant columns get std 1.0 (compare with 1e-8, not 0)"

# %% tags=["check"] check="standardize"
_X = np.array([[1.0, 5.0], [3.0, 5.0]])
_out = standardize(_X, np.array([2.0, 5.0]), np.array([1.0, 1.0]))
assert np.allclose(_out, [[-1.0, 0.0], [1.0, 0.0]]), "(X - mean) / std"
assert _X[0, 0] == 1.0, "standardize must not modify X"

# %% tags=["check"] check="standardize_splits"
_tr, _ot, _m, _s = standardize_splits(np.array([[0.0], [2.0]]), np.array([[4.0]]))
assert np.allclose(_m, [1.0]) and np.allclose(_s, [1.0]), "statistics of the training split only"
assert np.allclose(_tr, [[-1.0], [1.0]]) and np.allclose(_ot, [[3.0]]), \
    "the other split uses the training split's mean and std"

# %%
try:
    if X_train_raw is not None:
        X_train, X_val, train_mean, train_std = standardize_splits(X_train_raw, X_val_raw)
        print(f"training split: mean {X_train.mean():.2e}, std of the non-constant pixels "
              f"{X_train[:, train_std != 1.0].std(axis=0).mean():.3f}")
        print(f"validation split: mean {X_val.mean():.3f}, std {X_val.std():.3f} "
              "(close to 0 and 1, not exactly: other digits)")
        print("largest standardised value:", X_train.max().round(1),
              "(a pixel that is nearly always blank, inked in a few images)")
    else:
        X_train = X_val = None
except NotImplementedError as exc:
    X_train = X_val = None
    print("Finish the standardisation functions to continue:", exc)

# %% [markdown]
# ## 5. One-hot targets
#
# The network has 10 outputs, one logit per digit. Its target for an image of a 3 is the
# vector that is 1 at position 3 and 0 elsewhere: the **one-hot** encoding. The loss then
# compares a probability vector with a one-hot vector, row by row.
#
# ### Exercise 3: `one_hot(labels, num_classes)`
# `labels` holds integers `(N,)` in any order; return a float64 array `(N, num_classes)`
# whose row `i` is 1.0 in column `labels[i]` and 0.0 elsewhere. The number of columns is
# `num_classes`, even when the largest class is missing from `labels` (a mini-batch may
# well hold no 9). A label outside `0 .. num_classes - 1` raises `ValueError`.

# %% tags=["exercise"]
def one_hot(labels, num_classes):
    """labels: ints (N,) -> float64 (N, num_classes) with a single 1.0 per row."""
    # BEGIN SOLUTION hint: np.zeros((N, num_classes)), then out[np.arange(N), labels] = 1.0
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out
    # END SOLUTION


# %% tags=["check"] check="one_hot"
_hot = one_hot(np.array([2, 0, 1]), 4)
assert _hot.shape == (3, 4), "one row per label, num_classes columns"
assert np.array_equal(_hot, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]), "1.0 at column labels[i]"
try:
    one_hot(np.array([0, 4]), 4)
except ValueError:
    pass
else:
    raise AssertionError("a label of 4 with num_classes=4 should raise ValueError")

# %% [markdown]
# ## 6. The whole network in numpy, in one place
#
# Here is the network you built piece by piece in 03 to 05, now in a single cell: 64 inputs,
# one hidden layer of ReLU units, 10 logits. The parameters live in a dict:
#
# | key | shape | meaning |
# |---|---|---|
# | `"W1"` | `(H, D)` | hidden layer weights (`nn.Linear` layout: out × in) |
# | `"b1"` | `(H,)` | hidden layer biases |
# | `"W2"` | `(C, H)` | output layer weights |
# | `"b2"` | `(C,)` | output layer biases |
#
# **Forward**, for a batch `X` of shape `(N, D)`:
#
# $$Z_1 = X W_1^\top + b_1, \qquad H_1 = \max(Z_1, 0), \qquad \text{logits} = H_1 W_2^\top + b_2 .$$
#
# **Loss**: softmax cross-entropy against one-hot targets $Y$, averaged over the batch,
# $L = -\frac1N \sum_i \sum_c Y_{ic} \log \operatorname{softmax}(\text{logits}_i)_c$. Its
# gradient has the famous simple form $\partial L / \partial\,\text{logits} = (P - Y)/N$,
# with $P$ the softmax probabilities. Compute the log-softmax stably: subtract each row's
# maximum logit before `exp`, as in 02 and 04.
#
# **Backward** (04's chain rule, layer by layer from the top), with $G = \partial L/\partial\,\text{logits}$:
#
# $$\frac{\partial L}{\partial W_2} = G^\top H_1, \quad \frac{\partial L}{\partial b_2} = \textstyle\sum_i G_i, \quad
#   \frac{\partial L}{\partial H_1} = G W_2, \quad \frac{\partial L}{\partial Z_1} = \frac{\partial L}{\partial H_1} \odot [Z_1 > 0],$$
# $$\frac{\partial L}{\partial W_1} = \Big(\frac{\partial L}{\partial Z_1}\Big)^\top X, \quad
#   \frac{\partial L}{\partial b_1} = \textstyle\sum_i \Big(\frac{\partial L}{\partial Z_1}\Big)_i .$$
#
# The forward pass hands the backward pass what it needs in a **cache**: `(X, Z1, H1)`.
#
# **Optimizer step** (05): plain SGD, $p \leftarrow p - \eta\, \partial L/\partial p$ for
# every parameter.
#
# **Mini-batches.** One gradient step per example is noisy and slow in numpy; one step per
# pass over all 1,438 training digits is smooth but makes only one step per epoch. The
# middle way is a mini-batch of, say, 32 examples: a fairly accurate gradient, computed
# with fast matrix products, and 45 steps per epoch. Each epoch visits the examples in a
# **new random order**: with a fixed order every epoch would repeat the same sequence of
# steps, and the last batches would always pull the weights their way.
#
# ### Exercise 4: the numpy network
# Write all seven functions in the cell below, in numpy alone:
#
# - `init_params(input_size, hidden_size, num_classes, rng)`: `rng` is a
#   `numpy.random.Generator`. Draw, in this order, `W1` and `b1` from
#   `rng.uniform(-k1, k1, size=...)` with `k1 = 1 / sqrt(input_size)`, then `W2` and `b2`
#   with `k2 = 1 / sqrt(hidden_size)` (PyTorch's initialisation, as in 03). Return the dict.
# - `forward(params, X)` returns `(logits, cache)` with `cache = (X, Z1, H1)`.
# - `softmax_cross_entropy(logits, Y)` returns `(loss, dlogits)`: the mean loss as a Python
#   float and its gradient `(P - Y) / N`.
# - `backward(params, cache, dlogits)` returns the dict of gradients, same keys and shapes
#   as `params`.
# - `sgd_step(params, grads, lr)` returns a **new** dict `{k: params[k] - lr * grads[k]}`
#   and leaves `params` as it was.
# - `predict(params, X)`: the index of the largest logit of each row, integers `(N,)`.
# - `train_network(X, y, hidden_size=64, lr=0.1, epochs=20, batch_size=32, seed=0, num_classes=10)`
#   returns `(params, losses)`. Exactly this recipe, so that a run can be reproduced:
#   `rng = np.random.default_rng(seed)`; `params = init_params(D, hidden_size, num_classes, rng)`;
#   then for each epoch `order = rng.permutation(N)` and the batches
#   `order[0:batch_size]`, `order[batch_size:2 * batch_size]`, ... (the last one may be
#   smaller); for each batch: forward, the loss against `one_hot(y[batch], num_classes)`,
#   backward, `sgd_step`. `losses` holds one float per epoch: the mean of that epoch's batch
#   losses weighted by batch size (each computed before its step). Show a `tqdm` bar over
#   the epochs.

# %% tags=["exercise"]
def init_params(input_size, hidden_size, num_classes, rng):
    """{"W1": (H, D), "b1": (H,), "W2": (C, H), "b2": (C,)}, drawn from rng in that order."""
    # BEGIN SOLUTION hint: k1 = 1 / np.sqrt(input_size); W1 = rng.uniform(-k1, k1, size=(hidden_size, input_size)); ...
    k1, k2 = 1.0 / np.sqrt(input_size), 1.0 / np.sqrt(hidden_size)
    W1 = rng.uniform(-k1, k1, size=(hidden_size, input_size))
    b1 = rng.uniform(-k1, k1, size=hidden_size)
    W2 = rng.uniform(-k2, k2, size=(num_classes, hidden_size))
    b2 = rng.uniform(-k2, k2, size=num_classes)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    # END SOLUTION


def forward(params, X):
    """X: (N, D) -> (logits (N, C), cache (X, Z1, H1))."""
    # BEGIN SOLUTION hint: Z1 = X @ W1.T + b1; H1 = np.maximum(Z1, 0); logits = H1 @ W2.T + b2
    X = np.asarray(X, dtype=np.float64)
    Z1 = X @ params["W1"].T + params["b1"]
    H1 = np.maximum(Z1, 0.0)
    logits = H1 @ params["W2"].T + params["b2"]
    return logits, (X, Z1, H1)
    # END SOLUTION


def softmax_cross_entropy(logits, Y):
    """logits: (N, C), Y: one-hot (N, C) -> (mean loss as a float, dL/dlogits (N, C))."""
    # BEGIN SOLUTION hint: shifted = logits - logits.max(axis=1, keepdims=True); log P = shifted - log(sum(exp(shifted)))
    logits = np.asarray(logits, dtype=np.float64)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-(Y * log_probs).sum() / n)
    return loss, (np.exp(log_probs) - Y) / n
    # END SOLUTION


def backward(params, cache, dlogits):
    """The gradients of the loss with respect to every parameter, a dict like params."""
    # BEGIN SOLUTION hint: dW2 = dlogits.T @ H1; dH1 = dlogits @ W2; dZ1 = dH1 * (Z1 > 0); dW1 = dZ1.T @ X
    X, Z1, H1 = cache
    dW2 = dlogits.T @ H1
    db2 = dlogits.sum(axis=0)
    dZ1 = (dlogits @ params["W2"]) * (Z1 > 0)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    # END SOLUTION


def sgd_step(params, grads, lr):
    """A new dict {k: params[k] - lr * grads[k]}; params is left as it was."""
    # BEGIN SOLUTION hint: a dict comprehension; no -= (that would change the caller's arrays)
    return {k: params[k] - lr * grads[k] for k in params}
    # END SOLUTION


def predict(params, X):
    """The predicted class of every row of X: ints (N,)."""
    # BEGIN SOLUTION hint: the argmax of the logits along axis 1
    return forward(params, X)[0].argmax(axis=1)
    # END SOLUTION


def train_network(X, y, hidden_size=64, lr=0.1, epochs=20, batch_size=32, seed=0, num_classes=10):
    """Mini-batch SGD on the network above. X: (N, D) standardised inputs, y: ints (N,).
    Returns (params, losses) with one mean training loss per epoch."""
    # BEGIN SOLUTION hint: rng = np.random.default_rng(seed); init_params(...); per epoch rng.permutation(N), then the batches
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    n = len(X)
    rng = np.random.default_rng(seed)
    params = init_params(X.shape[1], hidden_size, num_classes, rng)
    losses = []
    for _ in tqdm(range(epochs), desc="numpy network", unit="epoch", leave=False):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            logits, cache = forward(params, X[batch])
            loss, dlogits = softmax_cross_entropy(logits, one_hot(y[batch], num_classes))
            params = sgd_step(params, backward(params, cache, dlogits), lr)
            total += loss * len(batch)
        losses.append(total / n)
    return params, losses
    # END SOLUTION


# %% tags=["check"] check="init_params"
_p = init_params(5, 4, 3, np.random.default_rng(0))
assert sorted(_p) == ["W1", "W2", "b1", "b2"], "the keys W1, b1, W2, b2"
assert _p["W1"].shape == (4, 5) and _p["b1"].shape == (4,) and _p["W2"].shape == (3, 4), \
    "W1 is (hidden, input), W2 is (classes, hidden)"
assert np.allclose(_p["W1"], np.random.default_rng(0).uniform(-5 ** -0.5, 5 ** -0.5, (4, 5))), \
    "W1 comes first, from rng.uniform(-k1, k1, size=(hidden_size, input_size))"

# %% tags=["check"] check="forward"
_p = {"W1": np.array([[1.0, -1.0], [0.5, 0.5]]), "b1": np.array([0.0, -2.0]),
      "W2": np.array([[1.0, 2.0]]), "b2": np.array([0.5])}
_logits, _cache = forward(_p, np.array([[3.0, 1.0]]))
assert np.allclose(_logits, [[2.5]]), "Z1 = [2, 0], H1 = [2, 0], logits = 1 * 2 + 2 * 0 + 0.5"
assert len(_cache) == 3 and np.allclose(_cache[1], [[2.0, 0.0]]), "cache = (X, Z1, H1)"

# %% tags=["check"] check="softmax_cross_entropy"
_loss, _d = softmax_cross_entropy(np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([[1.0, 0.0], [1.0, 0.0]]))
assert isinstance(_loss, float), "the loss is a Python float"
assert np.isclose(_loss, np.log(2) / 2), "mean of log(2) and 0; subtract the row maximum before exp"
assert np.allclose(_d, [[-0.25, 0.25], [0.0, 0.0]]), "dlogits = (P - Y) / N"

# %% tags=["check"] check="backward"
_p = init_params(3, 4, 2, np.random.default_rng(1))
_X, _Y = np.random.default_rng(2).normal(size=(5, 3)), one_hot(np.array([0, 1, 1, 0, 1]), 2)
_grads = backward(_p, forward(_p, _X)[1], softmax_cross_entropy(forward(_p, _X)[0], _Y)[1])
_bumped = dict(_p, b2=_p["b2"] + np.array([1e-6, 0.0]))
_numeric = (softmax_cross_entropy(forward(_bumped, _X)[0], _Y)[0]
            - softmax_cross_entropy(forward(_p, _X)[0], _Y)[0]) / 1e-6
assert {k: v.shape for k, v in _grads.items()} == {k: v.shape for k, v in _p.items()}, \
    "one gradient per parameter, each shaped like it"
assert np.isclose(_grads["b2"][0], _numeric, atol=1e-5), "db2 disagrees with a finite difference"

# %% tags=["check"] check="sgd_step"
_p = {"W1": np.array([1.0, 2.0])}
_new = sgd_step(_p, {"W1": np.array([10.0, -10.0])}, 0.1)
assert np.allclose(_new["W1"], [0.0, 3.0]), "p - lr * grad"
assert np.allclose(_p["W1"], [1.0, 2.0]), "sgd_step must leave params as it was"

# %% tags=["check"] check="predict"
_p = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)}
assert np.array_equal(predict(_p, np.array([[1.0, 3.0], [2.0, 0.0]])), [1, 0]), "argmax per row"

# %% tags=["check"] check="train_network"
_g = np.random.default_rng(3)
_Xs, _ys = _g.normal(size=(40, 6)), _g.integers(0, 3, size=40)
_params, _losses = train_network(_Xs, _ys, hidden_size=8, lr=0.5, epochs=30, batch_size=16,
                                 seed=0, num_classes=3)
assert len(_losses) == 30 and all(isinstance(v, float) for v in _losses), "one float per epoch"
assert _losses[-1] < 0.7 * _losses[0], "the training loss should fall clearly on 40 examples"
assert _params["W1"].shape == (8, 6) and _params["W2"].shape == (3, 8)

# %% [markdown]
# ## 7. Training on the digits
#
# Everything is ready: standardised inputs, the network, the loop. 20 epochs of 45
# mini-batches each take about a second.

# %%
try:
    if X_train is not None:
        params, losses = train_network(X_train, y_train, hidden_size=64, lr=0.1, epochs=20, seed=0)
        val_pred = predict(params, X_val)
        print(f"training loss: {losses[0]:.3f} after the first epoch, {losses[-1]:.4f} after the last")
        print(f"validation accuracy: {np.mean(val_pred == y_val):.3f}")
    else:
        params = None
except NotImplementedError as exc:
    params = None
    print("Finish the numpy network to train it:", exc)

# %% [markdown]
# ## 8. Choosing the learning rate and the hidden size
#
# `lr=0.1` and 64 hidden units did not fall from the sky. Hyperparameters are chosen by
# trying a few values and comparing **validation** accuracy (never test accuracy, see
# section 3). A learning rate too small learns slowly; too large, and the loss jumps around
# or explodes. More hidden units can represent more, but cost more and can memorise.
# A small grid, 8 epochs each:

# %%
try:
    if X_train is not None:
        grid_lrs, grid_sizes = [0.003, 0.03, 0.3, 3.0], [16, 64]
        scores = np.zeros((len(grid_sizes), len(grid_lrs)))
        for i, size in enumerate(grid_sizes):
            for j, rate in enumerate(grid_lrs):
                with np.errstate(all="ignore"):  # lr=3.0 diverges, on purpose
                    trial, _ = train_network(X_train, y_train, hidden_size=size, lr=rate, epochs=8, seed=0)
                    scores[i, j] = np.mean(predict(trial, X_val) == y_val)
        fig, ax = plt.subplots(figsize=(5.5, 2.6))
        shown = ax.imshow(scores, cmap="Greens", vmin=0.5, vmax=1.0)
        for (i, j), value in np.ndenumerate(scores):
            ax.text(j, i, f"{value:.3f}", ha="center", va="center")
        ax.set(xticks=range(len(grid_lrs)), xticklabels=grid_lrs, yticks=range(len(grid_sizes)),
               yticklabels=grid_sizes, xlabel="learning rate", ylabel="hidden units",
               title="validation accuracy after 8 epochs")
        fig.colorbar(shown, ax=ax)
        plt.show()
except NotImplementedError as exc:
    print("Finish the numpy network to run the grid:", exc)

# %% [markdown]
# Small learning rates are still far from done after 8 epochs; `lr=3.0` overshoots (its
# accuracy is near chance, or `nan` losses in the warnings you silenced); in between lies a
# broad plateau where almost any choice works. That plateau is typical, and it is why a
# coarse grid in powers of ten is the usual first search.
#
# ## 9. How good is it, and where does it fail?
#
# One number, the accuracy, says how often the network is right. The **confusion matrix**
# says *how* it is wrong: entry $(i, j)$ counts the examples of true class $i$ that were
# predicted as class $j$. The diagonal holds the correct answers; everything off the
# diagonal is a confusion, and a large entry points at two digits the network mixes up.
#
# ### Exercise 5: `accuracy(y_true, y_pred)` and `confusion_matrix(y_true, y_pred, num_classes)`
# `accuracy` is the fraction of positions where the two agree, a Python float.
# `confusion_matrix` returns an integer array `(num_classes, num_classes)`: rows are the
# true classes, columns the predicted ones (scikit-learn's convention), zero where a class
# never occurs.

# %% tags=["exercise"]
def accuracy(y_true, y_pred):
    """The fraction of equal entries, a float."""
    # BEGIN SOLUTION hint: np.mean(y_true == y_pred), as a float
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    # END SOLUTION


def confusion_matrix(y_true, y_pred, num_classes):
    """counts[i, j] = number of examples of true class i predicted as class j; ints (C, C)."""
    # BEGIN SOLUTION hint: np.zeros((C, C), dtype=np.int64), then np.add.at(counts, (y_true, y_pred), 1)
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts
    # END SOLUTION


# %% tags=["check"] check="accuracy"
assert accuracy(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4])) == 0.75
assert isinstance(accuracy(np.array([1]), np.array([1])), float), "return a Python float"

# %% tags=["check"] check="confusion_matrix"
_cm = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 4)
assert _cm.shape == (4, 4), "num_classes rows and columns, also for a class that never occurs"
assert _cm[0, 1] == 1 and _cm[1, 0] == 0, "rows are true classes, columns predicted classes"
assert _cm.trace() == 2 and _cm.sum() == 4, "the diagonal counts the correct predictions"

# %%
try:
    if params is not None:
        val_pred = predict(params, X_val)
        cm = confusion_matrix(y_val, val_pred, 10)
        print(f"validation accuracy: {accuracy(y_val, val_pred):.3f}")
        fig, ax = plt.subplots(figsize=(5, 4.3))
        ax.imshow(np.log1p(cm), cmap="Blues")
        for (i, j), count in np.ndenumerate(cm):
            if count:
                ax.text(j, i, count, ha="center", va="center", fontsize=8,
                        color="white" if i == j else "black")
        ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
               title="confusion matrix, validation split")
        plt.show()
        wrong = np.flatnonzero(val_pred != y_val)
        fig, axes = plt.subplots(1, max(len(wrong[:10]), 1), figsize=(10, 1.6), squeeze=False)
        for ax, index in zip(axes.ravel(), wrong[:10]):
            ax.imshow(X_val_raw[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
            ax.set_title(f"{y_val[index]} → {val_pred[index]}", fontsize=9)
        for ax in axes.ravel():
            ax.axis("off")
        fig.suptitle("validation digits the network gets wrong (true → predicted)", y=1.05)
        plt.show()
except NotImplementedError as exc:
    print("Finish accuracy and confusion_matrix to see where the network fails:", exc)

# %% [markdown]
# Many mistakes are understandable: a 1 with a long upstroke looks like a 7, a loopy 9 like
# a 3 or an 8, and at 8×8 pixels some strokes simply vanish.
#
# ## 10. What did the hidden units learn?
#
# Each hidden unit computes `W1[k] @ x + b1[k]`: a weighted sum of the 64 pixels. Reshaped
# to 8×8, its weight row shows which pixels push it up (red) and which push it down (blue):
# a template that the unit matches against the image. With standardised inputs the weights
# of constant pixels stay at their random initial values, since those inputs are always 0.

# %%
if params is not None:
    fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
    for ax, weights in zip(axes.ravel(), params["W1"]):
        limit = np.abs(weights).max()
        ax.imshow(weights.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.axis("off")
    fig.suptitle("first-layer weights of 16 hidden units, as 8×8 images")
    plt.show()

# %% [markdown]
# Some units look like pieces of strokes (a bar, a curve, a hole in the middle); many look
# like noise with a faint pattern. A network does not need human-readable features, only
# useful ones: the output layer combines all 64 of them.
#
# ## 11. The same task in PyTorch, with dropout
#
# Now the PyTorch way, with two changes to the model: a wider hidden layer, and **dropout**
# after it. During training, `nn.Dropout(p)` zeroes each hidden activation with
# probability $p$ (and scales the survivors by $1/(1-p)$); each step trains a different
# random half-network, so no unit can rely on a particular other unit being there. The
# network becomes more robust and overfits less. In eval mode dropout does nothing, which
# is why `evaluate` must call `model.eval()` (06, section 7).
#
# ### Exercise 6: `DigitsNet(input_size=64, hidden_size=256, num_classes=10, dropout=0.3)`
# An `nn.Module` with exactly these submodules, created in this order (the order fixes
# which random numbers initialise which layer):
# `fc1 = nn.Linear(input_size, hidden_size)`, `relu = nn.ReLU()`,
# `drop = nn.Dropout(dropout)`, `fc2 = nn.Linear(hidden_size, num_classes)`.
# `forward(x)` returns the logits `fc2(drop(relu(fc1(x))))`: no softmax, since
# `nn.CrossEntropyLoss` applies it.

# %% tags=["exercise"]
class DigitsNet(nn.Module):
    """input_size -> hidden_size (ReLU, dropout) -> num_classes logits."""

    def __init__(self, input_size=64, hidden_size=256, num_classes=10, dropout=0.3):
        super().__init__()
        # BEGIN SOLUTION hint: four attributes, in this order: fc1, relu, drop, fc2
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_size, num_classes)
        # END SOLUTION

    def forward(self, x):
        """x: (N, input_size) -> logits (N, num_classes)."""
        # BEGIN SOLUTION hint: fc1, ReLU, dropout, fc2; return the logits
        return self.fc2(self.drop(self.relu(self.fc1(x))))
        # END SOLUTION


# %% tags=["check"] check="DigitsNet"
_net = DigitsNet(6, 5, 3)
assert [n for n, _ in _net.named_children()] == ["fc1", "relu", "drop", "fc2"], \
    "the submodules fc1, relu, drop, fc2, in this order"
assert isinstance(_net.drop, nn.Dropout) and _net.drop.p == 0.3, "drop = nn.Dropout(dropout)"
_net.eval()
with torch.no_grad():
    _net.fc1.weight.zero_()
    _net.fc1.bias.fill_(-1.0)
assert torch.allclose(_net(torch.ones(2, 6)), _net.fc2.bias.expand(2, 3)), \
    "with negative hidden pre-activations the logits equal fc2.bias: ReLU missing, or a softmax?"

# %% [markdown]
# ### Exercise 7: the training loop of 06
# Copy your `train_one_epoch` and `evaluate` from assignment 06 into the cell below: they
# are part of this assignment too, with the same contract. `train_one_epoch(model, loader,
# criterion, optimizer, device)` trains for one pass in training mode and returns the mean
# loss per example; `evaluate(model, loader, criterion, device)` returns
# `(mean_loss, accuracy)` in eval mode, without building an autograd graph.

# %% tags=["exercise"]
def train_one_epoch(model, loader, criterion, optimizer, device):
    """One pass over loader in training mode; returns the mean loss per example (a float)."""
    # BEGIN SOLUTION hint: your solution of 06
    model.train()
    running_loss, seen = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * inputs.shape[0]
        seen += inputs.shape[0]
    return running_loss / seen
    # END SOLUTION


def evaluate(model, loader, criterion, device):
    """Mean loss per example and accuracy (argmax of the logits), in eval mode, no graph."""
    # BEGIN SOLUTION hint: your solution of 06
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            logits = model(xb)
            total_loss += criterion(logits, yb).item() * len(yb)
            correct += (logits.argmax(dim=1) == yb).sum().item()
            count += len(yb)
    return total_loss / count, correct / count
    # END SOLUTION


# %% tags=["check"] check="train_one_epoch"
torch.manual_seed(1)
_net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
_xs, _ys = torch.randn(5, 2), torch.tensor([0, 1, 1, 0, 1])
_start = [p.detach().clone() for p in _net.parameters()]
_grads = torch.autograd.grad(nn.CrossEntropyLoss()(_net(_xs), _ys), list(_net.parameters()))
_net.eval()
_got = train_one_epoch(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=5), nn.CrossEntropyLoss(),
                       torch.optim.SGD(_net.parameters(), lr=0.1), torch.device("cpu"))
assert isinstance(_got, float), "train_one_epoch returns a Python float"
assert all(torch.allclose(p, s - 0.1 * g, atol=1e-6) for p, s, g in zip(_net.parameters(), _start, _grads)), \
    "one batch with SGD(lr=0.1) moves each parameter by -0.1 * its gradient"
assert _net.training, "train_one_epoch puts the model in training mode"

# %% tags=["check"] check="evaluate"
_net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
with torch.no_grad():
    _net[0].weight.copy_(torch.eye(2))
    _net[0].bias.zero_()
_xs, _ys = torch.tensor([[2.0, 0.0], [0.0, 3.0], [1.0, 0.0]]), torch.tensor([0, 1, 1])
_net.train()
_loss, _acc = evaluate(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=2), nn.CrossEntropyLoss(), "cpu")
assert abs(_acc - 2 / 3) < 1e-9, "2 of the 3 examples have their largest logit on the true class"
assert abs(_loss - nn.CrossEntropyLoss()(_xs, _ys).item()) < 1e-5, \
    "the loss averaged over examples, with dropout off (model.eval())"

# %% [markdown]
# ### Exercise 8: `train_digits_net(X, y, epochs=30, lr=3e-3, batch_size=128, seed=0)`
# Train a `DigitsNet` on standardised inputs `X` `(N, 64)` and labels `y` `(N,)` and return
# `(model, losses)`, `losses` holding what `train_one_epoch` returned for each epoch. The
# recipe is fixed, so that anyone can reproduce a run from the seed:
#
# 1. `torch.manual_seed(seed)`, then `model = DigitsNet(X.shape[1])` (the default sizes);
# 2. the loader `DataLoader(TensorDataset(Xt, yt), batch_size=batch_size, shuffle=True,
#    generator=torch.Generator().manual_seed(seed))`, with `Xt` the inputs as float32 and
#    `yt` the labels as int64 tensors;
# 3. `nn.CrossEntropyLoss()` and `torch.optim.Adam(model.parameters(), lr=lr)`;
# 4. `epochs` calls of `train_one_epoch(model, loader, criterion, optimizer, torch.device("cpu"))`,
#    with a `tqdm` bar over the epochs.
#
# The seed decides everything random: the initial weights (step 1), the order of the
# examples in every epoch (the loader's own generator) and the dropout masks (torch's global
# generator, seeded in step 1 and used by nothing else in between).

# %% tags=["exercise"]
def train_digits_net(X, y, epochs=30, lr=3e-3, batch_size=128, seed=0):
    """A DigitsNet trained with Adam and train_one_epoch; returns (model, losses)."""
    # BEGIN SOLUTION hint: torch.manual_seed(seed) first; then the model, the loader, the loss, Adam; then the epochs
    torch.manual_seed(seed)
    model = DigitsNet(np.shape(X)[1])
    data = TensorDataset(torch.as_tensor(np.asarray(X), dtype=torch.float32),
                         torch.as_tensor(np.asarray(y), dtype=torch.int64))
    loader = DataLoader(data, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in tqdm(range(epochs), desc="DigitsNet", unit="epoch", leave=False):
        losses.append(train_one_epoch(model, loader, criterion, optimizer, torch.device("cpu")))
    return model, losses
    # END SOLUTION


# %% tags=["check"] check="train_digits_net"
_g = np.random.default_rng(4)
_model, _losses = train_digits_net(_g.normal(size=(48, 64)), _g.integers(0, 10, size=48), epochs=3, seed=0)
assert isinstance(_model, DigitsNet), "return the trained DigitsNet"
assert len(_losses) == 3 and all(isinstance(v, float) for v in _losses), "one loss per epoch"
torch.manual_seed(0)
_fresh = DigitsNet(64)
assert not torch.equal(_fresh.fc1.weight, _model.fc1.weight), "the model should have been trained"

# %% [markdown]
# Training it on the digits, with the validation split evaluated after every epoch (the
# `fit` of 06, written out) to draw the learning curves:

# %%
try:
    if X_train is not None:
        torch.manual_seed(0)
        net = DigitsNet(64)
        train_loader = DataLoader(TensorDataset(torch.as_tensor(X_train, dtype=torch.float32),
                                                torch.as_tensor(y_train)),
                                  batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(0))
        val_loader = DataLoader(TensorDataset(torch.as_tensor(X_val, dtype=torch.float32),
                                              torch.as_tensor(y_val)), batch_size=256)
        criterion, optimizer = nn.CrossEntropyLoss(), torch.optim.Adam(net.parameters(), lr=3e-3)
        curves = {"train_loss": [], "val_loss": [], "val_accuracy": []}
        for epoch in (bar := tqdm(range(30), desc="DigitsNet", unit="epoch")):
            curves["train_loss"].append(train_one_epoch(net, train_loader, criterion, optimizer, "cpu"))
            val_loss, val_accuracy = evaluate(net, val_loader, criterion, "cpu")
            curves["val_loss"].append(val_loss)
            curves["val_accuracy"].append(val_accuracy)
            bar.set_postfix(val_acc=f"{val_accuracy:.3f}")
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
        ax1.plot(curves["train_loss"], label="training loss (dropout on)")
        ax1.plot(curves["val_loss"], label="validation loss")
        if params is not None:
            ax1.plot(losses, label="training loss, numpy network", linestyle=":")
        ax1.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="learning curves")
        ax1.legend()
        ax2.plot(curves["val_accuracy"], color="C2")
        ax2.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0.85, 1.0), title="DigitsNet")
        plt.tight_layout()
        plt.show()
        print(f"DigitsNet validation accuracy after 30 epochs: {curves['val_accuracy'][-1]:.3f}")
except NotImplementedError as exc:
    print("Finish DigitsNet, train_one_epoch and evaluate to train it:", exc)

# %% [markdown]
# Notice the first few epochs: the validation loss sits *below* the training loss. Two
# things make the training loss look worse than the network is: it is measured with dropout
# on, on a network handicapped on purpose, while evaluation uses the whole network; and it
# is an average over an epoch during which the weights improve, while the validation loss
# is measured with the weights at the epoch's end. From about the sixth epoch on, the
# training loss keeps falling (below 0.01 by the end) while the validation loss levels off
# near 0.05: the network now fits the digits it trains on better than it predicts new
# ones, the first sign of overfitting.
#
# ## 12. Where to go from here
#
# - Set `dropout=0.0` in a copy of `DigitsNet` and train longer: the training loss falls
#   further, the validation loss starts to rise (overfitting), and dropout's effect shows.
# - Train the numpy network on the raw pixels (`X_train_raw / 16`) instead of the
#   standardised ones, and compare the learning rates that work.
# - Compute the standardisation on *all* the data before splitting and compare the
#   validation accuracy: here the difference is small, which is exactly why leaks go
#   unnoticed until a model meets truly new data.
# - Look at the gallery of mistakes after training DigitsNet: does it fail on the same
#   digits as the numpy network?
#
# You have now taken a network from raw data to a measured, honest accuracy: twice, once
# with every gradient written by hand and once with PyTorch doing the bookkeeping.
