"""Checks for `make_optimizer` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "make_optimizer"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(make_optimizer, nn, torch):
    _net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    _opt = make_optimizer(_net, "momentum", 0.05)
    assert type(_opt) is torch.optim.SGD, "'momentum' is torch.optim.SGD with momentum=0.9"
    assert _opt.param_groups[0]["momentum"] == 0.9, "'momentum' means SGD(..., momentum=0.9)"
    assert _opt.param_groups[0]["lr"] == 0.05, "use the lr you were given"
    assert make_optimizer(_net, "sgd", 0.1).param_groups[0]["momentum"] == 0, "'sgd' has no momentum"
    assert type(make_optimizer(_net, "adam", 1e-3)) is torch.optim.Adam
    assert sum(len(g["params"]) for g in _opt.param_groups) == 4, \
        "the optimizer should hold all four parameters of the model"
    try:
        make_optimizer(_net, "rmsprop", 0.1)
    except ValueError:
        pass
    else:
        raise AssertionError("make_optimizer should raise ValueError for an unknown name")
