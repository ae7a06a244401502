"""Checks for `one_hot` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "one_hot"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(one_hot, np):
    _hot = one_hot(np.array([2, 0, 1]), 4)
    assert _hot.shape == (3, 4), "one row per label, num_classes columns"
    assert np.array_equal(_hot, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]), "1.0 at column labels[i]"
    try:
        one_hot(np.array([0, 4]), 4)
    except ValueError:
        pass
    else:
        raise AssertionError("a label of 4 with num_classes=4 should raise ValueError")
