"""Hidden suite for 03_forward (see docs/EXERCISES.md and autograder/grade/suite.py).

Every value is compared with the reference solution and, where torch has the same thing
(``torch.nn.functional.linear``, an ``nn.Sequential`` of ``nn.Linear`` layers, ``argmax``,
``numel``), with torch in float64 as an independent oracle. torch is imported on first use and
only when the submission runs in its own worker process: in-process grading (otter, nbgrader)
shares ``sys.modules`` with the submission, where the suite's own ``import torch`` would make
the banned-imports check blame the student. Where torch is not used only the torch comparisons
are left out, so the points never change.

``init_linear`` and ``init_mlp`` take a ``numpy.random.Generator``, which cannot cross the
process boundary: the probes in ``autograder/inside/probes/forward.py`` build it from a seed
next to the student code (and next to the reference, in its own worker) and also report the
generator's next draws, so that the number and order of the draws can be checked.
"""

import math

import numpy as np
import pytest

from autograder.grade.student import describe
from autograder.grade.suite import (
    check_array,
    check_no_banned_imports,
    check_unmodified,
    expect_error,
    fail,
    points,
    property_test,
    rng,
    seed_for,
)
from autograder.inside.plain import Opaque

ACTIVATION_NAMES = ("relu", "tanh", "sigmoid")
LAST_LAYER_ACTIVATED = "the activation was applied to the last layer too (logits must be linear)"
UNTRANSPOSED = "W is used untransposed (x @ W instead of x @ W.T)"
B_FIRST = "b drawn before W (draw W first, then b)"
K_FROM_OUT = "k must be 1/sqrt(in_features) not 1/sqrt(out_features)"
BIASES_NOT_COUNTED = "biases not counted"


# ---- oracles --------------------------------------------------------------------------------

_ORACLE = {"torch": True}


@pytest.fixture(autouse=True)
def _torch_only_out_of_process(student):
    """Use the torch oracle only when the submission runs in another process (see above)."""
    _ORACLE["torch"] = not student.in_kernel


def _torch():
    """torch, or None where it is not installed or not to be imported here (then only the
    reference is compared)."""
    if not _ORACLE["torch"]:
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_linear(x, W, b):
    torch = _torch()
    if torch is None:
        return None
    as_t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    return torch.nn.functional.linear(as_t(x), as_t(W), as_t(b)).numpy()


def torch_mlp(x, params, activation="relu"):
    """The same network as an nn.Sequential of float64 nn.Linear layers."""
    torch = _torch()
    if torch is None:
        return None
    nn = torch.nn
    layers = []
    for i, (W, b) in enumerate(params):
        layer = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.as_tensor(W))
            layer.bias.copy_(torch.as_tensor(b))
        layers.append(layer)
        if i < len(params) - 1:
            layers.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[activation]())
    with torch.no_grad():
        return nn.Sequential(*layers)(torch.as_tensor(np.asarray(x, dtype=np.float64))).numpy()


def torch_predict(x, params, activation="relu"):
    torch = _torch()
    if torch is None:
        return None
    return torch.argmax(torch.as_tensor(torch_mlp(x, params, activation)), dim=1).numpy()


def torch_count(layer_sizes):
    torch = _torch()
    if torch is None:
        return None
    layers = [
        torch.nn.Linear(a, b, device="meta") for a, b in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
    return sum(p.numel() for p in torch.nn.Sequential(*layers).parameters())


def torch_linear_bound(in_features):
    """The bound torch.nn.Linear draws its weights from, computed by torch's own formula."""
    torch = _torch()
    if torch is None:
        return 1 / math.sqrt(in_features)
    gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))  # kaiming_uniform_(a=sqrt 5)
    return gain * math.sqrt(3.0 / in_features)


