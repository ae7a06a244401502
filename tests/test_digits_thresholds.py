"""The accuracy thresholds of 07_digits hold for the reference with a margin, whatever the
grader's salted fold split and seed: checked here in-process on fixed seeds, with the same
folds, runs and forward passes as the hidden suite (autograder/suites/test_07_digits.py).
A threshold the reference misses on some split would fail an honest student there, since
the suite counts only runs that reproduce the reference's."""

import numpy as np
import pytest
import torch

from autograder import master
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

    scores = [cross_validated(ref, 1000 + seed, lambda a, b, c: run(a, b, c, seed))
              for seed in range(10)]
    assert min(scores) >= suite.NUMPY_THRESHOLD + NUMPY_MARGIN, scores


def test_torch_network_reaches_its_threshold_with_a_margin(ref):
    def run(X_train, y_train, X_test, seed):
        model, _ = ref.train_digits_net(X_train, y_train, seed=seed, **suite.TORCH_RUN)
        copy = suite.stated_net({k: v.numpy() for k, v in model.state_dict().items()}).eval()
        with torch.no_grad():
            return copy(torch.as_tensor(X_test, dtype=torch.float32)).argmax(dim=1).numpy()

    with suite.one_thread():
        scores = [cross_validated(ref, 2000 + seed, lambda a, b, c: run(a, b, c, seed))
                  for seed in range(3)]
    assert min(scores) >= suite.TORCH_THRESHOLD + TORCH_MARGIN, scores


def test_hidden_digits_are_scikit_learns(ref):
    """The grader's own reading of the file is load_digits's data."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    X, y = suite.all_digits()
    assert np.array_equal(X, digits.data) and np.array_equal(y, digits.target)
