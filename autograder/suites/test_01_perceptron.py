"""Hidden suite for 01_perceptron (see docs/EXERCISES.md and autograder/grade/suite.py)."""

import numpy as np

from autograder.grade.suite import (
    check_array,
    check_equal,
    check_float,
    check_unmodified,
    describe,
    fail,
    points,
    property_test,
    rng,
    type_name,
)

X_GATE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def separable_data(seed, n=30, d=3):
    """n points labelled by a random hyperplane (a unit normal), with a margin so training
    converges, and both labels present whatever the hidden inputs: from w = 0 the first
    epoch then always makes mistakes."""
    g = rng(seed)
    while True:
        w_true = g.normal(size=d)
        w_true /= np.linalg.norm(w_true)
        X = g.normal(size=(n * 4, d))
        margin = X @ w_true + 0.3
        keep = np.abs(margin) > 0.4
        X, y = X[keep][:n], (margin[keep][:n] > 0).astype(float)
        if len(y) == n and 0 < y.sum() < n:
            return X, y


# ---- step ---------------------------------------------------------------------------


@points(2)
def test_step_random_matrix(student, ref):
    """step: matches the reference on a random (4, 5) array"""
    z = rng(1).normal(size=(4, 5))
    check_array("step(z) for z of shape (4, 5)", student.step(z), ref.step(z), inputs=z)


def test_step_at_zero(student, ref):
    """step: fires (1.0) at exactly 0 and at -0.0"""
    z = np.array([0.0, -0.0, -1e-300, 1e-300])
    check_array(
        "step([0.0, -0.0, -1e-300, 1e-300])",
        student.step(z),
        ref.step(z),
        inputs=z,
        likely={"z > 0 instead of z >= 0": (z > 0).astype(float)},
    )


def test_step_scalars_and_lists(student, ref):
    """step: accepts a Python scalar and a nested list"""
    check_array("step(0)", student.step(0), ref.step(0))
    check_array("step(-3.5)", student.step(-3.5), ref.step(-3.5))
    nested = [[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]]
    check_array("step(a nested list of shape (2, 3))", student.step(nested), ref.step(nested))


def test_step_large_and_integer_inputs(student, ref):
    """step: handles large magnitudes and integer arrays, returning float64"""
    z = np.array([-1e300, 1e300, -7, 7, 0])
    check_array("step(z) with large values", student.step(z), ref.step(z), inputs=z)
    zi = np.array([[-2, 0, 5]])
    check_array("step(an int array)", student.step(zi), ref.step(zi))


@property_test
def test_step_leaves_input_alone(student, ref):
    """step: does not modify its input"""
    z = rng(2).normal(size=(3, 4))
    got, after, _ = student.step.with_inputs(z)
    check_array("step(z)", got, ref.step(z))  # only a working function earns this point
    check_unmodified("step(z)", (z,), after)


# ---- perceptron_output ------------------------------------------------------------------


@points(2)
def test_output_batch(student, ref):
    """perceptron_output: a batch (N, D) gives N outputs matching the reference"""
    g = rng(3)
    # 200 rows and a bias of 0.5 to 1.5 in size: whatever the draw, some rows have x @ w
    # between 0 and -b, so a forgotten bias (or a sign slip) always shows
    X, w = g.normal(size=(200, 4)), g.normal(size=4)
    b = float(g.choice([-1.0, 1.0]) * g.uniform(0.5, 1.5))
    check_array(
        "perceptron_output(X, w, b) for X of shape (200, 4)",
        student.perceptron_output(X, w, b),
        ref.perceptron_output(X, w, b),
        likely={"the bias was left out": ref.perceptron_output(X, w, 0.0)},
    )


def test_output_single_example(student, ref):
    """perceptron_output: one example (D,) gives a 0-d result"""
    g = rng(4)
    for i in range(5):
        x, w = g.normal(size=3), g.normal(size=3)
        if i % 2:
            b = float(g.normal())
        else:  # a bias that flips the sign of x @ w: a forgotten bias always shows
            b = float(-(x @ w) * g.uniform(1.5, 2.5))
        check_array(
            "perceptron_output(x, w, b) for x of shape (3,)",
            student.perceptron_output(x, w, b),
            ref.perceptron_output(x, w, b),
            likely={"the bias was left out": ref.perceptron_output(x, w, 0.0)},
        )


