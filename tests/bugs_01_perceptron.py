"""Realistic mistakes in 01_perceptron (see bug_catalog.py)."""

from bug_catalog import Bug

BUGS = [
    Bug(
        "step_strict_inequality",
        "step",
        "np.where(z >= 0, 1.0, 0.0)",
        "np.where(z > 0, 1.0, 0.0)",
        "the unit must fire at exactly z == 0",
    ),
    Bug(
        "step_returns_bools",
        "step",
        "return np.where(z >= 0, 1.0, 0.0)",
        "return z >= 0",
        "booleans instead of float64 values",
    ),
    Bug(
        "output_forgets_bias",
        "perceptron_output",
        "return step(x @ w + b)",
        "return step(x @ w)",
        "the bias is part of the weighted sum",
    ),
    Bug(
        "output_wrong_product",
        "perceptron_output",
        "return step(x @ w + b)",
        "return step(np.sum(x * w) + b)",
        "summing over the whole batch instead of per example",
    ),
    Bug(
        "update_error_sign_flipped",
        "perceptron_update",
        "error = float(y - perceptron_output(x, w, b))",
        "error = float(perceptron_output(x, w, b) - y)",
        "error is target minus prediction",
    ),
    Bug(
        "update_in_place",
        "perceptron_update",
        "return w + lr * error * x, float(b + lr * error)",
        "w += lr * error * x\n    return w, float(b + lr * error)",
        "modifies the caller's weights",
    ),
    Bug(
        "update_ignores_lr_on_bias",
        "perceptron_update",
        "float(b + lr * error)",
        "float(b + error)",
        "the learning rate scales the bias step too",
    ),
    Bug(
        "train_counts_after_update",
        "train_perceptron",
        "            if y_i - perceptron_output(x_i, w, b) != 0:\n                count += 1\n            w, b = perceptron_update(x_i, y_i, w, b, lr)",
        "            w, b = perceptron_update(x_i, y_i, w, b, lr)\n            if y_i - perceptron_output(x_i, w, b) != 0:\n                count += 1",
        "a mistake is judged before the update",
    ),
    Bug(
        "train_never_stops_early",
        "train_perceptron",
        "        if count == 0:\n            break\n",
        "",
        "stop after the first epoch without mistakes",
    ),
    Bug(
        "accuracy_counts_instead_of_fraction",
        "accuracy",
        "return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))",
        "return float(np.sum(np.asarray(y_true) == np.asarray(y_pred)))",
        "a fraction, not a count",
    ),
]
