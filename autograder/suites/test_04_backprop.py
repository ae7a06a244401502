"""Hidden suite for 04_backprop (see docs/EXERCISES.md and autograder/grade/suite.py).

Every contract function is compared with the reference solution and with torch in float64
as an independent oracle (``torch.nn.functional`` losses with ``reduction="mean"``, autograd
for the gradients), and every gradient is also checked against central differences that
this suite computes itself on the reference forward pass.

torch is imported lazily, by the helpers that need it (``_torch``), so that collecting the
suite stays cheap; the submission itself may not use torch (``check_no_banned_imports``).

``numerical_gradient`` takes a function, which cannot cross the process boundary: its tests
go through the probe ``autograder/inside/probes/backprop.py``, which builds the functions to
differentiate next to the student code (the quadratic form from this suite's A and c).
"""

import numpy as np
import pytest

from autograder.grade.student import describe
from autograder.grade.suite import (
    check_array,
    check_float,
    check_no_banned_imports,
    check_unmodified,
    fail,
    points,
    property_test,
    rng,
)

ACTIVATION_NAMES = ["relu", "tanh", "sigmoid"]
FD_TOL = {"rtol": 1e-5, "atol": 1e-7}  # analytic gradient vs central differences

OVERFLOW_CE = (
    "cross-entropy overflowed for logits around 1000: use log-sum-exp with the row max subtracted"
)
FULL_JACOBIAN = (
    "softmax_backward must use the full Jacobian (s * (dout - sum(dout * s))), "
    "not dout * s * (1 - s)"
)
NOT_DIVIDED = "forgot to divide by N"
DW_TRANSPOSED = "dW has the shape of W transposed"
DB_AVERAGED = "the bias gradient must be summed over the batch, not averaged"
FORWARD_DIFF = "forward differences instead of central"
X_CHANGED = "x was left changed by numerical_gradient"
BCE_CLAMP = (
    "each log term must be clamped at -100 as torch does, "
    "np.maximum(np.log(p), -100): log(0) is -inf, and 0 * -inf is nan"
)


# ---- oracles and helpers --------------------------------------------------------------------


def _torch():
    import torch  # lazily: see the module docstring

    return torch


def _tensor(a, grad=True):
    torch = _torch()
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def torch_loss(kind, pred, target):
    """(loss as a float, dL/dpred) from torch.nn.functional in float64, mean reduction."""
    torch = _torch()
    F = torch.nn.functional
    p = _tensor(pred)
    if kind == "cross_entropy":
        loss = F.cross_entropy(p, torch.tensor(np.asarray(target), dtype=torch.int64))
    else:
        t = _tensor(target, grad=False)
        loss = {
            "mse": F.mse_loss,
            "bce": F.binary_cross_entropy,
            "bce_with_logits": F.binary_cross_entropy_with_logits,
        }[kind](p, t)
    loss.backward()
    return loss.item(), p.grad.numpy().copy()


def torch_backward(forward, dout, *inputs):
    """Gradients of sum(dout * forward(*inputs)) with respect to every input, by autograd."""
    tensors = [_tensor(a) for a in inputs]
    (forward(*tensors) * _tensor(dout, grad=False)).sum().backward()
    return [t.grad.numpy().copy() for t in tensors]


def torch_mlp(x, labels, params, activation):
    """(loss, [(dW, db), ...]) of cross_entropy(mlp(x)) by autograd."""
    torch = _torch()
    phi = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    layers = [(_tensor(W), _tensor(b)) for W, b in params]
    h = _tensor(x, grad=False)
    for index, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if index < len(layers) - 1:
            h = phi(h)
    loss = torch.nn.functional.cross_entropy(h, torch.tensor(labels, dtype=torch.int64))
    loss.backward()
    return loss.item(), [(W.grad.numpy().copy(), b.grad.numpy().copy()) for W, b in layers]


