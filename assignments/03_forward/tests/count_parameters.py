"""Checks for `count_parameters` (generated from the master by `python -m autograder build`; do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "count_parameters"
points = None


@test_case(name="public checks", points=0, hidden=False)
def public_checks(count_parameters):
    assert count_parameters([784, 128, 64, 10]) == 109386, "see the table above"
    assert count_parameters([3, 2]) == 8, "one layer 3 -> 2: 6 weights and 2 biases"
    assert isinstance(count_parameters([4, 5, 1]), int), "return a Python int"
