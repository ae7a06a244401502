"""The Gradescope zip, run end to end in a folder laid out as Gradescope's /autograder."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from autograder import course
from autograder.gradescope import build_gradescope

ASSIGNMENT = "01_perceptron"
EXAMPLES = course.EXAMPLES_DIR / ASSIGNMENT


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    return build_gradescope(ASSIGNMENT, tmp_path_factory.mktemp("dist"))


def test_zip_layout(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    for name in ("setup.sh", "run_autograder", "requirements.txt", "constraints.txt",
                 "pyproject.toml", "autograder/__main__.py", "autograder/inside/worker.py",
                 f"autograder/suites/test_{ASSIGNMENT}.py", f"solutions/{ASSIGNMENT}.py"):
        assert name in names
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    others = [a for a in course.assignment_names() if a != ASSIGNMENT]
    assert not [n for n in names if any(a in n for a in others)]  # this assignment only
    assert "-r requirements.txt -c constraints.txt" in setup and "-e ." in setup
    assert "python3.11" in setup
    assert (f'-m autograder grade "$submission" --assignment "$ASSIGNMENT" --json' in run
            and f'ASSIGNMENT="{ASSIGNMENT}"' in run)
    assert build_gradescope(ASSIGNMENT, autograder_zip.parent.parent).read_bytes() == \
        autograder_zip.read_bytes()  # reproducible


def gradescope_run(autograder_zip, tmp_path, submission_files):
    """Lay out /autograder in tmp_path, run run_autograder, return results.json."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for name, source in submission_files.items():
        target = root / "submission" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_gives_the_same_results_as_grade_json(autograder_zip, tmp_path, grade):
    notebook = EXAMPLES / "buggy.ipynb"
    results = gradescope_run(autograder_zip, tmp_path,
                             {"hw/my notebook.ipynb": notebook, "notes.txt": notebook})
    assert results == grade(notebook, ASSIGNMENT)
    assert 0 < results["score"] < results["max_score"]


def test_run_autograder_without_a_notebook_scores_zero_and_says_why(autograder_zip, tmp_path):
    results = gradescope_run(autograder_zip, tmp_path, {"answers.pdf": EXAMPLES / "buggy.ipynb"})
    assert results["score"] == 0 and results["max_score"] > 0
    assert f"{ASSIGNMENT}.ipynb is not a file" in results["output"]
