"""Failure messages stay short enough to read: long values are cut the way
``autograder.grade.student.describe`` cuts them, not printed whole."""

import importlib
import types
import warnings

import pytest

from autograder.course import master
from autograder.grade.inprocess import LocalStudent
from bug_catalog import catalog


def hidden_suite(assignment):
    """The hidden suite as a module (its @points marks are registered only in its own
    pytest.ini, hence the warning filter)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        return importlib.import_module(f"autograder.suites.test_{assignment}")


def variant_namespace(assignment, bug_name):
    """The reference solution with one catalogued bug written in, as a module namespace."""
    bug = next(b for b in catalog()[assignment] if b.name == bug_name)
    ns = vars(types.ModuleType(f"{assignment}__{bug_name}"))
    exec(compile(bug.apply(master.reference_source(assignment)), bug_name, "exec"), ns)
    return ns


def test_training_that_never_stops_is_reported_in_one_line():
    student = LocalStudent(variant_namespace("01_perceptron", "train_never_stops_early"))
    with pytest.raises(AssertionError) as failure:
        hidden_suite("01_perceptron").test_train_stops_after_clean_epoch(
            student, master.load_reference("01_perceptron")
        )
    message = str(failure.value)
    assert "made none, yet 500 epochs ran" in message and "..." in message, message
    assert len(message) < 300, message


def test_a_long_list_shows_its_first_entries_its_last_and_its_length():
    from autograder.grade.student import describe

    assert describe([2] + [0] * 99) == "[2, 0, 0, 0, 0, 0, ..., 0] (100 entries)"
    assert describe((1.0 / 3,) * 10).endswith("...) (10 entries)")
    assert describe([1, 2, 3]) == "[1, 2, 3]"  # short values stay whole
