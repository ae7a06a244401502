"""Checks for `accuracy` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "accuracy"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(accuracy, np):
    assert accuracy([1, 0, 1, 1], [1, 1, 1, 0]) == 0.5
    assert isinstance(accuracy(np.ones(3), np.ones(3)), float), "accuracy should return a float"
