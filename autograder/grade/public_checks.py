"""``python -m autograder check NOTEBOOK``: the public checks, for a self-learner.

Runs the notebook in a sandboxed worker (like the grader) and each question's public
checks against it, then prints which questions pass and, for the others, why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograder import course
from autograder.course import master
from autograder.course.demos import leave_out_demos
from autograder.grade.student import RemoteStudent, cell_name, relabel
from autograder.grade.submission import SubmissionError, read_submission

if TYPE_CHECKING:
    import os

    from autograder.grade.student import StudentError


def _reason(error: StudentError) -> str:
    if error.type_name == "AssertionError":
        return error.detail or "an assertion failed"
    return str(error)


def check_notebook(path: str | os.PathLike[str], assignment: str | None = None) -> int:
    assignment = assignment or course.assignment_from_path(path)
    checks = master.checks(assignment)
    try:
        cells, labels, _ = read_submission(path)
    except SubmissionError as exc:
        print(f"Cannot check {path}: {exc}")
        return 1
    student = RemoteStudent(
        leave_out_demos(cells, assignment),
        banned=course.banned_imports(assignment),
        assignment=assignment,
        labels=labels,
    )
    try:
        failure = student.ensure_loaded()
        if failure:
            print(failure)
            return 1
        outcomes = {q: student.check(q, source) for q, source in checks.items()}
        load_errors = student.load_errors
    finally:
        student.close()
    passed = [q for q, err in outcomes.items() if err is None]
    print(f"{assignment}: public checks pass for {len(passed)} of {len(checks)} questions\n")
    for question, error in outcomes.items():
        mark = "PASS" if error is None else "FAIL"
        print(f"  {mark}  {question}" + ("" if error is None else f"\n        {_reason(error)}"))
    if load_errors:
        print("\nWhile running your notebook:")
        for err in load_errors:
            print(
                f"  {cell_name(err.get('cell'), labels)}: {err.get('type')}: "
                f"{relabel(str(err.get('message'))[:200], labels)}"
            )
    print("\nThe public checks are a first test; the graded (hidden) tests check much more.")
    return 0 if len(passed) == len(checks) else 1
