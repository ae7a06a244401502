"""Checks for `evaluate` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "evaluate"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(evaluate, nn, DataLoader, torch, TensorDataset):
    _net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with torch.no_grad():
        _net[0].weight.copy_(torch.eye(2))
        _net[0].bias.zero_()
    _xs, _ys = torch.tensor([[2.0, 0.0], [0.0, 3.0], [1.0, 0.0]]), torch.tensor([0, 1, 1])
    _grad_seen = []
    _hook = _net.register_forward_hook(lambda m, i, o: _grad_seen.append(torch.is_grad_enabled()))
    _net.train()
    _result = evaluate(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=2), nn.CrossEntropyLoss(), "cpu")
    _hook.remove()
    assert isinstance(_result, tuple) and len(_result) == 2, "evaluate should return (mean_loss, accuracy)"
    assert all(isinstance(v, float) for v in _result), "both values should be Python floats"
    assert abs(_result[1] - 2 / 3) < 1e-9, "2 of the 3 examples have their largest logit on the true class"
    assert abs(_result[0] - nn.CrossEntropyLoss()(_xs, _ys).item()) < 1e-5, \
        "the loss should be averaged over examples, with dropout off"
    assert not _net.training, "evaluate should put the model in eval mode (model.eval())"
    assert _grad_seen and not any(_grad_seen), "evaluate should run the model inside torch.no_grad()"
