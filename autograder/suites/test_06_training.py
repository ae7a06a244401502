"""Hidden suite for 06_training (see docs/EXERCISES.md and autograder/grade/suite.py).

Torch objects cannot cross the process boundary, so every test goes through a probe of
``autograder/inside/probes/training.py``: it builds the objects next to the student code,
calls the student's functions and returns raw values (parameters after training, returned
losses, logits, what a loader yields). Every verdict is made here: the same probe runs next
to the reference solution, in a worker of its own (``reference``), or there on a known-wrong
version written below, with the same inputs, and the values are compared. This process runs
no probe. Student code can replace the probes in its own process, so no probe holds an
answer.

Properties that live only inside the process show in values: the loop tests use the
probes' ``ProbeNet``, whose ``ModeMask`` changes the function in training mode (a fixed
pattern, so an extra forward pass for logging changes nothing) and whose ``GraphShift``
changes it while autograd records a graph. ``fit`` is judged on the parameters it trained:
they are loaded into this process's own SimpleMLP (numpy) and scored on fresh two-moons
points that never leave this process.

What a takeover of the worker can still forge, at the price of writing the function
itself: ``get_device``'s answer is a function of a flag the probe must be told, and
``make_loaders``' tests check how the examples are split, shuffled and batched, which a
forged probe can only show by splitting, shuffling and batching them.

Tests that put tensors on a device run once per device; the ``cuda`` case is compared
with this process's CPU reference within a tolerance, worth no points, and skipped where
the worker sees no CUDA device.
"""

import inspect
import weakref

import numpy as np
import pytest

from autograder.grade.student import StudentError
from autograder.grade.suite import (
    check_array,
    check_equal,
    check_float,
    fail,
    points,
    property_test,
    rng,
    seed_for,
)
from autograder.grade.suite import run_probe as run
from autograder.sandbox.limits import WorkerLost

# CUDA cases are reported but worth no points: a grade must not depend on whether the
# grading machine has a GPU (and otter/nbgrader fix the points when the bundle is built).
DEVICES = ["cpu", pytest.param("cuda", marks=points(0))]
NO_GPU = "no GPU on the grading machine"
_CUDA = weakref.WeakKeyDictionary()  # student -> does its worker see a CUDA device?


def cuda_here():
    """Whether the grading machine has a usable CUDA device, as torch sees it here."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def on(student, device):
    """``device``, after skipping the test when it is CUDA and the worker has none."""
    if device == "cuda":
        if student not in _CUDA:
            try:
                _CUDA[student] = student.probe("training.cuda_available") is True
            except (StudentError, WorkerLost):
                _CUDA[student] = cuda_here()
        if not _CUDA[student]:
            if cuda_here():
                pytest.skip(
                    "this machine has a CUDA device, but the process running the "
                    "submission cannot use it (its resource limits may prevent it)"
                )
            pytest.skip(NO_GPU)
    return device


def tolerances(device):
    """float32 results: the CPU matches the reference closely, a GPU a little less."""
    return {"rtol": 1e-5, "atol": 1e-6} if device == "cpu" else {"rtol": 1e-4, "atol": 1e-5}


def not_a_number(what, got):
    """Fail with a helpful message if a returned value is not a plain number."""
    if isinstance(got, dict):
        hint = ""
        if got.get("type", "").startswith("torch."):
            hint = " Use .item() to turn a one-element tensor into a Python float."
        fail(
            f"{what}: expected a Python float, got a {got.get('type')} "
            f"({got.get('text') or 'not a number'}).{hint}"
        )


def params_of(what, got, names):
    """``got`` (a probe's {name: array}) after checking it has exactly ``names``."""
    if not isinstance(got, dict) or sorted(got) != sorted(names):
        shown = sorted(got) if isinstance(got, dict) else got
        fail(f"{what}: expected the parameters {sorted(names)}, got {shown}.")
    return got


def explained(check, likely):
    """``check(hints)``: first with no hints, and only if that fails again with
    ``likely()``, the {misconception: what it would return} that names the mistake (those
    take reference runs, which a passing submission does not need)."""
    try:
        check({})
    except AssertionError:
        check(likely())
        raise


def uniform_weights(g, sizes, names):
    """{name: float32 array} for a two-layer net in -> hidden -> out, as nn.Linear draws them."""
    inputs, hidden, outputs = sizes
    k1, k2 = 1 / np.sqrt(inputs), 1 / np.sqrt(hidden)
    shapes = [((hidden, inputs), k1), ((hidden,), k1), ((outputs, hidden), k2), ((outputs,), k2)]
    return {
        name: g.uniform(-k, k, size=shape).astype(np.float32)
        for name, (shape, k) in zip(names, shapes)
    }


def linear_weights(seed, sizes):
    """SimpleMLP's parameters, fc1 and fc2."""
    return uniform_weights(rng(seed), sizes, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])


PROBE_NAMES = ["first.weight", "first.bias", "last.weight", "last.bias"]


def probe_weights(seed, sizes):
    """ProbeNet's parameters (larger than nn.Linear's, so tanh is not nearly linear)."""
    return {k: 2 * v for k, v in uniform_weights(rng(seed), sizes, PROBE_NAMES).items()}


def classification_data(seed, n, inputs, classes):
    g = rng(seed)
    X = (2.0 * g.normal(size=(n, inputs))).astype(np.float32)
    y = g.integers(0, classes, size=n).astype(np.int64)
    return X, y


def numpy_mlp(weights, x, relu=True, softmax=False):
    """SimpleMLP's stated architecture in float64: fc1, ReLU, fc2."""
    h = x.astype(np.float64) @ weights["fc1.weight"].T + weights["fc1.bias"]
    if relu:
        h = np.maximum(h, 0.0)
    out = h @ weights["fc2.weight"].T + weights["fc2.bias"]
    if softmax:
        e = np.exp(out - out.max(axis=1, keepdims=True))
        out = e / e.sum(axis=1, keepdims=True)
    return out


# ---- get_device ---------------------------------------------------------------------------


def _check_device(what, facts, expected):
    if facts["type"] is None:
        fail(
            f"{what}: expected torch.device({expected!r}), got {facts['class']} "
            f"({facts['text']}); return torch.device(...), not a string."
        )
    if facts["type"] != expected:
        fail(f"{what}: expected torch.device({expected!r}), got torch.device({facts['text']!r}).")


