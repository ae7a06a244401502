"""Checks for `init_mlp` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "init_mlp"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(init_mlp, np, init_linear):
    _params = init_mlp([5, 4, 2], np.random.default_rng(1))
    assert isinstance(_params, list) and len(_params) == 2, "sizes [5, 4, 2] make 2 layers"
    assert [_W.shape for _W, _ in _params] == [(4, 5), (2, 4)], "W shapes are (out, in) per layer"
    assert [_b.shape for _, _b in _params] == [(4,), (2,)], "one bias per output unit"
    _g = np.random.default_rng(1)
    assert np.array_equal(_params[0][0], init_linear(5, 4, _g)[0]), "the first layer comes first"
    assert np.array_equal(_params[1][0], init_linear(4, 2, _g)[0]), "layers share the one rng"
