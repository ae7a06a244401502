"""Checks for `cross_entropy_loss_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "cross_entropy_loss_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(cross_entropy_loss_grad, np):
    _g = cross_entropy_loss_grad(np.array([[0.0, 0.0], [np.log(3.0), 0.0]]), np.array([0, 1]))
    assert _g.shape == (2, 2), "the gradient has the shape of the logits"
    assert np.allclose(_g, [[-0.25, 0.25], [0.375, -0.375]]), f"(p - onehot) / N, got {_g.tolist()}"
    assert np.allclose(_g.sum(axis=1), 0.0), "each row of (p - onehot) sums to 0"
