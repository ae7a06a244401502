"""The public checks name the classic mistakes the way the hidden tests do.

Each case writes a catalogued bug (tests/bugs_*.py) into its master, runs the public checks
on it through the command line (``python -m autograder check FILE``) and asserts that the
question fails with the words the hidden suite uses for that mistake. The variants keep the
master's exercise, given and check cells and drop its lesson demos, which only cost time.
"""

import ast
import shutil

import pytest

from autograder import course
from bug_catalog import catalog, write_variant
from conftest import cli


def hidden_words(assignment, name):
    """A string constant of the hidden suite (its name for a misconception), read without
    importing the suite."""
    tree = ast.parse((course.PACKAGE_DIR / "suites" / f"test_{assignment}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise LookupError(f"the hidden suite of {assignment} no longer defines {name}")


# (assignment, bug, question, what the failure must say: the hidden suite's words)
CASES = [
    ("05_optimizers", "sgd_dampening", "SGD", hidden_words("05_optimizers", "DAMPENING")),
    ("05_optimizers", "sgd_ignores_momentum", "SGD", hidden_words("05_optimizers", "NO_MOMENTUM")),
    ("05_optimizers", "adam_eps_inside_sqrt", "Adam", hidden_words("05_optimizers", "EPS_SQRT")),
    ("05_optimizers", "adam_no_bias_correction", "Adam", hidden_words("05_optimizers", "NO_BIAS")),
    ("05_optimizers", "adam_t_starts_at_one", "Adam", hidden_words("05_optimizers", "T_OFF")),
    ("05_optimizers", "adam_v_uses_grad", "Adam", "v must average grad * grad"),
    ("05_optimizers", "adam_rebinds_params", "Adam", hidden_words("05_optimizers", "REBOUND")),
    (
        "06_training",
        "epoch_unweighted_batch_mean",
        "train_one_epoch",
        "mean of batch losses not weighted by batch size (the last batch is smaller)",
    ),
    (
        "06_training",
        "epoch_no_zero_grad",
        "train_one_epoch",
        "gradients accumulated across batches: call optimizer.zero_grad() before loss.backward()",
    ),
    (
        "06_training",
        "epoch_step_before_backward",
        "train_one_epoch",
        "optimizer.step() before loss.backward()",
    ),
]


def variant(assignment, bug_name, folder):
    """The master with the bug written in (``check`` leaves its demo cells out itself)."""
    bug = next(b for b in catalog()[assignment] if b.name == bug_name)
    return write_variant(assignment, bug, folder)


def public_check_report(path):
    """{question: the failure's text, or "" where the checks pass} from ``check FILE``."""
    proc = cli("check", path, timeout=300)
    report, question = {}, None
    for line in proc.stdout.splitlines():
        mark, _, name = line.strip().partition("  ")
        if mark in ("PASS", "FAIL") and name:
            question = name.strip()
            report[question] = ""
        elif question and report.get(question) == "" and line.startswith("        "):
            report[question] = line.strip()
        elif not line.strip():
            question = None
    assert report, proc.stdout + proc.stderr
    return report


@pytest.mark.parametrize("assignment,bug,question,words", CASES, ids=[case[1] for case in CASES])
def test_public_check_names_the_mistake(assignment, bug, question, words, tmp_path):
    report = public_check_report(variant(assignment, bug, tmp_path))
    assert report[question], f"the public checks of {question} pass with {bug}"
    assert words in report[question], report[question]
    others = [q for q, failure in report.items() if failure and q != question]
    assert not others, f"{bug} also fails the public checks of {others}"


def test_catalog_bugs_named_here_exist():
    names = {(a, b.name) for a, bugs in catalog().items() for b in bugs}
    assert {(a, b) for a, b, _, _ in CASES} <= names


@pytest.mark.parametrize("where", ["its folder", "elsewhere"])
def test_a_notebook_moved_out_of_its_folder_says_where_its_checks_are(where, tmp_path):
    import subprocess
    import sys

    import nbformat

    # a copy of the folder, since otter.Notebook writes its .OTTER_LOG where it runs
    folder = tmp_path / "assignments" / "01_perceptron"
    shutil.copytree(course.ASSIGNMENTS_DIR / "01_perceptron", folder)
    notebook = nbformat.read(folder / "01_perceptron.ipynb", as_version=4)
    setup = next(c.source for c in notebook.cells if c.get("id") == "otter-setup")
    nbformat.write(notebook, tmp_path / "01_perceptron.ipynb")  # moved, without tests/
    proc = subprocess.run(
        [sys.executable, "-c", setup],
        capture_output=True,
        text=True,
        cwd=folder if where == "its folder" else tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    if where == "its folder":
        assert "not in its folder" not in proc.stdout
    else:
        assert (
            "This notebook is not in its folder: its public checks are read from tests/ "
            "next to it (assignments/01_perceptron/tests/)"
        ) in proc.stdout
