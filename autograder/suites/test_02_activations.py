"""Hidden suite for 02_activations (see docs/EXERCISES.md and autograder/grade/suite.py).

Every contract function is compared with the reference solution and with torch in float64
as an independent oracle (``torch.sigmoid``, ``torch.tanh``, ``torch.relu``,
``F.leaky_relu``, ``F.elu``, ``torch.softmax``; autograd for the derivatives), on seeded
inputs, at exactly 0 and -0.0, at magnitudes up to 1e4, and for Python scalars, lists and
integer arrays. Every derivative is also checked against central differences of the
student's own forward function (of the reference's, while the student's forward is wrong,
so that one bug does not cost twice).

Stability: a result of inf or nan where the answer is finite fails with an overflow
message, and the probes of ``autograder/inside/probes/activations.py`` run the function under
``warnings.catch_warnings`` so that an overflow on the way to a right-looking answer
(``1 / (1 + exp(1e4))`` is 0.0, after a warning) fails too.

torch is imported lazily (``_torch``) so that collecting the suite stays cheap; the
submission itself may not use torch (``check_no_banned_imports``).
"""

import numpy as np

from autograder.grade.suite import (
    check_array,
    check_no_banned_imports,
    check_not_a_copy_of,
    check_not_calling,
    check_unmodified,
    fail,
    points,
    property_test,
    rng,
    type_name,
)

FD_STEP = 1e-6
FD_TOL = {"rtol": 1e-5, "atol": 1e-7}  # derivative vs central differences

LARGE = np.array(
    [
        -1e4,
        -1000.0,
        -746.0,
        -710.0,
        -100.0,
        -30.0,
        -1.0,
        0.0,
        1.0,
        30.0,
        100.0,
        710.0,
        746.0,
        1000.0,
        1e4,
    ]
)
EDGE = np.array([0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, 7.0, -7.0])

# what the student reads when a result went non-finite, or numpy warned, on large inputs
OVERFLOW = {
    "sigmoid": "sigmoid overflowed for large |x|: exp(-x) is inf for x around -1000; use "
    "e = np.exp(-np.abs(x)), which lies in (0, 1], and pick 1 / (1 + e) or "
    "e / (1 + e) by the sign of x",
    "sigmoid_grad": "sigmoid_grad overflowed for large |x|: compute it from a stable sigmoid "
    "as s * (1 - s), never from exp(-x) of a large number",
    "tanh": "tanh overflowed for large |x|: (exp(x) - exp(-x)) / (exp(x) + exp(-x)) is "
    "inf / inf = nan; use e = np.exp(-2 * np.abs(x)), tanh(|x|) = (1 - e) / (1 + e), "
    "and put the sign of x back",
    "tanh_grad": "tanh_grad overflowed for large |x|: compute it as 1 - t ** 2 from a stable "
    "tanh t",
    "elu": "elu overflowed: np.where computes exp(x) for every entry, also where x > 0 and "
    "that branch is thrown away; take the exp of np.minimum(x, 0)",
    "elu_grad": "elu_grad overflowed: np.where computes exp(x) for every entry, also where "
    "x > 0 and that branch is thrown away; take the exp of np.minimum(x, 0)",
    "softmax": "softmax overflowed for logits around 1000: subtract the row maximum first "
    "(np.max along axis, keepdims=True)",
}
WHERE_TRAP = " (np.where computes both of its branches for every entry before choosing)"

RELU_AT_ZERO = "relu_grad at exactly 0 must be 0 (torch's convention): use x > 0, not x >= 0"
LEAKY_AT_ZERO = (
    "leaky_relu_grad at exactly 0 must be negative_slope (torch's convention): "
    "use x > 0, not x >= 0"
)
ELU_AT_ZERO = (
    "elu_grad at exactly 0 must be alpha * exp(0) = alpha (torch's convention): "
    "use x > 0, not x >= 0"
)
SOFTMAX_UNDERFLOW = (
    "softmax computed 0 / 0 for logits around -1000: every exp underflows to "
    "0; subtract the row maximum first, so the largest term is exp(0) = 1"
)
SLOPE_IGNORED = "negative_slope ignored (the default 0.01 was used)"
ALPHA_IGNORED = "alpha ignored (the default 1.0 was used)"


# ---- oracles and helpers --------------------------------------------------------------------


def _torch():
    import torch  # lazily: see the module docstring

    return torch


def torch_oracle(name, x, **params):
    """The value of ``name`` (a contract function) at x by torch in float64; the ``_grad``
    functions by autograd (the functions are elementwise, so d sum(f(x)) / dx = f'(x))."""
    torch = _torch()
    F = torch.nn.functional
    grad = name.endswith("_grad")
    base = name[: -len("_grad")] if grad else name
    forward = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, params.get("negative_slope", 0.01)),
        "elu": lambda t: F.elu(t, params.get("alpha", 1.0)),
        "softmax": lambda t: torch.softmax(t, dim=params.get("axis", -1)),
    }[base]
    t = torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, requires_grad=grad)
    y = forward(t)
    if not grad:
        return y.detach().numpy().copy()
    y.sum().backward()
    return t.grad.numpy().copy()


