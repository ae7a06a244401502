"""Checks for `sigmoid_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "sigmoid_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, sigmoid_grad):
    assert np.isclose(sigmoid_grad(0.0), 0.25), "sigmoid_grad(0) should be 0.25"
    assert np.allclose(sigmoid_grad([-3.0, 3.0]), [0.04517666, 0.04517666]), \
        "the sigmoid's slope is symmetric: sigmoid_grad(-3) == sigmoid_grad(3) ~ 0.0452"
    assert np.asarray(sigmoid_grad(np.ones((3, 1)))).shape == (3, 1), "keep the input's shape"
    assert np.all(np.isfinite(sigmoid_grad(np.array([-1e4, 1e4])))), "no inf/nan for large |x|"
