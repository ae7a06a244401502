"""Checks for `predict` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "predict"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(predict, np):
    _params = [(np.eye(3), np.zeros(3)), (np.array([[1.0, 0, 0], [0, 1.0, 0]]), np.array([0.0, 0.5]))]
    _pred = predict(np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 0.0], [-1.0, -1.0, 5.0]]), _params)
    assert _pred.shape == (3,), f"one prediction per example: expected shape (3,), got {_pred.shape}"
    assert np.issubdtype(_pred.dtype, np.integer), "predictions are integer class indices"
    assert _pred.tolist() == [0, 1, 1], f"expected [0, 1, 1], got {_pred.tolist()}"
