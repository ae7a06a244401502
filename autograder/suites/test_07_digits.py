"""Hidden suite for 07_digits (see docs/EXERCISES.md and autograder/grade/suite.py).

The data functions and the numpy network are called directly and compared with the
reference on seeded inputs and edge cases. The two training functions are graded on
scikit-learn's digits, which the worker cannot read (the jail hides the data folder): the
grader splits them itself into five folds, hands the student's function only the
training part of each fold, and measures the accuracy of the parameters that come back
with its own forward pass (numpy) or its own copy of the stated architecture (PyTorch) on
the held-out part. Accuracy counts only for a run the grader can reproduce from the
contract's seeds, so parameters trained elsewhere (on the test digits, say) earn nothing.
"""

import ast
import contextlib
import functools
import importlib.util
import weakref
from pathlib import Path

import numpy as np
import torch
from torch import nn

from autograder.grade.suite import (
    check_array,
    check_equal,
    check_float,
    check_unmodified,
    expect_error,
    fail,
    points,
    rng,
    seed_for,
    type_name,
)
from autograder.grade.suite import run_probe as run

BANNED = ("torch", "scipy", "sklearn", "jax")
NUMPY_NETWORK = (
    "init_params",
    "forward",
    "softmax_cross_entropy",
    "backward",
    "sgd_step",
    "predict",
    "train_network",
)
# The training runs the thresholds are stated for (docs/EXERCISES.md)
NUMPY_RUN = {"hidden_size": 64, "lr": 0.1, "epochs": 20, "batch_size": 32}
TORCH_RUN = {"epochs": 30, "lr": 3e-3, "batch_size": 128}
NUMPY_THRESHOLD, TORCH_THRESHOLD = 0.95, 0.97
FOLDS = 5


@contextlib.contextmanager
def one_thread():
    """The reference's torch runs on one thread, as the worker's: the same numbers."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def labels(g, n, classes):
    """n labels, every class present, in random order."""
    y = np.concatenate([np.arange(classes), g.integers(0, classes, size=n - classes)])
    return g.permutation(y).astype(np.int64)


# ---- the hidden digits ----------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def all_digits():
    """scikit-learn's 1,797 digits, X (1797, 64) and y (1797,): read here, in the grader (the
    worker cannot see the file). The file load_digits() reads, parsed as load_digits parses
    it, without importing scikit-learn (1.3 s of the grading process's time)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "07_digits is graded on scikit-learn's digits: install scikit-learn (requirements.txt)"
        )
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    data = np.loadtxt(path, delimiter=",")
    return data[:, :-1], data[:, -1].astype(np.int64)


def folds(ref, seed):
    """[(X_train, y_train, X_test, y_test)] for each of FOLDS salted folds, standardised with
    the training part's statistics (the reference's fit_standardizer)."""
    X, y = all_digits()
    parts = np.array_split(rng(seed).permutation(len(X)), FOLDS)
    out = []
    for k in range(FOLDS):
        train = np.concatenate([p for j, p in enumerate(parts) if j != k])
        mean, std = ref.fit_standardizer(X[train])
        out.append(((X[train] - mean) / std, y[train], (X[parts[k]] - mean) / std, y[parts[k]]))
    return out


def numpy_logits(params, X):
    """The grader's own forward pass of the numpy network."""
    hidden = np.maximum(X @ params["W1"].T + params["b1"], 0.0)
    return hidden @ params["W2"].T + params["b2"]


class StatedDigitsNet(nn.Module):
    """The grader's own copy of the architecture docs/EXERCISES.md states for DigitsNet."""

    def __init__(self, input_size=64, hidden_size=256, num_classes=10, dropout=0.3):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(self.drop(self.relu(self.fc1(x))))


STATED_SHAPES = {
    "fc1.weight": (256, 64),
    "fc1.bias": (256,),
    "fc2.weight": (10, 256),
    "fc2.bias": (10,),
}


def check_params(what, got, shapes):
    """A dict of float arrays with exactly the given names and shapes, all finite."""
    if not isinstance(got, dict):
        fail(f"{what}: expected a dict of arrays, got {type_name(got)}.")
    if sorted(got) != sorted(shapes):
        fail(f"{what}: expected the parameters {sorted(shapes)}, got {sorted(map(str, got))}.")
    for name, shape in shapes.items():
        value = got[name]
        if not isinstance(value, np.ndarray) or value.shape != tuple(shape):
            shown = value.shape if isinstance(value, np.ndarray) else type_name(value)
            fail(f"{what}: {name} should be an array of shape {tuple(shape)}, got {shown}.")
        if value.dtype.kind != "f" or not np.isfinite(value).all():
            fail(
                f"{what}: {name} holds values that are not finite floats (nan or inf: a "
                "learning rate too large, or a division by zero?)."
            )


# ---- train_val_split ------------------------------------------------------------------------


def split_inputs(seed, n=23, d=3):
    g = rng(seed)
    X = np.column_stack([np.arange(n, dtype=np.float64), g.normal(size=(n, d - 1))])
    return X, labels(g, n, 5)


@points(2)
def test_split_values(student, ref):
    """train_val_split: the validation rows are the first int(N * val_fraction) of the seeded permutation"""
    X, y = split_inputs(101)
    seed = seed_for(102)
    what = f"train_val_split(X, y, val_fraction=0.3, seed={seed}) for X of shape {X.shape}"
    got = student.train_val_split(X, y, val_fraction=0.3, seed=seed)
    want = ref.train_val_split(X, y, val_fraction=0.3, seed=seed)
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        fail(f"{what}: expected a tuple (X_train, X_val, y_train, y_val), got {type_name(got)}.")
    n_val = int(len(X) * 0.3)
    likely_val = {
        "the validation rows are the first rows of X, not a random choice": X[:n_val],
        "the validation rows are the last rows of the permutation": X[
            np.random.default_rng(seed).permutation(len(X))[-n_val:]
        ],
    }
    for index in (1, 3, 0, 2):  # validation first: its mistakes have names
        label = ("X_train", "X_val", "y_train", "y_val")[index]
        check_array(
            f"{what}: {label}",
            got[index],
            want[index],
            dtype=None if label[0] == "X" else "int",
            likely=likely_val if label == "X_val" else None,
        )