def _scalar_as_array(got, want):
    """For a scalar input, numpy arithmetic gives a numpy scalar rather than a 0-d array:
    accept either (its dtype is still checked: an np.int64 fails as "expected float64")."""
    if np.ndim(want) == 0 and isinstance(got, (int, float, np.generic)):
        return np.asarray(got)
    return got


def check_result(
    what, got, want, torch_want=None, *, overflow=None, likely=None, inputs=None, **tol
):
    """An array equal to the reference's and to torch's; inf/nan where the answer is finite
    fails with the ``overflow`` explanation."""
    want = np.asarray(want)
    got = _scalar_as_array(got, want)
    if (
        overflow
        and isinstance(got, np.ndarray)
        and got.shape == want.shape
        and got.dtype.kind == "f"
    ):
        bad = np.isfinite(want) & ~np.isfinite(got)
        if bad.any():
            index = tuple(np.argwhere(bad)[0])
            shown = ""
            if inputs is not None and np.shape(inputs) == want.shape:
                shown = f" (input there: {np.asarray(inputs)[index].item()!r})"
            fail(
                f"{what}: got {got[index].item()!r}{shown} where the answer is "
                f"{float(want[index]):.6g}. This looks like: {overflow}"
            )
    check_array(what, got, want, likely=likely, inputs=inputs, **tol)
    if torch_want is not None:
        check_array(f"{what} (compared with torch)", got, torch_want, inputs=inputs, **tol)


def compare(student, ref, name, x, what, *, likely=None, overflow=None, **params):
    """``name(x, **params)``: the student's result against the reference's and torch's."""
    got = getattr(student, name)(x, **params)
    want = getattr(ref, name)(x, **params)
    inputs = x if np.ndim(want) == np.ndim(x) and name != "softmax" else None
    check_result(
        what,
        got,
        want,
        torch_oracle(name, x, **params),
        overflow=overflow,
        likely=likely,
        inputs=inputs,
    )
    return got


def compare_stable(student, ref, name, x, what, *, likely=None, overflow=None, **params):
    """Like ``compare``, through the probe that records numpy's warnings: the values must be
    right, and no overflow (or invalid value) warning may be raised on the way. ``overflow``
    replaces the function's usual explanation of an inf/nan result or a warning."""
    reply = student.probe(f"activations.{name}", [x], params)
    if not (isinstance(reply, dict) and "value" in reply):
        fail(f"{what}: the grader could not read the result ({type_name(reply)}).")
    want = getattr(ref, name)(x, **params)
    inputs = x if name != "softmax" else None
    explanation = overflow or OVERFLOW.get(name, "an overflow")
    check_result(
        what,
        reply["value"],
        want,
        torch_oracle(name, x, **params),
        overflow=explanation,
        likely=likely,
        inputs=inputs,
    )
    caught = reply.get("warnings") or []
    if caught:
        hint = overflow or OVERFLOW.get(name, "compute it without exp of a large number")
        if name != "softmax" and "np.where" not in hint:
            hint += WHERE_TRAP
        fail(
            f"{what}: the values are right, but numpy warned '{caught[0]}' while computing "
            f"them. This looks like: {hint}."
        )


def check_slope(student, ref, name, x, what, **params):
    """The student's ``name_grad`` at x against central differences of the student's own
    ``name`` (of the reference's where the student's forward is wrong or missing)."""
    got = getattr(student, name + "_grad")(x, **params)
    ref_forward = getattr(ref, name)
    source = f"your {name}"
    try:
        plus = getattr(student, name)(x + FD_STEP, **params)
        minus = getattr(student, name)(x - FD_STEP, **params)
        usable = all(
            isinstance(v, np.ndarray)
            and v.shape == x.shape
            and np.allclose(v, ref_forward(x + s, **params), rtol=1e-9, atol=1e-12)
            for v, s in ((plus, FD_STEP), (minus, -FD_STEP))
        )
    except Exception:  # a stub or a crash: its own tests report it
        usable = False
    if not usable:
        plus, minus = ref_forward(x + FD_STEP, **params), ref_forward(x - FD_STEP, **params)
        source = f"{name} (the reference's: yours does not pass its own tests yet)"
    measured = (np.asarray(plus) - np.asarray(minus)) / (2 * FD_STEP)
    check_result(
        f"{what} compared with the slope of {source} measured by central differences "
        f"({name}(x + h) - {name}(x - h)) / 2h",
        got,
        measured,
        inputs=x,
        **FD_TOL,
    )


def check_inputs_unchanged(student, ref, name, x, what, **params):
    """The result is right (only a working function earns the point) and x is unchanged."""
    got, after, _ = getattr(student, name).with_inputs(x, **params)
    check_result(what, got, getattr(ref, name)(x, **params))
    check_unmodified(what, (x,), after)


