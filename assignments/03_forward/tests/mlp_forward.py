"""Checks for `mlp_forward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "mlp_forward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(mlp_forward, np, linear_forward, tanh):
    _params = [(np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]]), np.array([0.0, -1.0, 0.5])),
               (np.array([[1.0, 1.0, -1.0]]), np.array([-0.5]))]  # sizes [2, 3, 1]
    _x = np.array([[1.0, 2.0], [3.0, -1.0]])
    _out = mlp_forward(_x, _params)
    assert _out.shape == (2, 1), f"expected logits of shape (N, out) = (2, 1), got {_out.shape}"
    assert np.allclose(_out, [[-2.0], [8.5]]), "relu on the hidden layer; the last layer stays linear"
    assert np.allclose(mlp_forward(_x, _params, "tanh"), tanh(_x @ _params[0][0].T + _params[0][1])
                       @ _params[1][0].T + _params[1][1]), "wrong values with activation='tanh'"
    assert np.allclose(mlp_forward(_x, _params[:1], "sigmoid"), linear_forward(_x, *_params[0])), \
        "a one-layer network is linear only: no activation after the last layer"
    try:
        mlp_forward(_x, _params, activation="tahn")
        raise AssertionError("an unknown activation name must raise ValueError")
    except ValueError:
        pass
