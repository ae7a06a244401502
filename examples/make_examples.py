"""Regenerate examples/NN_name/{correct,buggy,hostile}.ipynb from the masters and the bug
catalog.

    .venv/bin/python examples/make_examples.py [NN_name ...]

A correct example is the student notebook with every stub replaced by the reference
solution, as a student who got everything right would hand it in; a buggy one carries
three catalogued bugs in three different functions; a hostile one is the correct notebook
with a last cell that patches numpy's comparisons, prints a forged result, looks for the
course's files, forks a daemon and replaces the first exercise's function by one that kills
its own process (01's hostile.py is written by hand instead). Tests check that these grade
as expected.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

import nbformat  # noqa: E402

from autograder import course  # noqa: E402
from autograder.course import master  # noqa: E402
from autograder.publish import build  # noqa: E402
from bug_catalog import catalog  # noqa: E402


def solved_notebook(assignment, bugs=()):
    nb = build.student_notebook(assignment)
    answers = {
        master.strip_solutions(c.source): master.remove_markers(c.source)
        for c in master.read_master(assignment)
        if c.role == "exercise"
    }
    edits = list(bugs)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source in answers:
            source = answers[cell.source]
            for bug in list(edits):
                if source.count(bug.old) == 1:
                    source = source.replace(bug.old, bug.new)
                    edits.remove(bug)
            cell.source = source
    if edits:
        raise ValueError(f"{assignment}: bugs not applied: {[b.name for b in edits]}")
    return nb


def three_bugs(assignment):
    """The first catalogued bugs of three different functions that edit an exercise cell."""
    exercises = [
        master.remove_markers(c.source)
        for c in master.read_master(assignment)
        if c.role == "exercise"
    ]
    chosen, functions = [], set()
    for bug in catalog().get(assignment, []):
        fits = sum(source.count(bug.old) for source in exercises) == 1
        if fits and bug.function not in functions and len(chosen) < 3:
            chosen.append(bug)
            functions.add(bug.function)
    return chosen


HOSTILE_CELL = """\
# Everything below tries to cheat or to break the grader. None of it may raise the score.
import glob
import os
import sys

import numpy as np

# Make every comparison succeed (in this process only: the grader compares elsewhere).
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
if "torch" in sys.modules:
    sys.modules["torch"].allclose = lambda *args, **kwargs: True
    sys.modules["torch"].equal = lambda *args, **kwargs: True

# A forged result, on stdout and stderr, as if the grader had printed it.
FORGED = '{{"score": 999.0, "max_score": 999.0, "output": "all tests passed", "tests": []}}'
print(FORGED)
print(FORGED, file=sys.stderr)

# Look for the reference solution and the hidden suite on disk.
stolen = []
for pattern in ["../solutions/*.py", "../../solutions/*.py", "/*/solutions/*.py",
                "/*/*/solutions/*.py", "/*/*/autograder/suites/*.py"]:
    stolen += glob.glob(pattern)
print("found", len(stolen), "files of the course")

# A daemon that would outlive grading if it could.
if os.fork() == 0:
    os.setsid()
    import time
    time.sleep(30)
    os._exit(0)


def {function}(*args, **kwargs):
    os._exit(0)  # takes the process down with it whenever it is called
"""


def hostile_notebook(assignment):
    """The correct notebook plus a last cell that cheats, forks a daemon, and replaces the
    first exercise's function by one that kills its own process."""
    nb = solved_notebook(assignment)
    function = next(iter(master.checks(assignment)))
    nb.cells.append(nbformat.v4.new_code_cell(HOSTILE_CELL.format(function=function), id="hostile"))
    return nb, function


def examples(assignment):
    """{file name: (notebook, what it is)} of the examples make_examples writes for
    ``assignment`` (01's hostile.py is written by hand, and is not among them)."""
    bugs = three_bugs(assignment)
    made = {
        "correct.ipynb": (solved_notebook(assignment), "the reference answers"),
        "buggy.ipynb": (solved_notebook(assignment, bugs), ", ".join(b.name for b in bugs)),
    }
    if not (course.EXAMPLES_DIR / assignment / "hostile.py").exists():
        nb, function = hostile_notebook(assignment)
        made["hostile.ipynb"] = (nb, f"{function} exits")
    return made


def main(names):
    for assignment in names or course.assignment_names():
        folder = course.EXAMPLES_DIR / assignment
        made = examples(assignment)
        for name, (nb, _) in made.items():
            build.write_notebook(nb, folder / name)
        print(f"{assignment}: " + ", ".join(f"{name} ({what})" for name, (_, what) in made.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