def test_output_bias_and_boundary(student, ref):
    """perceptron_output: adds the bias, and fires on the boundary (z == 0)"""
    X = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 0.0]])
    w = np.array([1.0, 1.0])
    check_array(
        "perceptron_output(X, w=[1, 1], b=-2.0)",
        student.perceptron_output(X, w, -2.0),
        ref.perceptron_output(X, w, -2.0),
        likely={"the bias was left out": ref.perceptron_output(X, w, 0.0)},
    )
    check_array(
        "perceptron_output(X, w=[1, 1], b=0.5)",
        student.perceptron_output(X, w, 0.5),
        ref.perceptron_output(X, w, 0.5),
    )


@property_test
def test_output_leaves_inputs_alone(student, ref):
    """perceptron_output: does not modify x or w"""
    g = rng(5)
    X, w = g.normal(size=(200, 3)), g.normal(size=3)
    b = float(g.choice([-1.0, 1.0]) * g.uniform(0.5, 1.5))  # as in the batch test: it shows
    got, after, _ = student.perceptron_output.with_inputs(X, w, b)
    check_array("perceptron_output(X, w, b)", got, ref.perceptron_output(X, w, b))
    check_unmodified("perceptron_output(X, w, b)", (X, w), after)


# ---- perceptron_update ------------------------------------------------------------------


def _check_update(student, ref, x, y, w, b, lr, what):
    got = student.perceptron_update(x, y, w, b, lr=lr)
    want_w, want_b = ref.perceptron_update(x, y, w, b, lr=lr)
    if not (isinstance(got, tuple) and len(got) == 2):
        fail(f"{what}: expected a pair (w, b), got {type_name(got)}")
    check_array(f"{what}[0] (the new w)", got[0], want_w)
    check_float(f"{what}[1] (the new b)", got[1], want_b)


@points(2)
def test_update_on_mistakes(student, ref):
    """perceptron_update: moves w and b by lr * error * x on both kinds of mistake"""
    x, w = np.array([0.5, -1.0, 2.0]), np.array([0.2, 0.3, -0.4])
    # fires (z >= 0) on label 0, then stays silent on label 1
    _check_update(student, ref, x, 0, w, 1.0, 0.5, "perceptron_update(x, 0, w, 1.0, lr=0.5)")
    _check_update(student, ref, x, 1, w, -5.0, 0.25, "perceptron_update(x, 1, w, -5.0, lr=0.25)")


def test_update_when_correct(student, ref):
    """perceptron_update: leaves w and b unchanged when the prediction is right"""
    x, w = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    _check_update(student, ref, x, 1, w, 0.0, 1.0, "perceptron_update(x, 1, w, 0.0)")
    _check_update(student, ref, x, 0, w, -10.0, 1.0, "perceptron_update(x, 0, w, -10.0)")


def test_update_random(student, ref):
    """perceptron_update: matches the reference on random examples and learning rates"""
    g = rng(6)
    for _ in range(6):
        x, w = g.normal(size=4), g.normal(size=4)
        y, b, lr = int(g.integers(0, 2)), float(g.normal()), float(g.uniform(0.01, 2))
        _check_update(student, ref, x, y, w, b, lr, f"perceptron_update(x, {y}, w, b, lr={lr:.3g})")


@property_test
def test_update_leaves_inputs_alone(student, ref):
    """perceptron_update: does not modify x or w"""
    x, w = np.array([1.0, -2.0, 3.0]), np.array([0.1, 0.1, 0.1])
    got, after, _ = student.perceptron_update.with_inputs(x, 0, w, 0.0)
    check_array(
        "perceptron_update(x, 0, w, 0.0)[0]",
        got[0] if isinstance(got, tuple) else got,
        ref.perceptron_update(x, 0, w, 0.0)[0],
    )
    check_unmodified("perceptron_update(x, y, w, b)", (x, 0, w), after)


# ---- train_perceptron -------------------------------------------------------------------


def _check_training(student, ref, X, y, what, **kwargs):
    _check_trained(
        student.train_perceptron(X, y, **kwargs), ref.train_perceptron(X, y, **kwargs), what
    )


