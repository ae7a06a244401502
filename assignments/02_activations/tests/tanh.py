"""Checks for `tanh` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "tanh"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, tanh):
    assert np.isclose(tanh(0.0), 0.0), "tanh(0) should be 0"
    assert np.allclose(tanh([-1.0, 0.5, 2.0]), [-0.76159416, 0.46211716, 0.96402758]), \
        "wrong values at -1, 0.5 and 2"
    assert np.allclose(tanh([-3.0]), -tanh([3.0])), "tanh is odd: tanh(-x) == -tanh(x)"
    with np.errstate(over="raise", invalid="raise"):
        _t = tanh(np.array([-1e4, 1e4]))  # raises FloatingPointError on overflow or inf/inf
    assert _t.tolist() == [-1.0, 1.0], "tanh(-1e4) should be -1.0 and tanh(1e4) should be 1.0"
