"""The build: committed student files match a fresh build, and no solution leaks."""

import filecmp
import importlib.metadata
import importlib.util
import tomllib

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from autograder import course
from autograder.course import master
from autograder.publish import build

ASSIGNMENTS = course.assignment_names()


# What running a notebook in its folder leaves there, all in .gitignore: never part of a release
LEFT_BY_RUNS = {"__pycache__", ".ipynb_checkpoints", ".OTTER_LOG"}


def _files(folder):
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and not LEFT_BY_RUNS & set(p.parts)
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_fresh_build_reproduces_committed_release(assignment, tmp_path):
    fresh = build.build_student_release(assignment, root=tmp_path)
    committed = course.ASSIGNMENTS_DIR / assignment
    assert _files(fresh) == _files(committed), "run `python -m autograder build` and commit"
    for rel in _files(fresh):
        assert filecmp.cmp(fresh / rel, committed / rel, shallow=False), (
            f"assignments/{assignment}/{rel} differs from a fresh build: run "
            "`python -m autograder build` and commit the result"
        )


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
    text = "\n".join((folder / p).read_text() for p in _files(folder))
    for marker in ("autograder.grade.inprocess", "hidden=True", "HIDDEN TESTS"):
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
    source = (
        'def f(x):\n    """Doc."""\n    # BEGIN SOLUTION hint: add one\n'
        "    return x + 1\n    # END SOLUTION\n"
    )
    stub = master.strip_solutions(source)
    assert "return x + 1" not in stub
    assert "    # Hint: add one" in stub
    assert 'raise NotImplementedError("f is not implemented yet")' in stub


@pytest.mark.parametrize(
    "bad",
    [
        "def f():\n    # BEGIN SOLUTION\n    return 1\n",
        "def f():\n    return 1\n    # END SOLUTION\n",
        "def f():\n    return 1\n",
    ],
)
def test_malformed_solution_markers_are_rejected(bad):
    with pytest.raises(ValueError):
        master.strip_solutions(bad)


def test_environment_yml_installs_what_make_venv_installs():
    """conda's pip section reads the same files as `make venv`: requirements.txt under every
    pin of constraints.txt, then this package (editable), and pins nothing of its own."""
    yml = (course.REPO_ROOT / "environment.yml").read_text()
    pip_lines = [
        line.strip()[2:].strip() for line in yml.splitlines() if line.startswith("      - ")
    ]
    assert pip_lines == ["-r requirements.txt", "-c constraints.txt", "-e ."]
    assert "==" not in yml and "python=3.11" in yml


def test_constraints_pin_every_requirement_identically():
    constraints = {
        line.split("==")[0].lower(): line.strip()
        for line in (course.REPO_ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    for line in (course.REPO_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert constraints[line.split("==")[0].lower()] == line


def claimed_pythons():
    """Every Python 3.11 patch release pyproject.toml's requires-python admits (3.11.0 up)."""
    project = tomllib.loads((course.REPO_ROOT / "pyproject.toml").read_text())["project"]
    claim = SpecifierSet(project["requires-python"])
    return [v for v in (f"3.11.{patch}" for patch in range(40)) if claim.contains(v)]


def test_python_claim_is_every_3_11_release_from_3_11_0():
    claimed = claimed_pythons()
    assert claimed[0] == "3.11.0" and claimed[-1] == "3.11.39"  # Ubuntu 22.04 has 3.11.0
    assert "  - python=3.11\n" in (course.REPO_ROOT / "environment.yml").read_text()


def test_every_pin_installs_on_every_python_we_claim():
    """Each pin's Requires-Python, read from the metadata of the distribution installed in
    this environment (offline: ``make venv`` installs exactly constraints.txt), admits every
    3.11 release we claim; soupsieve 3.0 and up, for one, needs 3.11.5 and is not pinned."""
    claimed = claimed_pythons()
    pins = [
        Requirement(line)
        for line in (course.REPO_ROOT / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(pins) > 100 and all(len(pin.specifier) == 1 for pin in pins)
    stale, refused = [], []
    for pin in pins:
        pinned = Version(next(iter(pin.specifier)).version)
        try:
            dist = importlib.metadata.distribution(pin.name)
        except importlib.metadata.PackageNotFoundError:
            stale.append(f"{pin} (not installed)")
            continue
        if Version(dist.version).public != pinned.public:
            stale.append(f"{pin} ({dist.version} installed)")
            continue
        needs = SpecifierSet(dist.metadata.get("Requires-Python") or "")
        excluded = [v for v in claimed if not needs.contains(v, prereleases=True)]
        if excluded:
            refused.append(
                f"{canonicalize_name(pin.name)}=={pinned} needs Python {needs}: not {excluded[0]}"
            )
    assert not stale, "this environment is not the pinned set; run `make venv`: " + ", ".join(stale)
    assert not refused, "pins that do not install on every Python we claim: " + "; ".join(refused)


def test_no_package_of_the_environment_builds_parsers_when_imported():
    """jsonschema 4.24 and later pull in rfc3987-syntax, whose import costs every process that
    reads a notebook (otter, nbgrader, a student's check cell) 2 s: constraints.txt holds
    jsonschema at 4.23.0, so a fresh ``make venv`` never installs it."""
    assert importlib.util.find_spec("rfc3987_syntax") is None, (
        "rfc3987-syntax is installed, which constraints.txt leaves out: rebuild .venv "
        "(rm -rf .venv && make venv) or `pip uninstall rfc3987-syntax lark`"
    )


def test_no_bundle_holds_another_assignments_suite_or_solution(built_course):
    """Under otter the suite runs in the student's kernel: a 01 zip with the 02 suite in it
    would let a 01 submission print the hidden tests of every later assignment."""
    import zipfile

    for assignment in course.assignment_names():
        others = [a for a in course.assignment_names() if a != assignment]
        for kind in ("otter", "gradescope"):
            with zipfile.ZipFile(course.DIST_DIR / kind / assignment / "autograder.zip") as z:
                names = z.namelist()
            assert any(n.endswith(f"test_{assignment}.py") for n in names), (kind, assignment)
            leaked = [
                n
                for n in names
                if any(f"test_{o}.py" in n or f"solutions/{o}" in n for o in others)
            ]
            assert not leaked, (kind, assignment, leaked)


def _make_examples():
    spec = importlib.util.spec_from_file_location(
        "make_examples", course.EXAMPLES_DIR / "make_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_examples_are_what_make_examples_writes(assignment):
    """The bundled submissions follow the masters and the student notebook: a change to
    either (a set-up cell, a cell's metadata, a solution) that leaves them behind fails here,
    and `examples/make_examples.py NN_name` brings them up to date."""
    stale = []
    for name, (notebook, _) in _make_examples().examples(assignment).items():
        committed = course.EXAMPLES_DIR / assignment / name
        if committed.read_text(encoding="utf-8") != nbformat.writes(notebook) + "\n":
            stale.append(name)
    assert not stale, (
        f"examples/{assignment}/{', '.join(stale)} differ from what "
        f"`.venv/bin/python examples/make_examples.py {assignment}` writes"
    )