def central_differences(f, x, h=1e-6):
    """The suite's own central-difference gradient of the scalar f at x (x is not touched)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        plus = f(x)
        x[ix] = old - h
        minus = f(x)
        x[ix] = old
        grad[ix] = (plus - minus) / (2 * h)
    return grad


def forward_differences(f, x, h):
    x = np.array(x, dtype=np.float64)
    grad, base = np.zeros_like(x), f(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        grad[ix] = (f(x) - base) / h
        x[ix] = old
    return grad


def nonfinite(value):
    if isinstance(value, float):
        return not np.isfinite(value)
    return (
        isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.isfinite(value).all()
    )


def check_loss(what, got, want, torch_want, likely=None, overflow=None):
    """A loss: a float equal to the reference's and to torch's."""
    if overflow and nonfinite(got):
        fail(f"{what}: got {got!r} where the answer is {want:.6g}. This looks like: {overflow}")
    check_float(what, got, want, likely=likely)
    check_float(f"{what} (compared with torch)", got, torch_want)


def check_grad(what, got, want, torch_want, likely=None, overflow=None, **tol):
    """A gradient array equal to the reference's and to torch's."""
    if overflow and nonfinite(got) and np.isfinite(want).all():
        fail(
            f"{what}: got inf or nan entries where every answer is finite. "
            f"This looks like: {overflow}"
        )
    check_array(what, got, want, likely=likely, **tol)
    check_array(f"{what} (compared with torch)", got, torch_want, **tol)


def check_no_warnings(student, function, args, what):
    found = student.probe("backprop.numeric_warnings", function, list(args), {})
    if found:
        fail(
            f"{what}: numpy warned '{found[0]}'; a stable implementation never computes "
            "exp of a large number (or log of 0) on the way to a finite answer."
        )


def mse_rows_only(pred, target):
    return float(np.mean(np.sum((pred - target) ** 2, axis=-1)))


# ---- linear_backward ------------------------------------------------------------------------


def linear_case(seed, n=6, d_in=4, d_out=3):
    g = rng(seed)
    return (
        g.normal(size=(n, d_out)),
        g.normal(size=(n, d_in)),
        g.normal(size=(d_out, d_in)),
        g.normal(size=d_out),
    )


def _linear_parts(what, got):
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        fail(f"{what}: expected a triple (dx, dW, db), got {describe(got)}")
    return got


def _check_linear(student, ref, dout, x, W, b, what):
    dx, dW, db = _linear_parts(what, student.linear_backward(dout, x, W))
    want = ref.linear_backward(dout, x, W)
    t_dx, t_dW, t_db = torch_backward(lambda x_, W_, b_: x_ @ W_.T + b_, dout, x, W, b)
    check_grad(f"{what}[0] (dx)", dx, want[0], t_dx)
    check_grad(f"{what}[1] (dW)", dW, want[1], t_dW, likely={DW_TRANSPOSED: np.asarray(want[1]).T})
    check_grad(f"{what}[2] (db)", db, want[2], t_db, likely={DB_AVERAGED: np.mean(dout, axis=0)})


@property_test
def test_linear_backward_numpy_only(student, ref):
    """linear_backward: the submission uses numpy only (no torch, scipy, sklearn or jax)"""
    dout, x, W, _ = linear_case(0)
    got = _linear_parts("linear_backward(dout, x, W)", student.linear_backward(dout, x, W))
    check_array("linear_backward(dout, x, W)[1]", got[1], ref.linear_backward(dout, x, W)[1])
    check_no_banned_imports(student, "linear_backward")


@points(3)
def test_linear_backward_random(student, ref):
    """linear_backward: dx, dW, db match the reference and torch (N=6, in=4, out=3)"""
    dout, x, W, b = linear_case(1)
    _check_linear(
        student,
        ref,
        dout,
        x,
        W,
        b,
        "linear_backward(dout, x, W) for dout (6, 3), x (6, 4), W (3, 4)",
    )


@points(2)
def test_linear_backward_finite_differences(student, ref):
    """linear_backward: agrees with central differences of sum(dout * (x @ W.T + b))"""
    dout, x, W, b = linear_case(2, n=5, d_in=3, d_out=4)
    dx, dW, db = _linear_parts("linear_backward(dout, x, W)", student.linear_backward(dout, x, W))
    what = "linear_backward(dout, x, W) for dout (5, 4), x (5, 3), W (4, 3)"
    loss = lambda x_, W_, b_: float(np.sum(dout * ref.linear_forward(x_, W_, b_)))  # noqa: E731
    check_array(
        f"{what}[0] (dx) vs central differences",
        dx,
        central_differences(lambda v: loss(v, W, b), x),
        **FD_TOL,
    )
    check_array(
        f"{what}[1] (dW) vs central differences",
        dW,
        central_differences(lambda v: loss(x, v, b), W),
        **FD_TOL,
        likely={DW_TRANSPOSED: ref.linear_backward(dout, x, W)[1].T},
    )
    check_array(
        f"{what}[2] (db) vs central differences",
        db,
        central_differences(lambda v: loss(x, W, v), b),
        **FD_TOL,
        likely={DB_AVERAGED: np.mean(dout, axis=0)},
    )


def test_linear_backward_one_example_and_lists(student, ref):
    """linear_backward: a one-example batch, nested lists and an all-zero upstream gradient"""
    dout, x, W, b = linear_case(3, n=1, d_in=5, d_out=2)
    _check_linear(
        student,
        ref,
        dout,
        x,
        W,
        b,
        "linear_backward(dout, x, W) for dout (1, 2), x (1, 5), W (2, 5)",
    )
    dout, x, W, b = linear_case(4, n=3, d_in=2, d_out=4)
    got = _linear_parts(
        "linear_backward(lists)", student.linear_backward(dout.tolist(), x.tolist(), W.tolist())
    )
    for i, name in enumerate(("dx", "dW", "db")):
        check_array(
            f"linear_backward(dout, x, W) given as nested lists [{i}] ({name})",
            got[i],
            ref.linear_backward(dout, x, W)[i],
        )
    zero = np.zeros((3, 4))
    got = _linear_parts("linear_backward(zeros, x, W)", student.linear_backward(zero, x, W))
    for i, name in enumerate(("dx", "dW", "db")):
        check_array(
            f"linear_backward(all-zero dout, x, W)[{i}] ({name})",
            got[i],
            ref.linear_backward(zero, x, W)[i],
        )


@property_test
def test_linear_backward_leaves_inputs_alone(student, ref):
    """linear_backward: does not modify dout, x or W"""
    dout, x, W, _ = linear_case(5)
    got, after, _ = student.linear_backward.with_inputs(dout, x, W)
    check_array(
        "linear_backward(dout, x, W)[1] (dW)",
        _linear_parts("linear_backward(dout, x, W)", got)[1],
        ref.linear_backward(dout, x, W)[1],
    )
    check_unmodified("linear_backward(dout, x, W)", (dout, x, W), after)


# ---- elementwise activations -------------------------------------------------------------

ELEMENTWISE = {
    "relu_backward": (lambda t: _torch().relu(t), lambda x: np.maximum(x, 0.0)),
    "sigmoid_backward": (lambda t: _torch().sigmoid(t), lambda x: 1 / (1 + np.exp(-x))),
    "tanh_backward": (lambda t: _torch().tanh(t), np.tanh),
}
USED_OUTPUT = {
    "sigmoid_backward": (
        "used x as if it were the sigmoid's output: x is the input, compute s = sigmoid(x) first",
        lambda dout, x: dout * x * (1 - x),
    ),
    "tanh_backward": (
        "used x as if it were the tanh's output: x is the input, compute t = tanh(x) first",
        lambda dout, x: dout * (1 - x**2),
    ),
    "relu_backward": (
        "the slope of relu at exactly 0 is 0, as in torch: use x > 0, not x >= 0",
        lambda dout, x: np.where(x >= 0, dout, 0.0),
    ),
}


def _check_elementwise(student, ref, name, dout, x, what):
    got = getattr(student, name)(dout, x)
    want = getattr(ref, name)(dout, x)
    (t_dx,) = torch_backward(ELEMENTWISE[name][0], dout, x)
    label, variant = USED_OUTPUT[name]
    check_grad(what, got, want, t_dx, likely={label: variant(dout, x)})


def _elementwise_random(student, ref, name, seed):
    g = rng(seed)
    x, dout = g.normal(scale=2.0, size=(5, 7)), g.normal(size=(5, 7))
    _check_elementwise(student, ref, name, dout, x, f"{name}(dout, x) for x of shape (5, 7)")


def _elementwise_fd(ref, student, name, seed):
    g = rng(seed)
    x, dout = g.normal(size=(4, 3)), g.normal(size=(4, 3))
    x[np.abs(x) < 1e-3] += 0.01  # keep away from relu's kink
    forward = ELEMENTWISE[name][1]
    check_array(
        f"{name}(dout, x) vs central differences of sum(dout * activation(x))",
        getattr(student, name)(dout, x),
        central_differences(lambda v: float(np.sum(dout * forward(v))), x),
        **FD_TOL,
    )


def _elementwise_unmodified(student, ref, name, seed):
    g = rng(seed)
    x, dout = g.normal(size=(3, 4)), g.normal(size=(3, 4))
    got, after, _ = getattr(student, name).with_inputs(dout, x)
    check_array(f"{name}(dout, x)", got, getattr(ref, name)(dout, x))
    check_unmodified(f"{name}(dout, x)", (dout, x), after)


@points(2)
def test_relu_backward_random(student, ref):
    """relu_backward: matches the reference and torch on a random (5, 7) batch"""
    _elementwise_random(student, ref, "relu_backward", 10)


@points(2)
def test_relu_backward_at_zero(student, ref):
    """relu_backward: passes no gradient where x is exactly 0 (torch's convention)"""
    x = np.array([[0.0, -0.0, 1e-300, -1e-300], [0.0, 2.0, -3.0, 0.0]])
    dout = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    _check_elementwise(
        student, ref, "relu_backward", dout, x, "relu_backward(dout, x) with exact zeros in x"
    )


def test_relu_backward_finite_differences(student, ref):
    """relu_backward: agrees with central differences away from the kink"""
    _elementwise_fd(ref, student, "relu_backward", 11)


@property_test
def test_relu_backward_leaves_inputs_alone(student, ref):
    """relu_backward: does not modify dout or x"""
    _elementwise_unmodified(student, ref, "relu_backward", 12)


@points(2)
def test_sigmoid_backward_random(student, ref):
    """sigmoid_backward: matches the reference and torch on a random (5, 7) batch"""
    _elementwise_random(student, ref, "sigmoid_backward", 20)


def test_sigmoid_backward_large_inputs(student, ref):
    """sigmoid_backward: finite and correct, without warnings, for |x| up to 1e4 and at 0"""
    x = np.array([[-1e4, -1000.0, -40.0, 0.0], [40.0, 709.0, 1000.0, 1e4]])
    dout = np.array([[1.0, -2.0, 3.0, 4.0], [-1.0, 2.0, 0.5, 1.0]])
    _check_elementwise(
        student,
        ref,
        "sigmoid_backward",
        dout,
        x,
        "sigmoid_backward(dout, x) for x from -1e4 to 1e4",
    )
    check_no_warnings(student, "sigmoid_backward", (dout, x), "sigmoid_backward(dout, x)")


def test_sigmoid_backward_finite_differences(student, ref):
    """sigmoid_backward: agrees with central differences"""
    _elementwise_fd(ref, student, "sigmoid_backward", 21)


@property_test
def test_sigmoid_backward_leaves_inputs_alone(student, ref):
    """sigmoid_backward: does not modify dout or x"""
    _elementwise_unmodified(student, ref, "sigmoid_backward", 22)


@points(2)
def test_tanh_backward_random(student, ref):
    """tanh_backward: matches the reference and torch on a random (5, 7) batch"""
    _elementwise_random(student, ref, "tanh_backward", 30)


def test_tanh_backward_large_inputs(student, ref):
    """tanh_backward: finite and correct for |x| up to 1e4 and at 0"""
    x = np.array([[-1e4, -1000.0, -20.0, 0.0], [20.0, 400.0, 1000.0, 1e4]])
    dout = np.array([[1.0, -2.0, 3.0, 4.0], [-1.0, 2.0, 0.5, 1.0]])
    _check_elementwise(
        student, ref, "tanh_backward", dout, x, "tanh_backward(dout, x) for x from -1e4 to 1e4"
    )
    check_no_warnings(student, "tanh_backward", (dout, x), "tanh_backward(dout, x)")


def test_tanh_backward_finite_differences(student, ref):
    """tanh_backward: agrees with central differences"""
    _elementwise_fd(ref, student, "tanh_backward", 31)


@property_test
def test_tanh_backward_leaves_inputs_alone(student, ref):
    """tanh_backward: does not modify dout or x"""
    _elementwise_unmodified(student, ref, "tanh_backward", 32)


# ---- softmax_backward ---------------------------------------------------------------------


def _check_softmax_backward(student, ref, dout, x, axis, what):
    got = student.softmax_backward(dout, x, axis=axis)
    want = ref.softmax_backward(dout, x, axis=axis)
    (t_dx,) = torch_backward(lambda t: _torch().softmax(t, dim=axis), dout, x)
    s = ref.softmax(x, axis=axis)
    check_grad(what, got, want, t_dx, likely={FULL_JACOBIAN: dout * s * (1 - s)})


@points(2)
def test_softmax_backward_rows(student, ref):
    """softmax_backward: matches the reference and torch for a batch of rows (axis=-1)"""
    g = rng(40)
    x, dout = g.normal(scale=2.0, size=(5, 4)), g.normal(size=(5, 4))
    got = student.softmax_backward(dout, x)
    s = ref.softmax(x)
    (t_dx,) = torch_backward(lambda t: _torch().softmax(t, dim=-1), dout, x)
    check_grad(
        "softmax_backward(dout, x) for x of shape (5, 4)",
        got,
        ref.softmax_backward(dout, x),
        t_dx,
        likely={FULL_JACOBIAN: dout * s * (1 - s)},
    )


@points(2)
def test_softmax_backward_other_axes(student, ref):
    """softmax_backward: works along axis=0 and along the middle axis of a 3-D array"""
    g = rng(41)
    x, dout = g.normal(size=(5, 4)), g.normal(size=(5, 4))
    _check_softmax_backward(
        student, ref, dout, x, 0, "softmax_backward(dout, x, axis=0) for x of shape (5, 4)"
    )
    x, dout = g.normal(size=(2, 3, 4)), g.normal(size=(2, 3, 4))
    _check_softmax_backward(
        student, ref, dout, x, 1, "softmax_backward(dout, x, axis=1) for x of shape (2, 3, 4)"
    )


def test_softmax_backward_large_and_uniform(student, ref):
    """softmax_backward: stable for scores around 1000 and up to 1e4, exact for equal scores"""
    g = rng(42)
    x = np.array([[1000.0, 999.0, 1001.5], [-1e4, 0.0, 1e4], [0.0, 0.0, 0.0]])
    dout = g.normal(size=(3, 3))
    _check_softmax_backward(
        student, ref, dout, x, -1, "softmax_backward(dout, x) for scores around 1000 and up to 1e4"
    )
    check_no_warnings(student, "softmax_backward", (dout, x), "softmax_backward(dout, x)")


def test_softmax_backward_finite_differences(student, ref):
    """softmax_backward: agrees with central differences of sum(dout * softmax(x))"""
    g = rng(43)
    x, dout = g.normal(size=(3, 5)), g.normal(size=(3, 5))
    s = ref.softmax(x)
    check_array(
        "softmax_backward(dout, x) vs central differences",
        student.softmax_backward(dout, x),
        central_differences(lambda v: float(np.sum(dout * ref.softmax(v))), x),
        **FD_TOL,
        likely={FULL_JACOBIAN: dout * s * (1 - s)},
    )


@property_test
def test_softmax_backward_leaves_inputs_alone(student, ref):
    """softmax_backward: does not modify dout or x"""
    g = rng(44)
    x, dout = g.normal(size=(3, 4)), g.normal(size=(3, 4))
    got, after, _ = student.softmax_backward.with_inputs(dout, x)
    check_array("softmax_backward(dout, x)", got, ref.softmax_backward(dout, x))
    check_unmodified("softmax_backward(dout, x)", (dout, x), after)


# ---- mse --------------------------------------------------------------------------------------


@points(2)
def test_mse_loss_random(student, ref):
    """mse_loss: a float, the mean over all elements, as torch's MSELoss"""
    g = rng(50)
    pred, target = g.normal(size=(6, 3)), g.normal(size=(6, 3))
    t_loss, _ = torch_loss("mse", pred, target)
    check_loss(
        "mse_loss(pred, target) for shape (6, 3)",
        student.mse_loss(pred, target),
        ref.mse_loss(pred, target),
        t_loss,
        likely={
            "averaged over the rows only: the mean runs over all N * D elements": mse_rows_only(
                pred, target
            ),
            "the sum instead of the mean": float(np.sum((pred - target) ** 2)),
        },
    )


def test_mse_loss_small_cases(student, ref):
    """mse_loss: 1-D inputs, a single element, zero error and nested lists of ints"""
    for pred, target, what in (
        (np.array([1.0, -2.0, 0.5, 3.0]), np.array([0.0, -1.0, 0.5, 1.0]), "(4,)"),
        (np.array([[2.5]]), np.array([[-0.5]]), "(1, 1)"),
        (np.array([[1.0, -2.0], [3.0, 4.0]]), np.array([[1.0, -2.0], [3.0, 4.0]]), "(2, 2), equal"),
    ):
        t_loss, _ = torch_loss("mse", pred, target)
        check_loss(
            f"mse_loss(pred, target) for shape {what}",
            student.mse_loss(pred, target),
            ref.mse_loss(pred, target),
            t_loss,
        )
    pred, target = [[1, 2], [3, 5]], [[0, 0], [0, 0]]
    t_loss, _ = torch_loss("mse", pred, target)
    check_loss(
        "mse_loss([[1, 2], [3, 5]], [[0, 0], [0, 0]]) (lists of ints)",
        student.mse_loss(pred, target),
        ref.mse_loss(pred, target),
        t_loss,
    )


@property_test
def test_mse_loss_leaves_inputs_alone(student, ref):
    """mse_loss: does not modify pred or target"""
    g = rng(51)
    pred, target = g.normal(size=(4, 2)), g.normal(size=(4, 2))
    got, after, _ = student.mse_loss.with_inputs(pred, target)
    check_float("mse_loss(pred, target)", got, ref.mse_loss(pred, target))
    check_unmodified("mse_loss(pred, target)", (pred, target), after)


def _mse_grad_likely(pred, target):
    return {
        "missing factor 2 in the MSE gradient": (pred - target) / pred.size,
        NOT_DIVIDED + " (the number of elements)": 2 * (pred - target),
        "divided by the number of rows instead of the number of elements": 2
        * (pred - target)
        / pred.shape[0],
    }


@points(2)
def test_mse_loss_grad_random(student, ref):
    """mse_loss_grad: matches the reference and torch autograd for shape (6, 3)"""
    g = rng(52)
    pred, target = g.normal(size=(6, 3)), g.normal(size=(6, 3))
    _, t_grad = torch_loss("mse", pred, target)
    check_grad(
        "mse_loss_grad(pred, target) for shape (6, 3)",
        student.mse_loss_grad(pred, target),
        ref.mse_loss_grad(pred, target),
        t_grad,
        likely=_mse_grad_likely(pred, target),
    )


def test_mse_loss_grad_finite_differences(student, ref):
    """mse_loss_grad: agrees with central differences of mse_loss, also for 1-D inputs"""
    g = rng(53)
    for shape in ((4, 5), (7,)):
        pred, target = g.normal(size=shape), g.normal(size=shape)
        check_array(
            f"mse_loss_grad(pred, target) for shape {shape} vs central differences",
            student.mse_loss_grad(pred, target),
            central_differences(lambda v, t=target: ref.mse_loss(v, t), pred),
            **FD_TOL,
            likely=_mse_grad_likely(pred, target),
        )


@property_test
def test_mse_loss_grad_leaves_inputs_alone(student, ref):
    """mse_loss_grad: does not modify pred or target"""
    g = rng(54)
    pred, target = g.normal(size=(4, 2)), g.normal(size=(4, 2))
    got, after, _ = student.mse_loss_grad.with_inputs(pred, target)
    check_array("mse_loss_grad(pred, target)", got, ref.mse_loss_grad(pred, target))
    check_unmodified("mse_loss_grad(pred, target)", (pred, target), after)


# ---- cross-entropy -------------------------------------------------------------------------


def ce_case(seed, n=7, c=5, scale=2.0, shift=0.0):
    g = rng(seed)
    return g.normal(scale=scale, size=(n, c)) + shift, g.integers(0, c, size=n)


def _check_ce(student, ref, logits, labels, what):
    t_loss, _ = torch_loss("cross_entropy", logits, labels)
    check_loss(
        what,
        student.cross_entropy_loss(logits, labels),
        ref.cross_entropy_loss(logits, labels),
        t_loss,
        overflow=OVERFLOW_CE,
        likely={
            "the sum over the batch instead of the mean": ref.cross_entropy_loss(logits, labels)
            * len(labels)
        },
    )


def _check_ce_grad(student, ref, logits, labels, what):
    _, t_grad = torch_loss("cross_entropy", logits, labels)
    want = ref.cross_entropy_loss_grad(logits, labels)
    check_grad(
        what,
        student.cross_entropy_loss_grad(logits, labels),
        want,
        t_grad,
        overflow=OVERFLOW_CE,
        likely={NOT_DIVIDED: want * len(labels)},
    )


@points(2)
def test_cross_entropy_loss_random(student, ref):
    """cross_entropy_loss: a float equal to torch's cross_entropy for N=7, C=5"""
    logits, labels = ce_case(60)
    _check_ce(student, ref, logits, labels, "cross_entropy_loss(logits, labels) for logits (7, 5)")


@points(2)
def test_cross_entropy_loss_large_logits(student, ref):
    """cross_entropy_loss: no overflow for logits around 1000 and magnitudes up to 1e4"""
    logits, labels = ce_case(61, n=4, c=3, shift=1000.0)
    _check_ce(
        student, ref, logits, labels, "cross_entropy_loss(logits, labels) for logits around 1000"
    )
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [0.0, 5e3, -5e3], [1e4, 1e4, 9999.0]])
    labels = np.array([1, 2, 1, 2])
    _check_ce(
        student,
        ref,
        logits,
        labels,
        "cross_entropy_loss(logits, labels) for logits of magnitude up to 1e4",
    )
    check_no_warnings(
        student,
        "cross_entropy_loss",
        (logits, labels),
        "cross_entropy_loss(logits, labels) for logits up to 1e4",
    )


