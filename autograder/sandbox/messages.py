"""The worker's messages, checked against a declared schema before the grader uses any of it.

Student code can take the worker over and speak the channel itself, so a message is a claim
of any shape. ``plain.decode`` already refuses what is not plain data (and caps its size);
here each message must also have exactly the keys, types and sizes that the agent sends
(``autograder.inside.plain``'s ``LoadReply``, ``Reply`` and ``ErrorInfo``). A message that
does not is ``Malformed``, and the worker that sent it is treated as lost: the submission
loses the affected tests with a clear message, and the grader goes on.

pydantic (already installed with otter-grader) does the checking: strict types (no
coercion: ``"1"`` is not ``1``), no extra keys, bounded lengths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from autograder.inside.plain import ErrorInfo, LoadReply, Reply

MAX_NAME = 200  # an exception class's name
MAX_TEXT = 20_000  # a message, a location, a tamper report (the agent sends far less)
MAX_CLASSES = 100  # names in an exception's method resolution order
MAX_ERRORS = 10_000  # errors in a load report: one per failed cell at most


class Malformed(ValueError):
    """A message from the worker that is not what the agent sends."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ErrorModel(_Message):
    kind: Literal["raised", "missing", "resource", "unencodable", "tampered"] = "raised"
    type: Annotated[str, Field(max_length=MAX_NAME)] = "Exception"
    classes: Annotated[
        list[Annotated[str, Field(max_length=MAX_NAME)]],
        Field(max_length=MAX_CLASSES, alias="mro"),  # "mro" would shadow type.mro
    ] = []
    message: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    where: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    cell: Annotated[int, Field(ge=1, le=MAX_ERRORS)] | None = None


class LoadReplyModel(_Message):
    loaded: bool  # strict: True itself, not 1
    errors: Annotated[list[ErrorModel], Field(max_length=MAX_ERRORS)]
    tampered: Annotated[str, Field(max_length=MAX_TEXT)]

    @model_validator(mode="after")
    def _loaded(self) -> LoadReplyModel:
        if self.loaded is not True:
            raise ValueError("a load report says loaded: true")
        return self


class ReplyModel(_Message):
    value: Any = None  # plain data, already vetted by plain.decode
    inputs: list[Any] | None = None
    error: ErrorModel | None = None

    @model_validator(mode="after")
    def _value_or_error(self) -> ReplyModel:
        if ("value" in self.model_fields_set) == ("error" in self.model_fields_set):
            raise ValueError("a reply holds either a value or an error")
        if self.inputs is not None and len(self.inputs) != 2:
            raise ValueError("inputs are [args, kwargs]")
        return self


def _why(exc: ValidationError) -> str:
    """The first problem, in a few words (no value the worker sent is repeated)."""
    first = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "the message"
    return f"{where}: {first['msg']}"[:200]


def _error(model: ErrorModel) -> ErrorInfo:
    info: ErrorInfo = {
        "kind": model.kind,
        "type": model.type,
        "mro": list(model.classes),
        "message": model.message,
        "where": model.where,
    }
    if model.cell is not None:
        info["cell"] = model.cell
    return info


def load_reply(message: object) -> LoadReply:
    """The worker's report after loading the submission, checked; raises Malformed."""
    try:
        model = LoadReplyModel.model_validate(message)
    except ValidationError as exc:
        raise Malformed(f"the worker sent a malformed report ({_why(exc)})") from None
    return {"loaded": True, "errors": [_error(e) for e in model.errors], "tampered": model.tampered}


def reply(message: object) -> Reply:
    """The worker's answer to a request, checked; raises Malformed."""
    try:
        model = ReplyModel.model_validate(message)
    except ValidationError as exc:
        raise Malformed(f"the worker sent a malformed reply ({_why(exc)})") from None
    checked: Reply = {}
    if model.error is not None:
        checked["error"] = _error(model.error)
    else:
        checked["value"] = model.value
    if model.inputs is not None:
        checked["inputs"] = model.inputs
    return checked
