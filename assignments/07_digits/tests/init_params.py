"""Checks for `init_params` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "init_params"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(init_params, np):
    _p = init_params(5, 4, 3, np.random.default_rng(0))
    assert sorted(_p) == ["W1", "W2", "b1", "b2"], "the keys W1, b1, W2, b2"
    assert _p["W1"].shape == (4, 5) and _p["b1"].shape == (4,) and _p["W2"].shape == (3, 4), \
        "W1 is (hidden, input), W2 is (classes, hidden)"
    assert np.allclose(_p["W1"], np.random.default_rng(0).uniform(-5 ** -0.5, 5 ** -0.5, (4, 5))), \
        "W1 comes first, from rng.uniform(-k1, k1, size=(hidden_size, input_size))"
