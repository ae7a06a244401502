"""Checks for `bce_loss_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "bce_loss_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(bce_loss_grad, np):
    _g = bce_loss_grad(np.array([0.5, 0.2, 0.0]), np.array([1.0, 0.0, 0.0]))
    assert _g.shape == (3,), "the gradient has the shape of probs"
    assert np.allclose(_g, [-2 / 3, 1.25 / 3, 0.0]), f"(p - t) / (p (1 - p)) / 3, got {_g.tolist()}"
    assert np.isfinite(bce_loss_grad(np.array([0.0]), np.array([1.0]))).all(), "guard with 1e-12"
