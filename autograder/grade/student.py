"""The ``student`` a hidden suite talks to: the submission's functions, seen as plain data.

``student.step(z)`` calls the submission's ``step`` and returns its result as plain data;
``student.step.with_inputs(z)`` also returns the arguments as they were after the call (to
check that nothing was modified); ``student.probe("training.epoch_case", *args)`` runs a
probe, a function of ``autograder/inside/probes/`` taking the submission's namespace, next to
the student code. The grading process names probes and never imports them: the expected
values come from the same probe run next to the reference solution (``reference_of``).

Two implementations share this interface: ``RemoteStudent`` (the submission runs in a
sandboxed worker; our grader) and ``inprocess.LocalStudent`` (the notebook's globals in this
process: the otter and nbgrader bridges, which load ``autograder.inside`` into the kernel).
Either way every result is a fresh plain-data copy.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from autograder import course
from autograder.course import master
from autograder.safe_text import printable
from autograder.sandbox.limits import Limits, WorkerLost, describe_limit
from autograder.sandbox.runtime import temporary_dir
from autograder.sandbox.worker import Worker

if TYPE_CHECKING:
    from autograder.grade.submission import CellLabel
    from autograder.inside.plain import CallRequest, ErrorInfo, ProbeRequest, Reply, Request

MAX_MESSAGE = 2000  # characters of an error message from student code kept for the student
PROBE_PACKAGE = "autograder.inside.probes"  # where a probe's name is looked up, in the worker
REFERENCE_SECONDS = 1800  # for each of the reference worker's loading and calls

_WHERE = re.compile(r"cell (\d+), line (\d+)")


def locate(where: object, labels: Sequence[CellLabel] | None = None) -> str:
    """Where an error arose, as the student finds it. The worker says "cell N, line M" with N
    counting code cells; with the submission's ``labels`` (``submission.read_submission``) it
    becomes 'cell 11, which starts "def linear_backward(dout, x, W):", line 3'."""
    found = _WHERE.fullmatch(str(where))
    if not found:
        return printable(str(where)[:100])
    number, line = int(found[1]), int(found[2])
    if labels and 1 <= number <= len(labels):
        label = labels[number - 1]
        first = printable(str(label.get("first", ""))[:60])
        return f'cell {label.get("position", number)}, which starts "{first}", line {line}'
    return f"cell {number}, line {line}"


def _defines(source: str, name: str) -> bool:
    """Does a line of ``source`` look like it defines ``name`` (def, class, assignment,
    import)? Plain string operations, linear in the text: it is the student's, of any size."""
    for line in source.splitlines()[:5000]:
        for mark, spaced in (("(", " "), (":", " "), ("=", " = "), (",", " ")):
            line = line.replace(mark, spaced)
        words = line.split()
        if not words:
            continue
        if words[0] in ("def", "class") and len(words) > 1 and words[1] == name:
            return True
        if words[0] == "async" and words[1:3] == ["def", name]:
            return True
        if words[0] == name and len(words) > 1 and words[1] == "=":
            return True
        if "import" in words[:3] and name in words:
            return True
    return False


def _undefined_name(message: str) -> str | None:
    found = re.match(r"name '(\w+)' is not defined", message)
    return found[1] if found else None


def relabel(text: object, labels: Sequence[CellLabel] | None = None) -> str:
    """``text`` with the worker's cell file names ("<cell 3>", in a SyntaxError or a warning)
    as the student finds the cell, and control characters escaped."""

    def place(found: re.Match[str]) -> str:
        number = int(found[1])
        if labels and 1 <= number <= len(labels):
            return f"cell {labels[number - 1].get('position', number)}"
        return f"cell {number}"

    return re.sub(r"<cell (\d+)>", place, printable(text))


def cell_name(number: object, labels: Sequence[CellLabel] | None = None) -> str:
    """A load error's cell (the worker's code-cell count) as the student finds it."""
    if labels and isinstance(number, int) and 1 <= number <= len(labels):
        label = labels[number - 1]
        first = printable(str(label.get("first", ""))[:60])
        return f'cell {label.get("position", number)} (which starts "{first}")'
    return f"cell {number}"


