"""Our grader on the bundled examples and on the untouched student notebooks."""

import json
import subprocess
import sys

import pytest

from autograder import course
from conftest import cli

ASSIGNMENTS = course.assignment_names()


# The references' full marks: tests/test_bug_catalog.py (under two secrets, in a batch) and
# tests/test_otter_run.py (through --json, beside otter run).


def test_cuda_cases_without_a_gpu_are_skipped_saying_so(grade):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the CUDA cases run")
    result = grade(course.master_path("06_training"), "06_training")
    assert result["score"] == result["max_score"] > 0
    cuda = [t for t in result["tests"] if t["name"].endswith("[cuda]")]
    assert cuda and all(
        t["extra_data"]["skipped"] == "no GPU on the grading machine"
        and t["output"] == "skipped: no GPU on the grading machine"
        and t["max_score"] == 0
        for t in cuda
    )
    assert [t for t in result["tests"] if "extra_data" in t] == cuda  # the only ones skipped
    from autograder.batch.output import feedback_markdown
    from autograder.grade.summary import score_table

    feedback = feedback_markdown("someone", "06_training", result)
    assert f"## Skipped, worth no points ({len(cuda)}): no GPU on the grading machine" in feedback
    table = score_table([("someone", result)])
    assert f"skipped, worth no points: {len(cuda)} tests (no GPU on the grading machine)" in table


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_student_notebook_scores_zero(assignment, grade):
    result = grade(course.ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb", assignment)
    assert result["score"] == 0
    for test in result["tests"]:
        if test["max_score"]:
            assert "is not implemented yet" in test["output"], test


def test_every_test_name_starts_with_a_contract_function(grade):
    result = grade(course.master_path("01_perceptron"), "01_perceptron")
    functions = {"step", "perceptron_output", "perceptron_update", "train_perceptron", "accuracy"}
    assert {t["name"].split(":")[0] for t in result["tests"]} == functions


def test_json_mode_prints_one_object_even_when_the_submission_prints(tmp_path, grade):
    noisy = tmp_path / "noisy.py"
    noisy.write_text(
        course.master_path("01_perceptron").read_text()
        + '\nprint(\'{"score": 999, "max_score": 1, "tests": []}\')\n'
        + "import sys; sys.stderr.write('noise on stderr\\n')\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(noisy),
            "--assignment",
            "01_perceptron",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=course.REPO_ROOT,
        timeout=300,
    )
    assert proc.returncode == 0
    result = json.loads(proc.stdout)  # exactly one JSON document, nothing else
    assert result["score"] == result["max_score"] == 24


def test_patching_numpy_comparisons_does_not_help(tmp_path, grade):
    cheat = tmp_path / "cheat.py"
    cheat.write_text(
        "import numpy as np\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.array_equal = lambda *a, **k: True\n"
        "def step(z): return np.zeros(np.shape(z)) - 7\n"
        "def perceptron_output(x, w, b): return np.zeros(len(np.shape(x)) and np.shape(x)[0])\n"
        "def perceptron_update(x, y, w, b, lr=1.0): return w + 1, b - 1\n"
        "def train_perceptron(X, y, lr=1.0, max_epochs=100): return np.zeros(2), 0.0, [0]\n"
        "def accuracy(y_true, y_pred): return 2.0\n"
    )
    result = grade(cheat, "01_perceptron")
    assert result["score"] == 0


def test_a_failure_says_what_was_expected_and_what_came_back(grade):
    result = grade(course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb", "01_perceptron")
    by_name = {t["name"]: t for t in result["tests"]}
    at_zero = by_name["step: fires (1.0) at exactly 0 and at -0.0"]
    assert at_zero["score"] == 0
    assert "expected 1.0" in at_zero["output"] and "got 0.0" in at_zero["output"]
    assert "z > 0 instead of z >= 0" in at_zero["output"]
    assert "def test_" not in at_zero["output"]  # never the hidden test's source


def test_plain_grade_shows_each_questions_first_failure_in_full():
    proc = cli(
        "grade",
        course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb",
        "--assignment",
        "01_perceptron",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    _, details = proc.stdout.split("The first failed test of each question:")
    assert "\nstep: fires (1.0) at exactly 0 and at -0.0\n    step([0.0, -0.0" in details
    assert "This looks like: z > 0 instead of z >= 0" in details  # the message's end: in full
    assert details.count("\nstep: ") == 1  # one failure a question, not every failed test
    assert "\nperceptron_update: " in details and "\naccuracy: " not in details  # accuracy passes


def test_question_option_runs_only_that_questions_tests():
    proc = cli(
        "grade",
        course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb",
        "--assignment",
        "01_perceptron",
        "--question",
        "step",
        "--json",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = [t["name"] for t in json.loads(proc.stdout)["tests"]]
    assert names and all(n.startswith("step: ") for n in names)
    wrong = cli(
        "grade",
        course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb",
        "--assignment",
        "01_perceptron",
        "--question",
        "stpe",
    )
    assert wrong.returncode == 2
    assert "01_perceptron has no question 'stpe'; its questions are step, " in wrong.stderr


def test_the_assignment_is_taken_from_the_notebook_name(tmp_path):
    named = tmp_path / "01_perceptron-ada.ipynb"
    named.write_bytes((course.EXAMPLES_DIR / "01_perceptron" / "correct.ipynb").read_bytes())
    proc = cli("grade", named, "--question", "accuracy", timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "01_perceptron-ada.ipynb" in proc.stdout and " 1 / 1  -" in proc.stdout
    unnamed = tmp_path / "homework.ipynb"
    unnamed.write_bytes(named.read_bytes())
    proc = cli("grade", unnamed)
    assert proc.returncode == 2
    assert "cannot tell the assignment from" in proc.stderr and "--assignment" in proc.stderr


def test_unknown_assignment_is_a_clear_error():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "x.ipynb",
            "--assignment",
            "99_nope",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=course.REPO_ROOT,
    )
    assert proc.returncode == 2
    assert "unknown assignment '99_nope'" in proc.stderr


def test_grade_examples_prints_a_score_table(graded_examples):
    stdout, output = graded_examples  # `grade-examples --output DIR` (conftest.py)
    lines = stdout.splitlines()

    def rows(name):
        return [line.split() for line in lines if line.startswith(name)]

    assignments = course.assignment_names()
    assert len(rows("correct.ipynb")) == len(assignments)
    assert all(r[1] == r[3] for r in rows("correct.ipynb"))  # full marks
    # every buggy and hostile example loses points, and the forged results never show
    assert len(rows("buggy.ipynb")) == len(rows("hostile.")) == len(assignments)
    assert all(float(r[1]) < float(r[3]) for r in rows("buggy.ipynb") + rows("hostile."))
    assert "999" not in stdout
    # --output kept each example's results and feedback, and the class's gradebook
    for assignment in assignments:
        examples = sorted(p.stem for p in (course.EXAMPLES_DIR / assignment).iterdir())
        kept = sorted(p.name for p in (output / assignment).iterdir() if p.is_dir())
        assert kept == examples
        for name in examples:
            assert (output / assignment / name / "feedback.md").is_file()
            assert json.loads((output / assignment / name / "results.json").read_text())
        assert (output / assignment / "grades.csv").is_file()


def test_check_command_reports_each_question(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "check",
            str(course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb"),
            "--assignment",
            "01_perceptron",
        ],
        capture_output=True,
        text=True,
        cwd=course.REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "FAIL  step" in proc.stdout and "step(0.0) should be 1.0" in proc.stdout
    assert "PASS  accuracy" in proc.stdout
