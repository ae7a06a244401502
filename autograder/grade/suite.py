"""Helpers for writing hidden suites (``autograder/suites/test_NN_name.py``).

A hidden test is a pytest function taking the fixtures ``student`` (the submission, see
``autograder.grade.student``), ``ref`` (the reference solution as a module) and, where it runs
probes, ``reference`` (the reference reached as the student is: ``reference.probe(...)`` runs
the probe next to the reference, in a worker of its own, so this process runs no probe code).
Its docstring's first line is the name students and gradebooks see, and begins with the
function it checks:

    @points(2)
    def test_step_at_zero(student, ref):
        '''step: fires (1.0) at exactly 0 and -0.0'''
        check_array("step(z)", student.step(z), ref.step(z), inputs=z)

A failure is an ``AssertionError`` whose message says, for a student, what was expected and
what came back (the helpers below write those messages). Never let pytest print the test
source: plain ``assert cond, "message"`` is fine, a bare ``assert`` is not.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, SupportsInt

import numpy as np
import pytest

from autograder.grade.student import StudentError, describe
from autograder.inside.plain import Opaque

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from autograder.grade.student import Student


def points(n: float) -> pytest.MarkDecorator:
    """Mark a hidden test as worth ``n`` points (default 1)."""
    return pytest.mark.points(n)


# The submission's salt (``autograder.course.secret``), set by ``grading.run_suite`` for the run.
_salt: tuple[int, ...] = ()


def rng(seed: int) -> np.random.Generator:
    """The generator every suite draws its random inputs from: ``seed`` tells the tests
    apart, the submission's salt makes the stream its own (the same code always sees the
    same inputs; changed code, new ones)."""
    return np.random.default_rng([seed, *_salt])


def seed_for(seed: int) -> int:
    """A salted integer seed, for inputs that must be a seed (``init_linear(..., rng)``)."""
    return int(rng(seed).integers(2**31))


def fail(message: str) -> NoReturn:
    raise AssertionError(message)


class WrongValue(AssertionError):
    """A value check failed (check_array, check_float, check_equal): the answer is wrong."""


def wrong_value(message: str) -> NoReturn:
    raise WrongValue(message)


# A test of a property other than the value (inputs left alone, numpy alone, the right error):
# it checks the value too (only a working function earns it), and where that fails, its
# message says that the property could not be checked and names the test of the value
# (grading.SuitePlugin), so that no student hunts for a mutation that is not there.
property_test = pytest.mark.property_test


def type_name(value: object) -> str:
    """What a returned value is, for messages: "a list", "a MyTuple object" (never "Opaque")."""
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    return f"a {type(value).__module__}.{type(value).__qualname__}".replace("builtins.", "")


def _num(value: object) -> str:
    """A number as a student would write it (1.0, not np.float64(1.0))."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value)