def _check_trained(got, want, what):
    """``got``: what train_perceptron returned; ``want``: the reference's (w, b, mistakes)."""
    want_w, want_b, want_m = want
    if not (isinstance(got, tuple) and len(got) == 3):
        fail(f"{what}: expected a triple (w, b, mistakes), got {type_name(got)}")
    w, b, mistakes = got
    if not (isinstance(mistakes, list) and all(type(m) is int for m in mistakes)):
        fail(f"{what}: mistakes should be a list of Python ints, got {mistakes!r:.80}")
    check_equal(f"{what}: the mistakes per epoch", mistakes, want_m)
    check_array(f"{what}: the learned w", w, want_w)
    check_float(f"{what}: the learned b", b, want_b)


@points(2)
def test_train_gates(student, ref):
    """train_perceptron: learns AND and OR with the reference's exact mistake history"""
    _check_training(student, ref, X_GATE, np.array([0, 0, 0, 1]), "train_perceptron(AND)")
    _check_training(student, ref, X_GATE, np.array([0, 1, 1, 1]), "train_perceptron(OR)")


@points(2)
def test_train_random_separable(student, ref):
    """train_perceptron: converges on separable random data like the reference"""
    X, y = separable_data(7)
    _check_training(student, ref, X, y, "train_perceptron(X, y) on separable data", lr=0.1)


def test_train_stops_after_clean_epoch(student, ref):
    """train_perceptron: stops right after the first epoch without mistakes"""
    X, y = separable_data(8, n=12, d=2)
    got = student.train_perceptron(X, y, max_epochs=500)
    mistakes = got[2] if isinstance(got, tuple) and len(got) == 3 else None
    if not isinstance(mistakes, list) or not mistakes:
        fail("train_perceptron: expected a non-empty list of mistakes per epoch")
    if mistakes[-1] != 0 or 0 in mistakes[:-1]:
        where = (
            f"epoch {mistakes.index(0) + 1} made none, yet {len(mistakes)} epochs ran"
            if 0 in mistakes[:-1]
            else f"the last of {len(mistakes)} epochs made some"
        )
        fail(
            f"train_perceptron: training should stop right after the first epoch with 0 "
            f"mistakes; {where} (mistakes per epoch: {describe(mistakes)})"
        )
    check_equal(
        "train_perceptron: the mistakes per epoch",
        mistakes,
        ref.train_perceptron(X, y, max_epochs=500)[2],
    )


def test_train_xor_never_converges(student, ref):
    """train_perceptron: on XOR runs exactly max_epochs epochs, never error-free"""
    xor = np.array([0, 1, 1, 0])
    got = student.train_perceptron(X_GATE, xor, max_epochs=13)
    mistakes = got[2] if isinstance(got, tuple) and len(got) == 3 else None
    if not isinstance(mistakes, list) or len(mistakes) != 13 or 0 in mistakes:
        fail(
            "train_perceptron(XOR, max_epochs=13): XOR is not linearly separable, so every "
            f"one of the 13 epochs must make mistakes; got {mistakes!r:.100}"
        )
    _check_training(
        student, ref, X_GATE, xor, "train_perceptron(XOR, max_epochs=13)", max_epochs=13
    )


@property_test
def test_train_leaves_inputs_alone(student, ref):
    """train_perceptron: does not modify X or y"""
    X, y = separable_data(9, n=10)
    got, after, _ = student.train_perceptron.with_inputs(X, y)
    _check_trained(got, ref.train_perceptron(X, y), "train_perceptron(X, y)")
    check_unmodified("train_perceptron(X, y)", (X, y), after)


# ---- accuracy ---------------------------------------------------------------------------


def test_accuracy_values(student, ref):
    """accuracy: the fraction of equal entries, as a float"""
    g = rng(10)
    a, b = g.integers(0, 2, size=40), g.integers(0, 2, size=40)
    check_float(
        "accuracy(y_true, y_pred) on 40 random labels", student.accuracy(a, b), ref.accuracy(a, b)
    )
    check_float("accuracy([1, 0], [1, 0])", student.accuracy([1, 0], [1, 0]), 1.0)
    check_float(
        "accuracy([1.0, 0.0, 1.0], [0.0, 1.0, 0.0])",
        student.accuracy([1.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
        0.0,
    )