def check_plain_inputs(student, ref, name, **params):
    """Python scalars (float and int), a nested list and an integer array."""
    for value in (0, 0.0, -0.0, 2.5, -3):
        compare(
            student,
            ref,
            name,
            value,
            f"{name}({value!r}{_kw(params)}) for a Python number",
            **params,
        )
    nested = [[-1.5, 0.0, 2.0], [3.0, -4.0, 0.25]]
    compare(
        student, ref, name, nested, f"{name}({nested}{_kw(params)}) for a nested list", **params
    )
    ints = np.array([[-3, 0, 2], [5, -1, 1]])
    compare(student, ref, name, ints, f"{name}(an int64 array{_kw(params)})", **params)


def _kw(params):
    return "".join(f", {k}={v!r}" for k, v in params.items())


def random_x(seed, shape=(3, 4, 5), scale=3.0, away_from_zero=0.0):
    x = rng(seed).normal(size=shape) * scale
    if away_from_zero:
        x = np.where(np.abs(x) < away_from_zero, np.sign(x + 1e-300) * (away_from_zero + 0.1), x)
    return x


# ---- sigmoid --------------------------------------------------------------------------------


def _sigmoid_likely(ref, x):
    return {
        "this is sigmoid(-x): the sign in exp is flipped (sigmoid(x) = 1 / (1 + exp(-x)), "
        "and e / (1 + e) is the branch for x < 0)": ref.sigmoid(-x),
        "returned the slope sigmoid(x) * (1 - sigmoid(x)) instead of sigmoid(x)": ref.sigmoid_grad(
            x
        ),
    }


@points(2)
def test_sigmoid_random(student, ref):
    """sigmoid: matches the reference and torch on a random (3, 4, 5) array"""
    x = random_x(1, scale=4.0)
    compare(
        student,
        ref,
        "sigmoid",
        x,
        "sigmoid(x) for x of shape (3, 4, 5)",
        likely=_sigmoid_likely(ref, x),
    )
    check_no_banned_imports(student, "sigmoid")


@points(2)
def test_sigmoid_large(student, ref):
    """sigmoid: stable for |x| up to 1e4 (no overflow, no warning, no nan)"""
    compare_stable(student, ref, "sigmoid", LARGE, "sigmoid(x) for x from -1e4 to 1e4")
    x = rng(2).uniform(-1e4, 1e4, size=(6, 4))
    compare_stable(
        student, ref, "sigmoid", x, "sigmoid(x) for x of shape (6, 4) uniform in [-1e4, 1e4]"
    )


def test_sigmoid_edge_cases(student, ref):
    """sigmoid: exact 0 and -0.0, tiny values, Python numbers, lists and int arrays"""
    compare(student, ref, "sigmoid", EDGE, "sigmoid(x) for x = [0.0, -0.0, 1e-300, ...]")
    check_plain_inputs(student, ref, "sigmoid")


@property_test
def test_sigmoid_leaves_input_alone(student, ref):
    """sigmoid: does not modify its input and returns float64"""
    check_inputs_unchanged(
        student, ref, "sigmoid", random_x(3, shape=(4, 6)), "sigmoid(x) for x of shape (4, 6)"
    )


# ---- sigmoid_grad ---------------------------------------------------------------------------


def _sigmoid_grad_likely(ref, x):
    s = ref.sigmoid(x)
    return {
        "sigmoid(x) * (1 + sigmoid(x)): the derivative is s * (1 - s)": s * (1 + s),
        "x * (1 - x): the formula uses s = sigmoid(x), not x itself": x * (1 - x),
        "sigmoid(x) * (1 - x): the formula uses s = sigmoid(x) in both places": s * (1 - x),
        "returned sigmoid(x) itself instead of its derivative": s,
    }


@points(2)
def test_sigmoid_grad_random(student, ref):
    """sigmoid_grad: matches the reference and torch autograd on a random (3, 4, 5) array"""
    x = random_x(4)
    compare(
        student,
        ref,
        "sigmoid_grad",
        x,
        "sigmoid_grad(x) for x of shape (3, 4, 5)",
        likely=_sigmoid_grad_likely(ref, x),
    )


def test_sigmoid_grad_finite_differences(student, ref):
    """sigmoid_grad: is the slope of sigmoid (central differences)"""
    check_slope(
        student, ref, "sigmoid", random_x(5, shape=(4, 7)), "sigmoid_grad(x) for x of shape (4, 7)"
    )


@points(2)
def test_sigmoid_grad_large_and_edge(student, ref):
    """sigmoid_grad: 0.25 at 0, stable for |x| up to 1e4, accepts numbers and lists"""
    compare(
        student,
        ref,
        "sigmoid_grad",
        EDGE,
        "sigmoid_grad(x) for x = [0.0, -0.0, ...]",
        likely=_sigmoid_grad_likely(ref, EDGE),
    )
    compare_stable(student, ref, "sigmoid_grad", LARGE, "sigmoid_grad(x) for x from -1e4 to 1e4")
    check_plain_inputs(student, ref, "sigmoid_grad")


@property_test
def test_sigmoid_grad_leaves_input_alone(student, ref):
    """sigmoid_grad: does not modify its input and returns float64"""
    check_inputs_unchanged(
        student,
        ref,
        "sigmoid_grad",
        random_x(6, shape=(5, 3)),
        "sigmoid_grad(x) for x of shape (5, 3)",
    )