class StudentError(Exception):
    """Student code raised, or a name is missing; the message is written for the student."""

    def __init__(
        self,
        name: str,
        info: ErrorInfo,
        args: Sequence[object] = (),
        limit: str | None = None,
        labels: Sequence[CellLabel] | None = None,
    ) -> None:
        self.name = name
        self.type_names = [str(n) for n in info.get("mro", [])]
        self.kind = info.get("kind", "raised")
        # what the worker says is the submission's: cut short and escaped, never trusted
        self.type_name = printable(str(info.get("type", "Exception"))[:100], one_line=True)
        self.detail = printable(str(info.get("message", ""))[:MAX_MESSAGE])
        where = locate(str(info.get("where") or "")[:300], labels) if info.get("where") else ""
        where = f" ({where})" if where else ""
        if self.kind == "missing":
            text = f"{name} is not defined in your submission (check the spelling of its name)"
        elif self.type_name == "NotImplementedError":
            text = f"{name} is not implemented yet (it still raises NotImplementedError)"
        elif self.kind == "tampered":
            text = (
                f"{name}: not graded: the submission modified the grader "
                f"({self.detail[:200]}), so its answers cannot be trusted"
            )
        elif self.kind == "unencodable":
            text = f"{name} returned a value the grader cannot read: {self.detail}"
        elif limit:
            call = f"{name}({describe_args(args)})" if args else name
            text = f"{call} {limit} ({self.type_name}: {self.detail[:200]}){where}"
        else:
            call = f"{name}({describe_args(args)})" if args else name
            text = f"{call} raised {self.type_name}: {self.detail}{where}"
        super().__init__(text)

    def is_a(self, exception_type: type[BaseException]) -> bool:
        return exception_type.__name__ in self.type_names


