"""Hidden suite for 06_training (see ../../../shared/EXERCISES.md and autograder/suite.py).

Torch objects cannot cross the process boundary, so every test goes through a probe of
``autograder/inside/probes/training.py``. Where a reference value is needed, the same probe runs
here, in the grader, on the reference solution's namespace (``vars(ref)``) with the same
inputs. Tests that put tensors on a device run once per device; the ``cuda`` case is
skipped where the worker sees no CUDA device.
"""

import weakref

import numpy as np
import pytest

from autograder.inside.probes import training
from autograder.sandbox import WorkerLost
from autograder.student import StudentError
from autograder.suite import check_array, check_equal, check_float, expect_error, fail, points, rng

# CUDA cases are reported but worth no points: a grade must not depend on whether the
# grading machine has a GPU (and otter/nbgrader fix the points when the bundle is built).
DEVICES = ["cpu", pytest.param("cuda", marks=points(0))]
_CUDA = weakref.WeakKeyDictionary()  # student -> does its worker see a CUDA device?


def on(student, device):
    """``device``, after skipping the test when it is CUDA and the worker has none."""
    if device == "cuda":
        if student not in _CUDA:
            try:
                _CUDA[student] = student.probe(training.cuda_available) is True
            except (StudentError, WorkerLost):
                _CUDA[student] = training.cuda_available({})
        if not _CUDA[student]:
            if training.cuda_available({}):
                pytest.skip("this machine has a CUDA device, but the process running the "
                            "submission cannot use it (its resource limits may prevent it)")
            pytest.skip("no CUDA device on this grading machine")
    return device


def tolerances(device):
    """float32 results: the CPU matches the reference closely, a GPU a little less."""
    return {"rtol": 1e-5, "atol": 1e-6} if device == "cpu" else {"rtol": 1e-4, "atol": 1e-5}


def run(student, what, probe, *args):
    """student.probe(probe, *args), with a failure message about ``what`` the student wrote."""
    try:
        return student.probe(probe, *args)
    except StudentError as exc:
        if exc.type_name == "NotImplementedError":
            detail = exc.detail or "something it calls is not implemented yet"
            fail(f"{what}: {detail} (it still raises NotImplementedError)")
        if exc.kind == "missing" or exc.type_name == "NameError":
            fail(f"{what}: {exc.detail}")
        text = str(exc)
        where = text.split(exc.detail, 1)[1] if exc.detail and exc.detail in text else ""
        fail(f"{what} raised {exc.type_name}: {exc.detail}{where}")


def not_a_number(what, got):
    """Fail with a helpful message if a returned value is not a plain number."""
    if isinstance(got, dict):
        hint = ""
        if got.get("type", "").startswith("torch."):
            hint = " Use .item() to turn a one-element tensor into a Python float."
        fail(f"{what}: expected a Python float, got a {got.get('type')} "
             f"({got.get('text') or 'not a number'}).{hint}")


def linear_weights(seed, sizes):
    """{name: float32 array} for a two-layer net in_size -> hidden -> classes, as nn.Linear
    would draw them."""
    g = rng(seed)
    inputs, hidden, classes = sizes
    k1, k2 = 1 / np.sqrt(inputs), 1 / np.sqrt(hidden)
    return {
        "fc1.weight": g.uniform(-k1, k1, size=(hidden, inputs)).astype(np.float32),
        "fc1.bias": g.uniform(-k1, k1, size=hidden).astype(np.float32),
        "fc2.weight": g.uniform(-k2, k2, size=(classes, hidden)).astype(np.float32),
        "fc2.bias": g.uniform(-k2, k2, size=classes).astype(np.float32),
    }


def classification_data(seed, n, inputs, classes):
    g = rng(seed)
    X = (2.0 * g.normal(size=(n, inputs))).astype(np.float32)
    y = g.integers(0, classes, size=n).astype(np.int64)
    return X, y


def numpy_mlp(weights, x, relu=True, softmax=False):
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
        fail(f"{what}: expected torch.device({expected!r}), got {facts['class']} "
             f"({facts['text']}); return torch.device(...), not a string.")
    if facts["type"] != expected:
        fail(f"{what}: expected torch.device({expected!r}), got torch.device({facts['text']!r}).")


