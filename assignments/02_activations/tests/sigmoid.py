"""Checks for `sigmoid` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "sigmoid"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, sigmoid):
    assert np.isclose(sigmoid(0.0), 0.5), "sigmoid(0) should be 0.5"
    assert np.allclose(sigmoid([-2.0, 2.0]), [0.11920292, 0.88079708]), "wrong values at -2 and 2"
    assert sigmoid(np.zeros((2, 3))).shape == (2, 3), "sigmoid must keep the shape of its input"
    assert sigmoid(np.array([1, 2])).dtype == np.float64, "sigmoid must return float64 values"
    with np.errstate(over="raise"):
        _s = sigmoid(np.array([-1e4, 1e4]))  # raises FloatingPointError if exp overflows
    assert _s.tolist() == [0.0, 1.0], "sigmoid(-1e4) should be 0.0 and sigmoid(1e4) should be 1.0"