def test_split_partition(student):
    """train_val_split: every row lands in exactly one part, with its own label, inputs unmodified"""
    X, y = split_inputs(103, n=31)
    what = "train_val_split(X, y, val_fraction=0.25, seed=7) for X of shape (31, 3)"
    got, args, _ = student.train_val_split.with_inputs(X, y, 0.25, 7)
    check_unmodified(what, (X, y), args)
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        fail(f"{what}: expected a tuple (X_train, X_val, y_train, y_val), got {type_name(got)}.")
    X_train, X_val, y_train, y_val = got
    for part in got:
        if not isinstance(part, np.ndarray):
            fail(f"{what}: expected four numpy arrays, got {type_name(part)}.")
    if len(X_val) != 7 or len(X_train) != 24:
        fail(
            f"{what}: expected 24 training and int(31 * 0.25) = 7 validation rows, got "
            f"{len(X_train)} and {len(X_val)}."
        )
    rows = sorted(int(r) for r in np.concatenate([X_train[:, 0], X_val[:, 0]]))
    if rows != list(range(31)):
        fail(f"{what}: every row of X should be in exactly one of X_train and X_val.")
    for Xp, yp, name in ((X_train, y_train, "training"), (X_val, y_val, "validation")):
        if not np.array_equal(y[Xp[:, 0].astype(int)], yp):
            fail(
                f"{what}: in the {name} part some rows carry another row's label; index X "
                "and y with the same indices."
            )


# ---- fit_standardizer, standardize, standardize_splits --------------------------------------


@points(2)
def test_standardizer_values(student, ref):
    """fit_standardizer: the mean and the standard deviation (divided by N) of each column"""
    g = rng(111)
    X = g.normal(loc=3.0, scale=[0.5, 2.0, 5.0, 1.0, 0.1], size=(17, 5))
    what = "fit_standardizer(X) for X of shape (17, 5)"
    got = student.fit_standardizer(X)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (mean, std), got {type_name(got)}.")
    mean, std = ref.fit_standardizer(X)
    check_array(f"{what}: mean", got[0], mean)
    check_array(
        f"{what}: std",
        got[1],
        std,
        likely={
            "the sample standard deviation (ddof=1); np.std's default divides by N": X.std(
                axis=0, ddof=1
            ),
            "the variance instead of the standard deviation": X.var(axis=0),
        },
    )


@points(2)
def test_standardizer_constant_columns(student, ref):
    """fit_standardizer: constant columns get std 1.0, also where rounding leaves a tiny std"""
    g = rng(112)
    X = np.column_stack(
        [g.normal(size=7), np.zeros(7), np.full(7, 0.7), g.normal(size=7), np.full(7, 3.0)]
    )
    what = (
        "fit_standardizer(X) for X whose columns 1, 2 and 4 are constant (0.0, 0.7 and "
        "3.0; np.std gives about 1e-16 for the 0.7s)"
    )
    got = student.fit_standardizer(X)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (mean, std), got {type_name(got)}.")
    mean, std = ref.fit_standardizer(X)
    check_array(f"{what}: mean", got[0], mean)
    check_array(
        f"{what}: std",
        got[1],
        std,
        rtol=1e-9,
        atol=1e-12,
        likely={
            "std is replaced only where it is exactly 0; compare with a threshold (1e-8)": np.where(
                X.std(axis=0) == 0, 1.0, X.std(axis=0)
            ),
            "constant columns are not handled: dividing by their std 0 gives nan and inf": X.std(
                axis=0
            ),
        },
    )


def test_standardizer_leaves_input(student, ref):
    """fit_standardizer: leaves X unmodified; a single example gives std 1.0 everywhere"""
    X = rng(113).normal(size=(1, 4))
    what = "fit_standardizer(X) for X of shape (1, 4), a single example"
    got, args, _ = student.fit_standardizer.with_inputs(X)
    check_unmodified(what, (X,), args)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (mean, std), got {type_name(got)}.")
    mean, std = ref.fit_standardizer(X)
    check_array(f"{what}: mean", got[0], mean)
    check_array(f"{what}: std", got[1], std)


@points(2)
def test_standardize_values(student, ref):
    """standardize: (X - mean) / std per column, as float64, X unmodified"""
    g = rng(121)
    X = g.integers(0, 17, size=(9, 4)).astype(np.float64)
    mean, std = g.normal(size=4), g.uniform(0.5, 3.0, size=4)
    what = "standardize(X, mean, std) for X of shape (9, 4)"
    got, args, _ = student.standardize.with_inputs(X, mean, std)
    check_array(
        what,
        got,
        ref.standardize(X, mean, std),
        likely={
            "X * std + mean: the inverse": X * std + mean,
            "X - mean without dividing by std": X - mean,
        },
    )
    check_unmodified(what, (X, mean, std), args)


@points(2)
def test_standardize_splits_training_statistics(student, ref):
    """standardize_splits: both splits are standardised with the training split's statistics"""
    g = rng(131)
    X_train = g.normal(loc=2.0, scale=3.0, size=(12, 3))
    X_other = g.normal(loc=-1.0, scale=0.5, size=(5, 3))
    what = "standardize_splits(X_train, X_other) for X_train (12, 3) and X_other (5, 3)"
    got, args, _ = student.standardize_splits.with_inputs(X_train, X_other)
    check_unmodified(what, (X_train, X_other), args)
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        fail(f"{what}: expected (X_train_std, X_other_std, mean, std), got {type_name(got)}.")
    want = ref.standardize_splits(X_train, X_other)
    both = np.concatenate([X_train, X_other])
    own = (X_other - X_other.mean(axis=0)) / X_other.std(axis=0)
    leak = (X_other - both.mean(axis=0)) / both.std(axis=0)
    other_stats = (X_train - X_other.mean(axis=0)) / X_other.std(axis=0)
    check_array(
        f"{what}: mean",
        got[2],
        want[2],
        likely={
            "statistics of both splits together: a leak from the other split": both.mean(axis=0),
            "statistics of the other split": X_other.mean(axis=0),
        },
    )
    check_array(
        f"{what}: X_train_std",
        got[0],
        want[0],
        likely={"X_train standardised with the other split's statistics": other_stats},
    )
    check_array(
        f"{what}: X_other_std",
        got[1],
        want[1],
        likely={
            "each split standardised with its own statistics: the other split must use the "
            "training split's": own,
            "statistics of both splits together: a leak from the other split": leak,
        },
    )