def test_get_device_here(student):
    """get_device: returns the torch.device that torch.cuda.is_available() points to"""
    info = run(student, "get_device()", training.device_choice)
    expected = "cuda" if info["cuda"] else "cpu"
    _check_device(f"get_device() where torch.cuda.is_available() is {info['cuda']}",
                  info["real"], expected)


def test_get_device_follows_availability(student):
    """get_device: picks cuda when CUDA is available and cpu when it is not (simulated)"""
    info = run(student, "get_device()", training.device_choice)
    for flag, expected in (("True", "cuda"), ("False", "cpu")):
        facts = info["simulated"][flag]
        if facts["type"] is not None and facts["type"] != expected:
            hint = (" It seems to always return the CPU: ask torch.cuda.is_available()."
                    if expected == "cuda" else " Ask torch.cuda.is_available() first.")
            fail(f"get_device() while torch.cuda.is_available() returns {flag}: expected "
                 f"torch.device({expected!r}), got torch.device({facts['text']!r}).{hint}")
        _check_device(f"get_device() while torch.cuda.is_available() returns {flag}", facts,
                      expected)


# ---- SimpleMLP ----------------------------------------------------------------------------

@points(2)
def test_mlp_parameters(student):
    """SimpleMLP: an nn.Module with parameters fc1.weight (hidden, in), fc1.bias, fc2.weight, fc2.bias"""
    what = "SimpleMLP(3, 7, 4)"
    info = run(student, what, training.mlp_structure, 3, 7, 4)
    if not info["is_module"]:
        fail(f"{what}: expected an nn.Module, got {info['class']}; write "
             "class SimpleMLP(nn.Module) and call super().__init__() first.")
    expected = [["fc1.weight", [7, 3]], ["fc1.bias", [7]], ["fc2.weight", [4, 7]],
                ["fc2.bias", [4]]]
    got = info["params"]
    if sorted(map(str, got)) != sorted(map(str, expected)):
        shown = ", ".join(f"{n} {tuple(s)}" for n, s in got) or "none"
        fail(f"{what}: expected the parameters fc1.weight (7, 3), fc1.bias (7,), fc2.weight "
             f"(4, 7) and fc2.bias (4,), i.e. fc1 = nn.Linear(3, 7) and fc2 = nn.Linear(7, 4); "
             f"got {shown}.")


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_mlp_logits(student, ref, device):
    """SimpleMLP: logits equal the reference's when the same weights are loaded"""
    device = on(student, device)
    weights = linear_weights(11, (3, 7, 4))
    x = (1.5 * rng(12).normal(size=(6, 3))).astype(np.float32)
    what = f"SimpleMLP(3, 7, 4) with given weights, model(x) for x of shape (6, 3) on {device}"
    got = run(student, what, training.mlp_logits, device, weights, x)
    if got["logits"] is None:
        fail(f"{what}: forward should return a tensor of logits, got {got['type']}.")
    if got["device"] != device:
        fail(f"{what}: the logits should stay on {device}, got them on {got['device']}.")
    want = training.mlp_logits(vars(ref), "cpu", weights, x)["logits"]
    check_array(what, got["logits"], want, dtype=None, **tolerances(device),
                likely={"the ReLU between fc1 and fc2 is missing": numpy_mlp(weights, x, relu=False),
                        "forward applies softmax; return the logits (the loss does the softmax)":
                            numpy_mlp(weights, x, softmax=True)})


# ---- make_criterion -----------------------------------------------------------------------

CRITERIA = {"regression": "torch.nn.modules.loss.MSELoss",
            "multiclass": "torch.nn.modules.loss.CrossEntropyLoss",
            "binary": "torch.nn.modules.loss.BCEWithLogitsLoss"}


@points(2)
def test_criterion_types(student):
    """make_criterion: regression, multiclass and binary give MSELoss, CrossEntropyLoss and BCEWithLogitsLoss"""
    info = run(student, "make_criterion(task)", training.criterion_kinds, list(CRITERIA))
    for task, expected in CRITERIA.items():
        got = info[task]["class"]
        if got != expected:
            hint = ""
            if task == "binary" and got.endswith(".BCELoss"):
                hint = (" BCELoss used where BCEWithLogitsLoss is needed: the model outputs "
                        "logits, and BCELoss expects probabilities.")
            elif task == "multiclass" and got.endswith(".NLLLoss"):
                hint = " NLLLoss expects log-probabilities; CrossEntropyLoss takes logits."
            fail(f"make_criterion({task!r}): expected {expected.split('.')[-1]}(), got "
                 f"{got.split('.')[-1]}.{hint}")
        if info[task]["reduction"] != "mean":
            fail(f"make_criterion({task!r}): expected the default reduction 'mean', got "
                 f"{info[task]['reduction']!r}.")


