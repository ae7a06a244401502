"""Checks for `bce_with_logits_loss` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "bce_with_logits_loss"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(bce_with_logits_loss, np):
    _l = bce_with_logits_loss(np.array([0.0, 2.0]), np.array([1.0, 0.0]))
    assert isinstance(_l, float), f"a loss is a Python float, got {type(_l).__name__}"
    assert np.isclose(_l, (np.log(2) + np.log(1 + np.exp(2))) / 2), f"wrong value {_l}"
    assert np.isclose(bce_with_logits_loss(np.array([40.0, -1e4]), np.array([0.0, 0.0])), 20.0), \
        "logit 40 with target 0 costs 40 (and -1e4 with target 0 costs 0): mean 20, no overflow"