def device_flags():
    """When the simulated torch.cuda.is_available() says True and when False (both occur)."""
    return [bool(v) for v in rng(1).permutation([True, True, False, False, False])]


def test_get_device_here(student):
    """get_device: returns the torch.device that torch.cuda.is_available() points to"""
    info = run(student, "get_device()", "training.device_choice", [])
    expected = "cuda" if info["cuda"] else "cpu"
    _check_device(
        f"get_device() where torch.cuda.is_available() is {info['cuda']}", info["real"], expected
    )


def test_get_device_follows_availability(student):
    """get_device: picks cuda when CUDA is available and cpu when it is not (simulated)"""
    flags = device_flags()
    info = run(student, "get_device()", "training.device_choice", flags)
    if not isinstance(info.get("simulated"), list) or len(info["simulated"]) != len(flags):
        fail(f"get_device() could not be called with CUDA availability simulated: got {info}.")
    for flag, facts in zip(flags, info["simulated"]):
        expected = "cuda" if flag else "cpu"
        if facts["type"] is not None and facts["type"] != expected:
            hint = (
                " It seems to always return the CPU: ask torch.cuda.is_available()."
                if expected == "cuda"
                else " Ask torch.cuda.is_available() first."
            )
            fail(
                f"get_device() while torch.cuda.is_available() returns {flag}: expected "
                f"torch.device({expected!r}), got torch.device({facts['text']!r}).{hint}"
            )
        _check_device(
            f"get_device() while torch.cuda.is_available() returns {flag}", facts, expected
        )


# ---- SimpleMLP ----------------------------------------------------------------------------


def _linear_pair_initial(sizes, seed, fc2_first):
    """The parameters nn.Linear gives fc1 and fc2 right after torch.manual_seed(seed)."""
    import torch

    inputs, hidden, classes = sizes
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if fc2_first:
            fc2, fc1 = torch.nn.Linear(hidden, classes), torch.nn.Linear(inputs, hidden)
        else:
            fc1, fc2 = torch.nn.Linear(inputs, hidden), torch.nn.Linear(hidden, classes)
    return {
        f"{name}.{kind}": getattr(layer, kind).detach().numpy()
        for name, layer in (("fc1", fc1), ("fc2", fc2))
        for kind in ("weight", "bias")
    }


@points(2)
def test_mlp_parameters(student):
    """SimpleMLP: an nn.Module of two nn.Linear layers, parameters fc1.weight (hidden, in), fc1.bias, fc2.weight, fc2.bias"""
    sizes = (3, 7, 4)
    seed = seed_for(10)
    what = "SimpleMLP(3, 7, 4)"
    info = run(student, what, "training.mlp_initial", *sizes, seed)
    if not info["is_module"]:
        fail(
            f"{what}: expected an nn.Module, got {info['class']}; write "
            "class SimpleMLP(nn.Module) and call super().__init__() first."
        )
    got = info["params"] if isinstance(info["params"], dict) else {}
    expected = {"fc1.weight": (7, 3), "fc1.bias": (7,), "fc2.weight": (4, 7), "fc2.bias": (4,)}
    shapes = {name: getattr(value, "shape", None) for name, value in got.items()}
    if shapes != expected:
        shown = ", ".join(f"{n} {s}" for n, s in shapes.items()) or "none"
        fail(
            f"{what}: expected the parameters fc1.weight (7, 3), fc1.bias (7,), fc2.weight "
            f"(4, 7) and fc2.bias (4,), i.e. fc1 = nn.Linear(3, 7) and fc2 = nn.Linear(7, 4); "
            f"got {shown}."
        )
    # Values tell nn.Linear layers apart from look-alikes: built right after
    # torch.manual_seed, the parameters are those nn.Linear draws (fc1 first, or fc2 first).
    for fc2_first in (False, True):
        want = _linear_pair_initial(sizes, seed, fc2_first)
        if all(np.array_equal(got[name], want[name]) for name in want):
            return
    fail(
        f"{what}, built right after torch.manual_seed({seed}): its parameters are not the "
        "values nn.Linear initialises them with; fc1 and fc2 should be nn.Linear layers with "
        "their default initialisation, and the model should hold no other layers with "
        "parameters."
    )


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_mlp_logits(student, reference, device):
    """SimpleMLP: logits equal the reference's when the same weights are loaded"""
    device = on(student, device)
    weights = linear_weights(11, (3, 7, 4))
    x = (1.5 * rng(12).normal(size=(6, 3))).astype(np.float32)
    what = f"SimpleMLP(3, 7, 4) with given weights, model(x) for x of shape (6, 3) on {device}"
    got = run(student, what, "training.mlp_logits", device, weights, x)
    if got["logits"] is None:
        fail(f"{what}: forward should return a tensor of logits, got {got['type']}.")
    if got["device"] != device:
        fail(f"{what}: the logits should stay on {device}, got them on {got['device']}.")
    want = reference.probe("training.mlp_logits", "cpu", weights, x)["logits"]
    check_array(
        what,
        got["logits"],
        want,
        dtype=None,
        **tolerances(device),
        likely={
            "the ReLU between fc1 and fc2 is missing": numpy_mlp(weights, x, relu=False),
            "forward applies softmax; return the logits (the loss does the softmax)": numpy_mlp(
                weights, x, softmax=True
            ),
        },
    )


# ---- make_criterion -----------------------------------------------------------------------

CRITERIA = {
    "regression": "MSELoss",
    "multiclass": "CrossEntropyLoss",
    "binary": "BCEWithLogitsLoss",
}


def criterion_cases(seed):
    """{task: [prediction, target]}: random values, and confident binary logits (+-40)."""
    g = rng(seed)
    binary = np.concatenate([[40.0, -40.0], 3 * g.normal(size=5)]).astype(np.float32)
    targets = np.concatenate([[0.0, 1.0], g.integers(0, 2, size=5)]).astype(np.float32)
    return {
        "regression": [
            g.normal(size=(5, 3)).astype(np.float32),
            g.normal(size=(5, 3)).astype(np.float32),
        ],
        "multiclass": [
            (3 * g.normal(size=(6, 4))).astype(np.float32),
            g.integers(0, 4, size=6).astype(np.int64),
        ],
        "binary": [binary, targets],
    }


