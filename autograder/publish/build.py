"""``python -m autograder build``: everything students and grading tools receive, from the masters.

For each assignment NN_name:
- assignments/NN_name/NN_name.ipynb   the student notebook (stubs, otter check cells, and
                                      nbgrader's cell metadata: it grades under nbgrader too)
- assignments/NN_name/tests/*.py      otter public checks (one file per question)
- dist/otter/NN_name/autograder.zip   otter autograder: hidden tests bridge to our suite
- dist/nbgrader/source/NN_name/...    nbgrader source notebook (solutions, hidden tests)
- dist/gradescope/NN_name/autograder.zip  Gradescope autograder running our grader
plus dist/nbgrader/nbgrader_config.py. assignments/ is committed; dist/ is not.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from autograder import course
from autograder.course import master
from autograder.course.secret import ensure_secret
from autograder.grade.grading import collect_tests, question_of
from autograder.publish.gradescope import build_gradescope, package_files

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from _typeshed import StrPath

    Questions = dict[str, list[tuple[str, float]]]  # {question: [(test name, points)]}
    NbgraderMeta = dict[str, dict[str, object]]  # {"nbgrader": {...}}: a cell's metadata

COURSE_ID = "nn-fundamentals"
OTTER_SETUP = """\
# Run this cell first: it loads the public checks (the `grader.check(...)` cells below) from
# the tests/ folder next to this notebook. Keep the notebook in its folder: moved elsewhere,
# every check cell fails with "ValueError: Test ... not found".
import os, otter
if not os.path.isdir("tests"): print("This notebook is not in its folder: its public checks are read from tests/ next to it (assignments/{assignment}/tests/). Move it back there, or every check cell below fails with 'Test ... not found'.")
grader = otter.Notebook("{notebook}")"""  # noqa: E501 (the notebook's cell, as released)
WHERE_CHECKS_ARE = """

*Keep this notebook in its folder, `assignments/{assignment}/`, next to the `tests/` folder
that holds its public checks: the `grader.check(...)` cells read them from there.*"""
NBGRADER_HIDDEN = """\
# The hidden tests for `{question}` run here when the notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.grade.inprocess import question_score
question_score("{assignment}", "{question}", globals())
### END HIDDEN TESTS"""


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        # file_extension: `jupyter nbconvert --to script` writes NN_name.py, not NN_name.txt
        "language_info": {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"},
    }
    nb.cells = cells
    return nb


def _cell(
    kind: str, source: str, cell_id: str, metadata: Mapping[str, object] | None = None
) -> nbformat.NotebookNode:
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source, id=cell_id)
    if metadata:
        cell.metadata = metadata
    return cell


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


# ---- the student release ------------------------------------------------------------


def student_notebook(assignment: str, questions: Questions | None = None) -> nbformat.NotebookNode:
    """The student release: stubs, otter's set-up and check cells, and the cells nbgrader
    grades (the solution cells and, after each check cell, the question's grade cell with its
    hidden tests removed), with the metadata ``nbgrader generate_assignment`` gives them, so
    that ``nbgrader autograde`` restores the hidden tests in a notebook handed in from here.
    ``questions``: ``_questions(assignment)``, collected from the hidden suite if not given."""
    questions = _questions(assignment) if questions is None else questions
    cells: list[nbformat.NotebookNode] = []
    for cell, nbgrader_id in _nbgrader_ids(master.read_master(assignment)):
        cell_id = f"c{len(cells):03d}"
        if cell.role == "exercise":
            cells.append(
                _released_cell(
                    _cell(
                        "code",
                        master.strip_solutions(cell.source),
                        cell_id,
                        _solution_meta(nbgrader_id),
                    )
                )
            )
        elif cell.role == "check":
            # not nbgrader's locked `{q}-checks` cell: nbgrader would put the checks' code in
            # its place, and the code the hidden inputs are drawn from (autograder/secret.py)
            # would no longer be the code our grader reads in the same file
            cells.append(_cell("code", f'grader.check("{cell.question}")', cell_id))
            cells.append(_released_cell(_grade_cell(assignment, cell.question, questions)))
        elif not cells:  # the title: say where the public checks must be
            cells.append(
                _cell(
                    cell.kind, cell.source + WHERE_CHECKS_ARE.format(assignment=assignment), cell_id
                )
            )
        else:
            cells.append(_cell(cell.kind, cell.source, cell_id))
        if len(cells) == 1:  # the otter set-up cell right after the title
            setup = OTTER_SETUP.format(notebook=f"{assignment}.ipynb", assignment=assignment)
            cells.append(_cell("code", setup, "otter-setup"))
    return _notebook(cells)


def _test_function(name: str, source: str, decorator: str) -> str:
    params = ", ".join(master.free_names(source))
    return f"{decorator}\ndef {name}({params}):\n{textwrap.indent(source.strip(), '    ')}\n"