@pytest.mark.parametrize("device", DEVICES)
def test_criterion_values(student, ref, device):
    """make_criterion: each loss has the value torch's loss gives on the same inputs"""
    device = on(student, device)
    g = rng(21)
    cases = {
        "regression": [g.normal(size=(5, 3)).astype(np.float32),
                       g.normal(size=(5, 3)).astype(np.float32)],
        "multiclass": [(3 * g.normal(size=(5, 4))).astype(np.float32),
                       np.array([0, 3, 1, 1, 2], dtype=np.int64)],
        "binary": [np.array([40.0, -40.0, 0.5, -2.0, 3.0], dtype=np.float32),
                   np.array([0.0, 1.0, 1.0, 0.0, 1.0], dtype=np.float32)],
    }
    got = run(student, f"make_criterion(task) applied on {device}", training.criterion_values,
              device, cases)
    want = training.criterion_values(vars(ref), "cpu", cases)
    for task in CRITERIA:
        what = f"make_criterion({task!r})(prediction, target) on {device}"
        if isinstance(got[task], dict) and "error" in got[task]:
            hint = (" BCELoss used where BCEWithLogitsLoss is needed: the inputs are logits, "
                    "not probabilities." if task == "binary" else "")
            fail(f"{what} raised {got[task]['error']}.{hint}")
        not_a_number(what, got[task])
        check_float(what, float(got[task]), want[task], **tolerances(device))


def test_criterion_unknown(student):
    """make_criterion: raises ValueError for an unknown task"""
    for task in ("multi-class", "classification"):
        expect_error(ValueError, f"make_criterion({task!r})", student.make_criterion, task)


# ---- make_optimizer -----------------------------------------------------------------------

OPTIMIZERS = {"sgd": "torch.optim.sgd.SGD", "momentum": "torch.optim.sgd.SGD",
              "adam": "torch.optim.adam.Adam"}


@points(2)
def test_optimizer_setup(student):
    """make_optimizer: sgd, momentum and adam build the right optimizer with lr, over all parameters"""
    for name, lr in (("sgd", 0.125), ("momentum", 0.05), ("adam", 0.003)):
        what = f"make_optimizer(model, {name!r}, lr={lr})"
        info = run(student, what, training.optimizer_setup, name, lr)
        expected = OPTIMIZERS[name]
        if info["class"] != expected:
            fail(f"{what}: expected torch.optim.{expected.split('.')[-1]}, got {info['class']}.")
        if info["covered"] != info["total"] or info["foreign"]:
            fail(f"{what}: the optimizer should hold all {info['total']} parameters of the "
                 f"model (pass model.parameters()); it holds {info['covered']} of them"
                 + (f" and {info['foreign']} others" if info["foreign"] else "") + ".")
        for group in info["groups"]:
            check_float(f"{what}: the learning rate", group.get("lr"), lr)
            if name != "adam":
                want_momentum = 0.9 if name == "momentum" else 0.0
                got_momentum = group.get("momentum")
                if got_momentum != want_momentum:
                    hint = (" momentum missing: 'momentum' means SGD(..., momentum=0.9)."
                            if name == "momentum" else " 'sgd' is plain SGD, without momentum.")
                    fail(f"{what}: expected momentum={want_momentum}, got {got_momentum!r}.{hint}")
                if group.get("nesterov") or group.get("dampening") or group.get("weight_decay"):
                    fail(f"{what}: use SGD's defaults for nesterov, dampening and weight_decay; "
                         f"got {group}.")
            else:
                if group.get("betas") != [0.9, 0.999] or group.get("eps") != 1e-8 or \
                        group.get("weight_decay") or group.get("amsgrad"):
                    fail(f"{what}: use Adam's defaults (betas=(0.9, 0.999), eps=1e-8, no "
                         f"weight decay); got {group}.")


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
                m_hat, v_hat = s["m"] / (1 - 0.9 ** t), s["v"] / (1 - 0.999 ** t)
                params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params


