"""Checks for `bce_with_logits_loss_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "bce_with_logits_loss_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(bce_with_logits_loss_grad, np):
    _z, _t = np.array([[0.0, 1e4], [-1e4, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])
    _g = bce_with_logits_loss_grad(_z, _t)
    assert _g.shape == (2, 2), "the gradient has the shape of the logits"
    assert np.allclose(_g, [[-0.125, 0.0], [-0.25, 0.125]]), f"(sigmoid(z) - t) / 4, got {_g.tolist()}"
