"""Run an assignment's hidden suite against one ``student`` and score it.

The suite runs under pytest in this (trusted) process; pytest's own hooks collect each
test's outcome. Only the failure *message* reaches the student, never the test's source.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from autograder import course
from autograder.course import master, secret
from autograder.course.demos import leave_out_demos
from autograder.grade import submission, suite
from autograder.grade.student import RemoteStudent, Student, StudentError, cell_name, relabel
from autograder.grade.submission import SubmissionError, extract_from_zip, read_submission
from autograder.grade.suite import WrongValue
from autograder.safe_text import printable
from autograder.sandbox.limits import WorkerLost, describe_limit

if TYPE_CHECKING:
    import os
    import types

    from pluggy import Result

    from autograder.grade.results import ResultsJson, TestJson
    from autograder.inside.plain import Request
    from autograder.sandbox.limits import Limits

PYTEST_ARGS = [
    # only pytest's own plugins: none of those installed beside it (xdist, anyio, ...), which
    # the suites never use and every grading process would import
    "--disable-plugin-autoload",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:logging",  # the suites log nothing; its per-phase capture costs each test
    "--assert=plain",  # no rewritten asserts: a message never quotes the hidden test
    # a failure's report as a plain traceback: pytest's default ("long", with the source of
    # every frame) costs ~40 ms a failed test, and the messages come from the exception itself
    "--tb=native",
    "--capture=fd",
    "-q",
    "-W",
    "ignore",
    "-p",
    "no:faulthandler",
    "-p",
    "no:unraisableexception",  # its gc.collect() after each test is slow with torch
    "-p",
    "no:threadexception",
]


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    output: str = ""  # the failure message, or why the test was skipped
    skipped: bool = False

    @property
    def question(self) -> str:
        return question_of(self.name)


def question_of(test_name: str) -> str:
    """The question a test belongs to: its name up to the colon (``step: fires at 0`` ->
    ``step``), which is the contract function it checks."""
    return str(test_name).split(":")[0].strip()


def test_name(item: pytest.Function) -> str:
    """The name students see: the test's docstring first line, plus its parameters."""
    doc = (item.function.__doc__ or "").strip().splitlines()
    name = doc[0].strip() if doc else item.function.__name__
    callspec = getattr(item, "callspec", None)
    return f"{name} [{callspec.id}]" if callspec else name


def test_points(item: pytest.Function) -> float:
    """Points of a test: @points(n) on the function, overridden by a parameter's own mark
    (``pytest.param("cuda", marks=points(0))``); 1 without either."""
    own = [m for m in item.own_markers if m.name == "points"]
    marker = own[-1] if own else item.get_closest_marker("points")
    return float(marker.args[0]) if marker else 1.0


def failure_message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    exc = excinfo.value
    if isinstance(exc, (AssertionError, StudentError, WorkerLost)):
        return str(exc)
    return f"could not be checked: {type(exc).__name__}: {exc}"


def _wrong_or_broken(exc: BaseException) -> bool:
    """A value check failed, or the function raised (not a stub, a missing name or a ban: a
    banned import fails the property itself)."""
    if isinstance(exc, WrongValue):
        return True
    return (
        isinstance(exc, StudentError)
        and exc.kind == "raised"
        and exc.type_name not in ("NotImplementedError", "ImportError", "PermissionError")
    )


