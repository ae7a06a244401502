"""Regenerate examples/NN_name/{correct,buggy}.ipynb from the masters and the bug catalog.

    .venv/bin/python examples/make_examples.py [NN_name ...]

A correct example is the student notebook with every stub replaced by the reference
solution, as a student who got everything right would hand it in; a buggy one carries
three catalogued bugs in three different functions. (The hostile example is written by
hand.) Tests check that these grade as expected through every grading path.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from autograder import build, course, master  # noqa: E402
from bug_catalog import catalog  # noqa: E402


def solved_notebook(assignment, bugs=()):
    nb = build.student_notebook(assignment)
    answers = {master.strip_solutions(c.source): master.remove_markers(c.source)
               for c in master.read_master(assignment) if c.role == "exercise"}
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
    exercises = [master.remove_markers(c.source) for c in master.read_master(assignment)
                 if c.role == "exercise"]
    chosen, functions = [], set()
    for bug in catalog().get(assignment, []):
        fits = sum(source.count(bug.old) for source in exercises) == 1
        if fits and bug.function not in functions and len(chosen) < 3:
            chosen.append(bug)
            functions.add(bug.function)
    return chosen


def main(names):
    for assignment in names or course.assignment_names():
        folder = course.EXAMPLES_DIR / assignment
        build.write_notebook(solved_notebook(assignment), folder / "correct.ipynb")
        bugs = three_bugs(assignment)
        build.write_notebook(solved_notebook(assignment, bugs), folder / "buggy.ipynb")
        print(f"{assignment}: correct.ipynb, buggy.ipynb ({', '.join(b.name for b in bugs)})")


if __name__ == "__main__":
    main(sys.argv[1:])
