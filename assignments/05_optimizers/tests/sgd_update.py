"""Checks for `sgd_update` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "sgd_update"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, sgd_update):
    _p, _g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    assert np.allclose(sgd_update(_p, _g, 0.1), [0.95, -2.05]), \
        "sgd_update should return param - lr * grad: a step against the gradient, downhill"
    assert _p.tolist() == [1.0, -2.0] and _g.tolist() == [0.5, 0.5], \
        "sgd_update must not modify its inputs: build a new array instead of using -="
    assert np.asarray(sgd_update([1, 2], [1, 1], 0.5)).dtype == np.float64, \
        "sgd_update should return float64 values, even for integer inputs"
