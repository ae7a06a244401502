"""The bridge for otter-grader and nbgrader, which run tests inside the student's kernel.

There the hidden suite cannot be kept away from student code (that is those tools' trust
model; our own grader is the one to use for graded work, see the README). What we keep:
the same suite and the same scores, every result copied to plain data before comparing
(so an object claiming to equal everything still fails), a time limit on each call into
student code, and nothing written to stderr (nbgrader gives 0 to a grade cell with any
stderr output, even a harmless warning).

Each question's tests run once per notebook, when its first otter test case or its
nbgrader grade cell asks (nbgrader runs a grade cell before the later cells are defined).
"""

from __future__ import annotations

import contextlib
import io
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from autograder.course.master import load_reference
from autograder.grade.grading import question_of, run_suite
from autograder.grade.student import Student, WorkerLost
from autograder.grade.submission import SubmissionError, read_submission
from autograder.inside import calls, plain

if TYPE_CHECKING:
    import os
    from types import FrameType

    from autograder.grade.grading import TestResult
    from autograder.inside.plain import Reply, Request

CALL_TIMEOUT = 10  # seconds for one call into student code

# (assignment, question, id(namespace)) -> (namespace, {name: TestResult})
_runs: dict[tuple[str, str, int], tuple[dict[str, Any], dict[str, TestResult]]] = {}


class LocalStudent(Student):
    """The notebook's own globals (otter and nbgrader run tests inside the kernel)."""

    in_kernel = True

    def __init__(self, namespace: dict[str, Any], fingerprint: str | None = None) -> None:
        self.namespace = namespace
        self.fingerprint = fingerprint

    def reference_of(self, assignment: str) -> LocalStudent:
        """The reference solution's namespace, in this kernel too."""
        return LocalStudent(vars(load_reference(assignment)))

    def _request(self, request: Request) -> Reply:
        reply = calls.answer(self.namespace, plain.copy(request))
        try:
            return plain.decode(plain.encode(reply))
        except plain.DecodeError as exc:
            return {"error": {"kind": "unencodable", "message": str(exc)}}


class TimedLocalStudent(LocalStudent):
    """LocalStudent with a wall-clock limit per call (SIGALRM, where we are the main thread)."""

    def _request(self, request: Request) -> Reply:
        if threading.current_thread() is not threading.main_thread():
            return super()._request(request)

        def on_alarm(signum: int, frame: FrameType | None) -> NoReturn:
            raise TimeoutError(f"still running after {CALL_TIMEOUT} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(CALL_TIMEOUT)
        try:
            reply = super()._request(request)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        error = reply.get("error") if isinstance(reply, dict) else None
        if isinstance(error, dict) and error.get("type") == "TimeoutError":
            raise WorkerLost(
                f"{request.get('name', 'the call')}: {error.get('message')} "
                "(look for an infinite loop or a very slow computation)"
            )
        return reply


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """torch on one thread while the suite runs, as in our worker: the same numbers, and no
    OpenMP threads spinning against other graders on a busy machine (where a call could
    otherwise run past CALL_TIMEOUT)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def submission_fingerprint(assignment: str, folder: str | os.PathLike[str] = ".") -> str | None:
    """The fingerprint of the notebook being graded, read from the kernel's working directory,
    where otter and nbgrader run it: the fingerprint our grader computes, so the same hidden
    inputs (``autograder.course.secret``). ``NN_name.ipynb``, else the folder's only notebook; else
    None."""

    folder = Path(folder)
    notebooks = sorted(folder.glob("*.ipynb"))
    named = folder / f"{assignment}.ipynb"
    path = named if named.is_file() else notebooks[0] if len(notebooks) == 1 else None
    try:
        return read_submission(path)[2] if path else None
    except (SubmissionError, OSError):
        return None


def results(assignment: str, question: str, namespace: dict[str, Any]) -> dict[str, TestResult]:
    """{test name: TestResult} of one question for the notebook whose globals are ``namespace``."""
    key = (assignment, question, id(namespace))
    if key not in _runs or _runs[key][0] is not namespace:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), _one_thread():
            student = TimedLocalStudent(namespace, submission_fingerprint(assignment))
            run = run_suite(assignment, student, question)
        _runs[key] = (namespace, {r.name: r for r in run})
    return _runs[key][1]


def assert_passed(assignment: str, test_name: str, namespace: dict[str, Any]) -> None:
    """For otter's hidden test cases: raise AssertionError with the message if it failed."""
    question = question_of(test_name)
    result = results(assignment, question, namespace).get(test_name)
    if result is None:
        raise AssertionError(f"the hidden test {test_name!r} did not run")
    if not result.skipped and result.score < result.max_score:
        raise AssertionError(result.output)


def question_score(assignment: str, question: str, namespace: dict[str, Any]) -> float:
    """For nbgrader's grade cells: print what failed and return the points earned."""
    earned = 0.0
    for result in results(assignment, question, namespace).values():
        earned += result.score
        if result.score < result.max_score and not result.skipped:
            print(f"FAILED {result.name}\n    {result.output}")
    return earned