def test_cross_entropy_loss_one_example(student, ref):
    """cross_entropy_loss: a one-example batch and equal logits"""
    _check_ce(
        student,
        ref,
        np.array([[0.5, -1.0, 2.0, 0.0]]),
        np.array([2]),
        "cross_entropy_loss(logits, labels) for one example, C=4",
    )
    _check_ce(
        student,
        ref,
        np.zeros((3, 4)),
        np.array([0, 3, 1]),
        "cross_entropy_loss(zeros((3, 4)), labels)",
    )


@property_test
def test_cross_entropy_loss_leaves_inputs_alone(student, ref):
    """cross_entropy_loss: does not modify logits or labels"""
    logits, labels = ce_case(62, n=5, c=3)
    got, after, _ = student.cross_entropy_loss.with_inputs(logits, labels)
    check_float("cross_entropy_loss(logits, labels)", got, ref.cross_entropy_loss(logits, labels))
    check_unmodified("cross_entropy_loss(logits, labels)", (logits, labels), after)


@points(2)
def test_cross_entropy_loss_grad_random(student, ref):
    """cross_entropy_loss_grad: matches torch autograd for N=7, C=5"""
    logits, labels = ce_case(63)
    _check_ce_grad(
        student, ref, logits, labels, "cross_entropy_loss_grad(logits, labels) for logits (7, 5)"
    )