def test_standardize_splits_constant_pixels(student, ref):
    """standardize_splits: a pixel constant in the training split gives finite values, not nan or inf"""
    g = rng(132)
    X_train = np.column_stack([g.normal(size=6), np.zeros(6)])
    X_other = np.column_stack([g.normal(size=4), [0.0, 3.0, 0.0, 16.0]])
    what = (
        "standardize_splits(X_train, X_other) where column 1 is 0 in every training "
        "example but not in X_other"
    )
    got = student.standardize_splits(X_train, X_other)
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        fail(f"{what}: expected (X_train_std, X_other_std, mean, std), got {type_name(got)}.")
    want = ref.standardize_splits(X_train, X_other)
    check_array(f"{what}: X_train_std", got[0], want[0])
    check_array(f"{what}: X_other_std", got[1], want[1])


# ---- one_hot --------------------------------------------------------------------------------


@points(2)
def test_one_hot_values(student, ref):
    """one_hot: 1.0 at column labels[i] of row i, for labels in any order"""
    y = labels(rng(141), 13, 6)
    what = f"one_hot(labels, 6) for labels {y.tolist()}"
    got, args, _ = student.one_hot.with_inputs(y, 6)
    check_array(
        what,
        got,
        ref.one_hot(y, 6),
        likely={
            "off by one: the 1.0 lands in column labels[i] - 1": np.eye(6)[y - 1],
            "off by one: the 1.0 lands in column labels[i] + 1": np.eye(6)[(y + 1) % 6],
        },
    )
    check_unmodified(what, (y,), args)


def test_one_hot_num_classes(student, ref):
    """one_hot: num_classes columns, also when the largest classes are missing from labels"""
    y = np.array([3, 0, 2, 0], dtype=np.int64)
    what = f"one_hot(labels, 10) for labels {y.tolist()}"
    check_array(what, student.one_hot(y, 10), ref.one_hot(y, 10))


def test_one_hot_out_of_range(student):
    """one_hot: a label outside 0 .. num_classes - 1 raises ValueError"""
    for bad in ([0, 4, 1], [2, -1]):
        expect_error(
            ValueError, f"one_hot({bad}, 4)", student.one_hot, np.array(bad, dtype=np.int64), 4
        )


# ---- accuracy and confusion_matrix ----------------------------------------------------------


def test_accuracy_values(student, ref):
    """accuracy: the fraction of positions where the labels agree, as a float"""
    g = rng(151)
    y_true = g.integers(0, 10, size=41)
    y_pred = np.where(g.random(41) < 0.7, y_true, g.integers(0, 10, size=41))
    what = "accuracy(y_true, y_pred) for 41 labels"
    want = ref.accuracy(y_true, y_pred)
    check_float(
        what,
        student.accuracy(y_true, y_pred),
        want,
        likely={
            "the number of agreeing entries instead of the fraction": want * 41,
            "the fraction of disagreeing entries": 1 - want,
        },
    )


@points(2)
def test_confusion_values(student, ref):
    """confusion_matrix: entry [i, j] counts examples of true class i predicted as j"""
    g = rng(161)
    y_true = labels(g, 60, 5)
    y_pred = np.where(g.random(60) < 0.6, y_true, g.integers(0, 5, size=60))
    what = "confusion_matrix(y_true, y_pred, 5) for 60 examples"
    got, args, _ = student.confusion_matrix.with_inputs(y_true, y_pred, 5)
    want = ref.confusion_matrix(y_true, y_pred, 5)
    check_array(
        what,
        got,
        want,
        dtype="int",
        likely={"transposed: rows should be the true classes, columns the predicted ones": want.T},
    )
    check_unmodified(what, (y_true, y_pred), args)


def test_confusion_absent_classes(student, ref):
    """confusion_matrix: num_classes rows and columns, with zeros for classes that never occur"""
    y_true, y_pred = np.array([1, 1, 3]), np.array([1, 3, 3])
    what = "confusion_matrix([1, 1, 3], [1, 3, 3], 6)"
    check_array(
        what,
        student.confusion_matrix(y_true, y_pred, 6),
        ref.confusion_matrix(y_true, y_pred, 6),
        dtype="int",
    )


# ---- the numpy network ----------------------------------------------------------------------


def network_inputs(seed, n=7, d=5, h=6, c=4):
    g = rng(seed)
    params = {
        "W1": g.normal(size=(h, d)),
        "b1": g.normal(size=h),
        "W2": g.normal(size=(c, h)),
        "b2": g.normal(size=c),
    }
    params["b1"][:2] = 0.0
    X = 1.5 * g.normal(size=(n, d))
    X[0] = 0.0  # Z1 = b1 exactly: the first two hidden units sit at exactly 0
    return params, X, labels(g, n, c)


@points(2)
def test_init_params_values(student, reference):
    """init_params: draws W1, b1, then W2, b2 from U(-k, k) with k = 1/sqrt(fan-in)"""
    seed = seed_for(171)
    what = f"init_params(5, 7, 3, np.random.default_rng({seed}))"
    got = run(student, what, "digits.init_params", 5, 7, 3, seed)
    want = reference.probe("digits.init_params", 5, 7, 3, seed)
    check_params(what, got["result"], {"W1": (7, 5), "b1": (7,), "W2": (3, 7), "b2": (3,)})
    for name in ("W1", "b1", "W2", "b2"):
        check_array(f"{what}: {name}", got["result"][name], want["result"][name])
    check_array(
        f"{what}: the generator's next draws afterwards (how many numbers "
        "init_params took from it)",
        got["next"],
        want["next"],
    )


