"""Checks for `accuracy` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "accuracy"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(accuracy, np):
    assert accuracy(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4])) == 0.75
    assert isinstance(accuracy(np.array([1]), np.array([1])), float), "return a Python float"
