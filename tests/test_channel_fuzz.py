"""The grader validates every message from the worker (autograder/sandbox/messages.py): a
property-based fuzzer (Hypothesis) sends malformed, oversized, wrongly typed and
out-of-protocol messages, first to the checks alone (many), then through the real grader from
a submission that speaks the channel itself (a few). Whatever arrives, the grader writes a
well-formed result and raises nothing."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.grade.student import StudentError
from autograder.sandbox import messages
from conftest import grade_json

# plain data, as the channel carries it (plain.decode gives nothing else)
PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
GOOD_ERROR = {
    "kind": "raised",
    "type": "ValueError",
    "mro": ["ValueError", "Exception"],
    "message": "bad",
    "where": "cell 1, line 2",
}
GOOD_LOAD = {"loaded": True, "errors": [dict(GOOD_ERROR, cell=1)], "tampered": ""}
GOOD_REPLIES = [{"value": [1.0, 2.0]}, {"error": GOOD_ERROR}, {"value": None, "inputs": [[], {}]}]


def _paths(value, prefix=()):
    """Every path into a message (dict keys and list indices), the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


def _replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@st.composite
def near_misses(draw, good):
    """A valid message with one part replaced by any plain value, a key added, or a text
    made huge: the malformed messages a forger is most likely to send."""
    paths = list(_paths(good))
    how = draw(st.sampled_from(["replace", "extra key", "huge"]))
    if how == "extra key":
        return {**good, draw(st.text(min_size=1, max_size=8)): draw(PLAIN)}
    path = draw(st.sampled_from(paths))
    if how == "huge":
        return _replaced(good, path, "x" * draw(st.integers(20_001, 200_000)))
    return _replaced(good, path, draw(PLAIN))


def _well_formed_error(info):
    assert set(info) <= {"kind", "type", "mro", "message", "where", "cell"}
    assert all(isinstance(info[k], str) for k in ("kind", "type", "message", "where"))
    assert isinstance(info["mro"], list) and all(isinstance(n, str) for n in info["mro"])
    assert isinstance(info.get("cell", 1), int) and not isinstance(info.get("cell", 1), bool)
    StudentError("step", info)  # the parent turns it into words without raising


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(PLAIN, near_misses(GOOD_LOAD)))
def test_a_load_report_is_well_formed_or_refused(message):
    try:
        report = messages.load_reply(message)
    except messages.Malformed as exc:
        assert str(exc).startswith("the worker sent a malformed report (")
        return
    assert report["loaded"] is True and isinstance(report["tampered"], str)
    for info in report["errors"]:
        _well_formed_error(info)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(PLAIN, st.sampled_from(GOOD_REPLIES).flatmap(near_misses)))
def test_a_reply_is_well_formed_or_refused(message):
    try:
        reply = messages.reply(message)
    except messages.Malformed as exc:
        assert str(exc).startswith("the worker sent a malformed reply (")
        return
    assert ("value" in reply) != ("error" in reply)
    if "error" in reply:
        _well_formed_error(reply["error"])
    if "inputs" in reply:
        assert isinstance(reply["inputs"], list) and len(reply["inputs"]) == 2


# The end of a submission that takes the worker over and sends LOAD as its load report and
# ANSWER as its answer to every request (both JSON, NaN allowed), with the right seq.
SPEAKS_THE_CHANNEL = """
import json, os, socket, sys
from autograder.inside import plain

_load, _answer = json.loads({load!r}), json.loads({answer!r})
_sock = socket.socket(fileno=os.dup(int(sys.argv[-1])))
_first = _load if not isinstance(_load, dict) else {{**_load, "seq": 1}}
plain.send_frame(_sock, plain.encode(_first))
while True:
    _frame = plain.recv_frame(_sock)
    if _frame is None:
        os._exit(0)
    _request = plain.decode(_frame)
    _reply = _answer if not isinstance(_answer, dict) else {{**_answer, "seq": _request["seq"]}}
    plain.send_frame(_sock, plain.encode(_reply))
"""
BASE = (
    "# %%\nimport numpy as np\n\n\n"
    "def step(z):\n    return np.where(np.asarray(z) >= 0, 1.0, 0.0)\n"
)


def _graded_whatever_it_sends(tmp_path, load, answer):
    source = (
        BASE
        + "\n# %%\n"
        + SPEAKS_THE_CHANNEL.format(load=json.dumps(load), answer=json.dumps(answer))
    )
    path = tmp_path / "speaks.py"
    path.write_text(source, encoding="utf-8")
    results = grade_json(path, "01_perceptron", "--call-timeout", "5", "--load-timeout", "20")
    assert isinstance(results["score"], float | int) and results["max_score"] > 0
    assert results["score"] == 0, "a forged channel earned points"
    assert all(isinstance(t["output"], str) for t in results["tests"])
    return results


@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(near_misses(GOOD_LOAD))
def test_the_grader_survives_any_load_report(tmp_path, load):
    results = _graded_whatever_it_sends(tmp_path, load, {"value": None})
    if messages_refuse(messages.load_reply, load):  # refused: every test says why
        assert all(
            "your submission could not be loaded" in t["output"]
            for t in results["tests"]
            if t["max_score"] > 0
        ), results["tests"]


@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(GOOD_REPLIES).flatmap(near_misses))
def test_the_grader_survives_any_reply(tmp_path, answer):
    _graded_whatever_it_sends(tmp_path, {"loaded": True, "errors": [], "tampered": ""}, answer)


def test_a_number_where_the_error_classes_belong_costs_the_submission_not_the_grader(tmp_path):
    """The case an attacker found: the parent raised TypeError after the suite ran."""
    load = {"loaded": True, "errors": [dict(GOOD_ERROR, mro=5, cell=1)], "tampered": ""}
    results = _graded_whatever_it_sends(tmp_path, load, {"value": None})
    assert "the worker sent a malformed report" in json.dumps(results)


def messages_refuse(check, message):
    try:
        check(message)
    except messages.Malformed:
        return True
    return False