@points(2)
def test_forward_values(student, ref):
    """forward: logits and the cache (X, Z1, H1) match the reference"""
    params, X, _ = network_inputs(181)
    what = "forward(params, X) for X of shape (7, 5), 6 hidden units and 4 classes"
    got, args, _ = student.forward.with_inputs(params, X)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (logits, cache), got {type_name(got)}.")
    logits, cache = ref.forward(params, X)
    check_array(
        f"{what}: logits",
        got[0],
        logits,
        likely={
            "the ReLU is missing": (X @ params["W1"].T + params["b1"]) @ params["W2"].T
            + params["b2"]
        },
    )
    if not isinstance(got[1], (tuple, list)) or len(got[1]) != 3:
        fail(f"{what}: the cache should be the tuple (X, Z1, H1), got {type_name(got[1])}.")
    for label, g, w in zip(("X", "Z1", "H1"), got[1], cache):
        check_array(f"{what}: cache {label}", g, w)
    check_unmodified(what, (X,), args[1:])


@points(2)
def test_softmax_cross_entropy_values(student, ref):
    """softmax_cross_entropy: the mean loss over the batch and dlogits = (P - Y) / N"""
    g = rng(191)
    logits = 3 * g.normal(size=(6, 4))
    Y = np.eye(4)[labels(g, 6, 4)]
    what = "softmax_cross_entropy(logits, Y) for logits of shape (6, 4)"
    got = student.softmax_cross_entropy(logits, Y)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (loss, dlogits), got {type_name(got)}.")
    loss, grad = ref.softmax_cross_entropy(logits, Y)
    check_float(
        f"{what}: loss", got[0], loss, likely={"summed over the batch, not averaged": loss * 6}
    )
    check_array(
        f"{what}: dlogits",
        got[1],
        grad,
        likely={
            "(P - Y) without dividing by N": grad * 6,
            "(Y - P) / N: the sign is flipped": -grad,
        },
    )


def test_softmax_cross_entropy_stable(student, ref):
    """softmax_cross_entropy: finite for logits of magnitude 1e4"""
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 1e4 - 1.0], [0.5, 0.0, 0.2]])
    Y = np.eye(3)[[2, 1, 0]]
    what = "softmax_cross_entropy(logits, Y) for logits up to 1e4 in magnitude"
    got = student.softmax_cross_entropy(logits, Y)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (loss, dlogits), got {type_name(got)}.")
    loss, grad = ref.softmax_cross_entropy(logits, Y)
    check_float(f"{what}: loss", got[0], loss)
    check_array(f"{what}: dlogits", got[1], grad)


@points(2)
def test_backward_values(student, ref):
    """backward: the gradients of every parameter match the reference (ReLU slope 0 at 0)"""
    params, X, y = network_inputs(201)
    logits, cache = ref.forward(params, X)
    _, dlogits = ref.softmax_cross_entropy(logits, np.eye(4)[y])
    what = "backward(params, cache, dlogits) for a batch of 7, 6 hidden units and 4 classes"
    got, args, _ = student.backward.with_inputs(params, cache, dlogits)
    want = ref.backward(params, cache, dlogits)
    check_params(what, got, {k: v.shape for k, v in params.items()})
    dZ_no_mask = dlogits @ params["W2"]
    for name in ("W2", "b2", "W1", "b1"):
        likely = {}
        if name == "W1":
            likely["the ReLU's mask [Z1 > 0] is missing"] = dZ_no_mask.T @ X
            likely["the ReLU's slope at exactly 0 should be 0 (mask Z1 > 0, not Z1 >= 0)"] = (
                (dlogits @ params["W2"]) * (cache[1] >= 0)
            ).T @ X
        if name == "b1":
            likely["the ReLU's mask [Z1 > 0] is missing"] = dZ_no_mask.sum(axis=0)
            likely["the ReLU's slope at exactly 0 should be 0 (mask Z1 > 0, not Z1 >= 0)"] = (
                (dlogits @ params["W2"]) * (cache[1] >= 0)
            ).sum(axis=0)
        if name == "W2":
            likely["transposed: dW2 = dlogits.T @ H1 has W2's shape"] = want[name].T
        if name in ("b1", "b2"):
            likely["the bias gradient is the mean over the batch; it is the sum"] = want[name] / 7
        check_array(f"{what}: d{name}", got[name], want[name], likely=likely)
    check_unmodified(what, (dlogits,), args[2:])


def test_backward_gradient_check(student):
    """backward: agrees with central differences of the loss (computed by the grader)"""
    params, X, y = network_inputs(202, n=5, d=3, h=4, c=3)
    X[0] += 0.3  # away from the ReLU's kink
    Y = np.eye(3)[y]

    def loss(p):
        logits = numpy_logits(p, X)
        shifted = logits - logits.max(axis=1, keepdims=True)
        return -(Y * (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))).sum() / 5

    z1 = X @ params["W1"].T + params["b1"]
    h1 = np.maximum(z1, 0.0)
    logits = h1 @ params["W2"].T + params["b2"]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    got = student.backward(params, (X, z1, h1), (probs - Y) / 5)
    what = "backward(params, cache, dlogits) against central differences"
    check_params(what, got, {k: v.shape for k, v in params.items()})
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = dict(params), dict(params)
            plus[name], minus[name] = value.copy(), value.copy()
            plus[name][index] += 1e-6
            minus[name][index] -= 1e-6
            numeric[index] = (loss(plus) - loss(minus)) / 2e-6
        check_array(f"{what}: d{name}", got[name], numeric, rtol=1e-4, atol=1e-7)


@points(2)
def test_sgd_step_values(student, ref):
    """sgd_step: returns params - lr * grads as a new dict and leaves params unmodified"""
    params, _, _ = network_inputs(211)
    grads = {k: rng(212).normal(size=v.shape) for k, v in params.items()}
    what = "sgd_step(params, grads, lr=0.05)"
    got, args, _ = student.sgd_step.with_inputs(params, grads, 0.05)
    want = ref.sgd_step(params, grads, 0.05)
    check_params(what, got, {k: v.shape for k, v in params.items()})
    for name in params:
        check_array(
            f"{what}: {name}",
            got[name],
            want[name],
            likely={"params + lr * grads: a step uphill": params[name] + 0.05 * grads[name]},
        )
    for name in params:
        before, after = params[name], args[0][name] if isinstance(args[0], dict) else None
        if not (isinstance(after, np.ndarray) and np.array_equal(before, after)):
            fail(
                f"{what} changed params[{name!r}] in place; return a new dict and leave the "
                "caller's arrays as they were (no -=)."
            )


