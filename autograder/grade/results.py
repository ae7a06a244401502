"""What results.json says beyond the scores: the misconception a failure message names, and
why tests were skipped."""

import re

_LOOKS_LIKE = re.compile(r"This looks like: (.+?)(?:\.(?:\s|$)| \(|$)", re.S)


def misconception(message):
    """The label of the first ``This looks like: LABEL`` in a failure message, or ''."""
    match = _LOOKS_LIKE.search(str(message or ""))
    return match[1].strip().rstrip(".") if match else ""


def annotate(results):
    """``results`` with ``extra_data: {"misconception": label}`` on each failed test whose
    message names one (Gradescope allows extra_data on a test); returns ``results``."""
    for test in results.get("tests", []):
        if (test.get("score") or 0) < (test.get("max_score") or 0):
            label = misconception(test.get("output"))
            if label:
                test.setdefault("extra_data", {})["misconception"] = label
    return results


def skip_reasons(tests):
    """{reason: [test]} of the skipped tests among ``tests`` (results.json entries)."""
    reasons = {}
    for test in tests:
        if not (test.get("max_score") or 0):
            reason = (test.get("extra_data") or {}).get("skipped") or test.get("output") or "skipped"
            reasons.setdefault(str(reason), []).append(test)
    return reasons
