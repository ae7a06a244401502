"""Plain data, and the frames it travels in: the only thing that crosses between student code
and the grader.

``encode`` turns a value into bytes (JSON); ``decode`` turns bytes back into a value and is
an allow-list: None, bool, int, float, str, and lists, tuples and str-keyed dicts of them,
numpy scalars and ndarrays of an allowed dtype (sent as raw bytes + dtype + shape). Anything
else a student returns arrives as an ``Opaque`` that names its type, so a comparison fails
with a clear message instead of trusting the object. No pickle, ever.

Wire form: every JSON object is a tag with a single key, e.g. ``{"t": [1, 2]}`` for a tuple,
``{"a": [dtype, shape, base64]}`` for an array.

The messages' types (``LoadRequest``, ``Request``, ``Reply``..., and the launcher's and the
template's) are declared here for the type checker only: they exist under ``TYPE_CHECKING``,
so import them there too. They describe, they do not check: ``decode`` gives untyped plain
data, and the grader reads what the worker sends as a claim.
"""

from __future__ import annotations

import base64
import json
import struct

import numpy as np

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    import socket
    from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

    # what the grader tells the launcher and the launcher reports: declared by the jail,
    # which imports nothing of ours (it runs as a script), named here for the trusted side
    from autograder.inside.launcher.jail import JailSettings as JailSettings
    from autograder.inside.launcher.jail import LauncherConfig as LauncherConfig
    from autograder.inside.launcher.jail import LimitsConfig as LimitsConfig
    from autograder.inside.launcher.jail import StatusReport as StatusReport

    # ---- the messages on the channel (types only: declared, not checked; the grader
    # believes nothing the worker sends and reads every key of a reply with care) -----------

    class LoadRequest(TypedDict):
        """The grader's first message: the submission's code cells, and the bans to install
        before they run (``agent.main``)."""

        cells: list[str]
        banned: list[str]  # top-level packages (``course.banned_imports``)
        assignment: str
        programs: bool  # may the worker start programs (``bans.install``)
        seq: NotRequired[int]  # added as the message is sent (``Worker._exchange``)

    class CallRequest(TypedDict):
        """Call the submission's ``name`` (dotted: an attribute of a global) with plain data."""

        op: Literal["call"]
        name: str
        args: list[Any]
        kwargs: dict[str, Any]
        inputs: NotRequired[bool]  # report the arguments as they are after the call
        seq: NotRequired[int]

    class ProbeRequest(TypedDict):
        """Run ``module.name(namespace, *args)``, a probe of ``autograder.inside.probes``."""

        op: Literal["probe"]
        module: str
        name: str
        args: list[Any]
        define: NotRequired[str]  # code run first in a copy of the namespace
        seq: NotRequired[int]

    class CheckRequest(TypedDict):
        """Run a question's public checks (``source``) in a copy of the namespace."""

        op: Literal["check"]
        question: str
        source: str
        seq: NotRequired[int]

    Request: TypeAlias = CallRequest | ProbeRequest | CheckRequest

    class ErrorInfo(TypedDict, total=False):
        """An error in student code, told as plain facts (``calls.describe_exception`` gives
        every key but ``cell``); its class and message are the submission's."""

        kind: str  # "raised", "missing", "resource", "unencodable", "tampered"
        type: str  # the exception's class name
        mro: list[str]  # the names of its classes, most derived first
        message: str
        where: str  # "cell N, line M" where it arose in the submission's cells, or ""
        cell: int  # an error while the cells ran: the cell's number (from 1)

    class LoadReply(TypedDict):
        """The worker's answer to the ``LoadRequest``, once the cells ran."""

        loaded: bool  # True
        errors: list[ErrorInfo]  # one per cell that failed, with its ``cell``
        tampered: str  # what the cells changed of ours (``integrity``), or ""
        seq: NotRequired[int]

    class Reply(TypedDict, total=False):
        """The worker's answer to a ``Request``: ``value``, or ``error``."""

        value: Any
        inputs: list[Any]  # [args, kwargs] after a call that asked for them
        error: ErrorInfo
        seq: int  # the request's, repeated

    # ---- the template (``autograder.inside.launcher.template``) and its control socket ----

    class TemplateConfig(TypedDict):
        """The template's start-up config, its command line's last argument (JSON)."""

        control_fd: int
        kind: str  # "basic" or "torch"
        runtime: str  # the runtime copy's ``pkg`` folder
        visible: list[str]  # what the workers' jail shows (to name preloaded modules outside)
        jail: JailSettings

    class TemplateHello(TypedDict, total=False):
        """The template's first message on its control socket: ready, or ``error``."""

        pid: int
        kind: str
        mode: str  # the isolation ``auto`` achieves there
        unsuitable: bool  # no fork mode: the exec path serves (no note)
        modules: list[str]  # preloaded
        notes: list[str]
        preloaded_mb: int  # address space the preloaded libraries take
        seconds: float
        outside: list[str]  # preloaded modules whose files the jail does not show
        error: str

    class TemplateRequest(TypedDict):
        """One request for a worker (its six fds travel beside it, by SCM_RIGHTS)."""

        config: LauncherConfig
        env: dict[str, str]


ALLOWED_DTYPES = frozenset(
    [
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    ]
)
MAX_BYTES = 64 * 2**20  # a message larger than this is refused
MAX_DEPTH = 64
MAX_NODES = 1_000_000  # lists and dicts in one message (an array is one): decoding stays cheap
MAX_REPR = 200