def test_predict_values(student, ref):
    """predict: the index of the largest logit of each row, as integers"""
    params, X, _ = network_inputs(221, n=9)
    what = "predict(params, X) for X of shape (9, 5) and 4 classes"
    check_array(what, student.predict(params, X), ref.predict(params, X), dtype="int")


def small_run(seed):
    g = rng(seed)
    X = g.normal(size=(70, 6))
    return X, labels(g, 70, 3)


SMALL_NUMPY = {"hidden_size": 8, "lr": 0.3, "epochs": 3, "batch_size": 16, "num_classes": 3}


def _no_reshuffle_run(ref, X, y, seed):
    """train_network with the order drawn once, before the first epoch (a known mistake)."""
    g = np.random.default_rng(seed)
    params = ref.init_params(X.shape[1], 8, 3, g)
    order = g.permutation(len(X))
    for _ in range(SMALL_NUMPY["epochs"]):
        for start in range(0, len(X), 16):
            batch = order[start : start + 16]
            logits, cache = ref.forward(params, X[batch])
            _, dlogits = ref.softmax_cross_entropy(logits, np.eye(3)[y[batch]])
            params = ref.sgd_step(params, ref.backward(params, cache, dlogits), 0.3)
    return params


def _train_network(student, X, y, seed, options):
    what = (
        f"train_network(X, y, seed={seed}, "
        + ", ".join(f"{k}={v}" for k, v in options.items())
        + f") for X of shape {X.shape}"
    )
    got = student.train_network(X, y, seed=seed, **options)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what}: expected a tuple (params, losses), got {type_name(got)}.")
    return what, got


@points(3)
def test_train_network_reproduces(student, ref):
    """train_network: the parameters after 3 epochs equal the reference run's (same seed, same batches)"""
    X, y = small_run(231)
    seed = seed_for(232)
    what, (params, _) = _train_network(student, X, y, seed, SMALL_NUMPY)
    want, _ = ref.train_network(X, y, seed=seed, **SMALL_NUMPY)
    check_params(what, params, {k: v.shape for k, v in want.items()})
    stale = _no_reshuffle_run(ref, X, y, seed)
    for name in ("W1", "b1", "W2", "b2"):
        check_array(
            f"{what}: {name} afterwards",
            params[name],
            want[name],
            rtol=1e-6,
            atol=1e-9,
            likely={
                "the examples are shuffled once, not anew in every epoch "
                "(order = rng.permutation(N) inside the epoch loop)": stale[name]
            },
        )


def test_train_network_losses(student, ref):
    """train_network: the loss history holds one batch-size-weighted mean loss per epoch"""
    X, y = small_run(241)
    seed = seed_for(242)
    what, (_, losses) = _train_network(student, X, y, seed, SMALL_NUMPY)
    _, want = ref.train_network(X, y, seed=seed, **SMALL_NUMPY)
    if not isinstance(losses, list) or len(losses) != len(want):
        fail(
            f"{what}: expected a list of {len(want)} floats (one per epoch), got "
            f"{type_name(losses)}"
            + (f" of length {len(losses)}" if isinstance(losses, list) else "")
            + "."
        )
    for epoch, (g, w) in enumerate(zip(losses, want), start=1):
        check_float(f"{what}: the loss of epoch {epoch}", g, w, rtol=1e-6)


def _source_uses(source, function, banned):
    """Banned modules that the top-level def ``function`` imports or reads (by the names the
    submission's imports bind), from the source text."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                bound[(a.asname or a.name).split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                bound[a.asname or a.name] = node.module.split(".")[0]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and bound.get(inner.id) in banned:
                    found.add(bound[inner.id])
                elif isinstance(inner, ast.Import):
                    found |= {a.name.split(".")[0] for a in inner.names} & set(banned)
                elif isinstance(inner, ast.ImportFrom) and inner.module:
                    found |= {inner.module.split(".")[0]} & set(banned)
    return found


def test_train_network_numpy_only(student, ref):
    """train_network: the numpy network uses numpy alone (no torch, scipy, sklearn or jax)"""
    X, y = small_run(243)
    seed = seed_for(244)
    what, (params, _) = _train_network(
        student, X, y, seed, SMALL_NUMPY
    )  # only a working one counts
    want, _ = ref.train_network(X, y, seed=seed, **SMALL_NUMPY)
    check_params(what, params, {k: v.shape for k, v in want.items()})
    for name in want:
        check_array(f"{what}: {name} afterwards", params[name], want[name], rtol=1e-6, atol=1e-9)
    used = run(student, "train_network", "digits.numpy_only", list(NUMPY_NETWORK), list(BANNED))
    if not isinstance(used, dict):
        fail("train_network: the grader could not inspect the numpy network's functions.")
    found = {name: set(mods) for name, mods in used.items() if mods}
    if student.source is not None:
        for name in NUMPY_NETWORK:
            mods = _source_uses(student.source, name, BANNED)
            if mods:
                found.setdefault(name, set()).update(mods)
    if found:
        shown = "; ".join(
            f"{name} uses {', '.join(sorted(m))}" for name, m in sorted(found.items())
        )
        fail(f"the numpy network must use numpy alone: {shown}.")


_NUMPY_RUNS = weakref.WeakKeyDictionary()


@points(4)
def test_train_network_hidden_digits(student, ref):
    """train_network: reaches 95% accuracy on the grader's hidden test digits in 20 epochs"""
    seed = seed_for(251)
    correct = total = 0
    for k, (X_train, y_train, X_test, y_test) in enumerate(folds(ref, 252)):
        what, (params, _) = _train_network(student, X_train, y_train, seed, NUMPY_RUN)
        what = f"{what} (standardised digits; fold {k + 1} of {FOLDS})"
        want, _ = ref.train_network(X_train, y_train, seed=seed, **NUMPY_RUN)
        check_params(what, params, {n: v.shape for n, v in want.items()})
        for name in want:
            if not np.allclose(params[name], want[name], rtol=1e-5, atol=1e-7):
                fail(
                    f"{what}: the parameters that came back are not those of the run the "
                    "grader reproduces from the contract (same seed, same batches), so their "
                    "accuracy cannot count; see the test 'train_network: the parameters after "
                    "3 epochs ...'."
                )
        correct += int((numpy_logits(params, X_test).argmax(axis=1) == y_test).sum())
        total += len(y_test)
    if correct / total < NUMPY_THRESHOLD:
        fail(
            f"train_network(X, y, seed={seed}, hidden_size=64, lr=0.1, epochs=20, "
            f"batch_size=32), trained on each of {FOLDS} folds of the grader's digits: "
            f"{correct} of the {total} held-out digits right ({correct / total:.1%}); at "
            f"least {NUMPY_THRESHOLD:.0%} expected."
        )