def describe(value: object) -> str:
    """A short description of a value for messages: arrays by shape, the rest by repr."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, separator=", ")
        return f"<array of shape {value.shape}>"
    text = repr(value)
    if len(text) <= 60:
        return text
    if isinstance(value, (list, tuple)) and len(value) > 8:  # its ends and its length
        ends = [_short(v) for v in value[:6]] + ["...", _short(value[-1])]
        brackets = "[]" if isinstance(value, list) else "()"
        return f"{brackets[0]}{', '.join(ends)}{brackets[1]} ({len(value)} entries)"
    return text[:57] + "..."


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 12 else text[:9] + "..."


def describe_args(args: Iterable[object], kwargs: Mapping[str, object] | None = None) -> str:
    parts = [describe(a) for a in args]
    parts += [f"{k}={describe(v)}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)


class Function:
    """A student function, callable from the grader."""

    def __init__(self, student: Student, name: str) -> None:
        self.student, self.name = student, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        value, _ = self.student.call(self.name, args, kwargs)
        return value

    def with_inputs(self, *args: Any, **kwargs: Any) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
        """(result, args_after, kwargs_after): the arguments as the function left them."""
        value, (args_after, kwargs_after) = self.student.call(self.name, args, kwargs, inputs=True)
        return value, args_after, kwargs_after

    def __getattr__(self, attr: str) -> Function:  # student.SGD.step for a method name in messages
        return Function(self.student, f"{self.name}.{attr}")


class Student:
    """Common behaviour: turning replies into values or StudentError."""

    source: str | None = None  # the submission's source text, where the grader has it
    cells: list[str] | None = None  # its code cells (submission.read_cells), where known
    tampered = ""  # what the worker reported of a change to the grader's code, if anything
    # per code cell, its place in the notebook (submission.read_submission)
    labels: list[CellLabel] | None = None
    fingerprint: str | None = None  # of its code (submission.fingerprint): salts the inputs
    load_errors: Sequence[ErrorInfo] = ()  # what the worker reported (a claim)
    in_kernel = False  # the student's own kernel (inprocess.LocalStudent), not a worker

    def __getattr__(self, name: str) -> Function:
        if name.startswith("_"):
            raise AttributeError(name)
        return Function(self, name)

    @overload
    def call(
        self,
        name: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        inputs: Literal[False] = False,
    ) -> tuple[Any, None]: ...

    @overload
    def call(
        self, name: str, args: Sequence[Any], kwargs: Mapping[str, Any], inputs: Literal[True]
    ) -> tuple[Any, tuple[tuple[Any, ...], dict[str, Any]]]: ...

    def call(
        self, name: str, args: Sequence[Any], kwargs: Mapping[str, Any], inputs: bool = False
    ) -> tuple[Any, tuple[tuple[Any, ...], dict[str, Any]] | None]:
        """(the result, the arguments as the call left them (with ``inputs``) or None)."""
        request: CallRequest = {
            "op": "call",
            "name": name,
            "args": list(args),
            "kwargs": dict(kwargs),
            "inputs": inputs,
        }
        reply = self._request(request)
        value = self._value(name, reply, args)
        if not inputs:
            return value, None
        after = reply.get("inputs")
        if not (
            isinstance(after, list)
            and len(after) == 2
            and isinstance(after[0], list)
            and isinstance(after[1], dict)
        ):
            raise StudentError(name, {"kind": "unencodable", "message": "its inputs were lost"})
        return value, (tuple(after[0]), after[1])

    def probe(self, name: str, *args: Any, define: str | None = None) -> Any:
        """Run the probe ``name`` ("training.epoch_case": ``epoch_case`` of
        ``autograder/inside/probes/training.py``) as ``probe(namespace, *args)`` next to this
        student's code; its result as plain data. ``define``: code run first in a copy of the
        namespace, whose names then stand in for its own (a suite's known-wrong loop, run in
        the reference's process to name a mistake)."""
        module, _, function = str(name).rpartition(".")
        request: ProbeRequest = {
            "op": "probe",
            "module": f"{PROBE_PACKAGE}.{module}",
            "name": function,
            "args": list(args),
        }
        if define is not None:
            request["define"] = define
        return self._value(function, self._request(request), ())

    def check(self, question: str, source: str) -> StudentError | None:
        """Run public checks; None when they pass, else the StudentError."""
        try:
            self._value(
                question, self._request({"op": "check", "question": question, "source": source}), ()
            )
        except StudentError as exc:
            return exc
        return None

    def _value(self, name: str, reply: Reply, args: Sequence[object]) -> Any:
        if not isinstance(reply, dict):
            raise StudentError(name, {"kind": "unencodable", "message": "malformed reply"})
        if "error" in reply:
            info = reply["error"] if isinstance(reply["error"], dict) else {}
            error = StudentError(name, info, args, limit=self._limit_hit(info), labels=self.labels)
            if error.kind == "tampered":
                self.tampered = error.detail
            missing = (
                name.split(".")[0]
                if error.kind == "missing"
                else _undefined_name(error.detail)
                if error.is_a(NameError)
                else None
            )
            cause = self._failed_cell(missing) if missing else ""
            if cause and error.kind == "missing":
                error.args = (f"{missing} is not defined because {cause}",)
            elif cause:
                error.args = (f"{error}: it is not defined because {cause}",)
            raise error
        return reply.get("value")

    def _failed_cell(self, missing: str) -> str:
        """Words for the cell that failed while the submission loaded and would have defined
        ``missing`` (it names it in a def, class, import or assignment), or ''."""
        for error in self.load_errors:
            number = error.get("cell") if isinstance(error, dict) else None
            if (
                isinstance(number, int)
                and self.cells
                and 1 <= number <= len(self.cells)
                and _defines(self.cells[number - 1], missing)
            ):
                detail = relabel(str(error.get("message", ""))[:300], self.labels)
                return (
                    f"{cell_name(number, self.labels)} failed: "
                    f"{printable(str(error.get('type', 'Exception')))}: {detail} "
                    "(fix that cell first)"
                )
        return ""

    def _limit_hit(self, info: ErrorInfo) -> str | None:
        """The resource limit an error shows was hit, in words (where limits apply)."""
        return None

    def _request(self, request: Request) -> Reply:
        """The worker's reply to ``request``: plain data, a claim (read every key with care)."""
        raise NotImplementedError

    def reference_of(self, assignment: str) -> Student:
        """The reference solution, reached as this student is (the ``reference`` fixture)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class RemoteStudent(Student):
    """The submission runs in a sandboxed worker; a dead worker is restarted for the next call.

    If the submission cannot even be loaded (it hangs or kills its process while its cells
    run), every call fails at once with that reason instead of trying again.

    ``limits.budget`` bounds the wall time of all of the submission's code together: its
    loading (restarts too) and every call, each of which gets at most what is left of it. Once
    it is spent, the worker is stopped and every further request fails at once, saying so.
    """

    def __init__(
        self,
        cells: Iterable[str],
        limits: Limits | None = None,
        source: str | None = None,
        filename: str = "submission.py",
        banned: Iterable[str] = (),
        assignment: str = "",
        labels: list[CellLabel] | None = None,
        fingerprint: str | None = None,
    ) -> None:
        self.cells: list[str] = list(cells)
        self.labels, self.fingerprint = labels, fingerprint
        self.banned, self.assignment = tuple(banned), assignment
        self.limits = limits or Limits()
        self.source = source
        self.filename = filename
        self._worker: Worker | None = None
        self._load_failure: str | None = None
        self._scratch: str | None = None
        self._spent = 0.0  # seconds of the budget used: time spent waiting for the worker
        self.outputs: list[tuple[str, str]] = []  # (stdout, stderr) of every worker that ran

    def _budget_left(self) -> float:
        return self.limits.budget - self._spent

    def _budget_spent(self) -> str:
        return (
            f"the time budget for grading one submission ({self.limits.budget:g} s for "
            "loading it and all calls together: the grader's --budget) ran out; nothing "
            "more of the submission runs, so the remaining tests fail (look for code that "
            "is very slow or that waits)"
        )

    def _ensure_worker(self) -> Worker:
        if self._load_failure:
            raise WorkerLost(self._load_failure)
        if self._worker is None:
            left = self._budget_left()
            if left <= 0:
                raise WorkerLost(self._budget_spent())
            self._scratch = temporary_dir("scratch")
            if self.source is not None:
                with open(f"{self._scratch}/{self.filename}", "w", encoding="utf-8") as f:
                    f.write(self.source)
            cut = left < self.limits.load_timeout  # the budget bounds this load
            limits = dataclasses.replace(
                self.limits, load_timeout=min(self.limits.load_timeout, left)
            )
            started = time.monotonic()
            try:
                self._worker = Worker(
                    self.cells, self._scratch, limits, self.banned, self.assignment
                )
            except WorkerLost as exc:
                self._cleanup()
                if cut and time.monotonic() - started >= left:  # it ran out while loading
                    self._spent = self.limits.budget
                    raise WorkerLost(self._budget_spent()) from None
                self._load_failure = f"your submission could not be loaded: {exc}"
                raise WorkerLost(self._load_failure) from None
            # starting the worker (a template's first start, say) is the grader's time
            self._spent += self._worker.load_seconds
            self.load_errors = self._worker.load_errors
            self.tampered = self.tampered or self._worker.tampered
        return self._worker

    def _limit_hit(self, info: ErrorInfo) -> str | None:
        return describe_limit(info, self.limits)

    def _request(self, request: Request) -> Reply:
        worker = self._ensure_worker()
        if self.tampered:  # nothing more is asked of a worker caught changing the grader
            return {"error": {"kind": "tampered", "type": "RuntimeError", "message": self.tampered}}
        left = self._budget_left()
        if left <= 0:
            self._cleanup()
            raise WorkerLost(self._budget_spent())
        started = time.monotonic()
        try:
            reply = worker.request(request, timeout=min(self.limits.call_timeout, left))
        except WorkerLost:
            self._spent += time.monotonic() - started
            self._cleanup()
            if self._budget_left() <= 0:
                raise WorkerLost(self._budget_spent()) from None
            raise
        self._spent += time.monotonic() - started
        return reply

    def _cleanup(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self.outputs.append(self._worker.output())
            self._worker = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def ensure_loaded(self) -> str | None:
        """Load the submission now; returns the load failure message, or None."""
        try:
            self._ensure_worker()
        except WorkerLost as exc:
            return str(exc)
        return None

    def close(self) -> None:
        self._cleanup()

    def reference_of(self, assignment: str) -> RemoteStudent:
        """The reference solution in a worker of its own, started at its first request, to run
        the suites' probes on (so the grading process runs none): trusted code, so limits
        far above what it needs, whatever the machine's speed, and no time budget of the
        student's."""
        limits = dataclasses.replace(
            self.limits,
            load_timeout=REFERENCE_SECONDS,
            call_timeout=REFERENCE_SECONDS,
            budget=REFERENCE_SECONDS,
        )
        return RemoteStudent(
            master.reference_cells(assignment),
            limits,
            banned=course.banned_imports(assignment),
            assignment=assignment,
        )
