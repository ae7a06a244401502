"""Forging 06_training's results (and one of 07_digits') from inside the worker, against the
real command line.

Student code runs in the same process as the probes that report on it, so it can replace
them. These cases show that doing so earns nothing that implementing the functions would
not: the suite compares raw values (trained parameters, losses, logits) with its own
reference computation, and scores fit's model on points it never sent. Each case is a
notebook graded by ``python -m autograder grade --json``; the release notebook (every
function still a stub) scores 0 (``test_grading``): the baseline a forgery must not beat.

``get_device`` is the one named exception here: its answer is a function of a flag the probe
must be told, so a forged probe can give it, at the price of writing get_device itself (the
README's trust model names the others: make_loaders' split tests and fit's history, which a
forged probe passes only by producing what the function would).
"""

from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from conftest import FAKE_AGENT, REPO, grade_json

ASSIGNMENT = "06_training"
RELEASE = REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
MASTER = REPO / "solutions" / f"{ASSIGNMENT}.py"
FORGEABLE = ("get_device",)  # see the module docstring

# Every probe of autograder/inside/probes/training.py replaced by one that answers in the
# probe's own format without running any contract function: echoes of its inputs,
# constants, the right shapes, ValueError for unknown names.
FORGED_PROBES = """\
import sys
import numpy as np
import autograder.inside.probes.training as T

def _device(kind):
    return {"class": "torch.device", "text": kind, "type": kind}

def device_choice(ns, flags):
    return {"cuda": False, "real": _device("cpu"),
            "simulated": [_device("cuda" if f else "cpu") for f in flags]}

def mlp_initial(ns, i, h, c, seed):
    shapes = {"fc1.weight": (h, i), "fc1.bias": (h,), "fc2.weight": (c, h), "fc2.bias": (c,)}
    return {"is_module": True, "class": "__main__.SimpleMLP",
            "params": {k: np.zeros(s, dtype=np.float32) for k, s in shapes.items()}}

def mlp_logits(ns, device, weights, x):
    return {"type": "torch.Tensor", "device": device,
            "logits": np.zeros((len(x), len(weights["fc2.bias"])), dtype=np.float32)}

KNOWN = {"regression": "MSELoss", "multiclass": "CrossEntropyLoss", "binary": "BCEWithLogitsLoss"}

def criterion_outputs(ns, device, cases):
    out = {}
    for task, (prediction, target) in cases.items():
        if task not in KNOWN:
            raise ValueError(task)
        out[task] = {"class": "torch.nn.modules.loss." + KNOWN[task], "loss": 0.5,
                     "grad": np.zeros_like(np.asarray(prediction))}
    return out

def optimizer_trajectory(ns, device, name, lr, weights, grads):
    if name not in ("sgd", "momentum", "adam"):
        raise ValueError(name)
    return {"class": "torch.optim.adam.Adam" if name == "adam" else "torch.optim.sgd.SGD",
            "groups": [{"lr": lr, "momentum": 0.9 if name == "momentum" else 0.0}],
            "params": dict(weights)}

def loader_contents(ns, X, y, batch_size, val_fraction, seed):
    batches = [[X[i:i + batch_size], y[i:i + batch_size]] for i in range(0, len(X), batch_size)]
    return {"returned": "pair", "classes": ["torch.utils.data.dataloader.DataLoader"] * 2,
            "train": [batches, batches], "val": [batches, batches]}

def epoch_case(ns, device, weights, *args, **kwargs):
    return {"loss": 1.0, "params": dict(weights)}

def eval_case(ns, device, weights, *args, **kwargs):
    return {"result": {"kind": "tuple", "items": [1.0, 0.5]}, "params": dict(weights),
            "grads": []}

def fit_spies(ns, device, epochs, train_tag, val_tag):
    return {"train_loss": [train_tag] * epochs, "val_loss": [val_tag] * epochs,
            "val_accuracy": [val_tag / 10] * epochs}

def fit_moons(ns, device, X, y, hidden, lr, epochs, init_seed):
    params = mlp_initial(ns, 2, hidden, 2, 0)["params"]
    n_val = int(len(X) * 0.2)
    history = {"train_loss": [0.01] * epochs, "val_loss": [0.01] * epochs,
               "val_accuracy": [1.0] * epochs}
    return {"history": history, "params": params, "val": [[X[:n_val], y[:n_val]]]}

def cuda_available(ns):
    return False

_forged = []
for _name, _value in list(globals().items()):
    if callable(_value) and not isinstance(_value, type(sys)) \
            and callable(getattr(T, _name, None)) \
            and getattr(T, _name) is not _value and not _name.startswith("_"):
        setattr(sys.modules["autograder.inside.probes.training"], _name, _value)
        _forged.append(_name)
print("forged:", sorted(_forged))
"""

