"""Checks for `make_criterion` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "make_criterion"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(make_criterion, nn):
    assert isinstance(make_criterion("regression"), nn.MSELoss)
    assert isinstance(make_criterion("multiclass"), nn.CrossEntropyLoss)
    assert type(make_criterion("binary")) is nn.BCEWithLogitsLoss, \
        "binary classification from logits needs nn.BCEWithLogitsLoss (nn.BCELoss expects probabilities)"
    try:
        make_criterion("multi-class")
    except ValueError:
        pass
    else:
        raise AssertionError("make_criterion should raise ValueError for an unknown task")