def expected_init(in_features, out_features, g, *, k=None, low=None, b_first=False, w_shape=None):
    """What init_linear draws from generator g (and, with the keywords, known mistakes)."""
    k = 1 / math.sqrt(in_features) if k is None else k
    low = -k if low is None else low
    w_shape = (out_features, in_features) if w_shape is None else w_shape
    if b_first:
        b = g.uniform(low, k, size=out_features)
        return g.uniform(low, k, size=w_shape), b
    W = g.uniform(low, k, size=w_shape)
    return W, g.uniform(low, k, size=out_features)


def random_params(g, sizes, b_scale=0.5):
    """The suite's own weights (not init_mlp's): He-scaled normal W, so deep stacks stay O(1)."""
    return [
        (
            g.normal(scale=math.sqrt(2.0 / n_in), size=(n_out, n_in)),
            g.normal(scale=b_scale, size=n_out),
        )
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


def sizes_of(params):
    return [params[0][0].shape[1]] + [W.shape[0] for W, _ in params]


def check_both(what, got, want_ref, want_torch, **kwargs):
    """Compare with the reference, then with torch (which the reference must agree with)."""
    check_array(what, got, want_ref, **kwargs)
    if want_torch is not None:
        check_array(f"{what}, compared with torch", got, want_torch, **kwargs)


def generator(seed):
    """``np.random.default_rng(seed)``, as the probe makes it for the student's function (the
    seeds themselves come from ``seed_for``, so they vary with the submission)."""
    return np.random.default_rng(seed)


def _draws_used(next_draws, seed, limit):
    """How many numbers were taken from default_rng(seed) before ``next_draws``; None if the
    stream does not match at any point up to ``limit``."""
    if not isinstance(next_draws, np.ndarray):
        return None
    stream = generator(seed).random(limit + len(next_draws))
    for used in range(limit + 1):
        if np.array_equal(stream[used : used + len(next_draws)], next_draws):
            return used
    return None


def _check_draw_count(what, reply, seed, needed, detail):
    used = _draws_used(reply.get("next") if isinstance(reply, dict) else None, seed, 4 * needed)
    if used == needed:
        return
    _check_rng_used(what, reply, seed)
    if used is None:
        fail(
            f"{what}: the generator was not used as expected: {detail} need exactly {needed} "
            "uniform draws, made by rng.uniform(-k, k, size=...)."
        )
    fail(
        f"{what} took {used} numbers from the generator; {detail} need exactly {needed}."
        + (
            " Is every draw made with the rng passed in (not np.random or a new generator)?"
            if used < needed
            else ""
        )
    )


def _check_rng_used(what, reply, seed):
    if _draws_used(reply.get("next") if isinstance(reply, dict) else None, seed, 0) == 0:
        fail(
            f"{what} took no numbers from the generator it was given; draw with rng.uniform(...) "
            "(not np.random.uniform, and not a new generator), so that the same seed gives the "
            "same network."
        )


def _pair(what, value):
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        text = f"a {value.type_name} object" if isinstance(value, Opaque) else describe(value)
        fail(f"{what}: expected a pair (W, b), got {text}.")
    return value


# ---- linear_forward -------------------------------------------------------------------------


@property_test
def test_linear_numpy_only(student, ref):
    """linear_forward: the submission uses numpy alone (no torch, scipy, sklearn or jax)"""
    g = rng(30)
    x, W, b = g.normal(size=(3, 2)), g.normal(size=(4, 2)), g.normal(size=4)
    check_array(
        "linear_forward(x, W, b)", student.linear_forward(x, W, b), ref.linear_forward(x, W, b)
    )  # only a working submission earns this point
    check_no_banned_imports(student, "linear_forward")


@points(2)
def test_linear_random(student, ref):
    """linear_forward: matches the reference and torch.nn.functional.linear"""
    g = rng(31)
    for n, n_in, n_out in ((5, 4, 3), (6, 2, 7), (1, 3, 5)):
        x, W, b = g.normal(size=(n, n_in)), g.normal(size=(n_out, n_in)), g.normal(size=n_out)
        what = f"linear_forward(x, W, b) for x {x.shape}, W {W.shape}, b {b.shape}"
        check_both(
            what,
            student.linear_forward(x, W, b),
            ref.linear_forward(x, W, b),
            torch_linear(x, W, b),
        )


@points(2)
def test_linear_layout(student, ref):
    """linear_forward: W has torch's layout (out_features, in_features)"""
    g = rng(32)
    x, W, b = g.normal(size=(3, 4)), g.normal(size=(4, 4)), g.normal(size=4)
    check_both(
        "linear_forward(x, W, b) for a square W (4, 4)",
        student.linear_forward(x, W, b),
        ref.linear_forward(x, W, b),
        torch_linear(x, W, b),
        likely={UNTRANSPOSED: x @ W + b},
    )
    x, W, b = g.normal(size=(2, 5)), g.normal(size=(3, 5)), g.normal(size=3)
    check_both(
        "linear_forward(x, W, b) for x (2, 5), W (3, 5): 3 units with 5 inputs each",
        student.linear_forward(x, W, b),
        ref.linear_forward(x, W, b),
        torch_linear(x, W, b),
    )


def test_linear_bias(student, ref):
    """linear_forward: adds the bias b[j] to output column j of every example"""
    g = rng(33)
    W, b = g.normal(size=(3, 4)), np.array([1.0, -2.0, 0.5])
    x = np.zeros((5, 4))
    check_both(
        "linear_forward(zeros (5, 4), W, b): every row should equal b",
        student.linear_forward(x, W, b),
        ref.linear_forward(x, W, b),
        torch_linear(x, W, b),
        likely={"the bias was left out": np.zeros((5, 3))},
    )
    x = g.normal(size=(5, 4))
    check_array(
        "linear_forward(x, W, b)",
        student.linear_forward(x, W, b),
        ref.linear_forward(x, W, b),
        likely={"the bias was left out": x @ W.T},
    )


def test_linear_lists_and_ints(student, ref):
    """linear_forward: accepts nested lists and integer arrays, returns float64"""
    x, W, b = [[1, 2, 3], [4, 5, 6]], [[1, 0, -1], [2, 1, 0], [0, 0, 3], [1, 1, 1]], [1, 0, 0, -1]
    check_array(
        "linear_forward(x, W, b) for nested lists of ints",
        student.linear_forward(x, W, b),
        ref.linear_forward(x, W, b),
    )
    xi, Wi, bi = np.array(x), np.array(W), np.array(b)
    check_array(
        "linear_forward(x, W, b) for int64 arrays",
        student.linear_forward(xi, Wi, bi),
        ref.linear_forward(xi, Wi, bi),
    )


def test_linear_large(student, ref):
    """linear_forward: stays finite and exact for inputs up to 1e4"""
    g = rng(34)
    x, W, b = g.uniform(-1e4, 1e4, size=(4, 6)), g.normal(size=(2, 6)), g.uniform(-1e4, 1e4, 2)
    check_both(
        "linear_forward(x, W, b) with entries up to 1e4",
        student.linear_forward(x, W, b),
        ref.linear_forward(x, W, b),
        torch_linear(x, W, b),
    )


@property_test
def test_linear_leaves_inputs_alone(student, ref):
    """linear_forward: does not modify x, W or b"""
    g = rng(35)
    x, W, b = g.normal(size=(4, 3)), g.normal(size=(2, 3)), g.normal(size=2)
    got, after, _ = student.linear_forward.with_inputs(x, W, b)
    check_array("linear_forward(x, W, b)", got, ref.linear_forward(x, W, b))
    check_unmodified("linear_forward(x, W, b)", (x, W, b), after)


# ---- init_linear ----------------------------------------------------------------------------


def _init_linear(student, reference, in_features, out_features, seed):
    """(student's (W, b), reference's (W, b), the student's probe reply)."""
    reply = student.probe("forward.init_linear", in_features, out_features, seed)
    want = reference.probe("forward.init_linear", in_features, out_features, seed)["result"]
    what = f"init_linear({in_features}, {out_features}, np.random.default_rng({seed}))"
    _check_rng_used(what, reply, seed)
    return _pair(what, reply["result"]), want, reply, what


@points(3)
def test_init_linear_exact_values(student, reference):
    """init_linear: draws W (out, in) then b (out,) from U(-k, k), k = 1/sqrt(in)"""
    for in_f, out_f, seed in ((5, 3, seed_for(7)), (2, 6, seed_for(8))):
        (W, b), (want_W, want_b), _, what = _init_linear(student, reference, in_f, out_f, seed)
        mistakes = {
            B_FIRST: expected_init(in_f, out_f, generator(seed), b_first=True),
            K_FROM_OUT: expected_init(in_f, out_f, generator(seed), k=1 / math.sqrt(out_f)),
            "draws from U(0, k) instead of U(-k, k)": expected_init(
                in_f, out_f, generator(seed), low=0.0
            ),
            "W has shape (in_features, out_features); torch's layout is (out_features, "
            "in_features)": expected_init(in_f, out_f, generator(seed), w_shape=(in_f, out_f)),
            "k = 1/in_features (the square root is missing)": expected_init(
                in_f, out_f, generator(seed), k=1 / in_f
            ),
        }
        own = expected_init(in_f, out_f, generator(seed))  # the suite's own reading of the contract
        check_array(
            f"{what}[0] (W)",
            W,
            want_W,
            rtol=1e-12,
            atol=0,
            likely={label: pair[0] for label, pair in mistakes.items()},
        )
        check_array(f"{what}[0] (W)", W, own[0], rtol=1e-12, atol=0)
        check_array(
            f"{what}[1] (b)",
            b,
            want_b,
            rtol=1e-12,
            atol=0,
            likely={label: pair[1] for label, pair in mistakes.items()}
            | {"b should be drawn like W, not set to zeros": np.zeros(out_f)},
        )
        check_array(f"{what}[1] (b)", b, own[1], rtol=1e-12, atol=0)


@property_test
def test_init_linear_draw_count(student, reference):
    """init_linear: takes exactly out*in + out numbers from the generator it is given"""
    for in_f, out_f, seed in ((5, 3, seed_for(9)), (4, 1, seed_for(10))):
        (W, b), (want_W, _), reply, what = _init_linear(student, reference, in_f, out_f, seed)
        _check_draw_count(
            what, reply, seed, out_f * in_f + out_f, f"W ({out_f} x {in_f}) and b ({out_f})"
        )
        check_array(f"{what}[0] (W)", W, want_W)  # only a working function earns this point


def test_init_linear_range(student, reference):
    """init_linear: all values in torch.nn.Linear's range (-k, k), k = 1/sqrt(in_features)"""
    # enough entries that even b spreads over most of (-k, k) on any hidden inputs: the chance
    # that 200 uniform draws all stay inside 0.8 k on one side is 0.9**200, about 1e-9
    in_f, out_f, seed = 400, 200, seed_for(12)
    (W, b), _, _, what = _init_linear(student, reference, in_f, out_f, seed)
    k = torch_linear_bound(in_f)
    for name, values, shape in (("W", W, (out_f, in_f)), ("b", b, (out_f,))):
        if not (isinstance(values, np.ndarray) and values.shape == shape):
            fail(
                f"{what}: {name} should be an array of shape {shape}, got "
                f"{describe(values) if not isinstance(values, Opaque) else values.type_name}."
            )
        low, high = float(values.min()), float(values.max())
        hint = ""
        if high > 1.01 * k and high <= 1 / math.sqrt(out_f):
            hint = f" This looks like: {K_FROM_OUT}"
        elif low >= 0:
            hint = " This looks like: draws from U(0, k) instead of U(-k, k)"
        if low < -k or high > k or high < 0.8 * k or low > -0.8 * k:
            fail(
                f"{what}: the entries of {name} should spread over (-k, k) with "
                f"k = 1/sqrt({in_f}) = {k:.4g}, the range of torch.nn.Linear({in_f}, {out_f}); "
                f"they go from {low:.4g} to {high:.4g}.{hint}"
            )


# ---- init_mlp -------------------------------------------------------------------------------


def _init_mlp(student, reference, sizes, seed):
    reply = student.probe("forward.init_mlp", sizes, seed)
    want = reference.probe("forward.init_mlp", sizes, seed)["result"]
    what = f"init_mlp({sizes}, np.random.default_rng({seed}))"
    _check_rng_used(what, reply, seed)
    got = reply["result"]
    if not isinstance(got, list):
        text = f"a {got.type_name} object" if isinstance(got, Opaque) else describe(got)
        fail(f"{what}: expected a list of (W, b) pairs, got {text}.")
    if len(got) != len(sizes) - 1:
        fail(
            f"{what}: expected {len(sizes) - 1} layers (one (W, b) per consecutive pair of "
            f"sizes), got a list of {len(got)}."
        )
    return [_pair(f"{what}[{i}]", layer) for i, layer in enumerate(got)], want, reply, what


def _check_layers(what, got, want, sizes, seed):
    g = generator(seed)
    own = [expected_init(a, b, g) for a, b in zip(sizes[:-1], sizes[1:])]
    g = generator(seed)
    backwards = [expected_init(a, b, g) for a, b in reversed(list(zip(sizes[:-1], sizes[1:])))]
    for i, ((W, b), (want_W, want_b), (own_W, own_b)) in enumerate(zip(got, want, own)):
        layer = f"{what}[{i}]: layer {i + 1} ({sizes[i]} -> {sizes[i + 1]})"
        likely = {
            "the layers were drawn from the last to the first": backwards[len(sizes) - 2 - i][0]
        }
        check_array(f"{layer}, W", W, want_W, rtol=1e-12, atol=0, likely=likely)
        check_array(f"{layer}, W", W, own_W, rtol=1e-12, atol=0)
        check_array(f"{layer}, b", b, want_b, rtol=1e-12, atol=0)
        check_array(f"{layer}, b", b, own_b, rtol=1e-12, atol=0)


@points(2)
def test_init_mlp_layers(student, reference):
    """init_mlp: one init_linear per consecutive pair of sizes, first layer first"""
    sizes, seed = [4, 6, 5, 3], seed_for(11)
    got, want, _, what = _init_mlp(student, reference, sizes, seed)
    _check_layers(what, got, want, sizes, seed)


def test_init_mlp_single_layer(student, reference):
    """init_mlp: two sizes give a one-layer list equal to init_linear's pair"""
    sizes, seed = [3, 2], seed_for(13)
    got, want, _, what = _init_mlp(student, reference, sizes, seed)
    _check_layers(what, got, want, sizes, seed)


@property_test
def test_init_mlp_draw_count(student, reference):
    """init_mlp: all layers draw from the one generator it is given, nothing more"""
    sizes, seed = [2, 5, 4], seed_for(14)
    got, want, reply, what = _init_mlp(student, reference, sizes, seed)
    needed = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    _check_draw_count(what, reply, seed, needed, "the layers' weights and biases")
    check_array(f"{what}[0][0]", got[0][0], want[0][0])  # only a working function earns this


# ---- mlp_forward ----------------------------------------------------------------------------


def _without_activations(x, params):
    """The logits of ``params`` with no activation between the layers: one linear map."""
    h = np.asarray(x, dtype=np.float64)
    for W, b in params:
        h = h @ W.T + b
    return h


def _mlp_likely(ref, x, params, activation):
    phi = ref.ACTIVATIONS[activation]
    likely = {LAST_LAYER_ACTIVATED: phi(ref.mlp_forward(x, params, activation))}
    likely["no activation between the layers (the network collapsed to one linear map)"] = (
        _without_activations(x, params)
    )
    if activation != "relu":
        likely["relu was used whatever the activation argument says"] = ref.mlp_forward(
            x, params, "relu"
        )
    return likely


def _mlp_case(ref, g, n, sizes, activation):
    """x (n, sizes[0]) and random_params of ``sizes``, drawn until a logit is negative: an
    activation on the last layer then shows whatever the salt (relu leaves positive logits
    as they are)."""
    while True:
        x, params = g.normal(size=(n, sizes[0])), random_params(g, sizes)
        if (ref.mlp_forward(x, params, activation) < 0).any():
            return x, params


@points(2)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_mlp_random(student, ref, activation):
    """mlp_forward: matches the reference and an nn.Sequential of nn.Linear layers"""
    x, params = _mlp_case(ref, rng(40), 5, [4, 7, 6, 3], activation)
    check_both(
        f"mlp_forward(x, params, activation={activation!r}) for x (5, 4), sizes [4, 7, 6, 3]",
        student.mlp_forward(x, params, activation=activation),
        ref.mlp_forward(x, params, activation),
        torch_mlp(x, params, activation),
        likely=_mlp_likely(ref, x, params, activation),
    )


@points(2)
def test_mlp_single_layer_is_linear(student, ref):
    """mlp_forward: a one-layer network is linear only, whatever the activation"""
    g = rng(41)
    x, params = g.normal(size=(6, 5)), random_params(g, [5, 3], b_scale=2.0)
    for activation in ACTIVATION_NAMES:
        check_both(
            f"mlp_forward(x, [(W, b)], activation={activation!r})",
            student.mlp_forward(x, params, activation=activation),
            ref.linear_forward(x, *params[0]),
            torch_mlp(x, params, activation),
            likely={
                LAST_LAYER_ACTIVATED: ref.ACTIVATIONS[activation](ref.linear_forward(x, *params[0]))
            },
        )


def test_mlp_default_relu(student, ref):
    """mlp_forward: the default activation is relu"""
    x, params = _mlp_case(ref, rng(42), 3, [2, 8, 2], "relu")
    check_both(
        "mlp_forward(x, params) with the default activation",
        student.mlp_forward(x, params),
        ref.mlp_forward(x, params, "relu"),
        torch_mlp(x, params, "relu"),
        likely=_mlp_likely(ref, x, params, "relu"),
    )


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_mlp_deep(student, ref, activation):
    """mlp_forward: a deep network of 9 layers matches torch"""
    sizes = [6, 16, 12, 16, 12, 16, 12, 16, 12, 4]
    x, params = _mlp_case(ref, rng(43), 7, sizes, activation)
    check_both(
        f"mlp_forward(x, params, activation={activation!r}) for sizes {sizes}",
        student.mlp_forward(x, params, activation=activation),
        ref.mlp_forward(x, params, activation),
        torch_mlp(x, params, activation),
        likely=_mlp_likely(ref, x, params, activation),
    )


def test_mlp_zeros_and_large_inputs(student, ref):
    """mlp_forward: exact zeros, and inputs up to 1e4 without overflow warnings, nan or inf"""
    g = rng(44)
    params = random_params(g, [3, 5, 4, 2])
    zeros = np.zeros((2, 3))
    large = g.uniform(-1e4, 1e4, size=(6, 3))
    large[0] = [1e4, -1e4, 1e4]
    for activation in ACTIVATION_NAMES:
        for x, label in ((zeros, "zeros (2, 3)"), (large, "x with entries up to 1e4")):
            what = f"mlp_forward({label}, params, activation={activation!r})"
            check_both(
                what,
                student.mlp_forward(x, params, activation=activation),
                ref.mlp_forward(x, params, activation),
                torch_mlp(x, params, activation),
            )
        caught = student.probe(
            "forward.numeric_warnings", "mlp_forward", [large, params], {"activation": activation}
        )
        if caught:
            fail(
                f"mlp_forward(x with entries up to 1e4, params, activation={activation!r}) "
                f"warned: {caught[0]}. Compute the activation without overflowing (the given "
                "sigmoid never takes exp of a large positive number)."
            )


@points(2)
@property_test
def test_mlp_unknown_activation(student, ref):
    """mlp_forward: raises ValueError for an unknown activation name"""
    g = rng(45)
    x, params = g.normal(size=(4, 3)), random_params(g, [3, 5, 2])
    check_array(
        "mlp_forward(x, params, activation='tanh')",
        student.mlp_forward(x, params, activation="tanh"),
        ref.mlp_forward(x, params, "tanh"),
    )
    for name in ("gelu", "tahn", "softmax", ""):
        expect_error(
            ValueError,
            f"mlp_forward(x, params, activation={name!r})",
            student.mlp_forward,
            x,
            params,
            activation=name,
        )


@property_test
def test_mlp_leaves_inputs_alone(student, ref):
    """mlp_forward: does not modify x or the params list"""
    g = rng(46)
    x, params = g.normal(size=(4, 3)), random_params(g, [3, 6, 5, 2])
    got, after, _ = student.mlp_forward.with_inputs(x, params, activation="tanh")
    check_array(
        "mlp_forward(x, params, activation='tanh')", got, ref.mlp_forward(x, params, "tanh")
    )
    check_unmodified("mlp_forward(x, params)", (x,), after)
    params_after = after[1]
    if not (isinstance(params_after, list) and len(params_after) == len(params)):
        now = len(params_after) if isinstance(params_after, list) else "?"
        fail(
            f"mlp_forward(x, params) changed the params list in place: it had {len(params)} "
            f"layers before the call and {now} after (params.pop() or params.reverse() change "
            "the caller's list; use params[:-1] and params[-1] instead)."
        )
    for i, ((W, b), pair) in enumerate(zip(params, params_after)):
        if not (
            isinstance(pair, (tuple, list))
            and len(pair) == 2
            and all(
                isinstance(a, np.ndarray) and a.shape == c.shape and np.array_equal(a, c)
                for a, c in zip(pair, (W, b))
            )
        ):
            fail(
                f"mlp_forward(x, params) changed layer {i + 1} of params in place; a function "
                "must not modify its inputs."
            )


# ---- predict --------------------------------------------------------------------------------


def _predict_likely(ref, x, params, activation):
    logits = ref.mlp_forward(x, params, activation)
    likely = {
        "argmin instead of argmax": np.argmin(logits, axis=1),
        "argmax over axis 0 (the examples) instead of axis 1 (the classes)": np.argmax(
            logits, axis=0
        ),
    }
    if activation != "relu":
        likely["the activation argument was not passed on to mlp_forward (relu was used)"] = (
            ref.predict(x, params, "relu")
        )
    return likely


@points(2)
def test_predict_random(student, ref):
    """predict: the index of the largest logit per example, integers of shape (N,)"""
    # 200 examples: a bug that changes the argmax only where every logit is negative (an
    # activation on the logits) shows in some row whatever the salted draw
    g = rng(50)
    x, params = g.normal(size=(200, 5)), random_params(g, [5, 8, 3])
    check_both(
        "predict(x, params) for x (200, 5) and 3 classes",
        student.predict(x, params),
        ref.predict(x, params),
        torch_predict(x, params),
        dtype="int",
        likely=_predict_likely(ref, x, params, "relu"),
    )


def _activation_shows(ref, g, activation, rows=2):
    """x (40, 2) and params of sizes [2, 6, 4], drawn until the argmax differs in ``rows``
    rows or more from that of every other activation and of none at all: a predict that
    uses the wrong one (or a forward pass without one) then fails whatever the salt."""
    while True:
        x, params = g.normal(size=(40, 2)), random_params(g, [2, 6, 4], b_scale=1.0)
        want = ref.predict(x, params, activation)
        others = [
            ref.predict(x, params, a) for a in ("relu", "tanh", "sigmoid") if a != activation
        ] + [np.argmax(_without_activations(x, params), axis=1)]
        if all(np.sum(other != want) >= rows for other in others):
            return x, params


@pytest.mark.parametrize("activation", ("tanh", "sigmoid"))
def test_predict_activation(student, ref, activation):
    """predict: passes the activation on to the forward pass"""
    x, params = _activation_shows(ref, rng(51), activation)
    check_both(
        f"predict(x, params, activation={activation!r}) for x (40, 2) and 4 classes",
        student.predict(x, params, activation=activation),
        ref.predict(x, params, activation),
        torch_predict(x, params, activation),
        dtype="int",
        likely=_predict_likely(ref, x, params, activation),
    )


def test_predict_ties_and_single_example(student, ref):
    """predict: ties go to the first class (like torch.argmax); one example gives shape (1,)"""
    params = [(np.ones((2, 3)), np.zeros(2)), (np.zeros((4, 2)), np.array([1.0, 3.0, 3.0, -1.0]))]
    x = np.arange(15, dtype=np.float64).reshape(5, 3)
    check_both(
        "predict(x, params) with logits [1, 3, 3, -1] for every example",
        student.predict(x, params),
        ref.predict(x, params),
        torch_predict(x, params),
        dtype="int",
        likely={"the last of the tied classes was chosen": np.full(5, 2)},
    )
    g = rng(52)
    # one layer and positive logits: this case is about the shape, and a forward pass that
    # gets the activations wrong (missing, or on the logits) gives the same argmax whatever
    # the draw (the value tests above catch it)
    x1, params = g.normal(size=(1, 4)), random_params(g, [4, 5])
    params = [(params[0][0], params[0][1] + 10.0)]
    check_both(
        "predict(x, params) for a single example x (1, 4)",
        student.predict(x1, params),
        ref.predict(x1, params),
        torch_predict(x1, params),
        dtype="int",
    )


@property_test
def test_predict_leaves_inputs_alone(student, ref):
    """predict: does not modify x or the params list"""
    g = rng(53)  # 200 rows: a wrong forward pass shows whatever the draw
    x, params = g.normal(size=(200, 3)), random_params(g, [3, 4, 3])
    got, after, _ = student.predict.with_inputs(x, params)
    check_array("predict(x, params)", got, ref.predict(x, params), dtype="int")
    check_unmodified("predict(x, params)", (x,), after)
    if not (isinstance(after[1], list) and len(after[1]) == len(params)):
        fail("predict(x, params) changed the params list in place.")


# ---- count_parameters -----------------------------------------------------------------------


def _check_count(what, got, want, likely=None):
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
        text = f"a {got.type_name} object" if isinstance(got, Opaque) else describe(got)
        fail(f"{what}: expected an int, got {text}.")
    if int(got) != want:
        hint = next(
            (
                f" This looks like: {label}"
                for label, value in (likely or {}).items()
                if int(got) == value
            ),
            "",
        )
        fail(f"{what}: expected {want}, got {int(got)}.{hint}")


@points(2)
def test_count_values(student, ref):
    """count_parameters: weights plus biases, as torch counts them"""
    for sizes in ([784, 128, 64, 10], [3, 5, 2], [10, 1], [2, 3, 4, 5, 6]):
        pairs = list(zip(sizes[:-1], sizes[1:]))
        likely = {
            BIASES_NOT_COUNTED: sum(a * b for a, b in pairs),
            "one bias per input instead of one per output unit": sum(a * b + a for a, b in pairs),
            "a bias for every size, the input layer included": sum(a * b for a, b in pairs)
            + sum(sizes),
        }
        what = f"count_parameters({sizes})"
        got = student.count_parameters(sizes)
        _check_count(what, got, ref.count_parameters(sizes), likely)
        oracle = torch_count(sizes)
        if oracle is not None:
            _check_count(f"{what}, compared with torch", got, oracle, likely)


def test_count_type(student, ref):
    """count_parameters: returns a Python int, also for a tuple of sizes"""
    got = student.count_parameters([4, 5, 1])
    _check_count("count_parameters([4, 5, 1])", got, ref.count_parameters([4, 5, 1]))
    if type(got) is not int:
        fail(
            f"count_parameters([4, 5, 1]): expected a Python int, got {type(got).__name__} "
            "(convert with int(...))."
        )
    _check_count(
        "count_parameters((6, 2))", student.count_parameters((6, 2)), ref.count_parameters((6, 2))
    )
