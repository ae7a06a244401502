"""Checks for `train_perceptron` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "train_perceptron"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(train_perceptron, np, perceptron_output):
    _X_or = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    _w, _b, _m = train_perceptron(_X_or, np.array([0, 1, 1, 1]))
    assert _m[-1] == 0, "OR is linearly separable: the last epoch should make no mistakes"
    assert all(isinstance(k, int) for k in _m), "mistakes should be a list of ints"
    assert perceptron_output(_X_or, _w, _b).tolist() == [0.0, 1.0, 1.0, 1.0]
