"""Checks for `perceptron_update` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "perceptron_update"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(perceptron_update, np):
    _w0 = np.zeros(2)
    _w1, _b1 = perceptron_update(np.array([1.0, 2.0]), 0, _w0, 0.0)
    assert _w1.tolist() == [-1.0, -2.0] and _b1 == -1.0, "a wrong 'fire' should push w and b down"
    assert _w0.tolist() == [0.0, 0.0], "perceptron_update must not modify the w it was given"
    assert isinstance(_b1, float), "the new bias should be a Python float"
