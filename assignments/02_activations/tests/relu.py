"""Checks for `relu` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "relu"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(relu, np):
    assert relu([-2.0, 0.0, 3.5]).tolist() == [0.0, 0.0, 3.5], "relu keeps positives, zeroes the rest"
    assert relu(np.array([[-1, 2]])).dtype == np.float64, "relu must return float64, even for ints"
    _x = np.array([-1.0, 1.0])
    relu(_x)
    assert _x.tolist() == [-1.0, 1.0], "relu must not modify its input"