# ---- DigitsNet ------------------------------------------------------------------------------


def net_weights(seed, sizes=(64, 256, 10)):
    inputs, hidden, classes = sizes
    g = rng(seed)
    k1, k2 = 1 / np.sqrt(inputs), 1 / np.sqrt(hidden)
    return {
        "fc1.weight": g.uniform(-k1, k1, size=(hidden, inputs)).astype(np.float32),
        "fc1.bias": g.uniform(-k1, k1, size=hidden).astype(np.float32),
        "fc2.weight": g.uniform(-k2, k2, size=(classes, hidden)).astype(np.float32),
        "fc2.bias": g.uniform(-k2, k2, size=classes).astype(np.float32),
    }


def stated_net(weights, dropout=0.3):
    hidden, inputs = weights["fc1.weight"].shape
    model = StatedDigitsNet(inputs, hidden, weights["fc2.weight"].shape[0], dropout)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in weights.items()})
    return model


@points(2)
def test_digits_net_structure(student):
    """DigitsNet: the submodules fc1, relu, drop, fc2 with the stated sizes and dropout rate"""
    g = rng(250)
    inputs, hidden, classes = (
        int(g.integers(low, high)) for low, high in ((8, 17), (6, 13), (3, 8))
    )
    rate = round(float(g.uniform(0.15, 0.6)), 2)
    what = f"DigitsNet({inputs}, {hidden}, {classes}, {rate})"
    # what the worker says the model is made of names the mistake; the points rest on values
    check_net_structure(student, what, inputs, hidden, classes, rate)
    weights = net_weights(251, (inputs, hidden, classes))
    x = (2.0 * rng(252).normal(size=(6, inputs))).astype(np.float32)
    got = run(student, what, "digits.digits_net_logits", weights, x, "eval", 0, rate)
    if got["logits"] is None:
        fail(f"{what}: forward should return a tensor of logits, got {got['type']}.")
    with torch.no_grad():
        want = stated_net(weights, rate).eval()(torch.as_tensor(x)).numpy()
    check_array(
        f"{what} with given weights, in eval mode: model(x) for x of shape (6, {inputs})",
        got["logits"],
        want,
        dtype=None,
        rtol=1e-5,
        atol=1e-5,
    )
    check_dropout_rate(student, inputs, hidden, rate)


def check_dropout_rate(student, inputs, hidden, rate):
    """The rate shows in training mode, whatever the mask: with fc1's outputs all positive
    and fc2 the identity, each output is 0 (dropped) or fc1's output / (1 - rate)."""
    g = rng(254)
    weights = {
        "fc1.weight": g.uniform(-0.5, 0.5, size=(hidden, inputs)).astype(np.float32),
        "fc1.bias": np.full(hidden, 4.0, dtype=np.float32),
        "fc2.weight": np.eye(hidden, dtype=np.float32),
        "fc2.bias": np.zeros(hidden, dtype=np.float32),
    }
    x = g.uniform(-1.0, 1.0, size=(12, inputs)).astype(np.float32)
    what = (
        f"DigitsNet({inputs}, {hidden}, {hidden}, {rate}) in training mode, with fc1's "
        "outputs all positive and fc2 the identity"
    )
    got = run(student, what, "digits.digits_net_logits", weights, x, "train", seed_for(255), rate)
    if got["logits"] is None:
        fail(f"{what}: forward should return a tensor of logits, got {got['type']}.")
    out = np.asarray(got["logits"], dtype=np.float64)
    units = x.astype(np.float64) @ weights["fc1.weight"].T + weights["fc1.bias"]
    if out.shape != units.shape:
        fail(f"{what}: expected logits of shape {units.shape}, got {out.shape}.")
    kept = out != 0
    if not kept.any():
        fail(f"{what}: every output is 0; dropout with rate {rate} keeps most units.")
    check_array(
        f"{what}: the units dropout kept, which should be fc1's outputs scaled by 1 / (1 - {rate})",
        out[kept],
        units[kept] / (1 - rate),
        dtype=None,
        rtol=1e-5,
        atol=1e-5,
        likely={
            "the dropout rate is not the dropout argument (0.3 instead)": units[kept] / 0.7,
            "no dropout in training mode": units[kept],
        },
    )


def check_net_structure(student, what, inputs, hidden, classes, rate):
    info = run(student, what, "digits.digits_net_structure", inputs, hidden, classes, rate)
    if not info["is_module"]:
        fail(
            f"{what}: expected an nn.Module, got {info['class']}; write class "
            "DigitsNet(nn.Module) and call super().__init__() first."
        )
    want = [
        ["fc1", "torch.nn.modules.linear.Linear"],
        ["relu", "torch.nn.modules.activation.ReLU"],
        ["drop", "torch.nn.modules.dropout.Dropout"],
        ["fc2", "torch.nn.modules.linear.Linear"],
    ]
    if info["children"] != want:
        shown = ", ".join(f"{n} ({c.split('.')[-1]})" for n, c in info["children"]) or "none"
        fail(
            f"{what}: expected the submodules fc1 (Linear), relu (ReLU), drop (Dropout), fc2 "
            f"(Linear), created in this order; got {shown}."
        )
    shapes = {n: s for n, s in info["params"]}
    expected = {
        "fc1.weight": [hidden, inputs],
        "fc1.bias": [hidden],
        "fc2.weight": [classes, hidden],
        "fc2.bias": [classes],
    }
    if shapes != expected:
        fail(
            f"{what}: expected fc1 = nn.Linear({inputs}, {hidden}) and fc2 = "
            f"nn.Linear({hidden}, {classes}), got the parameters {shapes}."
        )
    check_equal(f"{what}: the dropout rates of its Dropout layers", info["dropout"], [rate])


