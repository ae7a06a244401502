"""Checks for `bce_loss` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "bce_loss"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(bce_loss, np):
    _l = bce_loss(np.array([0.9, 0.2]), np.array([1.0, 0.0]))
    assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
    assert np.isclose(_l, -(np.log(0.9) + np.log(0.8)) / 2), f"wrong value {_l}"
    assert bce_loss(np.array([0.0, 1.0]), np.array([1.0, 0.0])) == 100.0, \
        "a certain wrong answer costs 100 (the clamp at -100), not inf"
    assert bce_loss(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0, "a certain right answer costs 0"
