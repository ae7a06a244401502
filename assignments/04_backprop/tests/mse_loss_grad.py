"""Checks for `mse_loss_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "mse_loss_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(mse_loss_grad, np):
    _g = mse_loss_grad(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]]))
    assert _g.shape == (2, 2), "the gradient has the shape of pred"
    assert np.allclose(_g, [[0.0, 1.0], [1.5, 0.0]]), f"2 (pred - target) / 4; got {_g.tolist()}"
