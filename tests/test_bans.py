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

SGD_THROUGH_TORCH = '''
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
'''

LOSS_THROUGH_AUTOGRAD = '''
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
'''


def _rewritten(assignment, cell, tmp_path):
    """The master with ``cell`` appended: it redefines one function."""
    text = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
    path = tmp_path / f"{assignment}.py"
    path.write_text(text + "\n\n# %%\nimport numpy as np\n" + cell, encoding="utf-8")
    return path


def _by_function(result, function):
    return [t for t in result["tests"] if t["name"].startswith(function + ":")]


@pytest.mark.parametrize("assignment,function,cell", [
    ("05_optimizers", "SGD", SGD_THROUGH_TORCH),
    ("04_backprop", "mlp_loss_and_grads", LOSS_THROUGH_AUTOGRAD),
], ids=["SGD-around-torch.optim", "mlp_loss_and_grads-through-autograd"])
def test_a_function_that_uses_torch_loses_every_question_it_covers(assignment, function, cell,
                                                                     tmp_path, grade):
    result = grade(_rewritten(assignment, cell, tmp_path), assignment)
    tests = _by_function(result, function)
    assert tests and all(t["score"] == 0 for t in tests if t["max_score"] > 0), tests
    assert all("torch may not be used in " + assignment in t["output"] for t in tests
               if t["max_score"] > 0), [t["output"] for t in tests]
    others = [t for t in result["tests"] if t not in tests]
    assert all(t["score"] == t["max_score"] for t in others), \
        [t["name"] for t in others if t["score"] < t["max_score"]]


TANH_ROUTES = {
    "default-argument": "def tanh(x, _t=np.tanh):\n    return _t(np.asarray(x, dtype=np.float64))\n",
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
