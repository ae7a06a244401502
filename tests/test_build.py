"""The build: committed student files match a fresh build, and no solution leaks."""

import filecmp
import json

import nbformat
import pytest

from autograder import build, course, master

ASSIGNMENTS = course.assignment_names()


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_fresh_build_reproduces_committed_release(assignment, tmp_path):
    fresh = build.build_student_release(assignment, root=tmp_path)
    committed = course.ASSIGNMENTS_DIR / assignment
    assert _files(fresh) == _files(committed), "run `python -m autograder build` and commit"
    for rel in _files(fresh):
        assert filecmp.cmp(fresh / rel, committed / rel, shallow=False), (
            f"assignments/{assignment}/{rel} differs from a fresh build: run "
            "`python -m autograder build` and commit the result")


def solution_lines(assignment):
    """Lines inside solution blocks that appear nowhere else in the master."""
    inside, elsewhere = set(), set()
    for cell in master.read_master(assignment):
        in_block = False
        for line in cell.source.splitlines():
            if master.BEGIN.match(line):
                in_block = True
            elif master.END.match(line):
                in_block = False
            elif line.strip() and not line.strip().startswith("#"):
                (inside if in_block else elsewhere).add(line.strip())
    return inside - elsewhere


def _released_code(notebook_path):
    nb = nbformat.read(notebook_path, as_version=4)
    return "\n".join(c.source for c in nb.cells)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_line_reaches_students(assignment):
    folder = course.ASSIGNMENTS_DIR / assignment
    texts = {str(p): p.read_text() for p in folder.rglob("*.py")}
    texts["notebook"] = _released_code(folder / f"{assignment}.ipynb")
    secret = solution_lines(assignment)
    assert secret, "the master should have solution lines"
    for where, text in texts.items():
        lines = {line.strip() for line in text.splitlines()}
        leaked = secret & lines
        assert not leaked, f"solution lines reached {where}: {sorted(leaked)[:3]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_hidden_test_reaches_students(assignment):
    folder = course.ASSIGNMENTS_DIR / assignment
    text = "\n".join(p.read_text() for p in folder.rglob("*") if p.is_file())
    for marker in ("autograder.inprocess", "hidden=True", "HIDDEN TESTS"):
        assert marker not in text
    for name, _ in build.collect_tests(assignment):
        assert name not in text, f"hidden test name {name!r} reached the student release"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_has_stubs_checks_and_otter_setup(assignment):
    nb = nbformat.read(course.ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb", 4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("otter.Notebook" in c for c in code[:3])
    for question in master.checks(assignment):
        assert f'grader.check("{question}")' in code
    stubs = sum("is not implemented yet" in c for c in code)
    exercises = sum(c.role == "exercise" for c in master.read_master(assignment))
    assert stubs >= exercises


def test_stub_replaces_block_and_names_function():
    source = ("def f(x):\n    \"\"\"Doc.\"\"\"\n    # BEGIN SOLUTION hint: add one\n"
              "    return x + 1\n    # END SOLUTION\n")
    stub = master.strip_solutions(source)
    assert "return x + 1" not in stub
    assert "    # Hint: add one" in stub
    assert 'raise NotImplementedError("f is not implemented yet")' in stub


@pytest.mark.parametrize("bad", [
    "def f():\n    # BEGIN SOLUTION\n    return 1\n",
    "def f():\n    return 1\n    # END SOLUTION\n",
    "def f():\n    return 1\n",
])
def test_malformed_solution_markers_are_rejected(bad):
    with pytest.raises(ValueError):
        master.strip_solutions(bad)


def test_environment_yml_lists_the_pip_pins():
    pins = [line.split("#")[0].strip() for line in
            (course.REPO_ROOT / "requirements.txt").read_text().splitlines()]
    pins = {p for p in pins if p}
    yml = (course.REPO_ROOT / "environment.yml").read_text()
    listed = {line.strip()[2:].strip() for line in yml.splitlines()
              if line.strip().startswith("- ") and "==" in line}
    assert listed == pins


def test_constraints_pin_every_requirement_identically():
    constraints = {line.split("==")[0].lower(): line.strip() for line in
                   (course.REPO_ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    for line in (course.REPO_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert constraints[line.split("==")[0].lower()] == line
