"""Checks for `confusion_matrix` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "confusion_matrix"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(confusion_matrix, np):
    _cm = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 4)
    assert _cm.shape == (4, 4), "num_classes rows and columns, also for a class that never occurs"
    assert _cm[0, 1] == 1 and _cm[1, 0] == 0, "rows are true classes, columns predicted classes"
    assert _cm.trace() == 2 and _cm.sum() == 4, "the diagonal counts the correct predictions"