def check_criteria(student, reference, device, seed, gradients):
    """make_criterion(task)'s loss (and its gradient) for each known task equal the
    reference's on the same inputs."""
    cases = criterion_cases(seed)
    got = run(
        student,
        f"make_criterion(task) applied on {device}",
        "training.criterion_outputs",
        device,
        cases,
    )
    want = reference.probe("training.criterion_outputs", "cpu", cases)
    for task, expected in CRITERIA.items():
        what = f"make_criterion({task!r})(prediction, target) on {device}"
        entry = got.get(task) if isinstance(got, dict) else None
        if not isinstance(entry, dict):
            fail(f"{what}: no result came back.")
        name = str(entry.get("class", "")).split(".")[-1]
        hint = ""
        if name != expected:
            hint = f" It gave {name}(), where {expected}() was expected."
            if task == "binary" and name == "BCELoss":
                hint += (
                    " BCELoss expects probabilities; the model outputs logits, which "
                    "BCEWithLogitsLoss takes."
                )
            elif task == "multiclass" and name == "NLLLoss":
                hint += " NLLLoss expects log-probabilities; CrossEntropyLoss takes logits."
        if "error" in entry:
            fail(f"{what} raised {entry['error']}.{hint}")
        not_a_number(what, entry["loss"])
        size = np.asarray(cases[task][0]).size if task != "multiclass" else len(cases[task][1])
        try:
            check_float(
                what,
                float(entry["loss"]),
                want[task]["loss"],
                **tolerances(device),
                likely={"reduction='sum' instead of the default 'mean'": want[task]["loss"] * size},
            )
        except AssertionError as exc:
            fail(f"{exc}{hint}")
        if gradients:
            if entry["grad"] is None:
                fail(
                    f"{what}: the loss does not depend on the prediction through autograd "
                    f"(no gradient reached it).{hint}"
                )
            check_array(
                f"{what}: the gradient of the loss with respect to the prediction",
                entry["grad"],
                want[task]["grad"],
                dtype=None,
                **tolerances(device),
            )


@points(2)
def test_criterion_types(student, reference):
    """make_criterion: regression, multiclass and binary give MSELoss, CrossEntropyLoss and BCEWithLogitsLoss"""
    check_criteria(student, reference, "cpu", 21, gradients=True)


@pytest.mark.parametrize("device", DEVICES)
def test_criterion_values(student, reference, device):
    """make_criterion: each loss has the value torch's loss gives on the same inputs"""
    device = on(student, device)
    check_criteria(student, reference, device, 22, gradients=False)


def _raises_value_error(student, what, probe, *args):
    try:
        student.probe(probe, *args)
    except StudentError as exc:
        if exc.type_name == "NotImplementedError":
            fail(
                f"{what}: {exc.detail or 'not implemented yet'} (it still raises "
                "NotImplementedError)"
            )
        if not exc.is_a(ValueError):
            fail(f"{what}: expected ValueError, but it raised {exc.type_name}: {exc.detail}")
        return
    fail(f"{what}: expected ValueError to be raised, but it returned normally.")


@property_test
def test_criterion_unknown(student, reference):
    """make_criterion: raises ValueError for an unknown task"""
    try:  # raising for everything is no answer: the known tasks must work too
        check_criteria(student, reference, "cpu", 23, gradients=False)
    except AssertionError as exc:
        fail(
            f"make_criterion must raise ValueError for an unknown task AND give the right "
            f"loss for a known one; the known tasks do not work yet: {exc}"
        )
    for task in ("multi-class", "classification"):
        _raises_value_error(
            student,
            f"make_criterion({task!r})",
            "training.criterion_outputs",
            "cpu",
            {task: criterion_cases(23)["regression"]},
        )


# ---- make_optimizer -----------------------------------------------------------------------


def optimizer_inputs(seed, steps):
    """Parameters ({name: float32 array}, the last one in a child module) and per-step
    gradients for them."""
    g = rng(seed)
    shapes = {"weight": (4, 3), "bias": (4,), "scale": (2, 2), "offset": (3,)}
    weights = {k: g.normal(size=s).astype(np.float32) for k, s in shapes.items()}
    grads = [
        {k: g.normal(size=s).astype(np.float32) for k, s in shapes.items()} for _ in range(steps)
    ]
    return weights, grads


def _numpy_steps(name, lr, weights, grads):
    """The parameters after the given steps, by the update rules of assignment 05 (float64)."""
    params = {k: v.astype(np.float64) for k, v in weights.items()}
    state = {k: {"buf": None, "m": 0.0, "v": 0.0} for k in params}
    for t, grad in enumerate(grads, start=1):
        for k in params:
            g, s = grad[k].astype(np.float64), state[k]
            if name == "sgd":
                params[k] = params[k] - lr * g
            elif name == "momentum":
                s["buf"] = g if s["buf"] is None else 0.9 * s["buf"] + g
                params[k] = params[k] - lr * s["buf"]
            else:
                s["m"] = 0.9 * s["m"] + 0.1 * g
                s["v"] = 0.999 * s["v"] + 0.001 * g * g
                m_hat, v_hat = s["m"] / (1 - 0.9**t), s["v"] / (1 - 0.999**t)
                params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params


OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD", "adam": "Adam"}


def check_optimizer(student, device, name, lr, seed, steps):
    """The parameters after ``steps`` steps of make_optimizer(model, name, lr) with hidden
    gradients equal the update rule's."""
    weights, grads = optimizer_inputs(seed, steps)
    what = f"{steps} steps of make_optimizer(model, {name!r}, lr={lr}) on {device}"
    got = run(student, what, "training.optimizer_trajectory", device, name, lr, weights, grads)
    params = params_of(what, got.get("params") if isinstance(got, dict) else got, weights)
    want = _numpy_steps(name, lr, weights, grads)
    made = str(got.get("class", "")).split(".")[-1]
    groups = got.get("groups") or [{}]
    hint = ""
    if made != OPTIMIZERS[name]:
        hint = f" It built a {made}, where torch.optim.{OPTIMIZERS[name]} was expected."
    elif any(g.get("lr") != lr for g in groups):
        hint = f" Its learning rate is {groups[0].get('lr')!r}; use the lr given."
    for k in weights:
        likely = {
            "this parameter did not move: the optimizer does not hold it (pass all of "
            "model.parameters())": weights[k]
        }
        if name == "momentum":
            likely["momentum missing: 'momentum' means SGD(..., momentum=0.9)"] = _numpy_steps(
                "sgd", lr, weights, grads
            )[k]
        if name == "sgd":
            likely["'sgd' is plain SGD, without momentum"] = _numpy_steps(
                "momentum", lr, weights, grads
            )[k]
        try:
            check_array(
                f"{what}: parameter {k!r}",
                params[k],
                want[k],
                dtype=None,
                **tolerances(device),
                likely=likely,
            )
        except AssertionError as exc:
            fail(f"{exc}{hint}")


