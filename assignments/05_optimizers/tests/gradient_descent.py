"""Checks for `gradient_descent` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "gradient_descent"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(gradient_descent, np):
    _x0 = np.array([1.0, -4.0])
    _path = gradient_descent(lambda x: 2 * x, _x0, lr=0.25, steps=3)
    assert np.shape(_path) == (4, 2), \
        f"steps=3 from a 2-D x0 should give x0 and 3 iterates, shape (4, 2); got {np.shape(_path)}"
    assert np.allclose(_path[0], [1.0, -4.0]), "row 0 of the path must be x0 itself"
    assert np.allclose(_path[1], [0.5, -2.0]), "x1 = x0 - 0.25 * (2 * x0) = 0.5 * x0"
    assert np.allclose(_path[3], [0.125, -0.5]), "each step halves x here: x3 = x0 / 8"
    assert _x0.tolist() == [1.0, -4.0], "gradient_descent must not modify x0"
    assert np.allclose(gradient_descent(lambda x: 2 * x, [1.0, -4.0], lr=0.25, steps=1),
                       [[1.0, -4.0], [0.5, -2.0]]), "x0 may be a list: convert it with np.array first"
