"""Checks for `linear_backward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "linear_backward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(linear_backward, np):
    _x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])  # N=2, in=3
    _W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 0.5, 1.0], [1.0, 1.0, 1.0]])  # out=4
    _dout = np.array([[1.0, 0.0, 0.0, 2.0], [0.0, 1.0, -1.0, 0.0]])  # (N, out)
    _dx, _dW, _db = linear_backward(_dout, _x, _W)
    assert _dx.shape == (2, 3), f"dx has the shape of x, (N, in) = (2, 3); got {_dx.shape}"
    assert _dW.shape == (4, 3), f"dW has the shape of W, (out, in) = (4, 3); got {_dW.shape}"
    assert _db.shape == (4,), f"db has the shape of b, (out,) = (4,); got {_db.shape}"
    assert np.allclose(_dx, [[3.0, 2.0, 1.0], [2.0, 0.5, -1.0]]), "wrong dx: it is dout @ W"
    assert np.allclose(_dW[0], [1.0, 2.0, 3.0]) and np.allclose(_dW[2], [0.0, 1.0, -0.5]), \
        "wrong dW: it is dout.T @ x"
    assert np.allclose(_db, [1.0, 1.0, -1.0, 2.0]), "db is dout summed over the batch (not averaged)"
    _parts = linear_backward(_dout.astype(int).tolist(), _x.tolist(), _W.tolist())
    assert all(np.allclose(_got, _want) for _got, _want in zip(_parts, (_dx, _dW, _db))), \
        "dout, x and W may be nested lists (of ints, too): convert each with np.asarray first"
