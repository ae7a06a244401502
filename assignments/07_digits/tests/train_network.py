"""Checks for `train_network` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "train_network"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(train_network, np):
    _g = np.random.default_rng(3)
    _Xs, _ys = _g.normal(size=(40, 6)), _g.integers(0, 3, size=40)
    _params, _losses = train_network(_Xs, _ys, hidden_size=8, lr=0.5, epochs=30, batch_size=16,
                                     seed=0, num_classes=3)
    assert len(_losses) == 30 and all(isinstance(v, float) for v in _losses), "one float per epoch"
    assert _losses[-1] < 0.7 * _losses[0], "the training loss should fall clearly on 40 examples"
    assert _params["W1"].shape == (8, 6) and _params["W2"].shape == (3, 8)
