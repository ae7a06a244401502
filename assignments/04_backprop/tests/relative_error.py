"""Checks for `relative_error` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "relative_error"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(relative_error, np):
    _e = relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    assert isinstance(_e, float) and np.isclose(_e, 0.2), f"max(0/2, 1/5) = 0.2 expected, got {_e}"
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0, "two zero gradients agree: 0.0, not nan"
    assert np.isclose(relative_error(np.array([1e-10]), np.array([3e-10])), 0.02), \
        "tiny values are divided by the floor 1e-8, not by |a| + |b|"