# ---- tanh -----------------------------------------------------------------------------------

# every path to a library tanh the tripwire watches (the bits of the values catch the rest)
TANH_FUNCTIONS = ["numpy.tanh", "numpy._core.umath.tanh", "math.tanh", "cmath.tanh"]


def _tanh_likely(ref, x):
    t = ref.tanh(x)
    return {
        "tanh(|x|): the sign of x was not put back (tanh is odd)": np.abs(t),
        "2 * sigmoid(x) - 1: the identity is tanh(x) = 2 * sigmoid(2x) - 1": 2 * ref.sigmoid(x) - 1,
        "the sign of x is flipped": -t,
    }


@points(2)
def test_tanh_random(student, ref):
    """tanh: matches the reference and torch on a random (3, 4, 5) array"""
    x = random_x(7)
    check_not_calling(student, "tanh", [x], TANH_FUNCTIONS)
    compare(
        student, ref, "tanh", x, "tanh(x) for x of shape (3, 4, 5)", likely=_tanh_likely(ref, x)
    )


@points(2)
def test_tanh_large(student, ref):
    """tanh: stable for |x| up to 1e4 (no overflow, no warning, no nan)"""
    compare_stable(
        student,
        ref,
        "tanh",
        LARGE,
        "tanh(x) for x from -1e4 to 1e4",
        likely=_tanh_likely(ref, LARGE),
    )
    x = rng(8).uniform(-1e4, 1e4, size=(3, 7))
    compare_stable(student, ref, "tanh", x, "tanh(x) for x of shape (3, 7) uniform in [-1e4, 1e4]")


@points(2)
@property_test
def test_tanh_not_from_a_library(student, ref):
    """tanh: built from exp, without np.tanh, math.tanh, scipy or torch"""
    x = random_x(9, shape=(2, 5))
    check_not_calling(student, "tanh", [x], TANH_FUNCTIONS)
    check_not_calling(student, "tanh", [1.5], TANH_FUNCTIONS)
    check_no_banned_imports(student, "tanh")
    compare(student, ref, "tanh", x, "tanh(x) for x of shape (2, 5)")
    # Whatever route reached a library tanh (an alias, a default argument, np.vectorize, cmath),
    # its values are that library's to the last bit; a formula's differ in about half.
    import cmath
    import math

    many = rng(19).uniform(-3.0, 3.0, size=2000)
    check_not_a_copy_of(
        "tanh(x) for 2000 x uniform in [-3, 3]",
        student.tanh(many),
        {
            "np.tanh": np.tanh(many),
            "np.tanh, one number at a time": np.array([np.tanh(v) for v in many]),
            "math.tanh": np.array([math.tanh(v) for v in many]),
            "cmath.tanh": np.array([cmath.tanh(v).real for v in many]),
        },
    )


def test_tanh_edge_cases(student, ref):
    """tanh: exact 0 and -0.0, tiny values, odd symmetry, Python numbers, lists, int arrays"""
    compare(
        student,
        ref,
        "tanh",
        EDGE,
        "tanh(x) for x = [0.0, -0.0, 1e-300, ...]",
        likely=_tanh_likely(ref, EDGE),
    )
    check_plain_inputs(student, ref, "tanh")


@property_test
def test_tanh_leaves_input_alone(student, ref):
    """tanh: does not modify its input and returns float64"""
    check_inputs_unchanged(
        student, ref, "tanh", random_x(10, shape=(4, 6)), "tanh(x) for x of shape (4, 6)"
    )


# ---- tanh_grad ------------------------------------------------------------------------------


def _tanh_grad_likely(ref, x):
    t = ref.tanh(x)
    return {
        "1 - x ** 2: the formula is 1 - tanh(x) ** 2, in terms of tanh(x), not x": 1 - x * x,
        "1 + tanh(x) ** 2: the derivative is 1 - tanh(x) ** 2": 1 + t * t,
        "1 - tanh(x): the tanh must be squared": 1 - t,
        "returned tanh(x) itself instead of its derivative": t,
    }


@points(2)
def test_tanh_grad_random(student, ref):
    """tanh_grad: matches the reference and torch autograd on a random (3, 4, 5) array"""
    x = random_x(11, scale=2.0)
    compare(
        student,
        ref,
        "tanh_grad",
        x,
        "tanh_grad(x) for x of shape (3, 4, 5)",
        likely=_tanh_grad_likely(ref, x),
    )


def test_tanh_grad_finite_differences(student, ref):
    """tanh_grad: is the slope of tanh (central differences)"""
    check_slope(
        student,
        ref,
        "tanh",
        random_x(12, shape=(4, 7), scale=2.0),
        "tanh_grad(x) for x of shape (4, 7)",
    )


@points(2)
def test_tanh_grad_large_and_edge(student, ref):
    """tanh_grad: 1 at 0, stable for |x| up to 1e4, accepts numbers and lists"""
    compare(
        student,
        ref,
        "tanh_grad",
        EDGE,
        "tanh_grad(x) for x = [0.0, -0.0, ...]",
        likely=_tanh_grad_likely(ref, EDGE),
    )
    compare_stable(
        student,
        ref,
        "tanh_grad",
        LARGE,
        "tanh_grad(x) for x from -1e4 to 1e4",
        likely=_tanh_grad_likely(ref, LARGE),
    )
    check_plain_inputs(student, ref, "tanh_grad")