@points(2)
def test_digits_net_eval_logits(student):
    """DigitsNet: in eval mode its logits equal the stated architecture's with the same weights"""
    weights = net_weights(261)
    x = (2.0 * rng(262).normal(size=(7, 64))).astype(np.float32)
    what = "DigitsNet() with given weights, in eval mode, model(x) for x of shape (7, 64)"
    got = run(student, what, "digits.digits_net_logits", weights, x, "eval", 0)
    if got["logits"] is None:
        fail(f"{what}: forward should return a tensor of logits, got {got['type']}.")
    model = stated_net(weights).eval()
    with torch.no_grad():
        want = model(torch.as_tensor(x)).numpy()
        hidden = model.fc1(torch.as_tensor(x))
        no_relu = model.fc2(hidden).numpy()
    check_array(
        what,
        got["logits"],
        want,
        dtype=None,
        rtol=1e-5,
        atol=1e-5,
        likely={
            "forward applies softmax; return the logits (nn.CrossEntropyLoss does the softmax)": torch.softmax(
                torch.as_tensor(want), dim=1
            ).numpy(),
            "the ReLU between fc1 and fc2 is missing": no_relu,
        },
    )


def test_digits_net_dropout_in_training(student):
    """DigitsNet: in training mode, dropout with rate 0.3 acts on the hidden units after the ReLU"""
    weights = net_weights(271)
    x = (2.0 * rng(272).normal(size=(9, 64))).astype(np.float32)
    seed = seed_for(273)
    what = (
        f"DigitsNet() with given weights, in training mode, model(x) right after "
        f"torch.manual_seed({seed})"
    )
    got = run(student, what, "digits.digits_net_logits", weights, x, "train", seed)
    if got["logits"] is None:
        fail(f"{what}: forward should return a tensor of logits, got {got['type']}.")
    with one_thread():
        model = stated_net(weights).train()
        torch.manual_seed(seed)
        with torch.no_grad():
            want = model(torch.as_tensor(x)).numpy()
            eval_logits = model.eval()(torch.as_tensor(x)).numpy()
    check_array(
        what,
        got["logits"],
        want,
        dtype=None,
        rtol=1e-5,
        atol=1e-5,
        likely={
            "no dropout in training mode: drop = nn.Dropout(dropout), applied after the ReLU": eval_logits
        },
    )


def test_digits_net_initialisation(student):
    """DigitsNet: after torch.manual_seed(s), its initial weights are those of the stated layers, fc1 first"""
    seed = seed_for(281)
    what = f"DigitsNet(64) right after torch.manual_seed({seed})"
    got = run(student, what, "digits.digits_net_init", seed)
    check_params(what, got, STATED_SHAPES)
    torch.manual_seed(seed)
    want = {k: v.numpy() for k, v in StatedDigitsNet().state_dict().items()}
    for name in STATED_SHAPES:
        check_array(f"{what}: {name}", got[name], want[name], dtype=None, rtol=0, atol=0)


# ---- train_one_epoch and evaluate -----------------------------------------------------------


def loop_inputs(seed):
    g = rng(seed)
    weights = net_weights(seed + 1, (5, 8, 3))
    X = g.normal(size=(22, 5)).astype(np.float32)
    return weights, X, labels(g, 22, 3)


@points(2)
def test_train_one_epoch_values(student, reference):
    """train_one_epoch: the loss and the parameters after one epoch match the reference, in training mode"""
    weights, X, y = loop_inputs(291)
    seed = seed_for(292)
    what = (
        "train_one_epoch(model, loader, criterion, optimizer, device) with SGD(lr=0.5), "
        "a model with dropout left in eval mode, 22 examples in batches of 8, 8 and 6"
    )
    got = run(student, what, "digits.train_one_epoch", weights, X, y, 8, 0.5, 0.3, seed)
    want = reference.probe("digits.train_one_epoch", weights, X, y, 8, 0.5, 0.3, seed)
    if not got["modes"] or not all(got["modes"]):
        fail(
            f"{what}: the model ran in eval mode while training (dropout off); call "
            "model.train() at the start of train_one_epoch."
        )
    if not isinstance(got["loss"], float):
        fail(f"{what}: expected the mean loss as a Python float, got {got['loss']}.")
    check_float(f"{what}: the returned loss", got["loss"], want["loss"], rtol=1e-5, atol=1e-6)
    for name, value in want["params"].items():
        check_array(
            f"{what}: {name} afterwards",
            got["params"][name],
            value,
            dtype=None,
            rtol=1e-5,
            atol=1e-6,
            likely={
                "the parameters did not move: is optimizer.step() called after "
                "loss.backward()?": weights[name]
            },
        )


@points(2)
def test_evaluate_values(student):
    """evaluate: the mean loss and accuracy of a model with dropout, in eval mode and without a graph"""
    weights, X, y = loop_inputs(301)
    what = (
        "evaluate(model, loader, criterion, device) on a model with dropout 0.5 left in "
        "training mode, 22 examples in batches of 8, 8 and 6"
    )
    got = run(student, what, "digits.evaluate", weights, X, y, 8, 0.5, seed_for(302))
    if got["items"] is None or len(got["items"]) != 2:
        fail(f"{what}: expected a tuple (mean_loss, accuracy), got a {got['kind']}.")
    if not got["modes"] or any(got["modes"]):
        fail(
            f"{what}: dropout was on during the evaluation (the model stayed in training "
            "mode), so the result is random; call model.eval() at the start of evaluate."
        )
    if any(got["recording"]):
        fail(f"{what}: autograd recorded a graph; wrap the loop in `with torch.no_grad():`.")
    if got["grads"]:
        fail(
            f"{what}: evaluate computed gradients ({', '.join(got['grads'])}); it must not "
            "call backward()."
        )
    logits = numpy_logits(
        {
            "W1": weights["fc1.weight"],
            "b1": weights["fc1.bias"],
            "W2": weights["fc2.weight"],
            "b2": weights["fc2.bias"],
        },
        X.astype(np.float64),
    )
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    want_loss = float(-log_probs[np.arange(len(y)), y].mean())
    want_accuracy = float(np.mean(logits.argmax(axis=1) == y))
    for label, value in zip(("mean_loss", "accuracy"), got["items"]):
        if not isinstance(value, float):
            fail(f"{what}: {label} should be a Python float, got {value}.")
    check_float(f"{what}: mean_loss", got["items"][0], want_loss, rtol=1e-5, atol=1e-6)
    check_float(
        f"{what}: accuracy",
        got["items"][1],
        want_accuracy,
        likely={"the number of correct examples instead of the fraction": want_accuracy * 22},
    )


