"""Checks for `sigmoid_backward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "sigmoid_backward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(sigmoid_backward, np):
    _g = sigmoid_backward(np.array([2.0, 1.0, 1.0]), np.array([0.0, 1e4, -1e4]))
    assert np.allclose(_g, [0.5, 0.0, 0.0]), f"sigma'(0) = 1/4 so 2 * 1/4 = 0.5; flat far out; got {_g}"
    assert np.isclose(sigmoid_backward(1.0, 1.0), 0.7310585786300049 * (1 - 0.7310585786300049)), \
        "x is the input of the sigmoid: compute s = sigmoid(x) first"