# The contract's names bound to whatever our package offers in the worker that looks like
# an answer: a model class, training or evaluation loops, an optimizer.
REUSES_IMPORTABLE = """\
import importlib, inspect, pkgutil, sys
import torch
from torch import nn
import autograder.inside
import autograder.inside.probes

for _info in pkgutil.walk_packages(autograder.inside.__path__, "autograder.inside."):
    try:
        importlib.import_module(_info.name)
    except Exception as exc:
        print("cannot import", _info.name, type(exc).__name__)
found = {}
for _name, _module in list(sys.modules.items()):
    if _name.startswith("autograder"):
        for _attr, _value in vars(_module).items():
            found.setdefault(_attr, _value)
print("found", len(found), "names in", sorted(n for n in sys.modules if n.startswith("autograder")))

for _attr in ("SimpleMLP", "TinyNet", "ProbeNet", "tiny_net"):
    _cls = found.get(_attr)
    if inspect.isclass(_cls) and issubclass(_cls, nn.Module):
        try:
            _cls(3, 4, 2)
        except Exception:
            continue
        SimpleMLP = _cls
        print("SimpleMLP is", _attr)
        break
for _contract, _helper in (("train_one_epoch", "_variant_epoch"), ("evaluate", "_variant_eval")):
    if _helper in found:
        globals()[_contract] = (lambda h: lambda *a, **k: h("", *a, **k))(found[_helper])
        print(_contract, "is", _helper)
for _contract in ("get_device", "make_criterion", "make_optimizer", "make_loaders",
                  "train_one_epoch", "evaluate", "fit"):
    if callable(found.get(_contract)):
        globals()[_contract] = found[_contract]
        print(_contract, "found as is")
if "PlainSGD" in found:
    make_optimizer = lambda model, name, lr: found["PlainSGD"](model.parameters(), lr)
    print("make_optimizer is PlainSGD")
if "moons" in found:
    print("the suite's moons is here too")
"""

# The reference solution, except that make_loaders remembers every row it splits, forward
# answers remembered rows with their label, and nothing is trained.
MEMORISES = """\
_memory = {}
_make_loaders = make_loaders
_SimpleMLP = SimpleMLP


def make_loaders(X, y, batch_size=32, val_fraction=0.2, seed=0):
    for row, label in zip(np.asarray(X, dtype=np.float32), np.asarray(y)):
        _memory[row.tobytes()] = int(label)
    return _make_loaders(X, y, batch_size, val_fraction, seed)


class SimpleMLP(_SimpleMLP):
    def forward(self, x):
        out = super().forward(x)
        labels = [_memory.get(r.tobytes()) for r in x.detach().cpu().numpy().astype(np.float32)]
        if labels and None not in labels:
            answer = torch.zeros_like(out)
            answer[torch.arange(len(labels)), torch.tensor(labels)] = 10.0
            return out * 0 + answer
        return out


def train_one_epoch(model, loader, criterion, optimizer, device):
    return 0.0
"""


