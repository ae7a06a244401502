"""Checks for `perceptron_output` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "perceptron_output"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(perceptron_output, np):
    _w, _b = np.array([1.0, -2.0]), 0.5
    assert perceptron_output(np.array([1.0, 1.0]), _w, _b) == 0.0, "1 - 2 + 0.5 < 0, so 0.0"
    assert perceptron_output(np.array([[1.0, 0.0], [0.0, 1.0]]), _w, _b).tolist() == [1.0, 0.0]
    assert perceptron_output(np.array([[0.0, 0.25]]), _w, _b).shape == (1,), "one output per row"