def test_cross_entropy_loss_grad_large_logits(student, ref):
    """cross_entropy_loss_grad: no overflow for logits around 1000 and up to 1e4; one example"""
    logits, labels = ce_case(64, n=4, c=3, shift=1000.0)
    _check_ce_grad(
        student,
        ref,
        logits,
        labels,
        "cross_entropy_loss_grad(logits, labels) for logits around 1000",
    )
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [0.0, 5e3, -5e3]])
    _check_ce_grad(
        student,
        ref,
        logits,
        np.array([1, 2, 1]),
        "cross_entropy_loss_grad(logits, labels) for logits up to 1e4",
    )
    _check_ce_grad(
        student,
        ref,
        np.array([[0.5, -1.0, 2.0, 0.0]]),
        np.array([0]),
        "cross_entropy_loss_grad(logits, labels) for one example",
    )


def test_cross_entropy_loss_grad_finite_differences(student, ref):
    """cross_entropy_loss_grad: agrees with central differences of cross_entropy_loss"""
    logits, labels = ce_case(65, n=6, c=4)
    want = central_differences(lambda v: ref.cross_entropy_loss(v, labels), logits)
    check_array(
        "cross_entropy_loss_grad(logits, labels) vs central differences",
        student.cross_entropy_loss_grad(logits, labels),
        want,
        **FD_TOL,
        likely={NOT_DIVIDED: want * len(labels)},
    )


