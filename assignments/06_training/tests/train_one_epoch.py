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
    _loss_fn = nn.CrossEntropyLoss()
    _expected_loss = _loss_fn(_net(_xs), _ys)
    _grads = torch.autograd.grad(_expected_loss, list(_net.parameters()))
    _net.eval()
    _got = train_one_epoch(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=5), _loss_fn,
                           torch.optim.SGD(_net.parameters(), lr=0.1), torch.device("cpu"))
    assert isinstance(_got, float), "train_one_epoch should return a Python float (use loss.item())"
    assert abs(_got - _expected_loss.item()) < 1e-5, "with one batch, the epoch loss is that batch's loss"
    assert not all(torch.equal(p, s) for p, s in zip(_net.parameters(), _start)), \
        "the parameters did not move: optimizer.step() before loss.backward(), or no optimizer.step() at all"
    assert all(torch.allclose(p, s - 0.1 * g, atol=1e-6) for p, s, g in zip(_net.parameters(), _start, _grads)), \
        "one batch with SGD(lr=0.1) should move each parameter by -0.1 * its gradient"
    assert _net.training, "train_one_epoch should put the model in training mode (model.train())"
    # Two batches, of 3 and 2 examples, with lr=0: the parameters stay put, so each batch's loss
    # and gradient can be computed here in advance.
    _net.zero_grad(set_to_none=True)
    _batches = [(_xs[:3], _ys[:3]), (_xs[3:], _ys[3:])]
    _losses = [_loss_fn(_net(_x), _y).item() for _x, _y in _batches]
    _batch_grads = [torch.autograd.grad(_loss_fn(_net(_x), _y), list(_net.parameters()))
                    for _x, _y in _batches]
    _summed = [_g1 + _g2 for _g1, _g2 in zip(*_batch_grads)]  # what no zero_grad() leaves behind
    _got = train_one_epoch(_net, DataLoader(TensorDataset(_xs, _ys), batch_size=3), _loss_fn,
                           torch.optim.SGD(_net.parameters(), lr=0.0), torch.device("cpu"))
    assert not all(p.grad is not None and torch.allclose(p.grad, g) for p, g in zip(_net.parameters(), _summed)), \
        "gradients accumulated across batches: call optimizer.zero_grad() before loss.backward()"
    for _mistake, _value in {
            "mean of batch losses not weighted by batch size (the last batch is smaller)": sum(_losses) / 2,
            "the batch losses were summed, not averaged over the examples": sum(_losses),
            "only the last batch's loss was returned": _losses[-1]}.items():
        assert abs(_got - _value) > 1e-6, f"two batches of 3 and 2 examples: this looks like: {_mistake}"
    assert abs(_got - (3 * _losses[0] + 2 * _losses[1]) / 5) < 1e-5, \
        "the epoch loss is the mean over all examples: weight each batch's loss by its size"
