# %% [markdown]
# # A hostile 01_perceptron submission
#
# Graded with the other examples to show that a submission cannot fool, crash or escape
# the grader: it patches numpy's comparisons, prints a forged Gradescope result, goes
# looking for the course's solutions and hidden tests on disk, and its `train_perceptron`
# never stops on data it cannot separate. It scores low, and grading carries on.

# %%
import glob
import os

import numpy as np

# Make every comparison succeed (in this process only: the grader compares elsewhere).
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None

# A forged result, as if the grader had printed it.
print('{"score": 24.0, "max_score": 24.0, "output": "all tests passed", "tests": []}')


# %%
def step(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, 0.0)


def perceptron_output(x, w, b):
    return np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b  # no step


def perceptron_update(x, y, w, b, lr=1.0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    error = float(perceptron_output(x, w, b) - y)
    return w + lr * error * x, float(b + lr * error)


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    """Trains until an epoch without mistakes, ignoring max_epochs: never ends on XOR."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    while True:
        count = 0.0
        for x_i, y_i in zip(X, y):
            error = y_i - float(x_i @ w + b >= 0)
            count += error != 0
            w, b = w + lr * error * x_i, b + lr * error
        mistakes.append(count)
        if count == 0:
            return w, float(b), mistakes


def accuracy(y_true, y_pred):
    return 100.0 * float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


# %%
# Look for the reference solution and the hidden suite, and use them if found.
stolen = []
for pattern in ["../solutions/*.py", "../../solutions/*.py", "/*/solutions/*.py",
                "/*/*/solutions/*.py", "/*/*/autograder/suites/*.py"]:
    stolen += glob.glob(pattern)
for path in stolen:
    try:
        exec(open(path).read())
        print("stole", path)
    except Exception as exc:  # noqa: BLE001
        print("could not use", path, type(exc).__name__)
print("found", len(stolen), "files of the course; working directory:", os.listdir("."))