@property_test
def test_cross_entropy_loss_grad_leaves_inputs_alone(student, ref):
    """cross_entropy_loss_grad: does not modify logits or labels"""
    logits, labels = ce_case(66, n=5, c=3)
    got, after, _ = student.cross_entropy_loss_grad.with_inputs(logits, labels)
    check_array(
        "cross_entropy_loss_grad(logits, labels)", got, ref.cross_entropy_loss_grad(logits, labels)
    )
    check_unmodified("cross_entropy_loss_grad(logits, labels)", (logits, labels), after)


# ---- binary cross-entropy on probabilities ----------------------------------------------


def bce_case(seed, shape=(4, 3)):
    g = rng(seed)
    probs = g.uniform(0.02, 0.98, size=shape)
    targets = g.integers(0, 2, size=shape).astype(np.float64)
    targets.flat[::3] = g.uniform(size=targets.flat[::3].shape)  # some soft targets
    return probs, targets


def _clipped_bce(p, t, eps):
    q = np.clip(p, eps, 1 - eps)
    return float(-np.mean(t * np.log(q) + (1 - t) * np.log(1 - q)))


@points(2)
def test_bce_loss_random(student, ref):
    """bce_loss: a float equal to torch's binary_cross_entropy (hard and soft targets)"""
    probs, targets = bce_case(70)
    t_loss, _ = torch_loss("bce", probs, targets)
    check_loss(
        "bce_loss(probs, targets) for shape (4, 3)",
        student.bce_loss(probs, targets),
        ref.bce_loss(probs, targets),
        t_loss,
    )


@points(2)
def test_bce_loss_exact_zero_and_one(student, ref):
    """bce_loss: probabilities exactly 0 and 1 give torch's finite values (log clamped at -100)"""
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.5])
    targets = np.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.6, 1.0])
    t_loss, _ = torch_loss("bce", probs, targets)
    likely = {
        f"p was clipped to [{eps:g}, 1 - {eps:g}]; torch instead clamps each log term "
        "at -100": _clipped_bce(probs, targets, eps)
        for eps in (1e-7, 1e-8, 1e-12, 1e-15)
    }
    check_loss(
        "bce_loss(probs, targets) with probabilities exactly 0 and 1",
        student.bce_loss(probs, targets),
        ref.bce_loss(probs, targets),
        t_loss,
        overflow=BCE_CLAMP,
        likely=likely,
    )
    for p, t in (([0.0], [0.0]), ([1.0], [1.0]), ([0.0, 1.0], [1.0, 0.0])):
        p, t = np.array(p), np.array(t)
        t_loss, _ = torch_loss("bce", p, t)
        check_loss(
            f"bce_loss({p.tolist()}, {t.tolist()})",
            student.bce_loss(p, t),
            ref.bce_loss(p, t),
            t_loss,
            overflow=BCE_CLAMP,
        )


def test_bce_loss_tiny_probabilities(student, ref):
    """bce_loss: clamps log(1e-50) = -115 at -100, as torch does"""
    probs = np.array([[1e-50, 1e-300], [1 - 1e-16, 1e-20]])
    targets = np.array([[1.0, 1.0], [0.0, 1.0]])
    t_loss, _ = torch_loss("bce", probs, targets)
    check_loss(
        "bce_loss(probs, targets) with probabilities like 1e-50",
        student.bce_loss(probs, targets),
        ref.bce_loss(probs, targets),
        t_loss,
        overflow=BCE_CLAMP,
        likely={
            "the log terms were not clamped at -100": float(
                -np.mean(targets * np.log(probs) + (1 - targets) * np.log1p(-probs))
            )
        },
    )


@property_test
def test_bce_loss_leaves_inputs_alone(student, ref):
    """bce_loss: does not modify probs or targets"""
    probs, targets = bce_case(71, shape=(5,))
    got, after, _ = student.bce_loss.with_inputs(probs, targets)
    check_float("bce_loss(probs, targets)", got, ref.bce_loss(probs, targets))
    check_unmodified("bce_loss(probs, targets)", (probs, targets), after)


@points(2)
def test_bce_loss_grad_random(student, ref):
    """bce_loss_grad: matches torch autograd of binary_cross_entropy"""
    probs, targets = bce_case(72)
    _, t_grad = torch_loss("bce", probs, targets)
    want = ref.bce_loss_grad(probs, targets)
    check_grad(
        "bce_loss_grad(probs, targets) for shape (4, 3)",
        student.bce_loss_grad(probs, targets),
        want,
        t_grad,
        likely={NOT_DIVIDED + " (the number of elements)": want * probs.size},
    )


def test_bce_loss_grad_exact_zero_and_one(student, ref):
    """bce_loss_grad: at probabilities exactly 0 and 1 guards the denominator with 1e-12"""
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1e-50])
    targets = np.array([0.0, 1.0, 1.0, 0.0, 0.25, 0.5, 1.0])
    _, t_grad = torch_loss("bce", probs, targets)
    check_grad(
        "bce_loss_grad(probs, targets) with probabilities exactly 0 and 1",
        student.bce_loss_grad(probs, targets),
        ref.bce_loss_grad(probs, targets),
        t_grad,
        overflow="divide by max(p * (1 - p), 1e-12), as torch does, so that p = 0 or 1 "
        "gives finite values",
    )


def test_bce_loss_grad_finite_differences(student, ref):
    """bce_loss_grad: agrees with central differences of bce_loss"""
    probs, targets = bce_case(73, shape=(3, 5))
    want = central_differences(lambda v: ref.bce_loss(v, targets), probs)
    check_array(
        "bce_loss_grad(probs, targets) vs central differences",
        student.bce_loss_grad(probs, targets),
        want,
        **FD_TOL,
        likely={NOT_DIVIDED + " (the number of elements)": want * probs.size},
    )


@property_test
def test_bce_loss_grad_leaves_inputs_alone(student, ref):
    """bce_loss_grad: does not modify probs or targets"""
    probs, targets = bce_case(74, shape=(5,))
    got, after, _ = student.bce_loss_grad.with_inputs(probs, targets)
    check_array("bce_loss_grad(probs, targets)", got, ref.bce_loss_grad(probs, targets))
    check_unmodified("bce_loss_grad(probs, targets)", (probs, targets), after)


# ---- binary cross-entropy with logits -----------------------------------------------------


def bcel_case(seed, shape=(4, 3), scale=3.0):
    g = rng(seed)
    logits = g.normal(scale=scale, size=shape)
    targets = g.integers(0, 2, size=shape).astype(np.float64)
    targets.flat[::4] = g.uniform(size=targets.flat[::4].shape)
    return logits, targets


