"""Checks for `softmax` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "softmax"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(softmax, np):
    assert np.allclose(softmax([1.0, 2.0, 3.0]), [0.09003057, 0.24472847, 0.66524096]), \
        "wrong values for [1, 2, 3]"
    _p = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    assert np.allclose(_p.sum(axis=1), 1.0), "with the default axis=-1 every row must sum to 1"
    assert np.allclose(softmax(np.array([[1.0, 5.0], [2.0, 0.0]]), axis=0).sum(axis=0), 1.0), \
        "with axis=0 every column must sum to 1"
    with np.errstate(over="raise", invalid="raise"):
        _p = softmax(np.array([1000.0, 1001.0, 1002.0]))  # raises FloatingPointError on overflow
    assert np.allclose(_p, [0.09003057, 0.24472847, 0.66524096]), "subtract the maximum first"