@pytest.mark.parametrize("device", DEVICES)
def test_optimizer_steps(student, device):
    """make_optimizer: three steps with given gradients move the parameters as the update rule says"""
    device = on(student, device)
    weights = linear_weights(31, (3, 4, 2))
    g = rng(32)
    grads = [{k: g.normal(size=v.shape).astype(np.float32) for k, v in weights.items()}
             for _ in range(3)]
    for name, lr in (("sgd", 0.1), ("momentum", 0.1), ("adam", 0.01)):
        what = f"three steps of make_optimizer(model, {name!r}, lr={lr}) on {device}"
        got = run(student, what, training.optimizer_trajectory, device, name, lr, weights, grads)
        want = _numpy_steps(name, lr, weights, grads)
        plain_sgd = _numpy_steps("sgd", lr, weights, grads)
        for k in weights:
            likely = {}
            if name == "momentum":
                likely["momentum missing: 'momentum' means SGD(..., momentum=0.9)"] = plain_sgd[k]
            check_array(f"{what}: {k}", got.get(k), want[k], dtype=None, rtol=1e-5, atol=1e-6,
                        likely=likely)


def test_optimizer_unknown(student):
    """make_optimizer: raises ValueError for an unknown name"""
    for name in ("rmsprop", "SGD with momentum"):
        what = f"make_optimizer(model, {name!r}, lr=0.1)"
        try:
            student.probe(training.optimizer_setup, name, 0.1)
        except StudentError as exc:
            if exc.type_name == "NotImplementedError":
                fail(f"{what}: {exc.detail} (it still raises NotImplementedError)")
            if not exc.is_a(ValueError):
                fail(f"{what}: expected ValueError, but it raised {exc.type_name}: {exc.detail}")
            continue
        fail(f"{what}: expected ValueError to be raised, but it returned normally.")


# ---- make_loaders -------------------------------------------------------------------------

def loader_data(n, d=3, classes=3, seed=40):
    """X whose first column is the row number (to follow each example), labels row % classes."""
    X = rng(seed).normal(size=(n, d)).astype(np.float32)
    X[:, 0] = np.arange(n)
    return X, (np.arange(n) % classes).astype(np.int64)


def loaders(student, n=53, batch_size=8, val_fraction=0.25, seed=5):
    X, y = loader_data(n)
    what = f"make_loaders(X, y, batch_size={batch_size}, val_fraction={val_fraction}, seed={seed}) for N={n}"
    info = run(student, what, training.loader_contents, X, y, batch_size, val_fraction, seed)
    if info["returned"] != "pair":
        fail(f"{what}: expected a pair (train_loader, val_loader), got {info['returned']}.")
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
            fail(f"{what}: expected int({n} * {fraction}) = {n_val} validation and {n - n_val} "
                 f"training examples, got {got_val} and {got_train}.")


@points(2)
def test_loaders_disjoint(student):
    """make_loaders: training and validation are disjoint and together hold every example once"""
    what, info = loaders(student)
    train, val = info["train"][0]["rows"], info["val"][0]["rows"]
    shared = sorted(set(train) & set(val))
    if shared:
        fail(f"{what}: train and validation overlap: {len(shared)} examples (rows "
             f"{shared[:5]}) are in both; split the permutation into two disjoint parts.")
    if sorted(train + val) != list(range(53)):
        missing = sorted(set(range(53)) - set(train) - set(val))
        repeated = len(train + val) - len(set(train + val))
        fail(f"{what}: every example should be in exactly one of the loaders; "
             f"{len(missing)} are in neither and {repeated} appear twice.")


def test_loaders_pairing(student):
    """make_loaders: each example keeps its own label"""
    what, info = loaders(student)
    for part in ("train", "val"):
        epoch = info[part][0]
        wrong = [r for r, t in zip(epoch["rows"], epoch["labels"]) if r % 3 != t]
        if wrong:
            fail(f"{what}: the {part} loader pairs {len(wrong)} examples with another example's "
                 "label; index X and y with the same indices.")


