"""Checks for `relu_backward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "relu_backward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(relu_backward, np):
    _g = relu_backward(np.array([[1.0, 2.0, 3.0]]), np.array([[-1.0, 0.0, 2.0]]))
    assert _g.shape == (1, 3) and _g.dtype == np.float64, "keep the shape of x, in float64"
    assert _g.tolist() == [[0.0, 0.0, 3.0]], f"expected [[0, 0, 3]] (slope 0 at 0), got {_g.tolist()}"
