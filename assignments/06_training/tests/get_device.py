"""Checks for `get_device` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "get_device"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(get_device, torch):
    _device = get_device()
    assert isinstance(_device, torch.device), "get_device should return a torch.device, not a string"
    assert _device.type == ("cuda" if torch.cuda.is_available() else "cpu"), \
        "get_device should pick cuda exactly when torch.cuda.is_available() is True"
