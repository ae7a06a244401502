"""The ``student`` a hidden suite talks to: the submission's functions, seen as plain data.

``student.step(z)`` calls the submission's ``step`` and returns its result as plain data;
``student.step.with_inputs(z)`` also returns the arguments as they were after the call (to
check that nothing was modified); ``student.probe(fn, *args)`` runs a probe, a function of
``autograder.inside.probes`` taking the submission's namespace, next to the student code.

Two implementations share this interface: ``RemoteStudent`` (the submission runs in a
sandboxed worker; our grader) and ``LocalStudent`` (the notebook's globals in this process;
the otter and nbgrader bridges). Either way every result is a fresh plain-data copy.
"""

import dataclasses
import shutil
import time

import numpy as np

from .inside import calls, plain
from .safe_text import printable
from .sandbox import Limits, Worker, WorkerLost, describe_limit, temporary_dir


class StudentError(Exception):
    """Student code raised, or a name is missing; the message is written for the student."""

    def __init__(self, name, info, args=(), limit=None):
        self.name = name
        self.type_names = [str(n) for n in info.get("mro", [])]
        self.kind = info.get("kind", "raised")
        # what the worker says is the submission's: cut short and escaped, never trusted
        self.type_name = printable(str(info.get("type", "Exception"))[:100], one_line=True)
        self.detail = printable(str(info.get("message", ""))[:calls.MAX_MESSAGE])
        where = printable(str(info.get("where") or "")[:300], one_line=True)
        where = f" ({where})" if where else ""
        if self.kind == "missing":
            text = f"{name} is not defined in your submission (check the spelling of its name)"
        elif self.type_name == "NotImplementedError":
            text = f"{name} is not implemented yet (it still raises NotImplementedError)"
        elif self.kind == "unencodable":
            text = f"{name} returned a value the grader cannot read: {self.detail}"
        elif limit:
            call = f"{name}({describe_args(args)})" if args else name
            text = f"{call} {limit} ({self.type_name}: {self.detail[:200]}){where}"
        else:
            call = f"{name}({describe_args(args)})" if args else name
            text = f"{call} raised {self.type_name}: {self.detail}{where}"
        super().__init__(text)

    def is_a(self, exception_type):
        return exception_type.__name__ in self.type_names


def describe(value):
    """A short description of a value for messages: arrays by shape, the rest by repr."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, separator=", ")
        return f"<array of shape {value.shape}>"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_args(args, kwargs=None):
    parts = [describe(a) for a in args]
    parts += [f"{k}={describe(v)}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)


class Function:
    """A student function, callable from the grader."""

    def __init__(self, student, name):
        self.student, self.name = student, name

    def __call__(self, *args, **kwargs):
        value, _ = self.student.call(self.name, args, kwargs)
        return value

    def with_inputs(self, *args, **kwargs):
        """(result, args_after, kwargs_after): the arguments as the function left them."""
        value, (args_after, kwargs_after) = self.student.call(self.name, args, kwargs, inputs=True)
        return value, args_after, kwargs_after

    def __getattr__(self, attr):  # student.SGD.step for a method name in messages
        return Function(self.student, f"{self.name}.{attr}")


class Student:
    """Common behaviour: turning replies into values or StudentError."""

    source = None  # the submission's source text, where the grader has it
    load_errors = ()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Function(self, name)

    def call(self, name, args, kwargs, inputs=False):
        request = {"op": "call", "name": name, "args": list(args), "kwargs": dict(kwargs),
                   "inputs": inputs}
        reply = self._request(request)
        value = self._value(name, reply, args)
        if not inputs:
            return value, None
        after = reply.get("inputs")
        if not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], list)
                and isinstance(after[1], dict)):
            raise StudentError(name, {"kind": "unencodable", "message": "its inputs were lost"})
        return value, (tuple(after[0]), after[1])

    def probe(self, func, *args):
        """Run ``func(namespace, *args)`` next to the student code; its result as plain data."""
        request = {"op": "probe", "module": func.__module__, "name": func.__name__,
                   "args": list(args)}
        return self._value(func.__name__, self._request(request), ())

    def check(self, question, source):
        """Run public checks; None when they pass, else the StudentError."""
        try:
            self._value(question, self._request({"op": "check", "question": question,
                                                 "source": source}), ())
        except StudentError as exc:
            return exc
        return None

    def _value(self, name, reply, args):
        if not isinstance(reply, dict):
            raise StudentError(name, {"kind": "unencodable", "message": "malformed reply"})
        if "error" in reply:
            info = reply["error"] if isinstance(reply["error"], dict) else {}
            raise StudentError(name, info, args, limit=self._limit_hit(info))
        return reply.get("value")

    def _limit_hit(self, info):
        """The resource limit an error shows was hit, in words (where limits apply)."""
        return None

    def _request(self, request):
        raise NotImplementedError

    def close(self):
        pass


class RemoteStudent(Student):
    """The submission runs in a sandboxed worker; a dead worker is restarted for the next call.

    If the submission cannot even be loaded (it hangs or kills its process while its cells
    run), every call fails at once with that reason instead of trying again.

    ``limits.budget`` bounds the wall time of all of the submission's code together: its
    loading (restarts too) and every call, each of which gets at most what is left of it. Once
    it is spent, the worker is stopped and every further request fails at once, saying so.
    """

    def __init__(self, cells, limits=None, source=None, filename="submission.py"):
        self.cells = list(cells)
        self.limits = limits or Limits()
        self.source = source
        self.filename = filename
        self._worker = None
        self._load_failure = None
        self._scratch = None
        self._spent = 0.0  # seconds of the budget used: time spent waiting for the worker
        self.outputs = []  # (stdout, stderr) of every worker that ran

    def _budget_left(self):
        return self.limits.budget - self._spent

    def _budget_spent(self):
        return (f"the time budget for grading one submission ({self.limits.budget:g} s for "
                "loading it and all calls together: the grader's --budget) ran out; nothing "
                "more of the submission runs, so the remaining tests fail (look for code that "
                "is very slow or that waits)")

    def _ensure_worker(self):
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
            limits = dataclasses.replace(self.limits, load_timeout=min(self.limits.load_timeout,
                                                                       left))
            started = time.monotonic()
            try:
                self._worker = Worker(self.cells, self._scratch, limits)
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
        return self._worker

    def _limit_hit(self, info):
        return describe_limit(info, self.limits)

    def _request(self, request):
        worker = self._ensure_worker()
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

    def _cleanup(self):
        if self._worker is not None:
            self._worker.kill()
            self.outputs.append(self._worker.output())
            self._worker = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def ensure_loaded(self):
        """Load the submission now; returns the load failure message, or None."""
        try:
            self._ensure_worker()
        except WorkerLost as exc:
            return str(exc)
        return None

    def close(self):
        self._cleanup()


class LocalStudent(Student):
    """The notebook's own globals (otter and nbgrader run tests inside the kernel)."""

    def __init__(self, namespace):
        self.namespace = namespace

    def _request(self, request):
        reply = calls.answer(self.namespace, plain.copy(request))
        try:
            return plain.decode(plain.encode(reply))
        except plain.DecodeError as exc:
            return {"error": {"kind": "unencodable", "message": str(exc)}}
