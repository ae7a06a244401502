"""The lesson's demo cells are left out of what our grader runs, but only where nothing that
runs needs them (autograder/course/demos.py)."""

import json

from autograder.course import master
from autograder.course.demos import leave_out_demos
from autograder.grade.submission import read_submission
from conftest import REPO, cli

ASSIGNMENT = "01_perceptron"
DEMOS = [
    c.source for c in master.read_master(ASSIGNMENT) if c.kind == "code" and c.role == "lesson"
]
GATES, XOR_PLOT = DEMOS  # X_gate, gates and plot_boundary; the XOR figure
STEP = "import numpy as np\n\ndef step(z):\n    return (np.asarray(z) >= 0).astype(int)\n"


def test_an_unchanged_demo_is_left_out_and_an_edited_one_runs():
    assert leave_out_demos([STEP, GATES, XOR_PLOT], ASSIGNMENT) == [STEP, "", ""]
    edited = XOR_PLOT.replace("max_epochs=30", "max_epochs=31")
    # the edited copy runs; it reads X_gate and gates, so the demo that binds them runs
    assert leave_out_demos([STEP, GATES, XOR_PLOT, edited], ASSIGNMENT) == [STEP, GATES, "", edited]


def test_a_demo_whose_names_a_students_function_reads_runs_with_what_it_needs():
    uses_gates = "def step(z):\n    return int(z >= 0) if X_gate is not None else 0\n"
    assert leave_out_demos([GATES, XOR_PLOT, uses_gates], ASSIGNMENT) == [GATES, "", uses_gates]
    # writing a name a demo binds needs no demo (what reads it is what counts)
    rebinds = "gates = {}\n\ndef reset():\n    global X_gate\n    X_gate = None\n"
    assert leave_out_demos([GATES, rebinds], ASSIGNMENT) == ["", rebinds]


def test_a_local_variable_named_like_a_demos_global_does_not_make_it_run():
    local = (
        "def accuracy(y_true, y_pred):\n    gates = 0\n    X_gate = 1\n    return gates + X_gate\n"
    )
    assert leave_out_demos([GATES, local], ASSIGNMENT) == ["", local]


def test_cells_that_cannot_be_read_run_as_written():
    broken = "def step(z) return 1\n"
    assert leave_out_demos([broken, GATES], ASSIGNMENT) == [broken, ""]


def test_leaving_out_the_demos_changes_no_score_and_no_cell_number(tmp_path):
    """The correct example, its demos left out, scores full marks (otter and nbgrader, which
    run them, agree: test_otter_run.py, test_nbgrader.py), and a failing cell after the
    demos is still named by its place in the notebook."""
    notebook = json.loads((REPO / "examples" / ASSIGNMENT / "correct.ipynb").read_text())
    cells, _, _ = read_submission(REPO / "examples" / ASSIGNMENT / "correct.ipynb")
    assert "" in leave_out_demos(cells, ASSIGNMENT)  # the example has demos to leave out
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "raise ValueError('late')\n",
        }
    )
    path = tmp_path / "late_error.ipynb"
    path.write_text(json.dumps(notebook))
    proc = cli("grade", path, "--assignment", ASSIGNMENT, "--json")
    result = json.loads(proc.stdout)
    assert result["score"] == result["max_score"] == 24
    assert (
        f"Cell {len(notebook['cells'])} (which starts \"raise ValueError('late')\")"
        in result["output"]
    ), result["output"]
