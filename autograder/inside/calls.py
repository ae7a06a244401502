"""Requests the grader makes of a student's namespace, answered next to the student code.

The same ``answer`` serves the sandboxed worker (student code in another process) and the
in-process bridge used under otter and nbgrader. Requests and answers are plain data:

    {"op": "call", "name": "step", "args": [...], "kwargs": {...}, "inputs": False}
    {"op": "probe", "module": "autograder.inside.probes.common", "name": "fn", "args": [...],
     "define": "code run first in a copy of the namespace (optional)"}
    {"op": "check", "question": "step", "source": "assert step(0.0) == 1.0"}

An answer is ``{"value": v}`` (plus ``"inputs": [args, kwargs]`` after the call when asked)
or ``{"error": {"kind", "type", "mro", "message", "where"}}``.
"""

from __future__ import annotations

import importlib
import traceback

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from typing import Any

    from autograder.inside.plain import ErrorInfo, Reply, Request

PROBE_PACKAGE = "autograder.inside.probes"
MAX_MESSAGE = 2000


def describe_exception(exc: BaseException, kind: str = "raised") -> ErrorInfo:
    """Plain facts about an exception: its type, base classes, message and where it arose.
    Never raises, whatever the exception object does (its class is student code)."""
    where = ""
    try:
        for frame in traceback.extract_tb(BaseException.__getattribute__(exc, "__traceback__")):
            if str(frame.filename).startswith("<cell"):
                where = f"{frame.filename[1:-1]}, line {frame.lineno}"
    except BaseException:
        pass
    try:
        message = str(exc)
        if type(message) is not str:
            raise TypeError
    except BaseException:
        message = "(the exception's message could not be read)"
    try:
        names = [str(type.__getattribute__(k, "__name__"))[:100] for k in type(exc).__mro__]
    except BaseException:
        names = ["BaseException"]
    return {
        "kind": kind,
        "type": names[0],
        "mro": names[:50],
        "message": message[:MAX_MESSAGE],
        "where": where,
    }


def _missing(name: str) -> Reply:
    return {
        "error": {
            "kind": "missing",
            "type": "NameError",
            "mro": ["NameError"],
            "message": f"{name} is not defined in the submission",
            "where": "",
        }
    }


def _lookup(ns: dict[str, Any], dotted: str) -> Any:
    obj = ns[dotted.split(".")[0]]
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def answer(ns: dict[str, Any], request: Request) -> Reply:
    """Carry out one request against the namespace ``ns``; never raises."""
    op = request.get("op")
    try:
        if op == "call" and request["op"] == "call":  # (the second: narrows request's type)
            name = request["name"]
            try:
                func = _lookup(ns, name)
            except (KeyError, AttributeError):
                return _missing(name)
            args, kwargs = request["args"], request["kwargs"]
            # the arguments as given, in tuples: the function can reach this frame's lists,
            # not put other objects in their place
            given, given_kw = tuple(args), tuple(kwargs.items())
            value = func(*args, **kwargs)
            reply: Reply = {"value": value}
            if request.get("inputs"):
                reply["inputs"] = [list(given), dict(given_kw)]
            return reply
        if op == "probe" and request["op"] == "probe":
            module_name = request["module"]
            if not module_name.startswith(PROBE_PACKAGE + "."):
                raise ValueError(f"probe module {module_name!r} is not in {PROBE_PACKAGE}")
            probe = getattr(importlib.import_module(module_name), request["name"])
            if "define" in request:  # names that stand in for the namespace's own
                ns = dict(ns)
                exec(compile(request["define"], "<definitions for a probe>", "exec"), ns)
            return {"value": probe(ns, *request["args"])}
        if op == "check" and request["op"] == "check":
            exec(
                compile(request["source"], f"<public checks for {request['question']}>", "exec"),
                dict(ns),
            )
            return {"value": None}
        raise ValueError(f"unknown request {op!r}")
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code too
        if issubclass(type(exc), (MemoryError, RecursionError)):  # type(): exc is student code
            return {"error": describe_exception(exc, kind="resource")}
        return {"error": describe_exception(exc)}
