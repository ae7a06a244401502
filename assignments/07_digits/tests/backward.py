"""Checks for `backward` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "backward"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(init_params, backward, one_hot, np, forward, softmax_cross_entropy):
    _p = init_params(3, 4, 2, np.random.default_rng(1))
    _X, _Y = np.random.default_rng(2).normal(size=(5, 3)), one_hot(np.array([0, 1, 1, 0, 1]), 2)
    _grads = backward(_p, forward(_p, _X)[1], softmax_cross_entropy(forward(_p, _X)[0], _Y)[1])
    _bumped = dict(_p, b2=_p["b2"] + np.array([1e-6, 0.0]))
    _numeric = (softmax_cross_entropy(forward(_bumped, _X)[0], _Y)[0]
                - softmax_cross_entropy(forward(_p, _X)[0], _Y)[0]) / 1e-6
    assert {k: v.shape for k, v in _grads.items()} == {k: v.shape for k, v in _p.items()}, \
        "one gradient per parameter, each shaped like it"
    assert np.isclose(_grads["b2"][0], _numeric, atol=1e-5), "db2 disagrees with a finite difference"