def public_test_file(question: str, source: str, hidden_cases: str = "") -> str:
    """An otter exception-format test file: the public checks, then any hidden cases."""
    header = (
        f'"""Checks for `{question}` (generated from the master by '
        f'`python -m autograder build`; do not edit)."""\n\n'
        "from otter.test_files import test_case\n\n"
        f'OK_FORMAT = False\nname = "{question}"\npoints = None\n\n\n'
    )
    public = _test_function(
        "public_checks", source, '@test_case(name="public checks", points=0, hidden=False)'
    )
    return header + public + hidden_cases


def _hidden_cases(assignment: str, tests: Iterable[tuple[str, float]]) -> str:
    parts = []
    for number, (name, points) in enumerate(tests, start=1):
        parts.append(
            f"\n\n@test_case(name={name!r}, points={points!r}, hidden=True)\n"
            f"def hidden_{number}(env):\n"
            f"    from autograder.grade.inprocess import assert_passed\n"
            f"    assert_passed({assignment!r}, {name!r}, env)\n"
        )
    return "".join(parts)


def build_student_release(
    assignment: str, root: Path | None = None, questions: Questions | None = None
) -> Path:
    folder = (root or course.ASSIGNMENTS_DIR) / assignment
    if folder.exists():
        shutil.rmtree(folder)
    write_notebook(student_notebook(assignment, questions), folder / f"{assignment}.ipynb")
    for question, source in master.checks(assignment).items():
        test_file = folder / "tests" / f"{question}.py"
        test_file.parent.mkdir(parents=True, exist_ok=True)
        test_file.write_text(public_test_file(question, source), encoding="utf-8")
    return folder


# ---- otter ----------------------------------------------------------------------------


def _questions(assignment: str) -> Questions:
    """{question: [(test name, points), ...]} from the hidden suite, in the master's order."""
    grouped: Questions = {q: [] for q in master.checks(assignment)}
    for name, points in collect_tests(assignment):
        grouped.setdefault(question_of(name), []).append((name, points))
    return grouped


def _copy_package(target: Path, assignment: str) -> None:
    """The grader package with this assignment's hidden suite only (as in the Gradescope zip):
    under otter the tests run in the student's kernel, which could read any suite shipped."""
    for name, path in package_files(assignment):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)


def stage_otter(assignment: str, questions: Questions, folder: StrPath) -> None:
    """Write into ``folder`` what ``otter generate`` zips for ``assignment``: its tests (the
    public checks, then a call per hidden test), the grader package, the master."""
    folder = Path(folder)
    checks = master.checks(assignment)
    (folder / "tests").mkdir(parents=True)
    for question, tests in questions.items():
        text = public_test_file(
            question, checks.get(question, "pass"), _hidden_cases(assignment, tests)
        )
        (folder / "tests" / f"{question}.py").write_text(text, encoding="utf-8")
    _copy_package(folder, assignment)
    (folder / "solutions").mkdir()
    shutil.copy(course.master_path(assignment), folder / "solutions")
    shutil.copy(course.REPO_ROOT / "requirements.txt", folder / "requirements.txt")


# One Python for all the zips: importing otter takes seconds, generating a zip milliseconds.
# In its own process, because otter generate works in the current directory.
OTTER_GENERATE = """\
import json, os, sys
from otter.generate import main
for folder, zip_path in json.loads(sys.argv[1]):
    os.chdir(folder)
    main(tests_dir="tests", output_path=zip_path, requirements="requirements.txt",
         overwrite_requirements=True, no_environment=True, no_config=True,
         python_version="3.11", files=["autograder", "solutions"])
"""


def build_otter(assignments: Mapping[str, Questions]) -> dict[str, Path]:
    """{assignment: dist/otter/<assignment>/autograder.zip} for ``{assignment: questions}``."""
    zips: dict[str, Path] = {}
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for assignment, questions in assignments.items():
            out = course.DIST_DIR / "otter" / assignment
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            stage_otter(assignment, questions, Path(tmp) / assignment)
            zips[assignment] = out / "autograder.zip"
            jobs.append((str(Path(tmp) / assignment), str(zips[assignment])))
        if jobs:
            subprocess.run(
                [sys.executable, "-c", OTTER_GENERATE, json.dumps(jobs)],
                check=True,
                capture_output=True,
                text=True,
            )
    return zips


# ---- nbgrader ------------------------------------------------------------------------

NBGRADER_CONFIG = '''\
"""nbgrader configuration for this course directory (generated by `python -m autograder build`).

Paths are explicit so that nothing in ~/.jupyter can redirect the grades: run nbgrader with
JUPYTER_NO_CONFIG=1 from this folder (see the README).
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)
here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = here
c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")
c.Execute.timeout = 120  # seconds per cell; a hanging cell is an error, not a stuck batch
c.ClearSolutions.code_stub = dict(python='raise NotImplementedError("not implemented yet")')
'''


def _nb_meta(
    grade_id: str,
    *,
    solution: bool = False,
    grade: bool = False,
    locked: bool = False,
    points: float | None = None,
) -> NbgraderMeta:
    meta: dict[str, object] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _solution_meta(nbgrader_id: str) -> NbgraderMeta:
    return _nb_meta(f"{nbgrader_id}-solution", solution=True)


