"""Checks for `SimpleMLP` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "SimpleMLP"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(SimpleMLP, nn, torch):
    _model = SimpleMLP(3, 5, 2)
    assert isinstance(_model, nn.Module), "SimpleMLP must derive from nn.Module"
    _shapes = {name: tuple(p.shape) for name, p in _model.named_parameters()}
    assert _shapes == {"fc1.weight": (5, 3), "fc1.bias": (5,), "fc2.weight": (2, 5), "fc2.bias": (2,)}, \
        f"expected fc1 = nn.Linear(3, 5) and fc2 = nn.Linear(5, 2), got parameters {_shapes}"
    assert _model(torch.zeros(4, 3)).shape == (4, 2), "SimpleMLP(3, 5, 2) should map (4, 3) to (4, 2)"
    with torch.no_grad():  # every hidden unit negative: the ReLU must turn them all into 0
        _model.fc1.weight.zero_()
        _model.fc1.bias.fill_(-1.0)
    assert torch.allclose(_model(torch.ones(1, 3)), _model.fc2.bias), \
        "with negative hidden pre-activations the logits should equal fc2.bias: is the ReLU missing, " \
        "or is there a softmax at the end?"
