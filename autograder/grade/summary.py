"""Results on the terminal, as ``grade FILE`` prints them: a table of scores, and the first
failed test of each question with its whole message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from autograder.grade import grading
from autograder.grade.results import skip_reasons
from autograder.safe_text import printable

if TYPE_CHECKING:
    from autograder.grade.results import ResultsJson


def score_table(rows: Iterable[tuple[str, ResultsJson]]) -> str:
    """A readable table: one row per (label, results), then a line per reason tests were
    skipped; every text on one printable line."""
    shown = [(printable(label, one_line=True), result) for label, result in rows]
    width = max([len(label) for label, _ in shown] + [10])
    lines = [f"{'submission':<{width}}  {'score':>13}  failed tests"]
    skipped: dict[str, set[str]] = {}
    for label, result in shown:
        failed = [
            printable(t["name"], one_line=True)
            for t in result["tests"]
            if t["score"] < t["max_score"]
        ]
        summary = ", ".join(failed[:3]) + (
            f" and {len(failed) - 3} more" if len(failed) > 3 else ""
        )
        score = f"{result['score']:g} / {result['max_score']:g}"
        lines.append(f"{label:<{width}}  {score:>13}  {summary or '-'}")
        for reason, tests in skip_reasons(result["tests"]).items():
            skipped.setdefault(reason, set()).update(t["name"] for t in tests)
    for reason, names in skipped.items():
        lines.append(
            f"skipped, worth no points: {len(names)} tests ({printable(reason, one_line=True)})"
        )
    return "\n".join(lines)


def first_failures(result: ResultsJson) -> str:
    """For each question with a failed test: the first one's name and whole message."""
    seen: set[str] = set()
    lines: list[str] = []
    for test in result["tests"]:
        question = grading.question_of(test["name"])
        if test["score"] < test["max_score"] and question not in seen:
            seen.add(question)
            message = printable(test.get("output") or "failed").strip()
            lines += [
                f"\n{printable(test['name'], one_line=True)}",
                *(f"    {line}" for line in message.splitlines()),
            ]
    if lines:
        lines.insert(0, "\nThe first failed test of each question:")
    if result.get("output"):
        lines += [
            "\nWhile running your submission:",
            *(f"    {line}" for line in printable(result["output"]).splitlines()),
        ]
    return "\n".join(lines)