@property_test
def test_tanh_grad_leaves_input_alone(student, ref):
    """tanh_grad: does not modify its input and returns float64"""
    check_inputs_unchanged(
        student, ref, "tanh_grad", random_x(13, shape=(5, 3)), "tanh_grad(x) for x of shape (5, 3)"
    )


# ---- relu -----------------------------------------------------------------------------------


def _relu_likely(ref, x):
    return {
        "the comparison is reversed: relu keeps the positive entries": np.minimum(x, 0.0),
        "returned the slope (0 or 1) instead of max(0, x)": ref.relu_grad(x),
    }


@points(2)
def test_relu_random(student, ref):
    """relu: matches the reference and torch on a random (3, 4, 5) array"""
    x = random_x(14)
    compare(
        student, ref, "relu", x, "relu(x) for x of shape (3, 4, 5)", likely=_relu_likely(ref, x)
    )


def test_relu_zero_and_large(student, ref):
    """relu: exact 0 and -0.0, tiny and large magnitudes up to 1e4"""
    compare(
        student,
        ref,
        "relu",
        EDGE,
        "relu(x) for x = [0.0, -0.0, 1e-300, ...]",
        likely=_relu_likely(ref, EDGE),
    )
    compare_stable(student, ref, "relu", LARGE, "relu(x) for x from -1e4 to 1e4")


def test_relu_numbers_lists_and_ints(student, ref):
    """relu: accepts Python numbers, nested lists and int arrays, returning float64"""
    check_plain_inputs(student, ref, "relu")


@property_test
def test_relu_leaves_input_alone(student, ref):
    """relu: does not modify its input (no zeroing in place)"""
    check_inputs_unchanged(
        student, ref, "relu", random_x(15, shape=(4, 6)), "relu(x) for x of shape (4, 6)"
    )


# ---- relu_grad ------------------------------------------------------------------------------


@points(2)
def test_relu_grad_random(student, ref):
    """relu_grad: matches the reference and torch autograd on a random (3, 4, 5) array"""
    x = random_x(16)
    compare(
        student,
        ref,
        "relu_grad",
        x,
        "relu_grad(x) for x of shape (3, 4, 5)",
        likely={
            "the comparison is reversed: the slope is 1 where x > 0": (x <= 0).astype(float),
            "returned relu(x) instead of its slope": ref.relu(x),
        },
    )


@points(2)
def test_relu_grad_at_zero(student, ref):
    """relu_grad: is 0 at exactly 0 and -0.0 (torch's convention)"""
    x = np.array([[0.0, -0.0, 1e-300], [-1e-300, 2.0, -2.0]])
    compare(
        student,
        ref,
        "relu_grad",
        x,
        "relu_grad(x) for x = [[0.0, -0.0, 1e-300], [-1e-300, 2.0, -2.0]]",
        likely={RELU_AT_ZERO: (x >= 0).astype(float)},
    )
    compare(
        student, ref, "relu_grad", 0.0, "relu_grad(0.0)", likely={RELU_AT_ZERO: np.asarray(1.0)}
    )


def test_relu_grad_finite_differences(student, ref):
    """relu_grad: is the slope of relu away from 0 (central differences)"""
    check_slope(
        student,
        ref,
        "relu",
        random_x(17, shape=(4, 7), away_from_zero=0.01),
        "relu_grad(x) for x of shape (4, 7)",
    )


def test_relu_grad_inputs(student, ref):
    """relu_grad: accepts numbers, lists, int arrays, values up to 1e4; leaves x alone"""
    check_plain_inputs(student, ref, "relu_grad")
    compare_stable(student, ref, "relu_grad", LARGE, "relu_grad(x) for x from -1e4 to 1e4")
    check_inputs_unchanged(
        student, ref, "relu_grad", random_x(18, shape=(4, 6)), "relu_grad(x) for x of shape (4, 6)"
    )


# ---- leaky_relu -----------------------------------------------------------------------------


def _leaky_likely(ref, x, slope):
    return {
        SLOPE_IGNORED: ref.leaky_relu(x),
        "the negative entries were zeroed as in relu: multiply them by negative_slope": ref.relu(x),
        "negative_slope multiplied the positive entries instead of the negative ones": np.where(
            x > 0, slope * x, x
        ),
    }


@points(2)
def test_leaky_relu_random(student, ref):
    """leaky_relu: matches the reference and torch on a random (3, 4, 5) array"""
    x = random_x(19)
    compare(
        student,
        ref,
        "leaky_relu",
        x,
        "leaky_relu(x) for x of shape (3, 4, 5)",
        likely=_leaky_likely(ref, x, 0.01),
    )


