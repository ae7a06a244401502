"""Library bans hold for every question they cover, by whatever route a submission takes.

Each case is a reference master with one function rewritten to lean on a banned library,
graded through the real command line: that function loses its questions (the others keep
full marks), and the message names the ban. The worker's audit hook refuses torch however
it is imported (autograder/inside/bans.py); the ban on a library ``tanh`` is decided by the
grader from the values (suite.check_not_a_copy_of).
"""

import pytest

from conftest import REPO

SOLUTIONS = REPO / "solutions"

SGD_THROUGH_TORCH = """
class SGD:
    def __init__(self, params, lr, momentum=0.0):
        import importlib
        self._torch = importlib.import_module("to" + "rch")
        self.params = list(params)
        self._tensors = [self._torch.from_numpy(p) for p in self.params]
        self._opt = self._torch.optim.SGD(self._tensors, lr=lr, momentum=momentum)

    def step(self, grads):
        for t, g in zip(self._tensors, grads):
            t.grad = self._torch.as_tensor(g, dtype=t.dtype)
        self._opt.step()
"""

LOSS_THROUGH_AUTOGRAD = """
def mlp_loss_and_grads(x, labels, params, activation="relu"):
    torch = __import__("torch")
    tensors = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
               for W, b in params]
    h = torch.as_tensor(np.asarray(x, dtype=np.float64))
    for i, (W, b) in enumerate(tensors):
        h = h @ W.T + b
        if i < len(tensors) - 1:
            h = getattr(torch, activation)(h)
    loss = torch.nn.functional.cross_entropy(h, torch.as_tensor(labels))
    loss.backward()
    return float(loss), [(W.grad.numpy(), b.grad.numpy()) for W, b in tensors]
"""


def _rewritten(assignment, cell, tmp_path):
    """The master with ``cell`` appended: it redefines one function."""
    text = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
    path = tmp_path / f"{assignment}.py"
    path.write_text(text + "\n\n# %%\nimport numpy as np\n" + cell, encoding="utf-8")
    return path


def _by_function(result, function):
    return [t for t in result["tests"] if t["name"].startswith(function + ":")]


@pytest.mark.parametrize(
    "assignment,function,cell",
    [
        ("05_optimizers", "SGD", SGD_THROUGH_TORCH),
        ("04_backprop", "mlp_loss_and_grads", LOSS_THROUGH_AUTOGRAD),
    ],
    ids=["SGD-around-torch.optim", "mlp_loss_and_grads-through-autograd"],
)
def test_a_function_that_uses_torch_loses_every_question_it_covers(
    assignment, function, cell, tmp_path, grade
):
    result = grade(_rewritten(assignment, cell, tmp_path), assignment)
    tests = _by_function(result, function)
    assert tests and all(t["score"] == 0 for t in tests if t["max_score"] > 0), tests
    assert all(
        "torch may not be used in " + assignment in t["output"] for t in tests if t["max_score"] > 0
    ), [t["output"] for t in tests]
    others = [t for t in result["tests"] if t not in tests]
    assert all(t["score"] == t["max_score"] for t in others), [
        t["name"] for t in others if t["score"] < t["max_score"]
    ]


TANH_ROUTES = {
    "default-argument": "def tanh(x, _t=np.tanh):\n"
    "    return _t(np.asarray(x, dtype=np.float64))\n",
    "numpy-core-umath": "from numpy._core import umath as _umath\n\n\n"
    "def tanh(x):\n    return _umath.tanh(np.asarray(x, dtype=np.float64))\n",
    "vectorize-math-tanh": "import math\n_vt = np.vectorize(math.tanh, otypes=[np.float64])\n\n\n"
    "def tanh(x):\n    return _vt(np.asarray(x, dtype=np.float64))\n",
    "cmath": "import cmath\n\n\ndef tanh(x):\n    x = np.asarray(x, dtype=np.float64)\n"
    "    return np.array([cmath.tanh(v).real for v in x.ravel()]).reshape(x.shape)\n",
}


