"""The reference and the example submissions score the same through `otter run` on the built
autograder zip as through our grader."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from conftest import example_results

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("built_course")]
BIN = Path(sys.executable).parent
# Every correct example (full marks on every assignment's otter path); the buggy ones of the
# three kinds of assignment (numpy from scratch, autograd-checked numpy, PyTorch), since each
# costs a whole otter run of its notebook.
BUGGY_TOO = ("01_perceptron", "04_backprop", "06_training")
EXAMPLES = [
    (a, p.name)
    for a in course.assignment_names()
    for p in sorted((course.EXAMPLES_DIR / a).glob("*.ipynb"))
    if p.stem == "correct" or (p.stem == "buggy" and a in BUGGY_TOO)
]


def otter_score(notebook, assignment, tmp_path):
    zip_path = course.DIST_DIR / "otter" / assignment / "autograder.zip"
    proc = subprocess.run(
        [str(BIN / "otter"), "run", "-a", str(zip_path), "-o", str(tmp_path), str(notebook)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    tests = json.loads((tmp_path / "results.json").read_text())["tests"]
    return sum(t.get("score") or 0 for t in tests), sum(t.get("max_score") or 0 for t in tests)


@pytest.mark.parametrize("assignment,example", EXAMPLES)
def test_otter_run_agrees_with_our_grader(assignment, example, tmp_path, graded_examples):
    notebook = course.EXAMPLES_DIR / assignment / example
    ours = example_results(graded_examples, assignment, example)
    assert otter_score(notebook, assignment, tmp_path) == (ours["score"], ours["max_score"])
    if example == "correct.ipynb":
        assert ours["score"] == ours["max_score"]