@points(2)
def test_leaky_relu_negative_slope(student, ref):
    """leaky_relu: uses the negative_slope it is given"""
    x = random_x(20, shape=(6, 4))
    for slope in (0.2, 0.5, 0.0):
        compare(
            student,
            ref,
            "leaky_relu",
            x,
            f"leaky_relu(x, negative_slope={slope}) for x of shape (6, 4)",
            likely=_leaky_likely(ref, x, slope),
            negative_slope=slope,
        )


def test_leaky_relu_slope_above_one(student, ref):
    """leaky_relu: follows its definition also for negative_slope > 1"""
    x = random_x(21, shape=(4, 3))
    compare(
        student,
        ref,
        "leaky_relu",
        x,
        "leaky_relu(x, negative_slope=2.0) for x of shape (4, 3)",
        negative_slope=2.0,
        likely={
            "np.maximum(x, negative_slope * x) equals leaky_relu only while "
            "negative_slope <= 1: use np.where(x > 0, x, negative_slope * x)": np.maximum(
                x, 2.0 * x
            )
        },
    )


def test_leaky_relu_edge_cases(student, ref):
    """leaky_relu: exact 0 and -0.0, magnitudes up to 1e4, numbers, lists and int arrays"""
    compare(student, ref, "leaky_relu", EDGE, "leaky_relu(x) for x = [0.0, -0.0, 1e-300, ...]")
    compare_stable(
        student,
        ref,
        "leaky_relu",
        LARGE,
        "leaky_relu(x, negative_slope=0.1) for x from -1e4 to 1e4",
        negative_slope=0.1,
    )
    check_plain_inputs(student, ref, "leaky_relu")


@property_test
def test_leaky_relu_leaves_input_alone(student, ref):
    """leaky_relu: does not modify its input"""
    check_inputs_unchanged(
        student,
        ref,
        "leaky_relu",
        random_x(22, shape=(4, 6)),
        "leaky_relu(x, negative_slope=0.3) for x of shape (4, 6)",
        negative_slope=0.3,
    )


# ---- leaky_relu_grad ------------------------------------------------------------------------


def test_leaky_relu_grad_random(student, ref):
    """leaky_relu_grad: matches the reference and torch autograd on a random (3, 4, 5) array"""
    x = random_x(23)
    compare(
        student,
        ref,
        "leaky_relu_grad",
        x,
        "leaky_relu_grad(x) for x of shape (3, 4, 5)",
        likely={
            "the slope is 0 on the left as in relu_grad: it is negative_slope": ref.relu_grad(x),
            "returned leaky_relu(x) instead of its slope": ref.leaky_relu(x),
        },
    )


@points(2)
def test_leaky_relu_grad_negative_slope(student, ref):
    """leaky_relu_grad: uses the negative_slope it is given"""
    x = random_x(24, shape=(6, 4))
    for slope in (0.2, 0.5):
        compare(
            student,
            ref,
            "leaky_relu_grad",
            x,
            f"leaky_relu_grad(x, negative_slope={slope}) for x of shape (6, 4)",
            likely={SLOPE_IGNORED: ref.leaky_relu_grad(x)},
            negative_slope=slope,
        )


@points(2)
def test_leaky_relu_grad_at_zero(student, ref):
    """leaky_relu_grad: is negative_slope at exactly 0 and -0.0 (torch's convention)"""
    x = np.array([[0.0, -0.0, 1e-300], [-1e-300, 2.0, -2.0]])
    for slope in (0.01, 0.25):
        compare(
            student,
            ref,
            "leaky_relu_grad",
            x,
            f"leaky_relu_grad(x, negative_slope={slope}) for x = [[0.0, -0.0, 1e-300], "
            "[-1e-300, 2.0, -2.0]]",
            negative_slope=slope,
            likely={LEAKY_AT_ZERO: np.where(x >= 0, 1.0, slope)},
        )


def test_leaky_relu_grad_finite_differences(student, ref):
    """leaky_relu_grad: is the slope of leaky_relu away from 0 (central differences)"""
    check_slope(
        student,
        ref,
        "leaky_relu",
        random_x(25, shape=(4, 7), away_from_zero=0.01),
        "leaky_relu_grad(x, negative_slope=0.3) for x of shape (4, 7)",
        negative_slope=0.3,
    )


def test_leaky_relu_grad_inputs(student, ref):
    """leaky_relu_grad: accepts numbers, lists, int arrays, values up to 1e4; leaves x alone"""
    check_plain_inputs(student, ref, "leaky_relu_grad", negative_slope=0.1)
    compare_stable(
        student, ref, "leaky_relu_grad", LARGE, "leaky_relu_grad(x) for x from -1e4 to 1e4"
    )
    check_inputs_unchanged(
        student,
        ref,
        "leaky_relu_grad",
        random_x(26, shape=(4, 6)),
        "leaky_relu_grad(x) for x of shape (4, 6)",
    )


# ---- elu ------------------------------------------------------------------------------------


def _elu_likely(ref, x, alpha):
    left = np.minimum(x, 0.0)
    return {
        ALPHA_IGNORED: ref.elu(x),
        "alpha multiplied exp(x) but not the - 1: it is alpha * (exp(x) - 1)": np.where(
            x > 0, x, alpha * np.exp(left) - 1
        ),
        "the negative entries were zeroed as in relu": ref.relu(x),
        "the exponential branch was used for positive x too": alpha
        * np.expm1(np.minimum(x, 700.0)),
    }


