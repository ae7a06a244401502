"""Checks for `train_digits_net` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "train_digits_net"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(train_digits_net, DigitsNet, torch, np):
    _g = np.random.default_rng(4)
    _model, _losses = train_digits_net(_g.normal(size=(48, 64)), _g.integers(0, 10, size=48), epochs=3, seed=0)
    assert isinstance(_model, DigitsNet), "return the trained DigitsNet"
    assert len(_losses) == 3 and all(isinstance(v, float) for v in _losses), "one loss per epoch"
    torch.manual_seed(0)
    _fresh = DigitsNet(64)
    assert not torch.equal(_fresh.fc1.weight, _model.fc1.weight), "the model should have been trained"
