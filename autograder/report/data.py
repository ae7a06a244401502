"""The class data of a graded folder: each submission's results, the score distribution,
each question's and test's pass rate, the misconceptions seen, and the submissions to look at."""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.batch.output import CODE, FAILED, MARKER, read_results
from autograder.grade.grading import question_of
from autograder.grade.results import misconception

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from _typeshed import StrPath

    from autograder.grade.results import ResultsJson

    Bin = tuple[float, float, int]  # (low, high, count)
    Misconception = tuple[str, set[str], set[str]]  # (label, submission ids, test names)
    Problem = tuple[str, str, str]  # (submission id, kind, reason)

HARD = 0.10  # a pass rate at or below this: "unclear instructions or a test to review"
_LIMITS = re.compile(
    r"still running after [\d.]+ s|used more than \d+ MB of memory|wrote a "
    r"file larger than|wrote more than the \d+ MB|tried to run more than \d+ "
    r"processes|took longer than [\d.]+ s"
)


# ---- reading a graded folder ------------------------------------------------------------


@dataclass
class Graded:
    id: str
    results: ResultsJson
    failed: str = ""  # why the grading process failed (the .grading-failed marker), or ''
    code: str = ""

    @property
    def score(self) -> float:
        return float(self.results.get("score") or 0)

    @property
    def max_score(self) -> float:
        return float(self.results.get("max_score") or 0)


def read_graded(folder: StrPath) -> list[Graded]:
    """The graded submissions of a batch's output folder, sorted by id."""
    found = []
    for sub in sorted(p for p in Path(folder).iterdir() if p.is_dir()):
        results = read_results(sub)
        if results is None:
            continue
        failed = (
            (sub / FAILED).read_text(encoding="utf-8").strip() if (sub / FAILED).exists() else ""
        )
        code = (sub / CODE).read_text(encoding="utf-8") if (sub / CODE).is_file() else ""
        found.append(Graded(sub.name, results, failed, code))
    return found


def _assignment(folder: StrPath) -> str | None:
    try:
        return json.loads((Path(folder) / MARKER).read_text(encoding="utf-8")).get("assignment")
    except (OSError, ValueError, AttributeError):
        return None


# ---- the figures' numbers -----------------------------------------------------------------


def score_summary(graded: Sequence[Graded]) -> dict[str, float]:
    scores = [g.score for g in graded]
    top = max((g.max_score for g in graded), default=0.0)
    return {
        "submissions": len(scores),
        "max_score": top,
        "mean": statistics.fmean(scores) if scores else 0.0,
        "median": statistics.median(scores) if scores else 0.0,
        "full_marks": sum(1 for g in graded if g.max_score and g.score >= g.max_score),
        "zeros": sum(1 for s in scores if s == 0),
    }


def histogram(scores: Iterable[float], max_score: float, bins: int | None = None) -> list[Bin]:
    """[(low, high, count)]: ``bins`` equal bins over [0, max_score] (default: one per point
    up to 20 bins); the last bin includes max_score."""
    bins = bins or max(1, min(20, int(math.ceil(max_score)) or 1))
    width = (max_score or 1.0) / bins
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s // width)))] += 1
    return [(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]


@dataclass
class Item:
    """A question or a test across the class."""

    name: str
    points: float = 0.0
    attempts: int = 0
    passed: int = 0
    failed_by: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0

    @property
    def flag(self) -> str:
        if not self.attempts:
            return ""
        if self.rate <= HARD:
            return "unclear instructions or a test to review"
        if self.passed == self.attempts:
            return "not discriminating"
        return ""


def item_analysis(graded: Iterable[Graded]) -> tuple[list[Item], list[Item]]:
    """(questions, tests): Items sorted by pass rate (hardest first), then name; tests with
    no points (skipped ones) and submissions whose grading failed are left out."""
    tests: dict[str, Item] = {}
    questions: dict[str, Item] = {}
    for g in graded:
        if g.failed:
            continue
        earned: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # got, of
        for test in g.results.get("tests", []):
            points = float(test.get("max_score") or 0)
            if not points:
                continue
            name = str(test.get("name", "?"))
            item = tests.setdefault(name, Item(name, points))
            item.attempts += 1
            full = float(test.get("score") or 0) >= points
            item.passed += full
            if not full:
                item.failed_by.append(g.id)
            earned[question_of(name)][0] += float(test.get("score") or 0)
            earned[question_of(name)][1] += points
        for question, (got, out_of) in earned.items():
            item = questions.setdefault(question, Item(question, out_of))
            item.attempts += 1
            item.passed += got >= out_of
            if got < out_of:
                item.failed_by.append(g.id)
    order = lambda i: (i.rate, i.name)  # noqa: E731
    return sorted(questions.values(), key=order), sorted(tests.values(), key=order)


def misconceptions(graded: Iterable[Graded]) -> list[Misconception]:
    """[(label, {submission ids}, {test names})], most submissions first."""
    seen: defaultdict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for g in graded:
        if g.failed:
            continue
        for test in g.results.get("tests", []):
            if (test.get("score") or 0) >= (test.get("max_score") or 0):
                continue
            label = (test.get("extra_data") or {}).get("misconception") or misconception(
                test.get("output")
            )
            if label:
                seen[label][0].add(g.id)
                seen[label][1].add(str(test.get("name", "?")))
    return sorted(
        ((label, ids, names) for label, (ids, names) in seen.items()),
        key=lambda x: (-len(x[1]), x[0]),
    )


def problems(graded: Iterable[Graded]) -> list[Problem]:
    """[(id, kind, reason)]: grading failed or timed out, a limit was hit, tampering."""
    found: list[Problem] = []
    for g in graded:
        results = g.results
        output = str(results.get("output") or "")
        tampered = (results.get("extra_data") or {}).get("tampered")
        if g.failed:
            kind = "timed out" if "took longer than" in g.failed else "grading failed"
            found.append((g.id, kind, g.failed))
        if tampered:
            found.append((g.id, "tampering", str(tampered)))
        if output.startswith("your submission could not be read"):
            found.append((g.id, "unreadable", output.splitlines()[0]))
        if not g.failed:
            texts = [output] + [str(t.get("output") or "") for t in results.get("tests", [])]
            hits = sorted({m[0] for text in texts for m in _LIMITS.finditer(text)})
            if hits:
                found.append((g.id, "limit", "; ".join(hits)))
    return found
