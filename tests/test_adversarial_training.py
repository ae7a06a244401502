"""Forging 06_training's results from inside the worker, against the real command line.

Student code runs in the same process as the probes that report on it, so it can replace
them. These cases show that doing so earns nothing that implementing the functions would
not: the suite compares raw values (trained parameters, losses, logits) with its own
reference computation, and scores fit's model on points it never sent. Each case is a
notebook graded by ``python -m autograder grade --json``; the release notebook (every
function still a stub) scores 0 (``test_grading``): the baseline a forgery must not beat.

``get_device`` is the one named exception: its answer is a function of a flag the probe
must be told, so a forged probe can give it, at the price of writing get_device itself.
"""

from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from conftest import REPO, grade_json

ASSIGNMENT = "06_training"
RELEASE = REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
MASTER = REPO / "solutions" / f"{ASSIGNMENT}.py"
FORGEABLE = ("get_device",)  # see the module docstring

# Every probe of autograder/inside/probes/training.py replaced by one that answers in the
# probe's own format without running any contract function: echoes of its inputs,
# constants, the right shapes, ValueError for unknown names.
FORGED_PROBES = '''\
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
    if callable(_value) and not isinstance(_value, type(sys)) and callable(getattr(T, _name, None)) \
            and getattr(T, _name) is not _value and not _name.startswith("_"):
        setattr(sys.modules["autograder.inside.probes.training"], _name, _value)
        _forged.append(_name)
print("forged:", sorted(_forged))
'''

# The contract's names bound to whatever our package offers in the worker that looks like
# an answer: a model class, training or evaluation loops, an optimizer.
REUSES_IMPORTABLE = '''\
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
'''

# The reference solution, except that make_loaders remembers every row it splits, forward
# answers remembered rows with their label, and nothing is trained.
MEMORISES = '''\
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
'''


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


CASES = {
    "stubs_with_forged_probes": [FORGED_PROBES],
    "stubs_reusing_importable_code": [REUSES_IMPORTABLE],
    "memorising_loaders_and_forward": "master",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{case: results.json} for every case, graded two at a time."""
    folder = tmp_path_factory.mktemp("adversarial-training")

    def grade(name):
        cells = CASES[name]
        if cells == "master":
            path = notebook(folder / name, [MEMORISES], base=MASTER)
        else:
            path = notebook(folder / f"{name}.ipynb", cells)
        return grade_json(path, ASSIGNMENT)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CASES, pool.map(grade, CASES)))


def scores(data):
    assert data["max_score"] == 41 and isinstance(data["tests"], list), data
    return {t["name"]: t["score"] for t in data["tests"]}


def forgeable(name):
    return name.split(":")[0] in FORGEABLE


@pytest.mark.parametrize("case", ["stubs_with_forged_probes", "stubs_reusing_importable_code"])
def test_forgery_earns_nothing_beyond_the_stubs(graded, case):
    gained = {name: s for name, s in scores(graded[case]).items() if s and not forgeable(name)}
    assert not gained, gained


def test_forged_probes_did_replace_the_probes(graded):
    """The forgery really ran (so the test above means something): its output lists them."""
    output = graded["stubs_with_forged_probes"]["output"]
    assert "forged: [" in output and "'epoch_case'" in output and "'fit_moons'" in output


def test_memorised_rows_do_not_pass_fit(graded):
    data = graded["memorising_loaders_and_forward"]
    fit = [t for t in data["tests"] if t["name"].startswith("fit: trains SimpleMLP")
           and t["name"].endswith("[cpu]")]
    assert fit and fit[0]["score"] == 0, fit
    assert "new two-moons points correctly; at least 95% expected" in fit[0]["output"]
