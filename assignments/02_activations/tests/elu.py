"""Checks for `elu` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "elu"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, elu):
    assert np.allclose(elu([-1.0, 0.0, 2.0]), [-0.63212056, 0.0, 2.0]), "wrong values at -1, 0, 2"
    assert np.allclose(elu([-1.0], alpha=2.0), [-1.26424112]), "use the alpha you are given"
    with np.errstate(over="raise"):
        _e = elu(np.array([-1e4, 1e4]))  # raises FloatingPointError if exp overflows
    assert _e.tolist() == [-1.0, 1e4], "elu(-1e4) should be -alpha and elu(1e4) should be 1e4"
