"""Checks for `linear_forward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "linear_forward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(linear_forward, np):
    _x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])  # N=2 examples, in=3
    _W = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 2.0]])  # out=4
    _b = np.array([0.5, 0.0, -1.0, 0.0])
    _y = linear_forward(_x, _W, _b)
    assert _y.shape == (2, 4), f"expected shape (N, out) = (2, 4), got {_y.shape}"
    assert _y.dtype == np.float64, "linear_forward must return float64 values"
    assert np.allclose(_y, [[1.5, 5.0, 5.0, 6.0], [0.5, -0.5, -1.5, 1.0]]), "wrong values"
    assert np.allclose(linear_forward(np.zeros((3, 3)), _W, _b), _b), "zero input should give b"
    assert linear_forward([[1, 2, 3]], _W, _b).dtype == np.float64, "lists of ints work too"
