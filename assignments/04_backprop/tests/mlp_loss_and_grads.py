"""Checks for `mlp_loss_and_grads` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "mlp_loss_and_grads"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(init_mlp, mlp_loss_and_grads, mlp_forward, cross_entropy_loss, np):
    _rng = np.random.default_rng(3)
    _params = init_mlp([4, 5, 3], _rng)
    _x, _labels = _rng.normal(size=(6, 4)), np.array([0, 1, 2, 2, 1, 0])
    _loss, _grads = mlp_loss_and_grads(_x, _labels, _params, "tanh")
    assert isinstance(_loss, float), f"the loss is a Python float, got {type(_loss).__name__}"
    _logits = mlp_forward(_x, _params, "tanh")
    assert np.isclose(_loss, cross_entropy_loss(_logits, _labels)), "loss = cross_entropy_loss(logits)"
    assert [(_dW.shape, _db.shape) for _dW, _db in _grads] == [((5, 4), (5,)), ((3, 5), (3,))], \
        "grads must be [(dW, db), ...] with the shapes of params, first layer first"
    _W1 = _params[0][0].copy()
    _W1[1, 2] += 1e-6
    _up = cross_entropy_loss(mlp_forward(_x, [(_W1, _params[0][1]), _params[1]], "tanh"), _labels)
    _W1[1, 2] -= 2e-6
    _down = cross_entropy_loss(mlp_forward(_x, [(_W1, _params[0][1]), _params[1]], "tanh"), _labels)
    assert np.isclose(_grads[0][0][1, 2], (_up - _down) / 2e-6, rtol=1e-5, atol=1e-9), \
        "dW1[1, 2] disagrees with a central difference: check the backward pass through the activation"
