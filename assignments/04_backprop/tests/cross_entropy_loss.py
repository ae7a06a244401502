"""Checks for `cross_entropy_loss` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "cross_entropy_loss"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(cross_entropy_loss, np):
    _l = cross_entropy_loss(np.array([[0.0, 0.0], [np.log(3.0), 0.0]]), np.array([0, 0]))
    assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
    assert np.isclose(_l, (np.log(2) + np.log(4 / 3)) / 2), f"(-log 1/2 - log 3/4) / 2, got {_l}"
    _big = cross_entropy_loss(np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))
    assert np.isfinite(_big) and np.isclose(_big, 1000.0), \
        f"logits of 1000 must not overflow (subtract the row max), expected 1000.0, got {_big}"