@points(2)
def test_optimizer_setup(student):
    """make_optimizer: sgd, momentum and adam build the right optimizer with lr, over all parameters"""
    for name, lr in (("sgd", 0.125), ("momentum", 0.05), ("adam", 0.003)):
        check_optimizer(student, "cpu", name, lr, 30, steps=2)


@pytest.mark.parametrize("device", DEVICES)
def test_optimizer_steps(student, device):
    """make_optimizer: three steps with given gradients move the parameters as the update rule says"""
    device = on(student, device)
    for name, lr in (("sgd", 0.1), ("momentum", 0.1), ("adam", 0.01)):
        check_optimizer(student, device, name, lr, 32, steps=3)


@property_test
def test_optimizer_unknown(student):
    """make_optimizer: raises ValueError for an unknown name"""
    try:  # raising for everything is no answer: the known names must work too
        for name, lr in (("sgd", 0.2), ("momentum", 0.02), ("adam", 0.02)):
            check_optimizer(student, "cpu", name, lr, 34, steps=2)
    except AssertionError as exc:
        fail(
            f"make_optimizer must raise ValueError for an unknown name AND build the right "
            f"optimizer for a known one; the known names do not work yet: {exc}"
        )
    weights, grads = optimizer_inputs(34, 1)
    for name in ("rmsprop", "SGD with momentum"):
        _raises_value_error(
            student,
            f"make_optimizer(model, {name!r}, lr=0.1)",
            "training.optimizer_trajectory",
            "cpu",
            name,
            0.1,
            weights,
            grads,
        )


# ---- make_loaders -------------------------------------------------------------------------


def loader_data(n, d=3, classes=3, seed=40):
    """X whose first column is the row number (to follow each example), labels row % classes."""
    X = rng(seed).normal(size=(n, d)).astype(np.float32)
    X[:, 0] = np.arange(n)
    return X, (np.arange(n) % classes).astype(np.int64)


def _epoch(what, part, batches, X):
    """{"rows", "labels", "sizes"} of one pass over a loader, from its raw batches."""
    rows, labels, sizes = [], [], []
    for xb, yb in batches:
        xb, yb = np.asarray(xb, dtype=np.float64), np.asarray(yb).reshape(-1)
        if xb.ndim != 2 or xb.shape[1] != X.shape[1] or len(yb) != len(xb):
            fail(
                f"{what}: the {part} loader should yield batches (inputs (B, {X.shape[1]}), "
                f"targets (B,)); got shapes {xb.shape} and {yb.shape}."
            )
        index = np.rint(xb[:, 0]).astype(np.int64)
        if ((index < 0) | (index >= len(X))).any() or not np.allclose(xb, X[index], atol=1e-6):
            fail(
                f"{what}: the {part} loader yields inputs that are not rows of X; wrap the "
                "rows of X (as float32 tensors) in a TensorDataset, unchanged."
            )
        rows += index.tolist()
        labels += [int(round(float(v))) for v in yb]
        sizes.append(len(xb))
    return {"rows": rows, "labels": labels, "sizes": sizes}


def loaders(student, n=53, batch_size=8, val_fraction=0.25, seed=5):
    X, y = loader_data(n)
    what = f"make_loaders(X, y, batch_size={batch_size}, val_fraction={val_fraction}, seed={seed}) for N={n}"
    info = run(student, what, "training.loader_contents", X, y, batch_size, val_fraction, seed)
    if info["returned"] != "pair":
        fail(f"{what}: expected a pair (train_loader, val_loader), got {info['returned']}.")
    for part in ("train", "val"):
        info[part] = [_epoch(what, part, batches, X) for batches in info[part]]
    return what, info


@points(1)
def test_loaders_sizes(student):
    """make_loaders: int(N * val_fraction) examples go to validation, the rest to training"""
    for n, fraction in ((53, 0.25), (40, 0.3)):
        what, info = loaders(student, n=n, val_fraction=fraction)
        n_val = int(n * fraction)
        for name in info["classes"]:
            if name != "torch.utils.data.dataloader.DataLoader":
                fail(f"{what}: expected two torch DataLoaders, got {name}.")
        got_val, got_train = len(info["val"][0]["rows"]), len(info["train"][0]["rows"])
        if (got_val, got_train) != (n_val, n - n_val):
            fail(
                f"{what}: expected int({n} * {fraction}) = {n_val} validation and {n - n_val} "
                f"training examples, got {got_val} and {got_train}."
            )


@points(2)
def test_loaders_disjoint(student):
    """make_loaders: training and validation are disjoint and together hold every example once"""
    what, info = loaders(student)
    train, val = info["train"][0]["rows"], info["val"][0]["rows"]
    shared = sorted(set(train) & set(val))
    if shared:
        fail(
            f"{what}: train and validation overlap: {len(shared)} examples (rows "
            f"{shared[:5]}) are in both; split the permutation into two disjoint parts."
        )
    if sorted(train + val) != list(range(53)):
        missing = sorted(set(range(53)) - set(train) - set(val))
        repeated = len(train + val) - len(set(train + val))
        fail(
            f"{what}: every example should be in exactly one of the loaders; "
            f"{len(missing)} are in neither and {repeated} appear twice."
        )


def split_made(what, info, n=53):
    """Fail unless the loaders split the examples: validation holds some, not all, of them
    and the two together hold N (the exact sizes are test_loaders_sizes' business)."""
    n_val, n_train = len(info["val"][0]["rows"]), len(info["train"][0]["rows"])
    if not (0 < n_val < n and n_val + n_train == n):
        fail(
            f"{what}: expected the {n} examples split between the two loaders, got "
            f"{n_train} training and {n_val} validation examples."
        )


