"""Checks for `leaky_relu_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "leaky_relu_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, leaky_relu_grad):
    assert np.allclose(leaky_relu_grad([-2.0, 3.0]), [0.01, 1.0]), "slopes 0.01 and 1 by default"
    assert np.isclose(leaky_relu_grad(0.0, negative_slope=0.2), 0.2), \
        "at exactly 0 the slope is negative_slope (PyTorch's convention)"
    assert np.asarray(leaky_relu_grad(np.zeros((2, 2)))).shape == (2, 2), "keep the input's shape"