class SuitePlugin:
    """A pytest plugin: provides the fixtures ``student``, ``ref`` (the reference solution as
    a module of this process) and ``reference`` (the reference reached as the student is, for
    probes), and records outcomes."""

    def __init__(
        self,
        student: Student,
        ref: types.ModuleType,
        reference: Student,
        question: str | None = None,
    ) -> None:
        self._student, self._ref, self._reference = student, ref, reference
        self.question = question
        self.results: dict[str, TestResult] = {}  # by node id
        # question -> the name of its first test of the value itself
        self.value_tests: dict[str, str] = {}

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Function]
    ) -> None:
        """With a question given, run only its tests (nbgrader grades cell by cell)."""
        for item in items:
            if not item.get_closest_marker("property_test"):
                self.value_tests.setdefault(question_of(test_name(item)), test_name(item))
        if self.question is None:
            return
        keep = [i for i in items if question_of(test_name(i)) == self.question]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep

    @pytest.fixture
    def student(self) -> Student:
        return self._student

    @pytest.fixture
    def ref(self) -> types.ModuleType:
        return self._ref

    @pytest.fixture
    def reference(self) -> Student:
        return self._reference

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Function, call: pytest.CallInfo[None]
    ) -> Generator[None, Result[pytest.TestReport], None]:
        outcome = yield
        report = outcome.get_result()
        max_score = test_points(item)
        name = test_name(item)
        if report.skipped:
            reason = (
                call.excinfo.value.msg
                if call.excinfo and hasattr(call.excinfo.value, "msg")
                else ""
            )
            self.results[item.nodeid] = TestResult(name, 0.0, 0.0, reason or "skipped", True)
        elif report.failed:
            previous = self.results.get(item.nodeid)
            if previous is None or previous.score > 0 or previous.skipped:
                message = failure_message(call.excinfo) if call.excinfo else "failed"
                value_test = self.value_tests.get(question_of(name))
                if (
                    call.excinfo
                    and value_test
                    and item.get_closest_marker("property_test")
                    and _wrong_or_broken(call.excinfo.value)
                ):
                    message = (
                        f"this property could not be checked, because the value itself "
                        f'is wrong (the test "{value_test}" says more): {message}'
                    )
                self.results[item.nodeid] = TestResult(name, 0.0, max_score, message)
        elif report.when == "call":
            self.results[item.nodeid] = TestResult(name, max_score, max_score)


class _Collector:
    def __init__(self) -> None:
        self.tests: list[tuple[str, float]] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Function]) -> None:
        for item in items:
            self.tests.append((test_name(item), test_points(item)))


def _pytest(assignment: str, plugin: object, *extra: str) -> None:
    args = [
        str(course.suite_path(assignment)),
        "--rootdir",
        str(course.SUITES_DIR),
        "-c",
        str(course.SUITES_DIR / "pytest.ini"),
        *PYTEST_ARGS,
        *extra,
    ]
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(
            f"the hidden suite for {assignment} did not run (pytest exit "
            f"{code}):\n{sink.getvalue()[-3000:]}"
        )


def collect_tests(assignment: str) -> list[tuple[str, float]]:
    """[(test name, points)] of the hidden suite, without running it."""
    collector = _Collector()
    _pytest(assignment, collector, "--collect-only")
    return collector.tests


def questions(assignment: str) -> list[str]:
    """The assignment's questions (the functions its tests are named for), in suite order."""
    return list(dict.fromkeys(question_of(name) for name, _ in collect_tests(assignment)))


def check_question(assignment: str, question: str) -> None:
    """ValueError naming the choices when ``question`` is not one of the assignment's."""
    known = questions(assignment)
    if question not in known:
        raise ValueError(
            f"{assignment} has no question {question!r}; its questions are {', '.join(known)}"
        )


def run_suite(assignment: str, student: Student, question: str | None = None) -> list[TestResult]:
    """Every hidden test's result (or one question's) for this student, in the suite's order."""
    reference = student.reference_of(assignment)
    plugin = SuitePlugin(student, master.load_reference(assignment), reference, question)
    suite._salt = secret.salt(student.fingerprint or submission.fingerprint([]))
    try:
        _pytest(assignment, plugin)
    finally:
        suite._salt = ()
        reference.close()
    if not plugin.results:
        raise RuntimeError(f"the hidden suite for {assignment} ran no test")
    return list(plugin.results.values())


def to_results_json(results: Sequence[TestResult], output: str = "") -> ResultsJson:
    """Gradescope's results.json form. A skipped test scores 0 of 0, its output says why,
    and ``extra_data.skipped`` holds the reason (Gradescope's ``status`` knows only passed and
    failed). Every text is ``printable``: messages quote what the submission raised, returned
    and printed."""
    tests: list[TestJson] = []
    for r in results:
        test: TestJson = {
            "name": printable(r.name),
            "score": r.score,
            "max_score": r.max_score,
            "output": printable(f"skipped: {r.output}" if r.skipped else r.output),
        }
        if r.skipped:
            test["extra_data"] = {"skipped": printable(r.output)}
        tests.append(test)
    return {
        "score": sum(r.score for r in results),
        "max_score": sum(r.max_score for r in results),
        "output": printable(output),
        "tests": tests,
    }


