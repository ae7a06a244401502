"""Checks for `sgd_step` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "sgd_step"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(sgd_step, np):
    _p = {"W1": np.array([1.0, 2.0])}
    _new = sgd_step(_p, {"W1": np.array([10.0, -10.0])}, 0.1)
    assert np.allclose(_new["W1"], [0.0, 3.0]), "p - lr * grad"
    assert np.allclose(_p["W1"], [1.0, 2.0]), "sgd_step must leave params as it was"