# No probe touched: SimpleMLP is a bag of parameters trained offline on the usual two moons
# (fixed here), the loaders are empty and fit trains nothing. The suite's moons are turned,
# shifted and mirrored at random for each submission, and the validation loader must hold
# the given points, so this earns nothing.
PRETRAINED = """\
W = {
  'fc1.weight': [[-0.1575, 1.0554], [-2.0914, -0.0839], [-1.234, 0.3242], [1.1254, 1.1969],
      [-0.1895, 0.7518], [-1.3983, 0.1529], [-2.025, -2.3799], [-2.3317, 0.7916], [1.4264, 0.9703],
      [-2.7523, -0.5942], [1.1684, 0.959], [0.0701, 0.4552], [0.3388, -0.0554], [2.1813, -1.3839],
      [-1.4418, -1.3635], [-0.6996, 1.6178], [-2.76, -0.7736], [-1.5188, -0.9457], [-0.2953,
      1.4066], [0.3155, 0.3427], [-0.6085, -0.9579], [0.1549, -1.7151], [-2.1136, 0.1054], [3.0827,
      0.1743], [-0.2921, 0.6656], [2.9578, -0.4769], [0.364, -0.4882], [-0.0647, -0.2871], [0.3078,
      -1.0849], [-2.5822, -1.8108], [0.3199, 0.2844], [-2.3436, 1.6848]],
  'fc1.bias': [1.3214, -0.9633, -0.6887, 0.4953, 0.9964, 0.5156, -0.8393, -1.3679, 0.7524, 1.0321,
      0.6003, 1.6072, 0.1875, -1.2767, 0.4874, -0.7091, -1.1729, 0.6735, 1.6335, -0.7054, 0.2837,
      -0.3588, -1.0182, -1.6091, 1.4316, -1.5363, 0.5176, 0.137, 0.8189, 1.0724, -0.6998, -1.2871],
  'fc2.weight': [[0.7083, 1.8453, 0.4681, 0.5489, 0.815, -1.3095, 1.5507, 2.1976, 0.9912, -1.2701,
      0.6719, 0.3288, 0.2523, -1.1792, -1.1068, 1.04, 2.0689, -0.7571, 0.6235, -0.1491, -0.5351,
      -0.692, 1.5441, -2.7215, 0.7116, -2.3028, -0.3917, -0.2243, -0.5785, -1.5788, -0.0443,
      1.9193], [-0.6818, -1.9532, -0.6436, -0.6129, -0.7638, 1.4195, -1.5013, -2.2603, -1.1547,
      1.2517, -0.7693, -0.3528, -0.0946, 1.318, 1.2022, -0.9479, -2.3353, 0.8337, -0.382, -0.0011,
      0.4032, 0.5645, -1.6837, 2.6143, -0.6781, 2.4103, 0.401, 0.1375, 0.5192, 1.3357, -0.0374,
      -2.0771]],
  'fc2.bias': [-0.1718, 0.1031],
}


class SimpleMLP(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(2, 32), nn.Linear(32, 2)
        self.load_state_dict({k: torch.tensor(v) for k, v in W.items()})


def make_criterion(task):
    return None


def make_optimizer(model, name, lr):
    return None


def make_loaders(X, y, batch_size=32, val_fraction=0.2, seed=0):
    return [], []


def fit(model, train_loader, val_loader, criterion, optimizer, device, epochs):
    return {"train_loss": [0.01] * epochs, "val_loss": [0.01] * epochs,
            "val_accuracy": [1.0] * epochs}
"""

# The probes replaced by a route other than the probe module's attributes: importlib's
# import_module, which the agent calls to find a probe, handing out a forged module.
IMPORTLIB_ROUTE = """\
import importlib, types

_real = importlib.import_module


def _fit_spies(ns, device, epochs, train_tag, val_tag):
    return {"train_loss": [2000.0 * e + train_tag for e in range(epochs)],
            "val_loss": [2000.0 * e + 1000.0 + val_tag for e in range(epochs)],
            "val_accuracy": [val_tag / 10] * epochs}


def _import_module(name, package=None):
    module = _real(name, package)
    if name.endswith("probes.training"):
        module = types.SimpleNamespace(**vars(module))
        module.fit_spies = _fit_spies
    return module


importlib.import_module = _import_module
"""

# 07: a full takeover (an agent of the submission's own on the channel) that answers what
# DigitsNet is made of for any sizes, with every function still a stub: the structure's
# points rest on logits the grader computes itself, so the answer earns nothing.
TAKEOVER_07 = (
    r"""
def _answer(request):
    if request.get("op") == "probe" and request.get("name") == "digits_net_structure":
        inputs, hidden, classes, rate = request["args"]
        linear, relu = "torch.nn.modules.linear.Linear", "torch.nn.modules.activation.ReLU"
        return {"value": {
            "is_module": True, "class": "__main__.DigitsNet",
            "children": [["fc1", linear], ["relu", relu],
                         ["drop", "torch.nn.modules.dropout.Dropout"], ["fc2", linear]],
            "params": [["fc1.weight", [hidden, inputs]], ["fc1.bias", [hidden]],
                       ["fc2.weight", [classes, hidden]], ["fc2.bias", [classes]]],
            "dropout": [rate]}}
    return {"error": {"kind": "raised", "type": "NotImplementedError", "mro": [],
                      "message": "stub", "where": ""}}
"""
    + FAKE_AGENT
)
RELEASE_07 = REPO / "assignments" / "07_digits" / "07_digits.ipynb"