@pytest.mark.parametrize("route", sorted(TANH_ROUTES))
def test_tanh_from_a_library_loses_the_ban_question(route, tmp_path, grade):
    result = grade(_rewritten("02_activations", TANH_ROUTES[route], tmp_path), "02_activations")
    lost = [t for t in result["tests"] if t["score"] < t["max_score"]]
    assert lost and all(t["name"].startswith("tanh:") for t in lost), [t["name"] for t in lost]
    ban = [t for t in lost if "without np.tanh" in t["name"]]
    assert ban, [t["name"] for t in lost]


# ---- the audit hook itself, in a fresh interpreter ------------------------------------------

HOOK_PROBE = """
import sys
sys.path.insert(0, {root!r})
from autograder.inside import bans
bans.install(["torch"], "01_perceptron", programs={programs})
outcomes = {{}}
def attempt(label, action):
    try:
        action()
        outcomes[label] = "allowed"
    except BaseException as exc:
        outcomes[label] = type(exc).__name__
{attempts}
print(repr(outcomes))
"""


def _hook_outcomes(attempts, programs=True):
    import ast
    import subprocess
    import sys

    source = HOOK_PROBE.format(root=str(REPO), programs=programs, attempts=attempts)
    proc = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return ast.literal_eval(proc.stdout.strip().splitlines()[-1])


def test_the_hook_refuses_every_route_to_a_banned_package():
    outcomes = _hook_outcomes("""
import builtins, ctypes, gc, importlib, os, pathlib
site = os.path.dirname(os.path.dirname(importlib.util.find_spec("numpy").origin))
attempt("import_module", lambda: importlib.import_module("to" + "rch"))
attempt("dunder_import", lambda: __import__("torch.nn"))
attempt("open_its_file", lambda: open(site + "/numpy/../torch/__init__.py"))
attempt("ctypes_pathlike", lambda: ctypes.CDLL(pathlib.Path(site) / "torch" / "lib" / "x.so"))
attempt("symlink_to_it", lambda: os.symlink(site + "/torch", "/tmp/x-link-to-torch"))
attempt("chdir_into_it", lambda: os.chdir(site + "/torch"))
hook = [o for o in gc.get_objects() if getattr(o, "__name__", "") == "hook"
        and getattr(o, "__module__", "") == "autograder.inside.bans"][0]
def rebind_defaults():
    hook.__defaults__ = (frozenset(),) + hook.__defaults__[1:]
attempt("rebind_defaults", rebind_defaults)
def swap_code():
    hook.__code__ = (lambda event, args: None).__code__
attempt("swap_code", swap_code)
def patch_builtins_then_import():
    saved, builtins.type = builtins.type, lambda value: str
    try:
        __import__("torch")
    finally:
        builtins.type = saved
attempt("patched_builtins", patch_builtins_then_import)
attempt("plain_numpy", lambda: importlib.import_module("numpy"))
attempt("an_honest_file", lambda: open(os.devnull).close())
""")
    allowed = {label for label, outcome in outcomes.items() if outcome == "allowed"}
    assert allowed == {"plain_numpy", "an_honest_file"}, outcomes


def test_where_the_jail_cannot_hide_them_no_program_may_start():
    attempts = """
import os, subprocess
attempt("subprocess", lambda: subprocess.run(["true"]))
attempt("os_system", lambda: os.system("true"))
attempt("fork", lambda: (lambda pid: pid == 0 and os._exit(0) or os.waitpid(pid, 0))(os.fork()))
"""
    refused = _hook_outcomes(attempts, programs=False)
    assert refused["subprocess"] == refused["os_system"] == "PermissionError", refused
    assert refused["fork"] == "allowed", refused  # a fork keeps the hook
    assert set(_hook_outcomes(attempts, programs=True).values()) == {"allowed"}