def test_loaders_pairing(student):
    """make_loaders: each example keeps its own label"""
    what, info = loaders(student)
    split_made(what, info)
    for part in ("train", "val"):
        epoch = info[part][0]
        wrong = [r for r, t in zip(epoch["rows"], epoch["labels"]) if r % 3 != t]
        if wrong:
            fail(
                f"{what}: the {part} loader pairs {len(wrong)} examples with another example's "
                "label; index X and y with the same indices."
            )


def test_loaders_random_split(student):
    """make_loaders: the split is random, reproducible for a seed, and changes with the seed"""
    what, first = loaders(student)
    _, again = loaders(student)
    _, other = loaders(student, seed=6)
    val = first["val"][0]["rows"]
    n_val = len(val)
    if sorted(val) in (list(range(n_val)), list(range(53 - n_val, 53))):
        fail(
            f"{what}: the validation examples are the first or last rows of X; the split "
            "should be random (draw a permutation with a seeded generator)."
        )
    if sorted(val) != sorted(again["val"][0]["rows"]):
        fail(
            f"{what}: two calls with the same seed gave different splits; seed the "
            "permutation (torch.Generator().manual_seed(seed))."
        )
    if sorted(val) == sorted(other["val"][0]["rows"]):
        fail(f"{what}: seeds 5 and 6 gave the same split; use seed for the permutation.")


def test_loaders_train_shuffles(student):
    """make_loaders: the training loader reshuffles every epoch, reproducibly for a seed"""
    what, first = loaders(student)
    _, again = loaders(student)
    epoch1, epoch2 = first["train"][0]["rows"], first["train"][1]["rows"]
    if epoch1 == epoch2:
        fail(
            f"{what}: the training loader gave the same order in two epochs; it should "
            "shuffle (shuffle=True)."
        )
    if epoch1 != again["train"][0]["rows"] or epoch2 != again["train"][1]["rows"]:
        fail(
            f"{what}: two calls with the same seed shuffled the training data differently; "
            "give the DataLoader a seeded generator (generator=torch.Generator()"
            ".manual_seed(seed))."
        )


def test_loaders_validation_fixed(student):
    """make_loaders: the validation loader does not shuffle"""
    what, info = loaders(student)
    split_made(what, info)
    if info["val"][0]["rows"] != info["val"][1]["rows"]:
        fail(
            f"{what}: validation loader shuffles: two passes over it gave different orders; "
            "use shuffle=False for validation."
        )


