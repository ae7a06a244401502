"""Checks for `tanh_grad` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "tanh_grad"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, tanh_grad):
    assert np.isclose(tanh_grad(0.0), 1.0), "tanh_grad(0) should be 1"
    assert np.allclose(tanh_grad([-1.0, 2.0]), [0.41997434, 0.07065082]), "wrong values at -1 and 2"
    assert np.all(np.isfinite(tanh_grad(np.array([-1e4, 1e4])))), "no inf/nan for large |x|"
