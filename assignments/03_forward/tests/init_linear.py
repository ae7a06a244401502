"""Checks for `init_linear` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "init_linear"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(init_linear, np):
    _W, _b = init_linear(16, 3, np.random.default_rng(0))
    assert _W.shape == (3, 16) and _b.shape == (3,), "W must be (out, in) = (3, 16), b (out,) = (3,)"
    assert np.abs(_W).max() <= 0.25 and np.abs(_b).max() <= 0.25, "k = 1/sqrt(16) = 0.25 bounds all"
    assert _W.min() < 0 < _W.max(), "draw from (-k, k), not (0, k)"
    _g = np.random.default_rng(0)
    assert np.array_equal(_W, _g.uniform(-0.25, 0.25, size=(3, 16))), "W must be the first draw"
    assert np.array_equal(_b, _g.uniform(-0.25, 0.25, size=3)), "b must be drawn right after W"