@points(2)
def test_elu_random(student, ref):
    """elu: matches the reference and torch on a random (3, 4, 5) array"""
    x = random_x(27)
    compare(
        student, ref, "elu", x, "elu(x) for x of shape (3, 4, 5)", likely=_elu_likely(ref, x, 1.0)
    )


@points(2)
def test_elu_alpha(student, ref):
    """elu: uses the alpha it is given"""
    x = random_x(28, shape=(6, 4))
    for alpha in (0.5, 2.0):
        compare(
            student,
            ref,
            "elu",
            x,
            f"elu(x, alpha={alpha}) for x of shape (6, 4)",
            likely=_elu_likely(ref, x, alpha),
            alpha=alpha,
        )


@points(2)
def test_elu_large(student, ref):
    """elu: stable for |x| up to 1e4 (no overflow, no warning, no nan)"""
    compare_stable(student, ref, "elu", LARGE, "elu(x) for x from -1e4 to 1e4")
    x = rng(29).uniform(-1e4, 1e4, size=(5, 3))
    compare_stable(
        student,
        ref,
        "elu",
        x,
        "elu(x, alpha=1.5) for x of shape (5, 3) uniform in [-1e4, 1e4]",
        alpha=1.5,
    )


def test_elu_edge_cases(student, ref):
    """elu: exact 0 and -0.0, tiny values, Python numbers, lists and int arrays"""
    compare(student, ref, "elu", EDGE, "elu(x) for x = [0.0, -0.0, 1e-300, ...]")
    check_plain_inputs(student, ref, "elu", alpha=0.7)


@property_test
def test_elu_leaves_input_alone(student, ref):
    """elu: does not modify its input"""
    check_inputs_unchanged(
        student, ref, "elu", random_x(30, shape=(4, 6)), "elu(x) for x of shape (4, 6)"
    )


# ---- elu_grad -------------------------------------------------------------------------------


def _elu_grad_likely(ref, x, alpha):
    left = np.exp(np.minimum(x, 0.0))
    return {
        ALPHA_IGNORED: ref.elu_grad(x),
        ELU_AT_ZERO: np.where(x >= 0, 1.0, alpha * left),
        "the left slope is alpha * exp(x), not alpha * (exp(x) - 1) (that is elu itself)": np.where(
            x > 0, 1.0, alpha * (left - 1)
        ),
        "returned elu(x) instead of its slope": ref.elu(x, alpha),
    }


def test_elu_grad_random(student, ref):
    """elu_grad: matches the reference and torch autograd on a random (3, 4, 5) array"""
    x = random_x(31)
    compare(
        student,
        ref,
        "elu_grad",
        x,
        "elu_grad(x) for x of shape (3, 4, 5)",
        likely=_elu_grad_likely(ref, x, 1.0),
    )


@points(2)
def test_elu_grad_alpha(student, ref):
    """elu_grad: uses the alpha it is given"""
    x = random_x(32, shape=(6, 4))
    for alpha in (0.5, 2.0):
        compare(
            student,
            ref,
            "elu_grad",
            x,
            f"elu_grad(x, alpha={alpha}) for x of shape (6, 4)",
            likely=_elu_grad_likely(ref, x, alpha),
            alpha=alpha,
        )


@points(2)
def test_elu_grad_at_zero(student, ref):
    """elu_grad: is alpha at exactly 0 and -0.0 (torch's convention)"""
    x = np.array([[0.0, -0.0, 1e-300], [-1e-300, 2.0, -2.0]])
    for alpha in (1.0, 2.5):
        compare(
            student,
            ref,
            "elu_grad",
            x,
            f"elu_grad(x, alpha={alpha}) for x = [[0.0, -0.0, 1e-300], [-1e-300, 2.0, -2.0]]",
            alpha=alpha,
            likely=_elu_grad_likely(ref, x, alpha),
        )


@points(2)
def test_elu_grad_large(student, ref):
    """elu_grad: stable for |x| up to 1e4 (no overflow, no warning, no nan)"""
    compare_stable(student, ref, "elu_grad", LARGE, "elu_grad(x) for x from -1e4 to 1e4")
    compare_stable(
        student, ref, "elu_grad", LARGE, "elu_grad(x, alpha=0.5) for x from -1e4 to 1e4", alpha=0.5
    )


def test_elu_grad_finite_differences(student, ref):
    """elu_grad: is the slope of elu away from 0 (central differences)"""
    check_slope(
        student,
        ref,
        "elu",
        random_x(33, shape=(4, 7), away_from_zero=0.01),
        "elu_grad(x, alpha=1.7) for x of shape (4, 7)",
        alpha=1.7,
    )


def test_elu_grad_inputs(student, ref):
    """elu_grad: accepts numbers, lists and int arrays; leaves x alone"""
    check_plain_inputs(student, ref, "elu_grad", alpha=0.7)
    check_inputs_unchanged(
        student, ref, "elu_grad", random_x(34, shape=(4, 6)), "elu_grad(x) for x of shape (4, 6)"
    )