def _load_report(student: RemoteStudent) -> str:
    lines = []
    for error in student.load_errors:
        limit = describe_limit(error, student.limits) if hasattr(student, "limits") else None
        place = cell_name(error.get("cell", "?"), student.labels)
        lines.append(
            f"{place[0].upper()}{place[1:]} of your submission "
            + (f"{limit} (" if limit else "raised ")
            + f"{error.get('type', 'an error')}: "
            + relabel(str(error.get("message", ""))[:300], student.labels)
            + (")" if limit else "")
        )
    return "\n".join(lines)


MAX_OUTPUT_CHARS = 3000  # of each stream the submission wrote, in the results


def _output_report(student: RemoteStudent) -> str:
    """What the submission printed, escaped and cut short: shown to the student, never
    trusted, and never mixed into the grader's own output."""
    rerun = "\n--- (your submission was run again after a crash or a timeout) ---\n"
    parts = []
    for index, label in ((0, "Output"), (1, "Error output")):
        texts = [out[index] for out in getattr(student, "outputs", [])]
        if any(t.strip() for t in texts):
            shown = printable(rerun.join(texts), limit=MAX_OUTPUT_CHARS)
            parts.append(
                f"{label} of your submission (first {MAX_OUTPUT_CHARS} characters):\n{shown}"
            )
    return "\n\n".join(parts)


def grade_file(
    path: str | os.PathLike[str],
    assignment: str,
    limits: Limits | None = None,
    question: str | None = None,
) -> ResultsJson:
    """Grade one submission file in a sandboxed worker (only ``question``'s tests, if given);
    Gradescope results.json form."""

    course.master_path(assignment)  # an unknown assignment is the caller's error
    try:
        cells, labels, fingerprint = read_submission(path)
        source = "\n\n".join(cells)
    except (SubmissionError, OSError) as exc:
        cells, source, labels, fingerprint = None, None, None, None
        problem = f"your submission could not be read: {exc}"
    # the lesson's own demos (plots) are left out: nothing to grade there
    student = RemoteStudent(
        leave_out_demos(cells or [], assignment),
        limits,
        source=source,
        banned=course.banned_imports(assignment),
        assignment=assignment,
        labels=labels,
        fingerprint=fingerprint,
    )
    if cells is None:
        student._load_failure = problem
    try:
        load_failure = student.ensure_loaded()
        results = run_suite(assignment, student, question)
        report = load_failure or _load_report(student)
    finally:
        student.close()
    report = "\n\n".join(part for part in (report, _output_report(student)) if part)
    result = to_results_json(results, report)
    if student.tampered:
        flag = f"the submission modified the grader: {printable(student.tampered, limit=300)}"
        result["output"] = "\n\n".join(p for p in (flag, result["output"]) if p)
        result["extra_data"] = {"tampered": flag}
    return result


# ---- a submission as found (a file, a zip, or a reason it cannot be read) -----------------


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path  # the file graded (for an ambiguous student folder: the folder)
    label: str  # the path as given, for messages and the score table
    problem: str = ""  # set when the submission cannot be graded: the reason, for the student


def _student_that_cannot_load(problem: str) -> Student:

    class Unreadable(Student):
        """Every call fails with the reason, as for a submission whose worker cannot start."""

        def _request(self, request: Request) -> NoReturn:
            raise WorkerLost(problem)

        def reference_of(self, assignment: str) -> Student:
            return self  # nothing runs at all: a probe of the reference fails the same way

    return Unreadable()


def unreadable_results(assignment: str, problem: str, question: str | None = None) -> ResultsJson:
    """Every test (of ``question``, if given) at 0 with ``problem`` as the reason, as
    ``grade_file`` reports an unreadable file (skipped tests stay skipped, so max_score
    matches a graded submission's)."""
    student = _student_that_cannot_load(problem)
    return to_results_json(run_suite(assignment, student, question), problem)


def grade_submission(
    submission: Submission,
    assignment: str,
    limits: Limits | None = None,
    question: str | None = None,
) -> ResultsJson:
    """One submission's results (Gradescope's form; only ``question``'s tests, if given),
    graded in this process."""
    if submission.problem:
        return unreadable_results(
            assignment, f"your submission could not be read: {submission.problem}", question
        )
    path = Path(submission.path)
    if path.suffix.lower() == ".zip" and path.is_file():
        with tempfile.TemporaryDirectory(prefix="autograder-zip-") as folder:
            member, problem = extract_from_zip(path, folder)
            if member is None:
                return unreadable_results(
                    assignment, f"your submission could not be read: {problem}", question
                )
            return grade_file(member, assignment, limits, question)
    return grade_file(path, assignment, limits, question)