LARGE_LOGITS = np.array([[1e4, -1e4, 1000.0, -1000.0], [40.0, -40.0, 0.0, 710.0]])
LARGE_TARGETS = np.array([[0.0, 1.0, 0.3, 1.0], [0.0, 1.0, 0.5, 0.0]])
UNSTABLE_BCEL = (
    "the loss went through sigmoid and log (or exp of a large positive number): "
    "use max(z, 0) - z * t + log1p(exp(-|z|))"
)


@points(2)
def test_bce_with_logits_loss_random(student, ref):
    """bce_with_logits_loss: a float equal to torch's binary_cross_entropy_with_logits"""
    logits, targets = bcel_case(80)
    t_loss, _ = torch_loss("bce_with_logits", logits, targets)
    check_loss(
        "bce_with_logits_loss(logits, targets) for shape (4, 3)",
        student.bce_with_logits_loss(logits, targets),
        ref.bce_with_logits_loss(logits, targets),
        t_loss,
    )


@points(2)
def test_bce_with_logits_loss_large_logits(student, ref):
    """bce_with_logits_loss: exact and finite for logits up to ±1e4, without warnings"""
    t_loss, _ = torch_loss("bce_with_logits", LARGE_LOGITS, LARGE_TARGETS)
    check_loss(
        "bce_with_logits_loss(logits, targets) for logits up to ±1e4",
        student.bce_with_logits_loss(LARGE_LOGITS, LARGE_TARGETS),
        ref.bce_with_logits_loss(LARGE_LOGITS, LARGE_TARGETS),
        t_loss,
        overflow=UNSTABLE_BCEL,
    )
    z, t = np.array([40.0]), np.array([0.0])
    t_loss, _ = torch_loss("bce_with_logits", z, t)
    check_loss(
        "bce_with_logits_loss([40.0], [0.0])",
        student.bce_with_logits_loss(z, t),
        ref.bce_with_logits_loss(z, t),
        t_loss,
        likely={
            "sigmoid(40) rounds to 1.0: the loss went through bce_loss(sigmoid(z)) "
            "instead of the stable formula": 100.0
        },
    )
    check_no_warnings(
        student,
        "bce_with_logits_loss",
        (LARGE_LOGITS, LARGE_TARGETS),
        "bce_with_logits_loss(logits, targets) for logits up to ±1e4",
    )


@property_test
def test_bce_with_logits_loss_leaves_inputs_alone(student, ref):
    """bce_with_logits_loss: does not modify logits or targets"""
    logits, targets = bcel_case(81, shape=(6,))
    got, after, _ = student.bce_with_logits_loss.with_inputs(logits, targets)
    check_float(
        "bce_with_logits_loss(logits, targets)", got, ref.bce_with_logits_loss(logits, targets)
    )
    check_unmodified("bce_with_logits_loss(logits, targets)", (logits, targets), after)


@points(2)
def test_bce_with_logits_loss_grad_random(student, ref):
    """bce_with_logits_loss_grad: matches torch autograd of binary_cross_entropy_with_logits"""
    logits, targets = bcel_case(82)
    _, t_grad = torch_loss("bce_with_logits", logits, targets)
    want = ref.bce_with_logits_loss_grad(logits, targets)
    check_grad(
        "bce_with_logits_loss_grad(logits, targets) for shape (4, 3)",
        student.bce_with_logits_loss_grad(logits, targets),
        want,
        t_grad,
        likely={NOT_DIVIDED + " (the number of elements)": want * logits.size},
    )


def test_bce_with_logits_loss_grad_large_logits(student, ref):
    """bce_with_logits_loss_grad: finite and exact for logits up to ±1e4 and one element"""
    _, t_grad = torch_loss("bce_with_logits", LARGE_LOGITS, LARGE_TARGETS)
    check_grad(
        "bce_with_logits_loss_grad(logits, targets) for logits up to ±1e4",
        student.bce_with_logits_loss_grad(LARGE_LOGITS, LARGE_TARGETS),
        ref.bce_with_logits_loss_grad(LARGE_LOGITS, LARGE_TARGETS),
        t_grad,
        overflow=UNSTABLE_BCEL,
    )
    check_no_warnings(
        student,
        "bce_with_logits_loss_grad",
        (LARGE_LOGITS, LARGE_TARGETS),
        "bce_with_logits_loss_grad(logits, targets) for logits up to ±1e4",
    )
    z, t = np.array([0.0]), np.array([1.0])
    _, t_grad = torch_loss("bce_with_logits", z, t)
    check_grad(
        "bce_with_logits_loss_grad([0.0], [1.0])",
        student.bce_with_logits_loss_grad(z, t),
        ref.bce_with_logits_loss_grad(z, t),
        t_grad,
    )


def test_bce_with_logits_loss_grad_finite_differences(student, ref):
    """bce_with_logits_loss_grad: agrees with central differences of bce_with_logits_loss"""
    logits, targets = bcel_case(83, shape=(3, 5))
    want = central_differences(lambda v: ref.bce_with_logits_loss(v, targets), logits)
    check_array(
        "bce_with_logits_loss_grad(logits, targets) vs central differences",
        student.bce_with_logits_loss_grad(logits, targets),
        want,
        **FD_TOL,
        likely={NOT_DIVIDED + " (the number of elements)": want * logits.size},
    )


@property_test
def test_bce_with_logits_loss_grad_leaves_inputs_alone(student, ref):
    """bce_with_logits_loss_grad: does not modify logits or targets"""
    logits, targets = bcel_case(84, shape=(6,))
    got, after, _ = student.bce_with_logits_loss_grad.with_inputs(logits, targets)
    check_array(
        "bce_with_logits_loss_grad(logits, targets)",
        got,
        ref.bce_with_logits_loss_grad(logits, targets),
    )
    check_unmodified("bce_with_logits_loss_grad(logits, targets)", (logits, targets), after)


# ---- the whole network ---------------------------------------------------------------------


def mlp_case(seed, sizes=(5, 7, 4, 3), n=6):
    """x (N, D), labels (N,) and params for layer sizes; N, D, hidden and C all different."""
    g = rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        k = 1 / np.sqrt(n_in)
        params.append((g.uniform(-2 * k, 2 * k, size=(n_out, n_in)), g.uniform(-k, k, size=n_out)))
    x = g.normal(size=(n, sizes[0]))
    labels = g.integers(0, sizes[-1], size=n)
    return x, labels, params


def grads_without_activation_derivative(ref, x, labels, params, activation):
    """What a backward pass that forgets to go back through the activation returns."""
    phi = ref.ACTIVATIONS[activation]
    h, inputs = np.asarray(x, dtype=np.float64), []
    for index, (W, b) in enumerate(params):
        inputs.append(h)
        z = ref.linear_forward(h, W, b)
        if index < len(params) - 1:
            h = phi(z)
    dz = ref.cross_entropy_loss_grad(z, labels)
    grads = [None] * len(params)
    for index in reversed(range(len(params))):
        dz, dW, db = ref.linear_backward(dz, inputs[index], params[index][0])
        grads[index] = (dW, db)
    return grads


def _mlp_parts(what, got, params):
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(f"{what}: expected a pair (loss, grads), got {describe(got)}")
    loss, grads = got
    if not (isinstance(grads, (list, tuple)) and len(grads) == len(params)):
        fail(
            f"{what}: grads should be a list with one (dW, db) pair per layer "
            f"({len(params)} layers), got {describe(grads)}"
        )
    for index, pair in enumerate(grads):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            fail(f"{what}: grads[{index}] should be a pair (dW, db), got {describe(pair)}")
    return loss, grads