def _index_text(index: Iterable[SupportsInt]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _likely(got: object, likely: Mapping[str, ArrayLike] | None, rtol: float, atol: float) -> str:
    for label, candidate in (likely or {}).items():
        candidate = np.asarray(candidate)
        if (
            isinstance(got, np.ndarray)
            and got.shape == candidate.shape
            and np.allclose(got, candidate, rtol=rtol, atol=atol, equal_nan=True)
        ):
            return f" This looks like: {label}"
    return ""


def check_array(
    what: str,
    got: object,
    expected: ArrayLike,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    dtype: str | None = "float64",
    inputs: ArrayLike | None = None,
    likely: Mapping[str, ArrayLike] | None = None,
) -> None:
    """Assert ``got`` is an ndarray of ``expected``'s shape and dtype family, close in value.

    what:     how the student would write the call, e.g. "sigmoid(x) for x of shape (3, 4)"
    dtype:    "float64" (exact), "int" (any integer dtype) or None (not checked)
    inputs:   an array of the same shape as the output, shown beside a wrong entry
    likely:   {"description of a known misconception": what that bug would return}
    """
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray):
        wrong_value(
            f"{what}: expected a numpy array of shape {expected.shape}, got "
            f"{type_name(got)} ({describe(got)})."
        )
    if got.shape != expected.shape:
        hint = _likely(got, likely, rtol, atol)
        if not hint and got.shape == expected.shape[::-1] and got.ndim == 2:
            hint = " (the axes look swapped: check which dimension is which)"
        wrong_value(f"{what}: expected shape {expected.shape}, got shape {got.shape}.{hint}")
    if dtype == "float64" and got.dtype != np.float64:
        wrong_value(
            f"{what}: expected dtype float64, got {got.dtype} (convert with np.asarray(x, "
            "dtype=float) or avoid integer arithmetic)."
        )
    if dtype == "int" and got.dtype.kind not in "iu":
        wrong_value(f"{what}: expected integers, got dtype {got.dtype}.")
    if got.dtype.kind == "c" or expected.dtype.kind == "c":
        wrong_value(f"{what}: complex numbers are not expected here.")
    expected_f, got_f = expected.astype(np.float64), got.astype(np.float64)
    bad_finite = np.isfinite(expected_f) & ~np.isfinite(got_f)
    if bad_finite.any():
        index = tuple(np.argwhere(bad_finite)[0])
        wrong_value(
            f"{what}: got {_num(got_f[index])} at index {_index_text(index)} where the "
            f"answer is {expected_f[index]:.6g}; this usually means an overflow (exp of a "
            "large number) or a division by zero."
        )
    close = np.isclose(got_f, expected_f, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        index = tuple(np.argwhere(~close)[0])
        at = f" at index {_index_text(index)}" if got.ndim else ""
        shown = ""
        if inputs is not None and np.shape(inputs) == got.shape:
            shown = f" (input there: {_num(np.asarray(inputs)[index])})"
        count = f"{(~close).sum()} of {close.size} entries differ; " if close.size > 1 else ""
        wrong_value(
            f"{what}: {count}expected {_num(expected[index])}{at}{shown}, "
            f"got {_num(got[index])}." + _likely(got, likely, rtol, atol)
        )


def check_float(
    what: str,
    got: object,
    expected: float,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    likely: Mapping[str, float] | None = None,
) -> None:
    """Assert ``got`` is a float (Python or numpy float64 scalar) close to ``expected``."""
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype == np.float64:
        wrong_value(f"{what}: expected a float, got a 0-d numpy array; return float(value).")
    if not isinstance(got, float):
        wrong_value(f"{what}: expected a float, got {type_name(got)} ({describe(got)}).")
    if not np.isfinite(got) and np.isfinite(expected):
        wrong_value(
            f"{what}: got {got} where the answer is {expected:.6g}; this usually means an "
            "overflow or log(0)."
        )
    if not np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        hint = ""
        for label, candidate in (likely or {}).items():
            if np.isclose(got, candidate, rtol=rtol, atol=atol):
                hint = f" This looks like: {label}"
                break
        wrong_value(f"{what}: expected {expected!r}, got {got!r}.{hint}")


def _plain_equal(got: object, expected: object) -> bool:
    """Equal values of the same kinds, all the way down: [3.0, 0.0] is not [3, 0], a tuple
    is not a list, True is not 1; an int may stand where a float is expected."""
    if isinstance(expected, (list, tuple)):
        return (
            type(got) is type(expected)
            and len(got) == len(expected)
            and all(_plain_equal(g, e) for g, e in zip(got, expected))
        )
    if isinstance(expected, dict):
        return (
            type(got) is dict
            and got.keys() == expected.keys()
            and all(_plain_equal(got[k], expected[k]) for k in expected)
        )
    if isinstance(expected, np.ndarray):
        return (
            isinstance(got, np.ndarray)
            and got.shape == expected.shape
            and got.dtype == expected.dtype
            and bool(np.array_equal(got, expected))
        )
    if isinstance(got, Opaque):
        return False
    if isinstance(expected, (bool, np.bool_)):
        return isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
    if isinstance(expected, (int, np.integer)):
        return (
            isinstance(got, (int, np.integer))
            and not isinstance(got, (bool, np.bool_))
            and int(got) == int(expected)
        )
    if isinstance(expected, (float, np.floating)):
        return (
            isinstance(got, (int, float, np.integer, np.floating))
            and not isinstance(got, (bool, np.bool_))
            and (float(got) == float(expected) or (got != got and expected != expected))
        )
    if expected is None:
        return got is None
    return type(got) is type(expected) and bool(got == expected)


def check_equal(what: str, got: object, expected: object) -> None:
    """Assert equality of plain values (ints, floats, strings, lists, tuples, dicts of them),
    kinds included: a list of floats does not pass for a list of ints."""
    if not _plain_equal(got, expected):
        wrong_value(f"{what}: expected {describe(expected)}, got {describe(got)}.")


def check_unmodified(what: str, before: Iterable[object], after: Iterable[object]) -> None:
    """Assert every array argument came back from the call unchanged."""
    for position, (b, a) in enumerate(zip(before, after)):
        if isinstance(b, np.ndarray) and not (
            isinstance(a, np.ndarray)
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=True)
        ):
            fail(
                f"{what} changed its argument number {position + 1} in place; a function "
                "must not modify its inputs (work on a copy, or build a new array)."
            )