def test_loaders_random_split(student):
    """make_loaders: the split is random, reproducible for a seed, and changes with the seed"""
    what, first = loaders(student)
    _, again = loaders(student)
    _, other = loaders(student, seed=6)
    val = first["val"][0]["rows"]
    n_val = len(val)
    if sorted(val) in (list(range(n_val)), list(range(53 - n_val, 53))):
        fail(f"{what}: the validation examples are the first or last rows of X; the split "
             "should be random (draw a permutation with a seeded generator).")
    if sorted(val) != sorted(again["val"][0]["rows"]):
        fail(f"{what}: two calls with the same seed gave different splits; seed the "
             "permutation (torch.Generator().manual_seed(seed)).")
    if sorted(val) == sorted(other["val"][0]["rows"]):
        fail(f"{what}: seeds 5 and 6 gave the same split; use seed for the permutation.")


def test_loaders_train_shuffles(student):
    """make_loaders: the training loader reshuffles every epoch, reproducibly for a seed"""
    what, first = loaders(student)
    _, again = loaders(student)
    epoch1, epoch2 = first["train"][0]["rows"], first["train"][1]["rows"]
    if epoch1 == epoch2:
        fail(f"{what}: the training loader gave the same order in two epochs; it should "
             "shuffle (shuffle=True).")
    if epoch1 != again["train"][0]["rows"] or epoch2 != again["train"][1]["rows"]:
        fail(f"{what}: two calls with the same seed shuffled the training data differently; "
             "give the DataLoader a seeded generator (generator=torch.Generator()"
             ".manual_seed(seed)).")


def test_loaders_validation_fixed(student):
    """make_loaders: the validation loader does not shuffle"""
    what, info = loaders(student)
    if info["val"][0]["rows"] != info["val"][1]["rows"]:
        fail(f"{what}: validation loader shuffles: two passes over it gave different orders; "
             "use shuffle=False for validation.")


