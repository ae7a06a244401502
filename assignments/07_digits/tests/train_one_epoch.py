"""Checks for `train_one_epoch` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "train_one_epoch"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(train_one_epoch, torch, nn, DataLoader, TensorDataset):
    torch.manual_seed(1)
    _net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
    _xs, _ys = torch.randn(5, 2), torch.tensor([0, 1, 1, 0, 1])
    _start = [p.detach().clone() for p in _net.parameters()]
    _grads = torch.autograd.grad(nn.CrossEntropyLoss()(_net(_xs), _ys), list(_net.parameters()))
    _net.eval()
    _got = train_one_epoch(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=5), nn.CrossEntropyLoss(),
                           torch.optim.SGD(_net.parameters(), lr=0.1), torch.device("cpu"))
    assert isinstance(_got, float), "train_one_epoch returns a Python float"
    assert all(torch.allclose(p, s - 0.1 * g, atol=1e-6) for p, s, g in zip(_net.parameters(), _start, _grads)), \
        "one batch with SGD(lr=0.1) moves each parameter by -0.1 * its gradient"
    assert _net.training, "train_one_epoch puts the model in training mode"
