"""Checks for `relu_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "relu_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(relu_grad, np):
    assert relu_grad([-1.0, 2.0]).tolist() == [0.0, 1.0], "slope 0 on the left, 1 on the right"
    assert relu_grad(0.0) == 0.0, "relu_grad(0) must be 0.0 (PyTorch's convention): use x > 0"
    assert relu_grad(np.array([3, -3])).dtype == np.float64, "relu_grad must return float64"
