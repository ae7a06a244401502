"""Checks for `standardize_splits` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "standardize_splits"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(standardize_splits, np):
    _tr, _ot, _m, _s = standardize_splits(np.array([[0.0], [2.0]]), np.array([[4.0]]))
    assert np.allclose(_m, [1.0]) and np.allclose(_s, [1.0]), "statistics of the training split only"
    assert np.allclose(_tr, [[-1.0], [1.0]]) and np.allclose(_ot, [[3.0]]), \
        "the other split uses the training split's mean and std"