def test_loaders_batches(student):
    """make_loaders: batches hold batch_size examples, the last one may be smaller"""
    what, info = loaders(student)
    for part, total in (("train", 40), ("val", 13)):
        sizes = info[part][0]["sizes"]
        expected = [8] * (total // 8) + ([total % 8] if total % 8 else [])
        if sizes != expected:
            fail(f"{what}: expected the {part} batches to have sizes {expected}, got {sizes}.")


# ---- train_one_epoch ----------------------------------------------------------------------

EPOCH_SIZES = (3, 6, 4)  # inputs, hidden units, classes
EPOCH_BATCH, EPOCH_LR = 8, 0.5  # 22 examples: batches of 8, 8 and 6


def epoch_inputs():
    X, y = classification_data(50, 22, 3, 4)
    return linear_weights(51, EPOCH_SIZES), X, y


def student_epoch(student, device, **options):
    weights, X, y = epoch_inputs()
    what = (f"train_one_epoch(model, loader, criterion, optimizer, device) with SGD(lr={EPOCH_LR}) "
            f"on 22 examples in batches of 8, 8 and 6, on {device}")
    got = run(student, what, training.epoch_case, device, weights, X, y, EPOCH_BATCH, EPOCH_LR,
              options.get("dropout", 0.0), options.get("start_mode", "train"))
    return what, got


def reference_epoch(variant=""):
    weights, X, y = epoch_inputs()
    return training.epoch_case({}, "cpu", weights, X, y, EPOCH_BATCH, EPOCH_LR, 0.0, "train",
                               "plain", variant)


def _reference_epoch_via(ref):
    weights, X, y = epoch_inputs()
    return training.epoch_case(vars(ref), "cpu", weights, X, y, EPOCH_BATCH, EPOCH_LR, 0.0,
                               "train", "plain")


@points(3)
@pytest.mark.parametrize("device", DEVICES)
def test_epoch_parameters(student, ref, device):
    """train_one_epoch: the parameters after one SGD epoch match the reference"""
    device = on(student, device)
    what, got = student_epoch(student, device)
    want = _reference_epoch_via(ref)
    no_zero = reference_epoch("no_zero_grad")["params"]
    start = epoch_inputs()[0]
    for name in want["params"]:
        check_array(f"{what}: {name} afterwards", got["params"][name], want["params"][name],
                    dtype=None, **tolerances(device), likely={
                        "gradients accumulated across batches: call optimizer.zero_grad() before "
                        "loss.backward()": no_zero[name],
                        "the parameters did not move: optimizer.step() before loss.backward(), or "
                        "no optimizer.step() at all": start[name]})


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_epoch_loss(student, ref, device):
    """train_one_epoch: returns the mean loss over examples (batch losses weighted by batch size)"""
    device = on(student, device)
    what, got = student_epoch(student, device)
    not_a_number(f"{what}: the returned loss", got["loss"])
    want = _reference_epoch_via(ref)["loss"]
    likely = {"mean of batch losses not weighted by batch size (the last batch is smaller)":
              reference_epoch("unweighted")["loss"],
              "the batch losses were summed, not averaged over the examples":
              reference_epoch("sum")["loss"],
              "only the last batch's loss was returned": reference_epoch("last")["loss"]}
    check_float(f"{what}: the returned loss", got["loss"], want, **tolerances(device),
                likely=likely)


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_epoch_training_mode(student, device):
    """train_one_epoch: trains in training mode, even after the model was put in eval mode"""
    device = on(student, device)
    what, got = student_epoch(student, device, dropout=0.5, start_mode="eval")
    if not got["modes"] or not all(got["modes"]) or not got["training_after"]:
        fail(f"{what}, called on a model left in eval mode by a previous evaluate: model.train() "
             "missing: dropout stayed off during training. Call model.train() at the start of "
             "train_one_epoch.")


@pytest.mark.parametrize("device", DEVICES)
def test_epoch_steps(student, device):
    """train_one_epoch: one optimizer step per batch, with the batches on the device"""
    device = on(student, device)
    what, got = student_epoch(student, device)
    if got["steps"] != 3:
        fail(f"{what}: expected one optimizer.step() per batch, 3 in all, got {got['steps']}.")
    if got["devices"] != [device]:
        fail(f"{what}: the model received inputs on {got['devices']}; move every batch to "
             "device with .to(device).")


# ---- evaluate -----------------------------------------------------------------------------

def eval_inputs():
    X, y = classification_data(60, 22, 3, 4)
    return linear_weights(61, EPOCH_SIZES), X, y


def student_eval(student, device, dropout=0.0, start_mode="eval"):
    weights, X, y = eval_inputs()
    what = (f"evaluate(model, loader, criterion, device) on 22 examples in batches of 8, 8 and 6, "
            f"on {device}")
    got = run(student, what, training.eval_case, device, weights, X, y, EPOCH_BATCH, dropout,
              start_mode)
    result = got["result"]
    if result["kind"] != "tuple" or len(result["items"]) != 2:
        fail(f"{what}: expected a tuple (mean_loss, accuracy), got a {result['kind']}"
             + ("" if result["items"] is None else f" of length {len(result['items'])}") + ".")
    for label, value in zip(("mean_loss", "accuracy"), result["items"]):
        not_a_number(f"{what}: {label}", value)
    return what, got, result["items"]


def reference_eval(ref, variant="", dropout=0.0, start_mode="eval"):
    weights, X, y = eval_inputs()
    ns = {} if variant else vars(ref)
    info = training.eval_case(ns, "cpu", weights, X, y, EPOCH_BATCH, dropout, start_mode, variant)
    return [float(v) for v in info["result"]["items"]]


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_values(student, ref, device):
    """evaluate: returns the mean loss over examples and the accuracy of the argmax"""
    device = on(student, device)
    what, got, (loss, accuracy) = student_eval(student, device)
    want_loss, want_accuracy = reference_eval(ref)
    check_float(f"{what}: mean_loss", loss, want_loss, **tolerances(device), likely={
        "mean of batch losses not weighted by batch size (the last batch is smaller)":
        reference_eval(ref, "unweighted")[0]})
    check_float(f"{what}: accuracy", accuracy, want_accuracy, likely={
        "the number of correct examples instead of the fraction": want_accuracy * 22,
        "the fraction of wrong examples": 1 - want_accuracy})


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_no_graph(student, ref, device):
    """evaluate: builds no autograd graph (torch.no_grad()) and leaves the parameters alone"""
    device = on(student, device)
    what, got, values = student_eval(student, device)
    if not got["recording"]:
        fail(f"{what}: the model was never called (use model(xb), not model.forward(xb)).")
    if any(got["recording"]):
        fail(f"{what}: autograd recorded a graph during the evaluation; wrap the loop in "
             "`with torch.no_grad():` (nothing is trained here, so no graph is needed).")
    if got["grads"] or got["changed"]:
        fail(f"{what}: evaluate changed the parameters or their gradients "
             f"({', '.join(got['grads'] or got['changed'])}); it must not call backward() or step().")
    check_float(f"{what}: mean_loss", values[0], reference_eval(ref)[0], **tolerances(device))


@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_eval_mode(student, ref, device):
    """evaluate: runs the model in eval mode (dropout off), even after training mode"""
    device = on(student, device)
    what, got, values = student_eval(student, device, dropout=0.5, start_mode="train")
    if not got["modes"] or any(got["modes"]) or got["training_after"]:
        fail(f"{what}, called on a model with dropout that is in training mode: model.eval() "
             "missing: dropout stayed on during the evaluation, so the result is random. Call "
             "model.eval() at the start of evaluate.")
    check_float(f"{what}: mean_loss (dropout off)", values[0],
                reference_eval(ref, dropout=0.5, start_mode="train")[0], **tolerances(device))


# ---- fit ----------------------------------------------------------------------------------

@points(2)
@pytest.mark.parametrize("device", DEVICES)
def test_fit_history(student, device):
    """fit: calls train_one_epoch then evaluate once per epoch and returns their results in three lists"""
    device = on(student, device)
    epochs = 3
    what = f"fit(model, train_loader, val_loader, criterion, optimizer, device, epochs={epochs})"
    got = run(student, what, training.fit_spies, device, epochs)
    calls = got["calls"]
    order = [c["function"] for c in calls]
    if order != ["train_one_epoch", "evaluate"] * epochs:
        fail(f"{what}: expected train_one_epoch then evaluate, once each per epoch "
             f"({2 * epochs} calls), got the calls {order}.")
    for call in calls:
        expected = "train" if call["function"] == "train_one_epoch" else "val"
        if call["loader"] != expected:
            fail(f"{what}: {call['function']} was given the {call['loader']} loader; "
                 f"it should get {expected}_loader"
                 + (" (validating on the training data hides overfitting)."
                    if expected == "val" else "."))
        if not call["same_objects"]:
            fail(f"{what}: {call['function']} should receive fit's own model, criterion and "
                 "optimizer.")
        if call["device"] != device:
            fail(f"{what}: {call['function']} was given device {call['device']!r} instead of "
                 f"fit's device {device!r}.")
    expected = {"train_loss": [1.0 + k / 4 for k in range(1, epochs + 1)],
                "val_loss": [2.0 + k / 8 for k in range(1, epochs + 1)],
                "val_accuracy": [k / 16 for k in range(1, epochs + 1)]}
    history = got["history"]
    if not isinstance(history, dict):
        fail(f"{what}: expected a dict of three lists, got {history}.")
    if set(history) != set(expected):
        fail(f"{what}: expected the keys {sorted(expected)}, got {sorted(history)}.")
    for key, values in expected.items():
        check_equal(f"{what}: history[{key!r}], where train_one_epoch returned "
                    f"{expected['train_loss']} and evaluate returned "
                    f"{list(zip(expected['val_loss'], expected['val_accuracy']))}",
                    history[key], values)


@points(3)
@pytest.mark.parametrize("device", DEVICES)
def test_fit_moons(student, device):
    """fit: trains SimpleMLP on two moons to at least 95% validation accuracy"""
    device = on(student, device)
    n, noise, seed, hidden, lr, epochs = 400, 0.12, 7, 32, 0.02, 25
    what = (f"SimpleMLP(2, {hidden}, 2) with make_criterion('multiclass'), make_optimizer(model, "
            f"'adam', {lr}) and make_loaders(X, y, batch_size=32, val_fraction=0.2, seed=0) on "
            f"{n} two-moons points, fit(..., epochs={epochs}) on {device}")
    got = run(student, what, training.fit_moons, device, n, noise, seed, hidden, lr, epochs)
    lengths = got["lengths"]
    if not isinstance(lengths, dict) or set(lengths) != {"train_loss", "val_loss", "val_accuracy"} \
            or set(lengths.values()) != {epochs}:
        fail(f"{what}: expected fit to return a dict of three lists of {epochs} entries each, "
             f"got {lengths}.")
    if got["accuracy"] < 0.95:
        fail(f"{what}: the trained model classifies {got['accuracy']:.1%} of the "
             f"{got['validation_size']} validation examples correctly; at least 95% expected. "
             "Check the training loop (zero_grad, backward, step) and the model.")
