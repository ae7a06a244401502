"""Plain data, and the frames it travels in: the only thing that crosses between student code and the grader.

``encode`` turns a value into bytes (JSON); ``decode`` turns bytes back into a value and is
an allow-list: None, bool, int, float, str, and lists, tuples and str-keyed dicts of them,
numpy scalars and ndarrays of an allowed dtype (sent as raw bytes + dtype + shape). Anything
else a student returns arrives as an ``Opaque`` that names its type, so a comparison fails
with a clear message instead of trusting the object. No pickle, ever.

Wire form: every JSON object is a tag with a single key, e.g. ``{"t": [1, 2]}`` for a tuple,
``{"a": [dtype, shape, base64]}`` for an array.
"""

import base64
import json
import struct

import numpy as np

ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64", "complex128"]
)
MAX_BYTES = 64 * 2**20  # a message larger than this is refused
MAX_DEPTH = 64
MAX_NODES = 1_000_000  # lists and dicts in one message (an array is one): decoding stays cheap
MAX_REPR = 200


class DecodeError(ValueError):
    """Bytes that are not plain data of an allowed form."""


class Opaque:
    """Stands in for a value of a type that may not cross (an ndarray subclass, a tensor ...)."""

    def __init__(self, type_name, text):
        self.type_name = type_name
        self.text = text

    def __repr__(self):
        return f"<{self.type_name} object: {self.text}>"


def _opaque(value):
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}"
    try:
        text = object.__repr__(value)
    except Exception:
        text = "?"
    return {"o": [name, text[:MAX_REPR]]}


def _to_wire(value, depth=0):
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


def encode(value):
    """Bytes for ``value``; values of other types become ``Opaque`` on the other side."""
    return json.dumps(_to_wire(value), allow_nan=False).encode("utf-8")


def _array(spec, scalar):
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


def _from_wire(obj, depth=0):
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


def decode(data):
    """The value in ``data``; raises DecodeError for anything outside the allow-list."""
    if len(data) > MAX_BYTES:
        raise DecodeError(f"message of {len(data)} bytes is over the {MAX_BYTES}-byte cap")
    nodes = data.count(b"{") + data.count(b"[")  # an upper bound, counted before parsing
    if nodes > MAX_NODES:
        raise DecodeError(f"a value made of over {MAX_NODES} lists and dicts (the grader "
                          "reads arrays, not millions of separate numbers)")
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


def copy(value):
    """A plain copy of ``value`` made by a round trip (what student code gets and gives)."""
    return decode(encode(value))


# ---- framing: one length-prefixed message per frame, on the worker's channel -------------

HEADER = struct.Struct(">I")


def send_frame(sock, data):
    sock.sendall(HEADER.pack(len(data)) + data)


def recv_frame(sock, limit=MAX_BYTES):
    """One frame's bytes, or None at end of stream."""
    header = _recv_exactly(sock, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    if length > limit:
        raise DecodeError(f"frame of {length} bytes is over the {limit}-byte cap")
    return _recv_exactly(sock, length)


def _recv_exactly(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
