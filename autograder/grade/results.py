"""What results.json says beyond the scores: the misconception a failure message names, and
why tests were skipped; and the types of results.json itself (``ResultsJson``), the object
every path prints (``grade --json``, ``graded/<id>/results.json``, Gradescope)."""

import re
from collections.abc import Iterable
from typing import NotRequired, TypedDict

_LOOKS_LIKE = re.compile(r"This looks like: (.+?)(?:\.(?:\s|$)| \(|$)", re.S)


class TestExtraData(TypedDict, total=False):
    """A test's ``extra_data`` (Gradescope allows any; ours holds these)."""

    misconception: str  # the label of a failed test's "This looks like: ..." (``annotate``)
    skipped: str  # why a test worth 0 of 0 was skipped (``grading.to_results_json``)


class TestJson(TypedDict):
    """One entry of results.json's ``tests``."""

    name: str  # its question, a colon, what it checks: "step: fires at 0"
    score: float
    max_score: float  # 0 for a skipped test
    output: str  # the failure message (printable), or "skipped: why"; "" when it passed
    extra_data: NotRequired[TestExtraData]
    visibility: NotRequired[str]  # Gradescope's (publish.gradescope.gradescope_fields)


class ResultsExtraData(TypedDict, total=False):
    """results.json's own ``extra_data``."""

    tampered: str  # the submission modified the grader: what it did


class ResultsJson(TypedDict):
    """Gradescope's results.json form, as the grader writes it."""

    score: float
    max_score: float
    output: str  # the loading report and what the submission printed (printable)
    tests: list[TestJson]
    extra_data: NotRequired[ResultsExtraData]
    # Gradescope's display fields, added by publish.gradescope.gradescope_fields
    output_format: NotRequired[str]
    test_output_format: NotRequired[str]
    execution_time: NotRequired[int]


def misconception(message: object) -> str:
    """The label of the first ``This looks like: LABEL`` in a failure message, or ''."""
    match = _LOOKS_LIKE.search(str(message or ""))
    return match[1].strip().rstrip(".") if match else ""


def annotate(results: ResultsJson) -> ResultsJson:
    """``results`` with ``extra_data: {"misconception": label}`` on each failed test whose
    message names one (Gradescope allows extra_data on a test); returns ``results``."""
    for test in results.get("tests", []):
        if (test.get("score") or 0) < (test.get("max_score") or 0):
            label = misconception(test.get("output"))
            if label:
                test.setdefault("extra_data", {})["misconception"] = label
    return results


def skip_reasons(tests: Iterable[TestJson]) -> dict[str, list[TestJson]]:
    """{reason: [test]} of the skipped tests among ``tests`` (results.json entries)."""
    reasons: dict[str, list[TestJson]] = {}
    for test in tests:
        if not (test.get("max_score") or 0):
            reason = (
                (test.get("extra_data") or {}).get("skipped") or test.get("output") or "skipped"
            )
            reasons.setdefault(str(reason), []).append(test)
    return reasons