def _nbgrader_ids(cells: Iterable[master.Cell]) -> Iterator[tuple[master.Cell, str]]:
    """(master cell, the id of its cell in the nbgrader source notebook) for each master cell.
    A solution cell's grade_id derives from that id, in the student release too, where other
    cells (otter's) shift the positions."""
    position = 0
    for cell in cells:
        yield cell, f"c{position:03d}"
        position += 2 if cell.role == "check" else 1  # a check cell, then its grade cell


def _grade_cell(assignment: str, question: str, questions: Questions) -> nbformat.NotebookNode:
    """The nbgrader grade cell of ``question``: worth its hidden tests' points, which run in it."""
    points = sum(p for _, p in questions.get(question, []))
    hidden = NBGRADER_HIDDEN.format(assignment=assignment, question=question)
    return _cell(
        "code",
        hidden,
        f"{question}-tests"[:64],
        _nb_meta(f"{question}-tests", grade=True, locked=True, points=points),
    )


def _without_hidden_tests(source: str) -> str:
    """``source`` as nbgrader releases it: the lines from ``BEGIN HIDDEN TESTS`` to ``END
    HIDDEN TESTS`` removed (nbgrader's ClearHiddenTests._remove_hidden_test_region)."""
    kept, hidden = [], False
    for line in source.split("\n"):
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _nbgrader_checksum(cell: nbformat.NotebookNode) -> str:
    """The checksum nbgrader keeps in a graded or solution cell's metadata
    (``nbgrader.utils.compute_checksum``), without importing nbgrader."""
    meta = cell.metadata["nbgrader"]
    grade, solution = meta.get("grade", False), meta.get("solution", False)
    locked = not solution and (grade or meta.get("locked", False))
    digest = hashlib.md5()
    for part in (
        cell.source,
        cell.cell_type,
        str(grade),
        str(solution),
        str(locked),
        meta["grade_id"],
    ):
        digest.update(part.encode("utf-8"))
    if grade:
        digest.update(str(float(meta["points"])).encode("utf-8"))
    return digest.hexdigest()


def _released_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """An nbgrader cell as ``generate_assignment`` releases it: hidden tests removed, and the
    metadata it adds (cell type, points as a float, checksum, deletable/editable)."""
    meta = cell.metadata["nbgrader"]
    cell.source = _without_hidden_tests(cell.source)
    meta["cell_type"] = cell.cell_type
    if meta["grade"]:
        meta["points"] = float(meta["points"])
    meta["checksum"] = _nbgrader_checksum(cell)
    cell.metadata = {
        "deletable": False,
        **({} if meta["solution"] else {"editable": False}),
        "nbgrader": meta,
    }
    return cell


def _nbgrader_solution(source: str) -> str:
    lines = []
    for line in source.splitlines():
        match = master.BEGIN.match(line)
        if match:
            if match["hint"]:
                lines.append(f"{match['indent']}# Hint: {match['hint']}")
            lines.append(f"{match['indent']}### BEGIN SOLUTION")
        elif master.END.match(line):
            lines.append(line.replace("# END SOLUTION", "### END SOLUTION"))
        else:
            lines.append(line)
    return "\n".join(lines)


def nbgrader_notebook(assignment: str, questions: Questions) -> nbformat.NotebookNode:
    cells = []
    for cell, cell_id in _nbgrader_ids(master.read_master(assignment)):
        if cell.role == "exercise":
            cells.append(
                _cell("code", _nbgrader_solution(cell.source), cell_id, _solution_meta(cell_id))
            )
        elif cell.role == "check":
            q = cell.question
            cells.append(_cell("code", cell.source, cell_id, _nb_meta(f"{q}-checks", locked=True)))
            cells.append(_grade_cell(assignment, q, questions))
        else:
            cells.append(_cell(cell.kind, cell.source, cell_id))
    return _notebook(cells)


def build_nbgrader(assignment: str, questions: Questions) -> Path:
    root = course.DIST_DIR / "nbgrader"
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG.format(course_id=COURSE_ID), encoding="utf-8"
    )
    path = root / "source" / assignment / f"{assignment}.ipynb"
    write_notebook(nbgrader_notebook(assignment, questions), path)
    return path


def build_all(
    assignments: Sequence[str] | None = None,
    verbose: bool = False,
    release: bool = True,
    gradescope_visibility: str = "visible",
) -> None:
    """Build every output of ``assignments`` (default: all); ``release=False`` leaves the
    committed student releases in assignments/ alone and builds dist/ only;
    ``gradescope_visibility``: of each test in the Gradescope zips (gradescope.VISIBILITIES).
    Creates the course secret where there is none (``autograder.course.secret``): the bundles carry
    it."""
    ensure_secret()
    assignments = assignments or course.assignment_names()
    questions = {assignment: _questions(assignment) for assignment in assignments}
    otter_zips = build_otter(questions)
    for assignment in assignments:
        outputs = (
            [build_student_release(assignment, questions=questions[assignment])] if release else []
        )
        outputs += [
            otter_zips[assignment],
            build_nbgrader(assignment, questions[assignment]),
            build_gradescope(assignment, visibility=gradescope_visibility),
        ]
        if verbose:
            print(
                f"{assignment}: " + ", ".join(str(p.relative_to(course.REPO_ROOT)) for p in outputs)
            )