class DecodeError(ValueError):
    """Bytes that are not plain data of an allowed form."""


class Opaque:
    """Stands in for a value of a type that may not cross (an ndarray subclass, a tensor ...)."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"


def _opaque(value: object) -> dict[str, list[str]]:
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}"
    try:
        text = object.__repr__(value)
    except Exception:
        text = "?"
    return {"o": [name, text[:MAX_REPR]]}


def _to_wire(value: Any, depth: int = 0) -> object:  # Any: whatever student code gave
    if depth > MAX_DEPTH:
        raise DecodeError("nested too deeply")
    kind = type(value)  # exact types only: a subclass could lie about its value
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"f": repr(value)}  # keeps nan, inf and -0.0 exact
    if kind is list:
        return [_to_wire(v, depth + 1) for v in value]
    if kind is tuple:
        return {"t": [_to_wire(v, depth + 1) for v in value]}
    if kind is dict:
        if not all(type(k) is str for k in value):
            return _opaque(value)
        return {"d": [[k, _to_wire(v, depth + 1)] for k, v in value.items()]}
    if kind is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value)
        if type(array) is not np.ndarray or array.dtype.name not in ALLOWED_DTYPES:
            return _opaque(value)
        data = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")
        tag = "a" if kind is np.ndarray else "s"
        return {tag: [array.dtype.str, list(array.shape), data]}
    return _opaque(value)


def encode(value: object) -> bytes:
    """Bytes for ``value``; values of other types become ``Opaque`` on the other side."""
    return json.dumps(_to_wire(value), allow_nan=False).encode("utf-8")


def _array(spec: object, scalar: bool) -> np.ndarray | np.generic:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise DecodeError("malformed array")
    dtype_str, shape, data = spec
    if not isinstance(dtype_str, str) or not isinstance(data, str):
        raise DecodeError("malformed array")
    try:
        dtype = np.dtype(dtype_str)
    except TypeError as exc:
        raise DecodeError(f"unknown dtype {dtype_str[:20]!r}") from exc
    if dtype.name not in ALLOWED_DTYPES:
        raise DecodeError(f"dtype {dtype.name!r} is not allowed")
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise DecodeError("malformed shape")
    if len(shape) > MAX_DEPTH:
        raise DecodeError("too many dimensions")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    count = 1
    for n in shape:
        count *= n  # Python ints: no overflow
    if len(raw) != count * dtype.itemsize:
        raise DecodeError("array data does not match its shape")
    # writable, owns its data, native byte order: an exact-dtype copy
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    if scalar:
        if shape:
            raise DecodeError("a scalar with a shape")
        return array[()]
    return array


def _from_wire(obj: object, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise DecodeError("nested too deeply")
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is list:
        return [_from_wire(v, depth + 1) for v in obj]
    if type(obj) is not dict or len(obj) != 1:
        raise DecodeError("malformed value")
    ((tag, body),) = obj.items()
    if tag == "f" and type(body) is str:
        try:
            return float(body)
        except ValueError as exc:
            raise DecodeError("malformed float") from exc
    if tag == "t" and type(body) is list:
        return tuple(_from_wire(v, depth + 1) for v in body)
    if tag == "d" and type(body) is list:
        out = {}
        for pair in body:
            if not (type(pair) is list and len(pair) == 2 and type(pair[0]) is str):
                raise DecodeError("malformed dict")
            out[pair[0]] = _from_wire(pair[1], depth + 1)
        return out
    if tag in ("a", "s"):
        return _array(body, scalar=tag == "s")
    if tag == "o" and type(body) is list and len(body) == 2:
        return Opaque(str(body[0])[:MAX_REPR], str(body[1])[:MAX_REPR])
    raise DecodeError(f"unknown tag {str(tag)[:20]!r}")


def decode(data: bytes) -> Any:
    """The value in ``data``; raises DecodeError for anything outside the allow-list."""
    if len(data) > MAX_BYTES:
        raise DecodeError(f"message of {len(data)} bytes is over the {MAX_BYTES}-byte cap")
    nodes = data.count(b"{") + data.count(b"[")  # an upper bound, counted before parsing
    if nodes > MAX_NODES:
        raise DecodeError(
            f"a value made of over {MAX_NODES} lists and dicts (the grader "
            "reads arrays, not millions of separate numbers)"
        )
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DecodeError(f"not valid JSON: {exc}") from None
    try:
        return _from_wire(obj)
    except (ValueError, TypeError, RecursionError) as exc:
        if isinstance(exc, DecodeError):
            raise
        raise DecodeError(str(exc)) from None


def copy(value: object) -> Any:
    """A plain copy of ``value`` made by a round trip (what student code gets and gives)."""
    return decode(encode(value))


# ---- framing: one length-prefixed message per frame, on the worker's channel -------------

HEADER = struct.Struct(">I")


def send_frame(sock: socket.socket, data: bytes) -> None:
    sock.sendall(HEADER.pack(len(data)) + data)


def recv_frame(sock: socket.socket, limit: int = MAX_BYTES) -> bytes | None:
    """One frame's bytes, or None at end of stream."""
    header = _recv_exactly(sock, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    if length > limit:
        raise DecodeError(f"frame of {length} bytes is over the {limit}-byte cap")
    return _recv_exactly(sock, length)


def _recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
