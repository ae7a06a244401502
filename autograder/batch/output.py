"""The output folder of a batch: ``DIR/<id>/results.json`` (exactly what ``grade --json``
prints), ``DIR/<id>/feedback.md`` for the student, ``DIR/grades.csv`` (one row a
submission, one column a question, rebuilt from every results.json), each written
atomically; and merging the folders of several shards into one."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from autograder.grade import grading
from autograder.grade.results import skip_reasons
from autograder.safe_text import csv_cell, markdown_block, markdown_code, markdown_text

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed import StrPath

    from autograder.grade.results import ResultsJson, TestJson

RESULTS = "results.json"
FEEDBACK = "feedback.md"
CODE = "code.py"  # the code the grader ran, as a script (the class report compares these)
FAILED = ".grading-failed"  # next to a results.json that only says why grading failed
GRADEBOOK = "grades.csv"
MARKER = ".autograder-batch.json"  # which assignment an output folder holds
REPORT = "report"  # reserved for a report folder next to the gradebook
RESERVED = {GRADEBOOK.lower(), REPORT.lower(), MARKER.lower()}  # names no id may take


def output_id(name: str) -> str:
    """``name`` (a safe id) unless it is the name of something the batch writes in its output
    folder (compared ignoring case), else with ``-1`` appended: ``grades.csv`` ->
    ``grades.csv-1``."""
    return f"{name}-1" if name.lower() in RESERVED else name


# ---- files ----------------------------------------------------------------------------------


def write_atomic(path: StrPath, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_results(folder: StrPath) -> ResultsJson | None:
    """The results in ``folder/results.json``, or None where there is none (or it is not one)."""
    try:
        results = json.loads((Path(folder) / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(results, dict) and isinstance(results.get("tests"), list) and "score" in results:
        return cast("ResultsJson", results)  # checked no further: as grade --json wrote it
    return None


def _points(value: float | None) -> str:
    return f"{value or 0:g}"


def feedback_markdown(submission_id: str, assignment: str, results: ResultsJson) -> str:
    """The student's feedback: score, failed tests with their messages, the loading report.
    Every text not written here is Markdown-escaped, or a code block (messages, output)."""
    tests = results.get("tests", [])
    failed = [t for t in tests if (t.get("score") or 0) < (t.get("max_score") or 0)]
    passed = [t for t in tests if t not in failed and (t.get("max_score") or 0) > 0]
    skipped = [t for t in tests if t not in failed and not (t.get("max_score") or 0)]

    def name(test: TestJson) -> str:
        return markdown_text(test.get("name", "?"))

    lines = [
        f"# Feedback for {markdown_code(submission_id)}: {markdown_text(assignment)}",
        "",
        f"**Score: {_points(results.get('score'))} / {_points(results.get('max_score'))}**"
        f" ({len(passed)} tests passed, {len(failed)} failed)",
        "",
    ]
    if results.get("output"):
        lines += [
            "## What the grader saw while running your submission",
            "",
            markdown_block(str(results["output"])),
            "",
        ]
    if failed:
        lines += [f"## Failed tests ({len(failed)})", ""]
        for test in failed:
            lines += [
                f"### {name(test)} "
                f"({_points(test.get('score'))} / {_points(test.get('max_score'))})",
                "",
            ]
            if test.get("output"):
                lines += [markdown_block(str(test["output"])), ""]
    if passed:
        lines += [f"## Passed tests ({len(passed)})", ""]
        lines += [f"- {name(t)} ({_points(t.get('max_score'))})" for t in passed]
        lines.append("")
    for reason, tests in skip_reasons(skipped).items():
        lines += [f"## Skipped, worth no points ({len(tests)}): {markdown_text(reason)}", ""]
        lines += [f"- {name(t)}" for t in tests]
        lines.append("")
    return "\n".join(lines)


def write_outputs(
    folder: StrPath, submission_id: str, assignment: str, results: ResultsJson
) -> None:
    """feedback.md, then results.json (whose presence marks the submission as graded)."""
    write_atomic(Path(folder) / FEEDBACK, feedback_markdown(submission_id, assignment, results))
    write_atomic(Path(folder) / RESULTS, json.dumps(results) + "\n")  # as `grade --json`


def write_gradebook(output: StrPath) -> int:
    """Rebuild ``output/grades.csv`` from every ``output/*/results.json``; the row count."""
    output = Path(output)
    rows: list[tuple[str, ResultsJson, dict[str, float]]] = []
    questions: dict[str, None] = {}  # the questions in the order first seen
    folders = (
        sorted(
            p
            for p in output.iterdir()
            if p.is_dir() and p.name.lower() not in RESERVED and not p.name.startswith(".")
        )
        if output.is_dir()
        else []
    )
    for folder in folders:
        results = read_results(folder)
        if results is None:
            continue
        earned: dict[str, float] = {}
        for test in results["tests"]:
            question = grading.question_of(test.get("name", ""))
            questions.setdefault(question, None)
            earned[question] = earned.get(question, 0) + (test.get("score") or 0)
        rows.append((folder.name, results, earned))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in ("submission", "score", "max_score", *questions)])
    for name, results, earned in rows:
        writer.writerow(
            [
                csv_cell(c)
                for c in (
                    name,
                    _points(results.get("score")),
                    _points(results.get("max_score")),
                    *(_points(earned.get(q, 0)) for q in questions),
                )
            ]
        )
    write_atomic(output / GRADEBOOK, buffer.getvalue())
    return len(rows)


def _remove_stale_temporaries(output: StrPath) -> None:
    for tmp in Path(output).glob("*/.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
    for tmp in Path(output).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def claim_output(output: StrPath, assignment: str) -> None:
    """Create ``output`` for ``assignment``; refuse a folder that holds another assignment."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    marker = output / MARKER
    try:
        held = json.loads(marker.read_text(encoding="utf-8")).get("assignment")
    except (OSError, ValueError, AttributeError):
        held = None
    if held and held != assignment:
        raise ValueError(
            f"{output} holds grades for {held}, not {assignment}: choose another --output"
        )
    if held is None:
        write_atomic(marker, json.dumps({"assignment": assignment}) + "\n")
    _remove_stale_temporaries(output)
    _rename_reserved(output)


def _rename_reserved(output: StrPath) -> None:
    """Move a submission folder that an older grader named like an output of the folder
    (``grades.csv/``, which made the gradebook unwritable) to its id of today."""
    for folder in sorted(Path(output).iterdir()):
        if (
            folder.name.lower() in RESERVED
            and folder.is_dir()
            and not folder.is_symlink()
            and read_results(folder) is not None
        ):
            target = folder.with_name(output_id(folder.name))
            if target.exists():
                raise ValueError(
                    f"{folder} is a submission's folder named like an output of "
                    f"the batch, and {target.name} exists too: move one of them"
                )
            folder.rename(target)
            print(
                f"note: {folder} moved to {target} (an id may not name an output of the batch)",
                file=sys.stderr,
            )


# ---- merging shards -------------------------------------------------------------------------


def merge(inputs: Iterable[StrPath], output: StrPath) -> int:
    """Copy every graded submission of ``inputs`` (batch output folders) into ``output`` and
    rebuild its gradebook; the number of submissions in the merged gradebook."""
    output = Path(output)
    assignments: set[Any] = set()  # what the markers say (plain JSON)
    for folder in map(Path, inputs):
        if not folder.is_dir():
            raise ValueError(f"{folder} is not a folder")
        with contextlib.suppress(OSError, ValueError, AttributeError):
            assignments.add(json.loads((folder / MARKER).read_text()).get("assignment"))
    assignments.discard(None)
    if len(assignments) > 1:
        raise ValueError(
            f"these folders hold grades of different assignments: {', '.join(sorted(assignments))}"
        )
    if assignments:
        claim_output(output, assignments.pop())
    else:
        output.mkdir(parents=True, exist_ok=True)
    # id (ignoring case) -> (id, the folder holding that submission's files)
    sources: dict[str, tuple[str, Path]] = {}
    for folder in map(Path, inputs):
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            if read_results(sub) is None or sub.name.startswith(".") or sub.is_symlink():
                continue
            name = output_id(sub.name)  # an older grader's grades.csv/: grades.csv-1/
            if name.lower() in sources:
                other = sources[name.lower()][1]
                if (other / RESULTS).read_bytes() != (sub / RESULTS).read_bytes():
                    raise ValueError(
                        f"{sub.name} was graded differently in {other.parent} and "
                        f"{folder}: shards should not overlap"
                    )
                continue
            sources[name.lower()] = (name, sub)
    for name, source in sources.values():
        target = output / name
        if target.resolve() == source.resolve():
            continue
        for path in sorted(
            p
            for p in source.iterdir()
            if p.is_file()
            and p.name != RESULTS
            and (p.name == FAILED or not p.name.startswith("."))
        ):
            write_atomic(target / path.name, path.read_text(encoding="utf-8"))
        write_atomic(target / RESULTS, (source / RESULTS).read_text(encoding="utf-8"))
    return write_gradebook(output)
