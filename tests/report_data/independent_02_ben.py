# %%
# 02_activations written independently from the contract (docs/EXERCISES.md), by a separate author;
# not derived from the reference or from the other independent solutions.

# %%
import numpy as np


def _as_float_array(x):
    """Copy the input into a fresh float64 array, so the caller's data is never touched."""
    return np.array(x, dtype=np.float64, copy=True)


def _positive_mask(x):
    """True where x is strictly positive (the side of the kink torch calls 'x > 0')."""
    return x > 0


# %%
def sigmoid(x):
    """Logistic sigmoid, computed so that exp only ever sees non-positive numbers."""
    values = _as_float_array(x)
    small = np.exp(-np.abs(values))          # always in (0, 1], never overflows
    upper = 1.0 / (1.0 + small)              # the answer for x >= 0
    lower = small / (1.0 + small)            # the answer for x < 0
    result = np.where(values >= 0, upper, lower)
    return np.asarray(result, dtype=np.float64)


def sigmoid_grad(x):
    """Derivative of the sigmoid at x: s * (1 - s)."""
    s = sigmoid(x)
    return s * (1.0 - s)


# %%
def tanh(x):
    """Hyperbolic tangent from exp, written for |x| and then given back its sign."""
    values = _as_float_array(x)
    magnitude = np.abs(values)
    small = np.exp(-2.0 * magnitude)         # in (0, 1]
    positive_part = (1.0 - small) / (1.0 + small)
    return np.copysign(positive_part, values)


def tanh_grad(x):
    """Derivative of tanh at x: 1 - tanh(x)^2."""
    t = tanh(x)
    return 1.0 - t * t


# %%
def relu(x):
    """max(0, x), as a new float64 array."""
    values = _as_float_array(x)
    return np.where(_positive_mask(values), values, 0.0)


def relu_grad(x):
    """1.0 where x > 0, otherwise 0.0 (including at 0)."""
    values = _as_float_array(x)
    return np.where(_positive_mask(values), 1.0, 0.0)


# %%
def leaky_relu(x, negative_slope=0.01):
    """x for positive x, negative_slope * x elsewhere."""
    values = _as_float_array(x)
    return np.where(_positive_mask(values), values, negative_slope * values)


def leaky_relu_grad(x, negative_slope=0.01):
    """1.0 for positive x, negative_slope elsewhere (so negative_slope at 0)."""
    values = _as_float_array(x)
    ones = np.ones_like(values)
    slopes = np.full_like(values, float(negative_slope))
    return np.where(_positive_mask(values), ones, slopes)


# %%
def elu(x, alpha=1.0):
    """x for positive x, alpha * (exp(x) - 1) elsewhere; exp only sees x <= 0."""
    values = _as_float_array(x)
    clipped = np.minimum(values, 0.0)
    left_branch = alpha * np.expm1(clipped)
    return np.where(_positive_mask(values), values, left_branch)


def elu_grad(x, alpha=1.0):
    """1.0 for positive x, alpha * exp(x) elsewhere (alpha at exactly 0)."""
    values = _as_float_array(x)
    clipped = np.minimum(values, 0.0)
    left_branch = alpha * np.exp(clipped)
    return np.where(_positive_mask(values), 1.0, left_branch)


# %%
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, after removing the maximum along that axis."""
    values = _as_float_array(x)
    biggest = np.max(values, axis=axis, keepdims=True)
    shifted = values - biggest
    exps = np.exp(shifted)
    totals = np.sum(exps, axis=axis, keepdims=True)
    return exps / totals