def expect_error(
    exception_type: type[BaseException],
    what: str,
    func: Callable[..., object],
    *args: Any,
    **kwargs: Any,
) -> StudentError:
    """Assert that calling ``func`` makes the student code raise ``exception_type``."""
    try:
        func(*args, **kwargs)
    except StudentError as exc:
        if exc.kind == "missing" or exc.type_name == "NotImplementedError":
            raise
        if not exc.is_a(exception_type):
            fail(
                f"{what}: expected {exception_type.__name__}, but it raised "
                f"{exc.type_name}: {exc.detail}"
            )
        return exc
    fail(f"{what}: expected {exception_type.__name__} to be raised, but it returned normally.")


BANNED_MODULES = ("torch", "scipy", "sklearn", "jax")


def _imports_in(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def check_no_banned_imports(student: Student, function: str) -> None:
    """Fail if the submission imports torch, scipy, sklearn or jax (banned in 01-05)."""
    # In a student's kernel (otter, nbgrader) the grader itself may have loaded torch, so
    # look at what the notebook's own names come from; a fresh worker has loaded nothing.
    probe = "common.used_in_namespace" if student.in_kernel else "common.loaded_modules"
    seen = set(student.probe(probe, list(BANNED_MODULES)))
    if student.source is not None:
        seen |= _imports_in(student.source) & set(BANNED_MODULES)
    if seen:
        fail(
            f"{function}: this assignment may not use {', '.join(sorted(seen))}; "
            "write it with numpy alone."
        )


def check_not_calling(
    student: Student, function: str, args: Iterable[object], banned: Iterable[str]
) -> None:
    """Fail if calling ``function(*args)`` uses any of ``banned`` ("numpy.tanh", ...)."""
    used = student.probe("common.calls_banned", function, list(args), list(banned))
    if used:
        fail(
            f"{function}: may not call {', '.join(used)}; build it from more basic "
            "operations (see the lesson)."
        )


def check_not_a_copy_of(
    what: str, got: object, libraries: Mapping[str, ArrayLike], share: float = 0.99
) -> None:
    """Fail if ``got`` equals a library's values to the last bit on at least ``share`` of the
    entries. ``libraries``: {"np.tanh": its values on the same inputs}. Decided here, from
    values alone: however the submission reached the library (an alias, a default argument, a
    wrapper), the bits give it away, and its own worker cannot say otherwise. Independent
    formulas agree with a library to the last bit on roughly 40-70% of random inputs."""
    if not isinstance(got, np.ndarray):
        return  # the value tests say what is wrong with it
    for label, values in libraries.items():
        values = np.asarray(values)
        if got.shape == values.shape and got.size:
            same = float(np.mean(got == values))
            if same >= share:
                fail(
                    f"{what}: the result equals {label} to the last bit on {same:.1%} of the "
                    "entries, so it comes from that library function; build it from more "
                    "basic operations (see the lesson)."
                )


def run_probe(student: Student, what: str, probe: str, *args: Any) -> Any:
    """student.probe(probe, *args) (``probe`` is a name: "training.epoch_case"), with a failure
    message about ``what`` the student wrote."""
    try:
        return student.probe(probe, *args)
    except StudentError as exc:
        if exc.type_name == "NotImplementedError":
            detail = exc.detail or "something it calls is not implemented yet"
            fail(f"{what}: {detail} (it still raises NotImplementedError)")
        if exc.kind == "missing" or exc.type_name == "NameError":
            fail(f"{what}: {exc.detail}")
        text = str(exc)
        where = text.split(exc.detail, 1)[1] if exc.detail and exc.detail in text else ""
        fail(f"{what} raised {exc.type_name}: {exc.detail}{where}")