# ---- softmax --------------------------------------------------------------------------------


def _softmax_likely(ref, x, axis):
    """Softmax over each other axis, and over the whole array."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max())
    found = {"softmax normalised over the whole array instead of along axis": e / e.sum()}
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    found["softmax divided by the sum of the whole array: sum along axis, with keepdims=True"] = (
        e / e.sum()
    )
    axis = axis % x.ndim
    for other in range(x.ndim):
        if other != axis:
            found[f"softmax normalised over the wrong axis ({other} instead of {axis})"] = (
                ref.softmax(x, axis=other)
            )
    return found


def check_sums_to_one(what, got, axis):
    if isinstance(got, np.ndarray) and got.dtype.kind == "f":
        sums = got.sum(axis=axis)
        if not np.allclose(sums, 1.0, rtol=1e-9, atol=1e-9):
            fail(
                f"{what}: the probabilities along axis {axis} should sum to 1, but one group "
                f"sums to {float(sums.flat[np.argmax(np.abs(sums - 1).ravel())]):.6g}."
            )


@points(2)
def test_softmax_rows(student, ref):
    """softmax: each row of an (N, D) batch matches the reference and torch, and sums to 1"""
    x = random_x(35, shape=(4, 7))
    got = compare(
        student,
        ref,
        "softmax",
        x,
        "softmax(x) for x of shape (4, 7)",
        likely=_softmax_likely(ref, x, -1),
    )
    check_sums_to_one("softmax(x) for x of shape (4, 7)", got, -1)
    x = random_x(36, shape=(5, 3))
    compare(
        student,
        ref,
        "softmax",
        x,
        "softmax(x, axis=1) for x of shape (5, 3)",
        likely=_softmax_likely(ref, x, 1),
        axis=1,
    )
    check_no_banned_imports(student, "softmax")


@points(2)
def test_softmax_axes_of_3d(student, ref):
    """softmax: on a (3, 4, 5) array along axis=0, axis=1 and axis=-1"""
    x = random_x(37, shape=(3, 4, 5))
    for axis in (0, 1, -1, 2):
        what = f"softmax(x, axis={axis}) for x of shape (3, 4, 5)"
        got = compare(
            student, ref, "softmax", x, what, likely=_softmax_likely(ref, x, axis), axis=axis
        )
        check_sums_to_one(what, got, axis)


@points(2)
def test_softmax_large_logits(student, ref):
    """softmax: stable for logits around 1000 and up to 1e4 (no overflow, no nan)"""
    x = 1000.0 + random_x(38, shape=(4, 6), scale=2.0)
    compare_stable(student, ref, "softmax", x, "softmax(x) for logits around 1000, shape (4, 6)")
    x = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, 1e4], [1000.0, 1001.0, 1002.0]])
    compare_stable(
        student,
        ref,
        "softmax",
        x,
        "softmax(x) for x = [[-1e4, 0, 1e4], [1e4, 1e4, 1e4], [1000, 1001, 1002]]",
    )
    x = 1000.0 + random_x(39, shape=(5, 3), scale=3.0)
    compare_stable(
        student,
        ref,
        "softmax",
        x,
        "softmax(x, axis=0) for logits around 1000, shape (5, 3)",
        likely=_softmax_likely(ref, x, 0),
        axis=0,
    )


def test_softmax_very_negative_logits(student, ref):
    """softmax: logits around -1000 give a distribution, not 0 / 0"""
    x = np.array([[-1000.0, -1001.0, -1002.0], [-1e4, -1e4 + 1, -1e4 + 2]])
    compare_stable(
        student,
        ref,
        "softmax",
        x,
        "softmax(x) for x = [[-1000, -1001, -1002], [-1e4, -1e4 + 1, -1e4 + 2]]",
        likely=_softmax_likely(ref, x, -1),
        overflow=SOFTMAX_UNDERFLOW,
    )


def test_softmax_lists_and_ints(student, ref):
    """softmax: accepts a 1-D list, a nested list and an int array"""
    compare(student, ref, "softmax", [1.0, 2.0, 3.0], "softmax([1.0, 2.0, 3.0])")
    nested = [[0, 1], [2, 2], [-3, 5]]
    compare(
        student,
        ref,
        "softmax",
        nested,
        "softmax([[0, 1], [2, 2], [-3, 5]])",
        likely=_softmax_likely(ref, nested, -1),
    )
    ints = np.array([[3, -1, 0, 2], [1, 1, 1, 1]])
    compare(student, ref, "softmax", ints, "softmax(an int64 array of shape (2, 4))")


@property_test
def test_softmax_leaves_input_alone(student, ref):
    """softmax: does not modify its input (no subtracting the maximum in place)"""
    check_inputs_unchanged(
        student, ref, "softmax", random_x(40, shape=(4, 6)), "softmax(x) for x of shape (4, 6)"
    )
    check_inputs_unchanged(
        student,
        ref,
        "softmax",
        random_x(41, shape=(4, 6)),
        "softmax(x, axis=0) for x of shape (4, 6)",
        axis=0,
    )
