"""Checks for `forward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "forward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(forward, np):
    _p = {"W1": np.array([[1.0, -1.0], [0.5, 0.5]]), "b1": np.array([0.0, -2.0]),
          "W2": np.array([[1.0, 2.0]]), "b2": np.array([0.5])}
    _logits, _cache = forward(_p, np.array([[3.0, 1.0]]))
    assert np.allclose(_logits, [[2.5]]), "Z1 = [2, 0], H1 = [2, 0], logits = 1 * 2 + 2 * 0 + 0.5"
    assert len(_cache) == 3 and np.allclose(_cache[1], [[2.0, 0.0]]), "cache = (X, Z1, H1)"
