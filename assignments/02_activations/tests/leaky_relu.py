"""Checks for `leaky_relu` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "leaky_relu"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(np, leaky_relu):
    assert np.allclose(leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0]), "default slope is 0.01"
    assert np.allclose(leaky_relu([-2.0, 3.0], negative_slope=0.5), [-1.0, 3.0]), \
        "use the negative_slope you are given"
    assert leaky_relu(np.array([-1, 1])).dtype == np.float64, "leaky_relu must return float64"