def _check_mlp_grads(what, grads, want, n, also=None, skipped=None, **tol):
    """Every layer's (dW, db) against ``want`` (and torch's ``also``); ``skipped`` is what
    forgetting the activations' derivatives gives, ``n`` the batch size."""
    for index, (pair, want_pair) in enumerate(zip(grads, want)):
        for part, name in ((0, "dW"), (1, "db")):
            hints = {}
            if skipped is not None and index < len(want) - 1:
                hints[
                    "the backward pass skipped the activation's derivative: pass dh through "
                    "relu/tanh/sigmoid_backward (with the layer's pre-activation) before "
                    "the next linear_backward"
                ] = skipped[index][part]
            if part == 0:
                hints[DW_TRANSPOSED] = np.asarray(want_pair[0]).T
            else:
                hints[DB_AVERAGED] = np.asarray(want_pair[1]) / n
            if n > 1:
                hints[NOT_DIVIDED + " (the gradient of the mean loss)"] = n * np.asarray(
                    want_pair[part]
                )
            label = f"{what}: grads[{index}][{part}] ({name} of layer {index + 1})"
            check_array(label, pair[part], want_pair[part], likely=hints, **tol)
            if also is not None:
                check_array(f"{label} (compared with torch)", pair[part], also[index][part], **tol)


@points(3)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_mlp_loss_and_grads_values(student, ref, activation):
    """mlp_loss_and_grads: loss and every layer's (dW, db) match the reference and torch"""
    x, labels, params = mlp_case(90 + ACTIVATION_NAMES.index(activation))
    what = f"mlp_loss_and_grads(x, labels, params, {activation!r}) for sizes [5, 7, 4, 3], N=6"
    loss, grads = _mlp_parts(
        what, student.mlp_loss_and_grads(x, labels, params, activation), params
    )
    want_loss, want_grads = ref.mlp_loss_and_grads(x, labels, params, activation)
    t_loss, t_grads = torch_mlp(x, labels, params, activation)
    check_loss(f"{what}: the loss", loss, want_loss, t_loss)
    _check_mlp_grads(
        what,
        grads,
        want_grads,
        len(x),
        also=t_grads,
        skipped=grads_without_activation_derivative(ref, x, labels, params, activation),
    )


@points(2)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_mlp_loss_and_grads_finite_differences(student, ref, activation):
    """mlp_loss_and_grads: every weight and bias gradient agrees with central differences"""
    x, labels, params = mlp_case(95 + ACTIVATION_NAMES.index(activation), sizes=(3, 6, 5, 4), n=7)
    what = f"mlp_loss_and_grads(x, labels, params, {activation!r}) vs central differences"
    _, grads = _mlp_parts(what, student.mlp_loss_and_grads(x, labels, params, activation), params)

    def loss_with(layer, part):
        def loss(value):
            trial = [list(p) for p in params]
            trial[layer][part] = value
            return ref.cross_entropy_loss(ref.mlp_forward(x, trial, activation), labels)

        return loss

    numeric = [
        tuple(central_differences(loss_with(i, part), params[i][part]) for part in (0, 1))
        for i in range(len(params))
    ]
    _check_mlp_grads(
        what,
        grads,
        numeric,
        len(x),
        **FD_TOL,
        skipped=grads_without_activation_derivative(ref, x, labels, params, activation),
    )


def test_mlp_loss_and_grads_single_layer(student, ref):
    """mlp_loss_and_grads: a network of one linear layer (no activation at all)"""
    x, labels, params = mlp_case(98, sizes=(4, 3), n=5)
    what = "mlp_loss_and_grads(x, labels, params) for one layer 4 -> 3"
    loss, grads = _mlp_parts(what, student.mlp_loss_and_grads(x, labels, params, "sigmoid"), params)
    want_loss, want_grads = ref.mlp_loss_and_grads(x, labels, params, "sigmoid")
    t_loss, t_grads = torch_mlp(x, labels, params, "sigmoid")
    check_loss(f"{what}: the loss", loss, want_loss, t_loss)
    _check_mlp_grads(what, grads, want_grads, len(x), also=t_grads)


def test_mlp_loss_and_grads_one_example(student, ref):
    """mlp_loss_and_grads: a one-example batch through a deeper network"""
    x, labels, params = mlp_case(99, sizes=(3, 5, 6, 4, 2), n=1)
    what = "mlp_loss_and_grads(x, labels, params, 'relu') for one example, sizes [3, 5, 6, 4, 2]"
    loss, grads = _mlp_parts(what, student.mlp_loss_and_grads(x, labels, params, "relu"), params)
    want_loss, want_grads = ref.mlp_loss_and_grads(x, labels, params, "relu")
    t_loss, t_grads = torch_mlp(x, labels, params, "relu")
    check_loss(f"{what}: the loss", loss, want_loss, t_loss)
    _check_mlp_grads(what, grads, want_grads, len(x), also=t_grads)


@property_test
def test_mlp_loss_and_grads_leaves_inputs_alone(student, ref):
    """mlp_loss_and_grads: does not modify x, labels or params"""
    x, labels, params = mlp_case(100)
    what = "mlp_loss_and_grads(x, labels, params, 'tanh')"
    got, after, _ = student.mlp_loss_and_grads.with_inputs(x, labels, params, "tanh")
    loss, _ = _mlp_parts(what, got, params)
    check_float(f"{what}: the loss", loss, ref.mlp_loss_and_grads(x, labels, params, "tanh")[0])
    check_unmodified(what, (x, labels), after[:2])
    params_after = after[2]
    same = (
        isinstance(params_after, list)
        and len(params_after) == len(params)
        and all(
            isinstance(pa, (list, tuple))
            and len(pa) == 2
            and all(
                isinstance(a, np.ndarray) and a.shape == p.shape and np.array_equal(a, p)
                for a, p in zip(pa, pair)
            )
            for pa, pair in zip(params_after, params)
        )
    )
    if not same:
        fail(
            f"{what} changed params in place; computing gradients must leave the weights "
            "and biases as they were (work on new arrays)."
        )


# ---- numerical_gradient --------------------------------------------------------------------

# The analytic gradients of the probe's functions live here, out of the worker's reach. The
# quadratic form's A and c are drawn here and handed to the probe.


def quadratic_parts(size):
    """A fixed symmetric positive definite A (with large diagonal) and c for a given size."""
    g = np.random.default_rng(1000 + size)
    m = g.normal(size=(size, size))
    return m @ m.T + size * np.eye(size), g.normal(size=size)


def quadratic(x):
    """0.5 x.A.x + c.x over the entries of x (the function the probe builds from A and c)."""
    v = np.asarray(x, dtype=np.float64).ravel()
    A, c = quadratic_parts(v.size)
    return float(0.5 * v @ A @ v + c @ v)


def quadratic_grad(x):
    x = np.asarray(x, dtype=np.float64)
    A, c = quadratic_parts(x.size)
    return (A @ x.ravel() + c).reshape(x.shape)


def sines_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return np.sin(2 * x) + 2 * x * np.cos(2 * x)


def cubic_grad(x):
    return 3 * np.asarray(x, dtype=np.float64) ** 2


def mixed_grad(x):
    x = np.asarray(x, dtype=np.float64)
    ramp = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    return np.exp(x / 2) / 2 + 2 * np.sum(x * ramp) * ramp


