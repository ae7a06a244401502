"""Checks for `tanh_backward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "tanh_backward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(tanh_backward, np):
    _g = tanh_backward(np.array([3.0, 1.0, 1.0]), np.array([0.0, 1e4, 1.0]))
    assert np.allclose(_g, [3.0, 0.0, 1 - np.tanh(1.0) ** 2]), f"tanh' is 1 - tanh(x)^2; got {_g}"
