"""Checks for `DigitsNet` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "DigitsNet"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(DigitsNet, torch, nn):
    _net = DigitsNet(6, 5, 3)
    assert [n for n, _ in _net.named_children()] == ["fc1", "relu", "drop", "fc2"], \
        "the submodules fc1, relu, drop, fc2, in this order"
    assert isinstance(_net.drop, nn.Dropout) and _net.drop.p == 0.3, "drop = nn.Dropout(dropout)"
    _net.eval()
    with torch.no_grad():
        _net.fc1.weight.zero_()
        _net.fc1.bias.fill_(-1.0)
    assert torch.allclose(_net(torch.ones(2, 6)), _net.fc2.bias.expand(2, 3)), \
        "with negative hidden pre-activations the logits equal fc2.bias: ReLU missing, or a softmax?"
