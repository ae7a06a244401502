"""Checks for `mse_loss` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "mse_loss"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(mse_loss, np):
    _l = mse_loss(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]]))
    assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
    assert np.isclose(_l, 13 / 4), f"(0 + 4 + 9 + 0) / 4 entries = 3.25, got {_l}"
    assert mse_loss([0.5, 0.5], [0.5, 0.5]) == 0.0, "no error, no loss"