def _numgrad(student, function, x, h=None):
    """The student's numerical_gradient of the probe's ``function`` at x, via the probe."""
    what = f"numerical_gradient({function}, x of shape {x.shape}" + (
        f", h={h:g})" if h is not None else ")"
    )
    parts = list(quadratic_parts(x.size)) if function == "quadratic" else None
    result = student.probe("backprop.numerical_gradient", function, x, h, parts)
    if not (isinstance(result, dict) and {"grad", "x_after", "calls"} <= result.keys()):
        fail(f"{what}: the grader could not read the result")
    return what, result


def _check_restored(what, x, result):
    after = result["x_after"]
    if not (isinstance(after, np.ndarray) and after.shape == x.shape and np.array_equal(after, x)):
        index = ""
        if isinstance(after, np.ndarray) and after.shape == x.shape:
            bad = tuple(np.argwhere(after != x)[0])
            index = (
                f" (entry {[int(i) for i in bad]} was {float(x[bad])!r} before the call "
                f"and {float(after[bad])!r} after it)"
            )
        fail(
            f"{what}: x does not hold its original values afterwards{index}. This looks like: "
            f"{X_CHANGED} (restore each entry to its saved original value; subtracting h "
            "again is not exact in floating point)."
        )


@points(2)
def test_numerical_gradient_quadratic(student, ref):
    """numerical_gradient: matches the analytic gradient of a quadratic form (default h)"""
    x = rng(110).normal(size=6)
    what, result = _numgrad(student, "quadratic", x)
    check_array(what, result["grad"], quadratic_grad(x), rtol=1e-6, atol=1e-7)


@points(2)
def test_numerical_gradient_matrix_input(student, ref):
    """numerical_gradient: works on a 2-D x, one entry at a time (x sin 2x, and a coupled f)"""
    x = rng(111).normal(size=(3, 4))
    what, result = _numgrad(student, "sines", x)
    check_array(what, result["grad"], sines_grad(x), rtol=1e-6, atol=1e-7)
    what, result = _numgrad(student, "mixed", x)
    check_array(what, result["grad"], mixed_grad(x), rtol=1e-6, atol=1e-7)
    _check_restored(what, x, result)


@points(2)
def test_numerical_gradient_central_differences(student, ref):
    """numerical_gradient: uses central differences (exact for a quadratic even with h=1e-3)"""
    x = rng(112).normal(size=5)
    h = 1e-3
    what, result = _numgrad(student, "quadratic", x, h)
    forward = forward_differences(quadratic, x, h)
    got = result["grad"]
    if (
        isinstance(got, np.ndarray)
        and got.shape == x.shape
        and result["calls"] == x.size + 1
        and not np.allclose(got, quadratic_grad(x), rtol=1e-7, atol=1e-8)
    ):
        fail(
            f"{what}: f was called {x.size + 1} times for {x.size} entries, and the gradient "
            f"is off by about h. This looks like: {FORWARD_DIFF} "
            "((f(x + h) - f(x - h)) / (2 h) has an error of order h², (f(x + h) - f(x)) / h "
            "one of order h)."
        )
    check_array(what, got, quadratic_grad(x), rtol=1e-7, atol=1e-8, likely={FORWARD_DIFF: forward})


def test_numerical_gradient_uses_h(student, ref):
    """numerical_gradient: uses the step h it is given"""
    x = rng(113).normal(size=4)
    what, result = _numgrad(student, "cubic", x, 0.1)
    # the central difference of x**3 with step h is exactly 3 x**2 + h**2
    check_array(
        what,
        result["grad"],
        3 * x**2 + 0.01,
        rtol=1e-9,
        atol=1e-9,
        likely={
            "the given h was ignored (a fixed step was used)": 3 * x**2,
            FORWARD_DIFF: forward_differences(lambda v: float(np.sum(v**3)), x, 0.1),
        },
    )


@points(2)
@property_test
def test_numerical_gradient_restores_x(student, ref):
    """numerical_gradient: leaves x exactly as it was"""
    x = rng(114).normal(size=(4, 5)) * 10.0 ** rng(115).integers(-3, 4, size=(4, 5))
    what, result = _numgrad(student, "sines", x)
    check_array(what, result["grad"], sines_grad(x), rtol=1e-5, atol=1e-6)
    _check_restored(what, x, result)


# ---- relative_error --------------------------------------------------------------------------


def _check_relative_error(student, ref, a, b, what, likely=None):
    got = student.relative_error(a, b)
    want = ref.relative_error(a, b)
    if isinstance(got, float) and np.isnan(got):
        fail(
            f"{what}: got nan where the answer is {want!r}. This looks like: the 1e-8 floor "
            "in the denominator is missing (0 / 0 where both values are 0)."
        )
    check_float(what, got, want, rtol=1e-9, atol=1e-12, likely=likely)


@points(2)
def test_relative_error_values(student, ref):
    """relative_error: the maximum over entries of |a - b| / max(1e-8, |a| + |b|), a float"""
    g = rng(120)
    a = g.normal(size=(4, 6))
    b = a + g.normal(scale=1e-3, size=(4, 6)) * np.abs(a)
    both = np.abs(a - b) / (np.abs(a) + np.abs(b))
    _check_relative_error(
        student,
        ref,
        a,
        b,
        "relative_error(a, b) for arrays of shape (4, 6)",
        likely={"the mean over entries instead of the maximum": float(np.mean(both))},
    )
    _check_relative_error(student, ref, b, a, "relative_error(b, a) (it is symmetric)")
    check_float("relative_error(a, a)", student.relative_error(a, a), 0.0)


def test_relative_error_floor(student, ref):
    """relative_error: 0.0 for two zero arrays, and tiny values divided by the floor 1e-8"""
    _check_relative_error(student, ref, np.zeros(5), np.zeros(5), "relative_error(zeros, zeros)")
    a, b = np.array([1e-10, 0.0, 2.0]), np.array([3e-10, 0.0, 2.0])
    _check_relative_error(
        student,
        ref,
        a,
        b,
        "relative_error([1e-10, 0, 2], [3e-10, 0, 2])",
        likely={"the 1e-8 floor in the denominator is missing": 0.5},
    )


def test_relative_error_mean_versus_max(student, ref):
    """relative_error: one bad entry among many good ones is reported (the max, not the mean)"""
    a = np.linspace(1.0, 2.0, 50)
    b = a.copy()
    b[17] += 0.5
    _check_relative_error(
        student,
        ref,
        a,
        b,
        "relative_error(a, b) with one entry off by 0.5",
        likely={
            "the mean over entries instead of the maximum": float(
                np.mean(np.abs(a - b) / (np.abs(a) + np.abs(b)))
            )
        },
    )


def test_relative_error_scalars_and_inputs(student, ref):
    """relative_error: accepts scalars and does not modify its inputs"""
    _check_relative_error(student, ref, 1.0, 3.0, "relative_error(1.0, 3.0)")
    a, b = rng(121).normal(size=(2, 3)), rng(122).normal(size=(2, 3))
    got, after, _ = student.relative_error.with_inputs(a, b)
    check_float("relative_error(a, b)", got, ref.relative_error(a, b), rtol=1e-9)
    check_unmodified("relative_error(a, b)", (a, b), after)
