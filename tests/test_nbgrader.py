"""nbgrader (`generate_assignment`, `autograde`, `export`) on the built course directory gives
the same scores as our grader, for notebooks handed in from nbgrader's release and from ours
(assignments/), and a warning on stderr never zeroes a correct answer."""

import ast
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import course
from bug_catalog import catalog
from conftest import cli, results_of

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("built_course")]
BIN = Path(sys.executable).parent


def nbgrader(course_dir, *args):
    # TMPDIR: with JUPYTER_NO_CONFIG, jupyter_core makes an empty temporary config folder in
    # every process and never removes it; these stay in the test's own folder
    env = dict(
        os.environ,
        JUPYTER_NO_CONFIG="1",
        PATH=f"{BIN}:{os.environ['PATH']}",
        TMPDIR=str(course_dir.parent),
    )
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=course_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def failures_printed(root, student, assignment):
    """What the autograded notebook's grade cells printed (the failed tests, or an error)."""
    nb = nbformat.read(root / "autograded" / student / assignment / f"{assignment}.ipynb", 4)
    texts = [
        out.get("text") or "\n".join(out.get("traceback", []))
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("stream", "error")
    ]
    return "\n".join(texts)[-4000:]


def fill_release(release_nb, assignment, source_nb):
    """A student's submission: the release notebook (nbgrader's, or the student release in
    assignments/) with the solution cells of source_nb."""
    nb = nbformat.read(release_nb, as_version=4)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(source_nb, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    filled = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
            filled.add(meta["grade_id"])
    assert filled == set(answers), f"{release_nb} lacks solution cells {set(answers) - filled}"
    return nb


# nbgrader runs the suite in the student's kernel, as otter does (test_otter_run covers every
# assignment that way); here, one assignment of each kind: numpy from scratch, PyTorch, real
# data. Each autograde executes whole notebooks in nbgrader's kernels, so each assignment is
# autograded once, in one batch: the reference, the same notebook with the assignment's first
# catalogued bug (not 07, whose notebook trains networks: ~45 s a run; 01 and 06 show that
# partial scores agree), and for 01 a correct answer that writes to stderr. Answers are handed
# in in nbgrader's release notebook, and some in the student release's notebook
# (assignments/NN/NN.ipynb, which `python -m autograder release` ships) as `release_<name>`:
# 01's reference and bug in both, 06's bug only there (01 covers nbgrader's own notebook with
# a bug; each notebook autograded costs 06 about 25 s).
NBGRADER_ASSIGNMENTS = ("01_perceptron", "06_training", "07_digits")
BUGGY_TOO = ("01_perceptron", "06_training")
STUDENT_RELEASE = {"01_perceptron": ("reference", "buggy"), "06_training": ("buggy",)}
NOT_IN_NBGRADERS_RELEASE = {"06_training": ("buggy",)}
NOISY_TOO = "01_perceptron"
NOISE = (
    "    import sys, warnings\n    warnings.warn('harmless')\n"
    "    print('chatty', file=sys.stderr)\n"
)
_autograded = {}


def _buggy_source(source, assignment, target):
    """The nbgrader source notebook with the assignment's first catalogued bug."""
    bug = catalog()[assignment][0]
    notebook = nbformat.read(source, as_version=4)
    hits = [c for c in notebook.cells if bug.old in c.source]
    assert len(hits) == 1, f"bug {bug.name} not found once in the nbgrader source"
    hits[0].source = hits[0].source.replace(bug.old, bug.new)
    nbformat.write(notebook, target)
    return target


def _noisy_source(source, target):
    """The reference, with a `step` that warns and prints to stderr first, then answers."""
    notebook = nbformat.read(source, as_version=4)
    cells = [cell for cell in notebook.cells if cell.source.startswith("def step(z):")]
    assert len(cells) == 1, "step's cell not found once in the nbgrader source"
    lines = cells[0].source.splitlines(keepends=True)
    docstring = ast.parse(cells[0].source).body[0].body[0]  # the noise goes right after it
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    cells[0].source = "".join(
        lines[: docstring.end_lineno] + [NOISE] + lines[docstring.end_lineno :]
    )
    nbformat.write(notebook, target)
    return target


def autograded(assignment, tmp_path_factory):
    """nbgrader's and our scores of the assignment's submissions, graded once per module:
    ({student: (score, max_score)} from nbgrader's export, {student: our results.json},
    the course folder)."""
    if assignment in _autograded:
        return _autograded[assignment]
    folder = tmp_path_factory.mktemp(f"nbgrader-{assignment}")
    root = folder / "course"
    shutil.copytree(course.DIST_DIR / "nbgrader", root)
    nbgrader(root, "generate_assignment", assignment, "--create", "--force")
    source = root / "source" / assignment / f"{assignment}.ipynb"
    release = root / "release" / assignment / f"{assignment}.ipynb"
    students = {"reference": source}
    if assignment in BUGGY_TOO:
        students["buggy"] = _buggy_source(source, assignment, folder / "buggy_source.ipynb")
    if assignment == NOISY_TOO:
        students["noisy"] = _noisy_source(source, folder / "noisy_source.ipynb")
    handed_in = {
        student: (release, src)
        for student, src in students.items()
        if student not in NOT_IN_NBGRADERS_RELEASE.get(assignment, ())
    }
    student_release = course.ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"
    handed_in.update(
        {
            f"release_{student}": (student_release, students[student])
            for student in STUDENT_RELEASE.get(assignment, ())
        }
    )
    for student, (notebook, src) in handed_in.items():
        target = root / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(fill_release(notebook, assignment, src), target)
    nbgrader(root, "autograde", assignment, "--create")
    nbgrader(root, "export", "--to", str(folder / "grades.csv"))
    with open(folder / "grades.csv", newline="") as grades:
        scores = {
            row["student_id"]: (float(row["score"]), float(row["max_score"]))
            for row in csv.DictReader(grades)
        }
    assert (root / "gradebook.db").exists()  # the explicit gradebook path was used
    # our grader, in one batch, on the very notebooks nbgrader graded (the course folder, in
    # nbgrader's layout): the same code, so the same hidden inputs (autograder/course/secret.py),
    # so the same scores
    proc = cli(
        "grade",
        root,
        "--assignment",
        assignment,
        "--output",
        folder / "ours",
        "--no-progress",
        "--no-report",
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = results_of(folder / "ours")
    assert sorted(ours) == sorted(handed_in)
    _autograded[assignment] = scores, ours, root
    return _autograded[assignment]


@pytest.mark.parametrize("assignment", NBGRADER_ASSIGNMENTS)
def test_nbgrader_autograde_agrees_with_our_grader(assignment, tmp_path_factory):
    scores, ours, root = autograded(assignment, tmp_path_factory)
    for student in ours:
        assert scores[student] == (ours[student]["score"], ours[student]["max_score"]), (
            failures_printed(root, student, assignment)
        )
    assert ours["reference"]["score"] == ours["reference"]["max_score"]
    for buggy in {"buggy", "release_buggy"} & set(ours):
        assert ours[buggy]["score"] < ours[buggy]["max_score"]


def test_nbgrader_keeps_full_marks_when_a_correct_answer_warns(tmp_path_factory):
    """nbgrader zeroes a grade cell with stderr output; ours must not produce any."""
    scores, _, root = autograded(NOISY_TOO, tmp_path_factory)
    assert scores["noisy"][0] == scores["noisy"][1] == 24, failures_printed(
        root, "noisy", NOISY_TOO
    )


@pytest.mark.parametrize("assignment", sorted(STUDENT_RELEASE))
def test_nbgrader_grades_the_student_release_as_our_grader_does(assignment, tmp_path_factory):
    """A notebook from assignments/ (not from nbgrader's release) carries nbgrader's grade
    cells, whose hidden tests nbgrader restores: the same nonzero scores as ours, full marks
    for the reference, fewer for a bug."""
    scores, ours, root = autograded(assignment, tmp_path_factory)
    for student in STUDENT_RELEASE[assignment]:
        handed_in = f"release_{student}"
        score, max_score = ours[handed_in]["score"], ours[handed_in]["max_score"]
        assert scores[handed_in] == (score, max_score), failures_printed(
            root, handed_in, assignment
        )
        assert 0 < score <= max_score
        assert (score == max_score) == (student == "reference")


@pytest.mark.parametrize("assignment", sorted(STUDENT_RELEASE))
def test_student_release_has_the_nbgrader_cells_generate_assignment_releases(
    assignment, tmp_path_factory
):
    """Its grade cells equal nbgrader's released ones (source, metadata, checksum); its solution
    cells have the same ids and metadata, in the same order (their stubs differ, so their
    checksums do); every checksum is the one nbgrader computes from the cell."""
    from nbgrader.utils import compute_checksum

    _, _, root = autograded(assignment, tmp_path_factory)

    def nbgrader_cells(path):
        cells = nbformat.read(path, as_version=4).cells
        return {c.metadata["nbgrader"]["grade_id"]: c for c in cells if "nbgrader" in c.metadata}

    ours = nbgrader_cells(course.ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb")
    theirs = nbgrader_cells(root / "release" / assignment / f"{assignment}.ipynb")
    grade_ids = [i for i, c in theirs.items() if c.metadata["nbgrader"]["grade"]]
    solution_ids = [i for i, c in theirs.items() if c.metadata["nbgrader"]["solution"]]
    assert grade_ids and solution_ids
    assert list(ours) == [i for i in theirs if i in grade_ids + solution_ids]
    for grade_id in grade_ids:
        assert (ours[grade_id].source, ours[grade_id].metadata) == (
            theirs[grade_id].source,
            theirs[grade_id].metadata,
        )
    for grade_id in solution_ids:
        assert {**ours[grade_id].metadata["nbgrader"], "checksum": None} == {
            **theirs[grade_id].metadata["nbgrader"],
            "checksum": None,
        }
        assert ours[grade_id].metadata.keys() == theirs[grade_id].metadata.keys()
    for cell in ours.values():
        assert cell.metadata["nbgrader"]["checksum"] == compute_checksum(cell)
