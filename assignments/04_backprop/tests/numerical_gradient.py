"""Checks for `numerical_gradient` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "numerical_gradient"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(numerical_gradient, np):
    _x = np.array([1.0, -2.0, 0.5])
    _g = numerical_gradient(lambda v: np.sum(v ** 3), _x)
    assert _g.shape == (3,) and np.allclose(_g, 3 * _x ** 2, rtol=1e-6), f"3x^2 expected, got {_g}"
    assert _x.tolist() == [1.0, -2.0, 0.5], "x must hold its original values afterwards"
    assert np.allclose(numerical_gradient(lambda v: np.sum(v ** 2), _x, h=0.5), 2 * _x), \
        "central differences are exact for a quadratic even with h = 0.5 (forward ones are off by h)"
    _m = np.arange(6.0).reshape(2, 3)
    assert np.allclose(numerical_gradient(lambda v: np.sum(v * _m), np.ones((2, 3))), _m), \
        "x may have any shape: the gradient has x's shape"
