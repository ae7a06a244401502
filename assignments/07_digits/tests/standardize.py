"""Checks for `standardize` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "standardize"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(standardize, np):
    _X = np.array([[1.0, 5.0], [3.0, 5.0]])
    _out = standardize(_X, np.array([2.0, 5.0]), np.array([1.0, 1.0]))
    assert np.allclose(_out, [[-1.0, 0.0], [1.0, 0.0]]), "(X - mean) / std"
    assert _X[0, 0] == 1.0, "standardize must not modify X"
