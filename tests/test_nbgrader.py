"""nbgrader (`generate_assignment`, `autograde`, `export`) on the built course directory gives
the same scores as our grader, and a warning on stderr never zeroes a correct answer."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import course
from conftest import cli, results_of

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("built_course")]
BIN = Path(sys.executable).parent


def nbgrader(course_dir, *args):
    # TMPDIR: with JUPYTER_NO_CONFIG, jupyter_core makes an empty temporary config folder in
    # every process and never removes it; these stay in the test's own folder
    env = dict(os.environ, JUPYTER_NO_CONFIG="1", PATH=f"{BIN}:{os.environ['PATH']}",
               TMPDIR=str(course_dir.parent))
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course_dir, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def failures_printed(root, student, assignment):
    """What the autograded notebook's grade cells printed (the failed tests, or an error)."""
    nb = nbformat.read(root / "autograded" / student / assignment / f"{assignment}.ipynb", 4)
    texts = [out.get("text") or "\n".join(out.get("traceback", []))
             for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")
             for out in cell.get("outputs", []) if out.get("output_type") in ("stream", "error")]
    return "\n".join(texts)[-4000:]


def fill_release(release_nb, assignment, source_nb):
    """A student's submission: the release notebook with the solution cells of source_nb."""
    nb = nbformat.read(release_nb, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(source_nb, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
    return nb


# One assignment of each kind (numpy from scratch, backprop, PyTorch, real data): every run
# executes two whole notebooks in nbgrader's kernels.
NBGRADER_ASSIGNMENTS = ("01_perceptron", "04_backprop", "06_training", "07_digits")


@pytest.mark.parametrize("assignment", NBGRADER_ASSIGNMENTS)
def test_nbgrader_autograde_agrees_with_our_grader(assignment, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(course.DIST_DIR / "nbgrader", root)
    nbgrader(root, "generate_assignment", assignment, "--create", "--force")
    source = root / "source" / assignment / f"{assignment}.ipynb"
    release = root / "release" / assignment / f"{assignment}.ipynb"
    # the reference, and the same notebook with the first catalogued bug of the assignment
    sys.path.insert(0, str(course.REPO_ROOT / "tests"))
    from bug_catalog import catalog
    bug = catalog()[assignment][0]
    buggy_nb = nbformat.read(source, as_version=4)
    hits = [c for c in buggy_nb.cells if bug.old in c.source]
    assert len(hits) == 1, f"bug {bug.name} not found once in the nbgrader source"
    hits[0].source = hits[0].source.replace(bug.old, bug.new)
    nbformat.write(buggy_nb, tmp_path / "buggy_source.ipynb")
    for student, src in (("reference", source), ("buggy", tmp_path / "buggy_source.ipynb")):
        target = root / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(fill_release(release, assignment, src), target)
    nbgrader(root, "autograde", assignment, "--create")
    nbgrader(root, "export", "--to", str(tmp_path / "grades.csv"))
    scores = {row["student_id"]: (float(row["score"]), float(row["max_score"]))
              for row in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert (root / "gradebook.db").exists()  # the explicit gradebook path was used
    # our grader, in one batch, on the very notebooks nbgrader graded (the course folder, in
    # nbgrader's layout): the same code, so the same hidden inputs (autograder/secret.py),
    # so the same scores
    proc = cli("grade", root, "--assignment", assignment, "--output", tmp_path / "ours",
               "--no-progress", "--no-report", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = results_of(tmp_path / "ours")
    assert sorted(ours) == ["buggy", "reference"]
    for student in ours:
        assert scores[student] == (ours[student]["score"], ours[student]["max_score"]), \
            failures_printed(root, student, assignment)
    assert ours["reference"]["score"] == ours["reference"]["max_score"]
    assert ours["buggy"]["score"] < ours["buggy"]["max_score"]


def test_nbgrader_keeps_full_marks_when_a_correct_answer_warns(tmp_path):
    """nbgrader zeroes a grade cell with stderr output; ours must not produce any."""
    assignment = "01_perceptron"
    root = tmp_path / "course"
    shutil.copytree(course.DIST_DIR / "nbgrader", root)
    nbgrader(root, "generate_assignment", assignment, "--create", "--force")
    source = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    noisy = "    import sys, warnings\n    warnings.warn('harmless')\n    print('chatty', file=sys.stderr)\n"
    for cell in source.cells:
        if cell.source.startswith("def step(z):"):
            head, _, rest = cell.source.partition('"""\n')
            head2, _, body = rest.partition('"""\n')
            cell.source = f'{head}"""\n{head2}"""\n{noisy}{body}'
    noisy_path = tmp_path / "noisy_source.ipynb"
    nbformat.write(source, noisy_path)
    target = root / "submitted" / "noisy" / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True)
    nbformat.write(fill_release(root / "release" / assignment / f"{assignment}.ipynb",
                                assignment, noisy_path), target)
    nbgrader(root, "autograde", assignment, "--create")
    nbgrader(root, "export", "--to", str(tmp_path / "grades.csv"))
    row = next(csv.DictReader(open(tmp_path / "grades.csv")))
    assert float(row["score"]) == float(row["max_score"]) == 24