def test_loaders_batches(student):
    """make_loaders: batches hold batch_size examples, the last one may be smaller"""
    what, info = loaders(student)
    for part, total in (("train", 40), ("val", 13)):
        sizes = info[part][0]["sizes"]
        expected = [8] * (total // 8) + ([total % 8] if total % 8 else [])
        if sizes != expected:
            fail(f"{what}: expected the {part} batches to have sizes {expected}, got {sizes}.")


# ---- train_one_epoch ----------------------------------------------------------------------
#
# Known-wrong loops, to name a mistake when the student's numbers match one. They run next to
# the reference only, through the same probe as the student's loop (so the same model, data
# and SGD): ``stand_in`` sends their code, which takes the contract function's place there.


def stand_in(contract_name, function, *args):
    """Code for ``reference.probe(..., define=...)``: this suite's known-wrong ``function``
    (called with ``args`` when it is a factory) bound to ``contract_name``."""
    value = f"{function.__name__}(*{args!r})" if args else function.__name__
    return f"{inspect.getsource(function)}\n{contract_name} = {value}\n"


def _wrong_epoch(mistake):
    """train_one_epoch written with ``mistake``: "no_zero_grad", "two_steps", "one_step",
    "unweighted", "sum" or "last"."""

    def train_one_epoch(model, loader, criterion, optimizer, device):
        model.train()
        losses, sizes = [], []
        for xb, yb in loader:
            if mistake != "no_zero_grad":
                optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            for _ in range({"two_steps": 2, "one_step": 0}.get(mistake, 1)):
                optimizer.step()
            losses.append(loss.item())
            sizes.append(len(xb))
        if mistake == "one_step":
            optimizer.step()
        if mistake == "unweighted":
            return sum(losses) / len(losses)
        if mistake == "sum":
            return float(sum(losses))
        if mistake == "last":
            return losses[-1]
        return sum(loss * n for loss, n in zip(losses, sizes)) / sum(sizes)

    return train_one_epoch


EPOCH_SIZES = (3, 6, 4)  # inputs, hidden units, classes


def epoch_inputs(case):
    """(weights, X, y, batch_size, lr, mask, start_mode) of a train_one_epoch case."""
    if case == "parameters":  # 22 examples in batches of 8, 8 and 6
        X, y = classification_data(50, 22, 3, 4)
        return probe_weights(51, EPOCH_SIZES), X, y, 8, 0.5, None, "train"
    if case == "loss":  # lr 0: every batch loss is the starting model's, whatever the loop
        X, y = classification_data(52, 22, 3, 4)
        return probe_weights(53, EPOCH_SIZES), X, y, 8, 0.0, None, "train"
    if case == "mode":  # one batch; a fixed dropout-like mask active in training mode only
        X, y = classification_data(54, 12, 3, 4)
        mask = np.where(rng(55).permutation(6) < 3, 2.0, 0.0).astype(np.float32)
        return probe_weights(56, EPOCH_SIZES), X, y, 12, 0.5, mask, "eval"
    X, y = classification_data(57, 13, 3, 4)  # "steps": batches of 4, 4, 4 and 1
    return probe_weights(58, EPOCH_SIZES), X, y, 4, 0.3, None, "train"


EPOCH_WHAT = {
    "parameters": "22 examples in batches of 8, 8 and 6",
    "loss": "22 examples in batches of 8, 8 and 6, lr=0",
    "mode": "one batch of 12 examples, the model left in eval mode",
    "steps": "13 examples in batches of 4, 4, 4 and 1",
}


def epoch_run(reference, case, mistake=None):
    """The reference's epoch on ``case`` (on the CPU), or that of ``_wrong_epoch(mistake)``."""
    weights, X, y, batch, lr, mask, mode = epoch_inputs(case)
    define = stand_in("train_one_epoch", _wrong_epoch, mistake) if mistake else None
    return reference.probe(
        "training.epoch_case", "cpu", weights, X, y, batch, lr, mask, mode, "plain", define=define
    )


def student_epoch(student, device, case):
    weights, X, y, batch, lr, mask, mode = epoch_inputs(case)
    what = (
        f"train_one_epoch(model, loader, criterion, optimizer, device) with SGD(lr={lr}) "
        f"on {EPOCH_WHAT[case]}, on {device}"
    )
    got = run(student, what, "training.epoch_case", device, weights, X, y, batch, lr, mask, mode)
    return what, got


def check_epoch_params(what, got, want, device, likely):
    """The parameters after the epoch are the reference's; ``likely()`` names mistakes."""
    params = params_of(what, got["params"], want["params"])

    def check(hints):
        for name in want["params"]:
            check_array(
                f"{what}: {name} afterwards",
                params[name],
                want["params"][name],
                dtype=None,
                **tolerances(device),
                likely={label: values[name] for label, values in hints.items()},
            )

    explained(check, likely)


@points(3)
@pytest.mark.parametrize("device", DEVICES)
def test_epoch_parameters(student, reference, device):
    """train_one_epoch: the parameters after one SGD epoch match the reference"""
    device = on(student, device)
    what, got = student_epoch(student, device, "parameters")
    check_epoch_params(
        what,
        got,
        epoch_run(reference, "parameters"),
        device,
        lambda: {
            "gradients accumulated across batches: call optimizer.zero_grad() before "
            "loss.backward()": epoch_run(reference, "parameters", "no_zero_grad")["params"],
            "the parameters did not move: optimizer.step() before loss.backward(), or no "
            "optimizer.step() at all": epoch_inputs("parameters")[0],
        },
    )


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_epoch_loss(student, reference, device):
    """train_one_epoch: returns the mean loss over examples (batch losses weighted by batch size)"""
    device = on(student, device)
    what, got = student_epoch(student, device, "loss")
    not_a_number(f"{what}: the returned loss", got["loss"])
    want = epoch_run(reference, "loss")["loss"]
    explained(
        lambda hints: check_float(
            f"{what}: the returned loss", got["loss"], want, **tolerances(device), likely=hints
        ),
        lambda: {
            "mean of batch losses not weighted by batch size (the last batch is smaller)": epoch_run(
                reference, "loss", "unweighted"
            )["loss"],
            "the batch losses were summed, not averaged over the examples": epoch_run(
                reference, "loss", "sum"
            )["loss"],
            "only the last batch's loss was returned": epoch_run(reference, "loss", "last")["loss"],
        },
    )


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_epoch_training_mode(student, reference, device):
    """train_one_epoch: trains in training mode, even after the model was put in eval mode"""
    device = on(student, device)
    what, got = student_epoch(student, device, "mode")
    weights, X, y, batch, lr, mask, mode = epoch_inputs("mode")
    check_epoch_params(
        f"{what} (its hidden layer behaves like dropout: different in training mode)",
        got,
        epoch_run(reference, "mode"),
        device,
        lambda: {
            "model.train() missing: the model stayed in eval mode while training (dropout "
            "off). Call model.train() at the start of train_one_epoch":  # no mask: eval mode
            reference.probe(
                "training.epoch_case", "cpu", weights, X, y, batch, lr, None, "eval", "plain"
            )["params"],
            "the parameters did not move: optimizer.step() before loss.backward(), or no "
            "optimizer.step() at all": weights,
        },
    )


@pytest.mark.parametrize("device", DEVICES)
def test_epoch_steps(student, reference, device):
    """train_one_epoch: one optimizer step per batch, with the batches on the device"""
    device = on(student, device)
    what, got = student_epoch(student, device, "steps")
    check_epoch_params(
        what,
        got,
        epoch_run(reference, "steps"),
        device,
        lambda: {
            "two optimizer steps per batch": epoch_run(reference, "steps", "two_steps")["params"],
            "one optimizer step per epoch instead of one per batch": epoch_run(
                reference, "steps", "one_step"
            )["params"],
            "gradients accumulated across batches: call optimizer.zero_grad() before "
            "loss.backward()": epoch_run(reference, "steps", "no_zero_grad")["params"],
            "the parameters did not move: optimizer.step() before loss.backward(), or no "
            "optimizer.step() at all": epoch_inputs("steps")[0],
        },
    )


# ---- evaluate -----------------------------------------------------------------------------


def _evaluate_unweighted(model, loader, criterion, device):
    """evaluate with the mistake of averaging batch losses without their sizes."""
    import torch

    model.eval()
    losses, correct, count = [], 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            losses.append(criterion(logits, yb).item())
            correct += int((logits.argmax(dim=1) == yb).sum().item())
            count += len(yb)
    return sum(losses) / len(losses), correct / count


def eval_inputs():
    """22 examples in batches of 8, 8 and 6; a mask and a shift for the mode and graph tests."""
    X, y = classification_data(60, 22, 3, 4)
    mask = np.where(rng(62).permutation(6) < 3, 2.0, 0.0).astype(np.float32)
    shift = float(rng(63).uniform(0.5, 1.5))
    return probe_weights(61, EPOCH_SIZES), X, y, mask, shift


def eval_run(reference, weights=None, mask=None, shift=None, start_mode="eval", define=None):
    default, X, y, _, _ = eval_inputs()
    weights = default if weights is None else weights
    info = reference.probe(
        "training.eval_case", "cpu", weights, X, y, 8, mask, shift, start_mode, define=define
    )
    return [float(v) for v in info["result"]["items"]]


def student_eval(student, device, mask=None, shift=None, start_mode="eval", note=""):
    weights, X, y, _, _ = eval_inputs()
    what = (
        f"evaluate(model, loader, criterion, device) on 22 examples in batches of 8, 8 and 6"
        f"{note}, on {device}"
    )
    got = run(
        student, what, "training.eval_case", device, weights, X, y, 8, mask, shift, start_mode
    )
    result = got["result"]
    if result["kind"] != "tuple" or len(result["items"]) != 2:
        fail(
            f"{what}: expected a tuple (mean_loss, accuracy), got a {result['kind']}"
            + ("" if result["items"] is None else f" of length {len(result['items'])}")
            + "."
        )
    for label, value in zip(("mean_loss", "accuracy"), result["items"]):
        not_a_number(f"{what}: {label}", value)
    return what, got, [float(v) for v in result["items"]]


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_values(student, reference, device):
    """evaluate: returns the mean loss over examples and the accuracy of the argmax"""
    device = on(student, device)
    what, got, (loss, accuracy) = student_eval(student, device)
    want_loss, want_accuracy = eval_run(reference)
    explained(
        lambda hints: check_float(
            f"{what}: mean_loss", loss, want_loss, **tolerances(device), likely=hints
        ),
        lambda: {
            "mean of batch losses not weighted by batch size (the last batch is smaller)": eval_run(
                reference, define=stand_in("evaluate", _evaluate_unweighted)
            )[0]
        },
    )
    check_float(
        f"{what}: accuracy",
        accuracy,
        want_accuracy,
        likely={
            "the number of correct examples instead of the fraction": want_accuracy * 22,
            "the fraction of wrong examples": 1 - want_accuracy,
        },
    )


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_no_graph(student, reference, device):
    """evaluate: builds no autograd graph (torch.no_grad()) and leaves the parameters alone"""
    device = on(student, device)
    weights, _, _, _, shift = eval_inputs()
    what, got, (loss, accuracy) = student_eval(
        student,
        device,
        shift=shift,
        note=" (a layer of the model computes differently while autograd records a graph)",
    )
    # what the model computes with a graph: the shift folded into the last layer's bias
    shifted = dict(
        weights, **{"last.bias": weights["last.bias"] + shift * weights["last.weight"].sum(axis=1)}
    )
    want = eval_run(reference, shift=shift)[0]
    explained(
        lambda hints: check_float(
            f"{what}: mean_loss", loss, want, **tolerances(device), likely=hints
        ),
        lambda: {
            "autograd recorded a graph during the evaluation; wrap the loop in "
            "`with torch.no_grad():` (nothing is trained here, so no graph is needed)": eval_run(
                reference, weights=shifted
            )[0]
        },
    )
    params = params_of(what, got["params"], weights)
    if got["grads"] or any(not np.array_equal(params[k], weights[k]) for k in weights):
        fail(
            f"{what}: evaluate changed the parameters or their gradients "
            f"({', '.join(map(str, got['grads'])) or 'the values'}); it must not call "
            "backward() or step()."
        )


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_eval_mode(student, reference, device):
    """evaluate: runs the model in eval mode (dropout off), even after training mode"""
    device = on(student, device)
    weights, _, _, mask, _ = eval_inputs()
    what, got, (loss, accuracy) = student_eval(
        student,
        device,
        mask=mask,
        start_mode="train",
        note=(
            " with a model left in training mode, whose hidden layer behaves like dropout "
            "(different in training mode)"
        ),
    )
    want_loss = eval_run(reference, mask=mask, start_mode="train")[0]
    masked = dict(weights, **{"last.weight": weights["last.weight"] * mask})
    explained(
        lambda hints: check_float(
            f"{what}: mean_loss", loss, want_loss, **tolerances(device), likely=hints
        ),
        lambda: {
            "model.eval() missing: dropout stayed on during the evaluation. Call model.eval() at "
            "the start of evaluate": eval_run(reference, weights=masked)[0]
        },
    )


# ---- fit ----------------------------------------------------------------------------------


def _explain_spy_value(value, tags):
    """What fit did to produce one history value from the stand-ins (see probes.training)."""
    if not isinstance(value, float):
        return f"{value!r}, which neither function returned"
    call = int(value // 1000)
    rest = value - 1000 * call
    wrong = int(rest // 100)
    tag = rest - 100 * wrong
    loader = next((name for name, t in tags.items() if abs(t - tag) < 1e-3), None)
    parts = [f"the result of call number {call + 1} (counting both functions)"]
    if loader:
        parts.append(f"given the {loader} loader")
    if wrong:
        parts.append("given a model, criterion, optimizer or device that was not fit's own")
    return ", ".join(parts)


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_fit_history(student, device):
    """fit: calls train_one_epoch then evaluate once per epoch and returns their results in three lists"""
    device = on(student, device)
    g = rng(64)
    epochs = int(g.integers(2, 5))
    train_tag, val_tag = (float(np.float32(round(g.uniform(a, a + 4), 3))) for a in (1, 5))
    what = (
        f"fit(model, train_loader, val_loader, criterion, optimizer, device, "
        f"epochs={epochs}) on {device}, with train_one_epoch and evaluate replaced by "
        "stand-ins that return known numbers"
    )
    history = run(student, what, "training.fit_spies", device, epochs, train_tag, val_tag)
    expected = {
        "train_loss": [1000.0 * (2 * e) + train_tag for e in range(epochs)],
        "val_loss": [1000.0 * (2 * e + 1) + val_tag for e in range(epochs)],
        "val_accuracy": [val_tag / 10 for _ in range(epochs)],
    }
    if not isinstance(history, dict):
        fail(f"{what}: expected a dict of three lists, got {history}.")
    if set(history) != set(expected):
        fail(f"{what}: expected the keys {sorted(expected)}, got {sorted(history)}.")
    for key in expected:
        got = history[key]
        if not isinstance(got, list) or len(got) != epochs:
            fail(
                f"{what}: history[{key!r}] should be a list of {epochs} entries, one per "
                f"epoch; got {got!r}."
            )
    tags = {"training": train_tag, "validation": val_tag}
    for key in ("train_loss", "val_loss"):
        for epoch, (got, want) in enumerate(zip(history[key], expected[key])):
            if got != want:
                function = "train_one_epoch" if key == "train_loss" else "evaluate"
                fail(
                    f"{what}: history[{key!r}][{epoch}] should be what {function} returned in "
                    f"epoch {epoch + 1} (each epoch: train_one_epoch on the training loader, "
                    "then evaluate on the validation loader, both with fit's own model, "
                    f"criterion, optimizer and device); it holds "
                    f"{_explain_spy_value(got, tags)}."
                )
    check_equal(
        f"{what}: history['val_accuracy'], where evaluate returned the accuracy "
        f"{expected['val_accuracy'][0]} every time",
        history["val_accuracy"],
        expected["val_accuracy"],
    )


def moons(n, noise, g):
    """The two-moons data of the lesson (the suite's own copy), drawn from generator g."""
    n_upper = n // 2
    n_lower = n - n_upper
    a_upper, a_lower = g.uniform(0.0, np.pi, n_upper), g.uniform(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(a_upper), np.sin(a_upper)])
    lower = np.column_stack([1.0 - np.cos(a_lower), 0.5 - np.sin(a_lower)])
    X = np.concatenate([upper, lower]) + g.normal(0.0, noise, size=(n, 2)) - [0.5, 0.25]
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    order = g.permutation(n)
    return X[order].astype(np.float32), y[order]


FIT_MOONS = {"n": 400, "noise": 0.12, "hidden": 32, "lr": 0.02, "epochs": 25, "fresh": 2000}


def placed_moons(seed):
    """Where this submission's two moons lie: turned by a random angle, perhaps mirrored,
    shifted, and perhaps with the labels swapped; applied to (X, y). Parameters that fit no
    training could carry in (pretrained for the usual moons) then classify about half the
    points, whatever fresh points are drawn."""
    g = rng(seed)
    angle, mirror, swap = g.uniform(0.0, 2 * np.pi), g.integers(2), g.integers(2)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    if mirror:
        turn = turn @ np.diag([1.0, -1.0])
    shift = g.uniform(-0.5, 0.5, size=2)

    def place(X, y):
        return (X @ turn.T + shift).astype(np.float32), (1 - y if swap else y)

    return place


def _check_fit_history(what, got, epochs):
    history = got["history"]
    keys = {"train_loss", "val_loss", "val_accuracy"}
    if (
        not isinstance(history, dict)
        or set(history) != keys
        or any(not isinstance(v, list) or len(v) != epochs for v in history.values())
    ):
        shown = (
            {k: len(v) if isinstance(v, list) else v for k, v in history.items()}
            if isinstance(history, dict)
            else history
        )
        fail(
            f"{what}: expected fit to return a dict of three lists of {epochs} entries each, "
            f"got {shown}."
        )
    for key, values in history.items():
        for value in values:
            not_a_number(f"{what}: an entry of history[{key!r}]", value)
    return history


@points(3)
@pytest.mark.parametrize("device", DEVICES)
def test_fit_moons(student, device):
    """fit: trains SimpleMLP on two moons to at least 95% validation accuracy"""
    device = on(student, device)
    c = FIT_MOONS
    place = placed_moons(73)
    X, y = place(*moons(c["n"], c["noise"], rng(70)))
    init_seed = seed_for(71)
    what = (
        f"SimpleMLP(2, {c['hidden']}, 2) with make_criterion('multiclass'), make_optimizer("
        f"model, 'adam', {c['lr']}) and make_loaders(X, y, batch_size=32, val_fraction=0.2, "
        f"seed=0) on {c['n']} two-moons points (turned, shifted, perhaps mirrored), "
        f"fit(..., epochs={c['epochs']}) on {device}"
    )
    got = run(
        student,
        what,
        "training.fit_moons",
        device,
        X,
        y,
        c["hidden"],
        c["lr"],
        c["epochs"],
        init_seed,
    )
    history = _check_fit_history(what, got, c["epochs"])
    shapes = {
        "fc1.weight": (c["hidden"], 2),
        "fc1.bias": (c["hidden"],),
        "fc2.weight": (2, c["hidden"]),
        "fc2.bias": (2,),
    }
    params = got["params"]
    if (
        not isinstance(params, dict)
        or {k: getattr(v, "shape", None) for k, v in params.items()} != shapes
    ):
        fail(
            f"{what}: the trained model should have SimpleMLP's parameters fc1 and fc2 and "
            "no others."
        )
    # the accuracy of the trained parameters, in this process, on points fit never saw
    X_new, y_new = place(*moons(c["fresh"], c["noise"], rng(72)))
    accuracy = float((numpy_mlp(params, X_new).argmax(axis=1) == y_new).mean())
    if accuracy < 0.95:
        fail(
            f"{what}: the trained model classifies {accuracy:.1%} of {c['fresh']} new "
            "two-moons points correctly; at least 95% expected. Check the training loop "
            "(zero_grad, backward, step) and the model."
        )
    # the last accuracy in the history: what the trained parameters give on the validation
    # loader's examples, which must be int(N * 0.2) of the given points with their labels
    # (the loss is left alone: it is evaluate's, and its own tests')
    X_val, y_val = _validation_rows(what, got["val"], X, y, int(c["n"] * 0.2))
    val_accuracy = float((numpy_mlp(params, X_val).argmax(axis=1) == y_val).mean())
    last = history["val_accuracy"][-1]
    if abs(last - val_accuracy) > 1.5 / len(y_val):
        fail(
            f"{what}: after the last epoch the history says val_accuracy {last!r}, but "
            f"the trained model classifies {val_accuracy:.4g} of the validation loader's "
            f"{len(y_val)} examples correctly; the history should hold what evaluate "
            "returned after each epoch."
        )


def _validation_rows(what, batches, X, y, size):
    """(X_val, y_val) from the validation loader's batches, after checking that they hold
    ``size`` of the given examples, each with its own label."""
    try:
        X_val = np.concatenate(
            [np.asarray(xb, dtype=np.float32).reshape(-1, 2) for xb, _ in batches]
        )
        y_val = np.concatenate([np.asarray(yb).reshape(-1) for _, yb in batches]).astype(int)
    except (TypeError, ValueError):
        X_val, y_val = np.zeros((0, 2), np.float32), np.zeros(0, int)
    if len(X_val) != size or len(y_val) != size:
        fail(
            f"{what}: the validation loader should yield {size} examples (with their "
            f"labels) in one pass; it yielded {len(X_val)}. See the make_loaders tests."
        )
    labels = {row.tobytes(): label for row, label in zip(np.asarray(X, np.float32), y)}
    if any(labels.get(row.tobytes()) != label for row, label in zip(X_val, y_val)):
        fail(
            f"{what}: the validation loader yields examples that are not among the given "
            "points, or not with their own labels. See the make_loaders tests."
        )
    return X_val.astype(np.float64), y_val
