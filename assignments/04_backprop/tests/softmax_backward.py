"""Checks for `softmax_backward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "softmax_backward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(softmax, softmax_backward, np):
    _x = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
    _s = softmax(_x)
    _g = softmax_backward(np.array([[1.0, 0.0, 0.0], [2.0, 2.0, 2.0]]), _x)
    assert _g.shape == (2, 3), "dx has the shape of x"
    assert np.allclose(_g[0], _s[0, 0] * (np.eye(3)[0] - _s[0])), "row 0: s_0 * (delta_0j - s_j)"
    assert np.allclose(_g[1], 0.0), "the same dout for every probability changes nothing: 0 gradient"
    assert np.allclose(softmax_backward(_x.T, _x.T, axis=0), softmax_backward(_x, _x).T), \
        "axis=0 must work on columns as the default works on rows"