# ---- train_digits_net -----------------------------------------------------------------------

# The short run every argument of which the reproduction varies per submission (salted): a
# train_digits_net that ignores lr or batch_size (Adam's rate written in) cannot reproduce it.
SMALL_TORCH_EPOCHS = 2
SMALL_TORCH_RATES = (1e-3, 2e-3, 5e-3, 1e-2)  # not the default 3e-3
SMALL_TORCH_BATCHES = (16, 32, 48)  # not the default 128
_TORCH_REPRODUCED = weakref.WeakKeyDictionary()  # student -> message of the failure, or ""


def _torch_run(student, X, y, seed, options):
    what = (
        f"train_digits_net(X, y, seed={seed}, "
        + ", ".join(f"{k}={v}" for k, v in options.items())
        + f") for X of shape {X.shape}"
    )
    got = run(
        student,
        what,
        "digits.train_digits_net",
        X,
        y,
        options["epochs"],
        options["lr"],
        options["batch_size"],
        seed,
    )
    if got["returned"] != "pair":
        fail(f"{what}: expected a tuple (model, losses), got {got['returned']}.")
    if "params" not in got:
        fail(f"{what}: expected the trained model first, got {got['model']}.")
    check_params(what, got["params"], STATED_SHAPES)
    return what, got


def _check_torch_run(student, reference, X, y, seed, options):
    """Fail unless the student's run with ``options`` ends where the reference's does."""
    what, got = _torch_run(student, X, y, seed, options)
    want = reference.probe(
        "digits.train_digits_net",
        X,
        y,
        options["epochs"],
        options["lr"],
        options["batch_size"],
        seed,
    )
    for name, value in want["params"].items():
        check_array(
            f"{what}: {name} afterwards",
            got["params"][name],
            value,
            dtype=None,
            rtol=1e-4,
            atol=1e-6,
        )
    epochs = options["epochs"]
    if not isinstance(got["losses"], list) or len(got["losses"]) != epochs:
        fail(f"{what}: expected the losses as a list of {epochs} floats, got {got['losses']}.")
    for epoch, (g_loss, w_loss) in enumerate(zip(got["losses"], want["losses"]), 1):
        if not isinstance(g_loss, float):
            fail(f"{what}: the loss of epoch {epoch} should be a float, got {g_loss}.")
        check_float(f"{what}: the loss of epoch {epoch}", g_loss, w_loss, rtol=1e-4, atol=1e-6)


def torch_reproduction(student, reference):
    """'' when train_digits_net reproduces the reference's short runs, else the failure. Two
    runs, with two different learning rates and batch sizes drawn per submission (never the
    defaults): a function that ignores either argument cannot reproduce both."""
    if student not in _TORCH_REPRODUCED:
        g = rng(311)
        X = g.normal(size=(150, 64))
        y = labels(g, 150, 10)
        seed = seed_for(312)
        rates = g.choice(SMALL_TORCH_RATES, size=2, replace=False)
        batches = g.choice(SMALL_TORCH_BATCHES, size=2, replace=False)
        try:
            for lr, batch_size in zip(rates, batches):
                options = {
                    "epochs": SMALL_TORCH_EPOCHS,
                    "lr": float(lr),
                    "batch_size": int(batch_size),
                }
                _check_torch_run(student, reference, X, y, seed, options)
            _TORCH_REPRODUCED[student] = ""
        except AssertionError as exc:
            _TORCH_REPRODUCED[student] = str(exc)
    return _TORCH_REPRODUCED[student]


@points(3)
def test_train_digits_net_reproduces(student, reference):
    """train_digits_net: the parameters and losses after 2 epochs equal the reference run's (same seed)"""
    problem = torch_reproduction(student, reference)
    if problem:
        fail(
            problem + " The recipe fixes every random number: torch.manual_seed(seed) first, "
            "then DigitsNet, the loader with its own seeded generator, Adam, and "
            "train_one_epoch once per epoch."
        )


@points(4)
def test_train_digits_net_hidden_digits(student, ref, reference):
    """train_digits_net: reaches 97% accuracy on the grader's hidden test digits in 30 epochs"""
    problem = torch_reproduction(student, reference)
    if "is not implemented yet" in problem:
        fail(problem)
    if problem:
        fail(
            "train_digits_net: the grader cannot reproduce a short run of it from the "
            "contract's seeds (see the test 'train_digits_net: the parameters and losses "
            "after 2 epochs ...'), so the accuracy of its parameters cannot count."
        )
    seed = seed_for(321)
    correct = total = 0
    for X_train, y_train, X_test, y_test in folds(ref, 322):
        what, got = _torch_run(student, X_train, y_train, seed, TORCH_RUN)
        model = stated_net(got["params"]).eval()
        with torch.no_grad():
            predicted = model(torch.as_tensor(X_test, dtype=torch.float32)).argmax(dim=1).numpy()
        correct += int((predicted == y_test).sum())
        total += len(y_test)
    if correct / total < TORCH_THRESHOLD:
        fail(
            f"train_digits_net(X, y, seed={seed}, epochs=30, lr=0.003, batch_size=128), "
            f"trained on each of {FOLDS} folds of the grader's digits: {correct} of the "
            f"{total} held-out digits right ({correct / total:.1%}); at least "
            f"{TORCH_THRESHOLD:.0%} expected."
        )
