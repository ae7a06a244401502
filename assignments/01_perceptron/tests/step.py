"""Checks for `step` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "step"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(step, np):
    assert step(0.0) == 1.0, "step(0.0) should be 1.0: the unit fires at exactly zero"
    assert step(-1e-9) == 0.0, "step of a tiny negative number should be 0.0"
    assert step([[-2.0, 3.0]]).shape == (1, 2), "step must keep the shape of its input"
    assert step(np.array([-1, 0, 2])).dtype == np.float64, "step must return float64 values"