def notebook(path, cells, base=RELEASE):
    """``base`` (a notebook, or a master .py) with ``cells`` appended, written to ``path``."""
    if base.suffix == ".py":
        path = path.with_suffix(".py")
        path.write_text(base.read_text() + "".join(f"\n# %%\n{c}" for c in cells))
        return path
    nb = nbformat.read(base, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


CASES = {  # name: (the cells added, to what, graded for which assignment)
    "stubs_with_forged_probes": ([FORGED_PROBES], RELEASE, ASSIGNMENT),
    "stubs_reusing_importable_code": ([REUSES_IMPORTABLE], RELEASE, ASSIGNMENT),
    "memorising_loaders_and_forward": ([MEMORISES], MASTER, ASSIGNMENT),
    "stubs_with_pretrained_constants": ([PRETRAINED], RELEASE, ASSIGNMENT),
    "stubs_forging_probes_through_importlib": ([IMPORTLIB_ROUTE], RELEASE, ASSIGNMENT),
    "takeover_answering_digitsnet_structure": ([TAKEOVER_07], RELEASE_07, "07_digits"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{case: results.json} for every case, graded two at a time."""
    folder = tmp_path_factory.mktemp("adversarial-training")

    def grade(name):
        cells, base, assignment = CASES[name]
        return grade_json(notebook(folder / f"{name}.ipynb", cells, base=base), assignment)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CASES, pool.map(grade, CASES)))


def scores(data, max_score=41):
    assert data["max_score"] == max_score and isinstance(data["tests"], list), data
    return {t["name"]: t["score"] for t in data["tests"]}


def forgeable(name):
    return name.split(":")[0] in FORGEABLE


@pytest.mark.parametrize(
    "case",
    [
        "stubs_with_forged_probes",
        "stubs_reusing_importable_code",
        "stubs_with_pretrained_constants",
        "stubs_forging_probes_through_importlib",
    ],
)
def test_forgery_earns_nothing_beyond_the_stubs(graded, case):
    gained = {name: s for name, s in scores(graded[case]).items() if s and not forgeable(name)}
    assert not gained, gained


def test_forged_probes_did_replace_the_probes(graded):
    """The forgery really ran (so the test above means something): its output lists them."""
    output = graded["stubs_with_forged_probes"]["output"]
    assert "forged: [" in output and "'epoch_case'" in output and "'fit_moons'" in output


def test_memorised_rows_do_not_pass_fit(graded):
    data = graded["memorising_loaders_and_forward"]
    fit = [
        t
        for t in data["tests"]
        if t["name"].startswith("fit: trains SimpleMLP") and t["name"].endswith("[cpu]")
    ]
    assert fit and fit[0]["score"] == 0, fit
    assert "new two-moons points correctly; at least 95% expected" in fit[0]["output"]


def test_pretrained_constants_do_not_pass_fit(graded):
    """Parameters that no training produced fail on this submission's moons, and an empty
    validation loader is no way round the check of the history."""
    fit = [
        t
        for t in graded["stubs_with_pretrained_constants"]["tests"]
        if t["name"].startswith("fit: trains SimpleMLP") and t["name"].endswith("[cpu]")
    ]
    assert fit and fit[0]["score"] == 0, fit
    assert (
        "new two-moons points correctly" in fit[0]["output"]
        or "the validation loader should yield 80 examples" in fit[0]["output"]
    ), fit


def test_forging_probes_through_importlib_is_flagged(graded):
    data = graded["stubs_forging_probes_through_importlib"]
    assert data["score"] == 0
    assert "importlib.import_module was rebound" in data["extra_data"]["tampered"]


def test_a_takeover_answering_digitsnet_structure_earns_nothing(graded):
    data = graded["takeover_answering_digitsnet_structure"]
    structure = [t for t in data["tests"] if t["name"].startswith("DigitsNet: the submodules")]
    assert structure and structure[0]["score"] == 0, structure
    # the forged structure was taken as it came; the logits, asked for next, were not there
    assert "stub (it still raises NotImplementedError)" in structure[0]["output"], structure
    assert not {name: s for name, s in scores(data, 60).items() if s}
