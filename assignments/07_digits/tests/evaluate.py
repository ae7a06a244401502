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
    _net.train()
    _loss, _acc = evaluate(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=2), nn.CrossEntropyLoss(), "cpu")
    assert abs(_acc - 2 / 3) < 1e-9, "2 of the 3 examples have their largest logit on the true class"
    assert abs(_loss - nn.CrossEntropyLoss()(_xs, _ys).item()) < 1e-5, \
        "the loss averaged over examples, with dropout off (model.eval())"
