"""How 07_digits grades its two training functions (autograder/suites/test_07_digits.py).

The accuracy thresholds hold for the reference with a margin, whatever the grader's salted
fold split and seed: checked in-process on fixed seeds, with the suite's own folds, runs and
forward passes. (A threshold the reference missed on some split would fail an honest student
there, since the suite counts only runs that reproduce the reference's.) And parameters
trained elsewhere on the test digits earn nothing: checked through the real grader."""

import numpy as np
import pytest
import torch

from autograder import course
from autograder.course import master
from autograder.suites import test_07_digits as suite

NUMPY_MARGIN, TORCH_MARGIN = 0.01, 0.003


@pytest.fixture(scope="module")
def ref():
    return master.load_reference("07_digits")


def cross_validated(ref, seed, train_and_predict):
    """Accuracy over all 1,797 digits, each predicted by the run that did not train on it."""
    correct = total = 0
    for X_train, y_train, X_test, y_test in suite.folds(ref, seed):
        correct += int((train_and_predict(X_train, y_train, X_test) == y_test).sum())
        total += len(y_test)
    return correct / total


def test_numpy_network_reaches_its_threshold_with_a_margin(ref):
    def run(X_train, y_train, X_test, seed):
        params, _ = ref.train_network(X_train, y_train, seed=seed, **suite.NUMPY_RUN)
        return suite.numpy_logits(params, X_test).argmax(axis=1)

    scores = [
        cross_validated(ref, 1000 + seed, lambda a, b, c, seed=seed: run(a, b, c, seed))
        for seed in range(10)
    ]
    assert min(scores) >= suite.NUMPY_THRESHOLD + NUMPY_MARGIN, scores


def test_torch_network_reaches_its_threshold_with_a_margin(ref):
    def run(X_train, y_train, X_test, seed):
        model, _ = ref.train_digits_net(X_train, y_train, seed=seed, **suite.TORCH_RUN)
        copy = suite.stated_net({k: v.numpy() for k, v in model.state_dict().items()}).eval()
        with torch.no_grad():
            return copy(torch.as_tensor(X_test, dtype=torch.float32)).argmax(dim=1).numpy()

    with suite.one_thread():
        scores = [
            cross_validated(ref, 2000 + seed, lambda a, b, c, seed=seed: run(a, b, c, seed))
            for seed in range(3)
        ]
    assert min(scores) >= suite.TORCH_THRESHOLD + TORCH_MARGIN, scores


def test_hidden_digits_are_scikit_learns(ref):
    """The grader's own reading of the file is load_digits's data."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = suite.all_digits()
    assert np.array_equal(X, digits.data) and np.array_equal(y, digits.target)


MEMORISED = """

# %%
# A cheat: parameters trained elsewhere on all 1,797 digits (the hidden test digits too),
# returned whatever the training data; and an attempt to read the data set in the worker.
import base64 as _b64


def _arrays(blob):
    return {k: np.frombuffer(_b64.b64decode(v), dtype=d).reshape(s)
            for k, (v, d, s) in blob.items()}


try:
    load_digits()
    print("the worker read the digits")
except Exception as _exc:
    print("the worker could not read the digits:", type(_exc).__name__)


def train_network(X, y, hidden_size=64, lr=0.1, epochs=20, batch_size=32, seed=0, num_classes=10):
    return _arrays(NUMPY_BLOB), [0.1] * epochs


def train_digits_net(X, y, epochs=30, lr=3e-3, batch_size=128, seed=0):
    model = DigitsNet(64)
    model.load_state_dict({k: torch.as_tensor(v.copy()) for k, v in _arrays(TORCH_BLOB).items()})
    return model, [0.1] * epochs
"""


def _blob(arrays):
    import base64

    return {
        k: (
            base64.b64encode(np.ascontiguousarray(v).tobytes()).decode(),
            str(v.dtype),
            list(v.shape),
        )
        for k, v in arrays.items()
    }


def test_parameters_trained_on_the_test_digits_earn_nothing(ref, tmp_path, grade):
    """A submission that returns parameters trained on every digit (which would pass the
    thresholds: checked here) loses both accuracy tests, and cannot read the data set."""
    X, y = suite.all_digits()
    mean, std = ref.fit_standardizer(X)
    params, _ = ref.train_network((X - mean) / std, y, epochs=30)
    with suite.one_thread():
        model, _ = ref.train_digits_net((X - mean) / std, y, epochs=20)
    weights = {k: v.numpy() for k, v in model.state_dict().items()}
    _, _, X_test, y_test = suite.folds(ref, 0)[0]
    assert np.mean(suite.numpy_logits(params, X_test).argmax(axis=1) == y_test) > 0.99
    source = course.master_path("07_digits").read_text(encoding="utf-8") + MEMORISED.replace(
        "NUMPY_BLOB", repr(_blob(params))
    ).replace("TORCH_BLOB", repr(_blob(weights)))
    path = tmp_path / "memorised.py"
    path.write_text(source, encoding="utf-8")
    result = grade(path, "07_digits")
    for name in ("train_network: reaches 95%", "train_digits_net: reaches 97%"):
        test = next(t for t in result["tests"] if t["name"].startswith(name))
        assert test["score"] == 0 and "cannot count" in test["output"], test
    if isolation_mode() in ("namespaces", "userns"):  # the modes that can hide a folder
        assert "the worker could not read the digits" in result["output"], result["output"][:500]


def isolation_mode():
    from autograder.grade.student import RemoteStudent

    student = RemoteStudent(["x = 1"])
    try:
        student.ensure_loaded()
        return student._worker.info.get("mode")
    finally:
        student.close()
