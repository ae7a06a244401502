"""Checks for `elu_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "elu_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, elu_grad):
    assert np.allclose(elu_grad([-1.0, 2.0]), [0.36787944, 1.0]), "slope exp(x) on the left, 1 right"
    assert np.isclose(elu_grad(0.0, alpha=3.0), 3.0), \
        "at exactly 0 the slope is alpha * exp(0) = alpha (PyTorch's convention)"
    with np.errstate(over="raise"):
        _g = elu_grad(np.array([-1e4, 1e4]))  # raises FloatingPointError if exp overflows
    assert _g.tolist() == [0.0, 1.0], "elu_grad(-1e4) should be 0.0 and elu_grad(1e4) should be 1.0"
