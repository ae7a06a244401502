"""Checks for `fit` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "fit"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(DataLoader, fit, torch, nn, TensorDataset, evaluate):
    torch.manual_seed(2)
    _net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    _loader = DataLoader(TensorDataset(torch.randn(12, 2), torch.arange(12) % 2), batch_size=5)
    _history = fit(_net, _loader, _loader, nn.CrossEntropyLoss(),
                   torch.optim.SGD(_net.parameters(), lr=0.1), "cpu", 3)
    assert isinstance(_history, dict), "fit should return a dict"
    assert set(_history) == {"train_loss", "val_loss", "val_accuracy"}, \
        f"expected the keys train_loss, val_loss and val_accuracy, got {sorted(_history)}"
    assert all(len(v) == 3 for v in _history.values()), "one entry per epoch in every list"
    assert _history["val_loss"][-1] == evaluate(_net, _loader, nn.CrossEntropyLoss(), "cpu")[0], \
        "val_loss should hold what evaluate returned after each epoch"
