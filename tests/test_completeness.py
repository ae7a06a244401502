"""Every question of every assignment is complete: hidden tests, a contract entry, catalogued
bugs, and every probe its suite names. A gap is the author's, and fails here with what to add
rather than reaching a student as a strange message."""

import ast
import re

import pytest

from autograder import course
from autograder.course import master
from autograder.grade.grading import collect_tests, question_of
from bug_catalog import catalog

ASSIGNMENTS = course.assignment_names()
PROBES = course.PACKAGE_DIR / "inside" / "probes"
# the calls that name a probe: student.probe("training.fit_moons", ...), reference.probe(...),
# run(student, what, "training.mlp_initial", ...) and run_probe(...)
PROBE_CALLS = ("probe", "run", "run_probe")
PROBE_NAME = re.compile(r"([a-z_]+)\.([A-Za-z_]+|\{[a-z_]+\})")


def _named_probes(source):
    """{(module, name)} of the probes the suite ``source`` names; a name built per question
    (f"activations.{name}") comes back as (module, "{name}")."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called not in PROBE_CALLS:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                    for v in arg.values
                )
            else:
                continue
            match = PROBE_NAME.fullmatch(text)
            if match:
                found.add(match.groups())
    return found


def _contract_section(assignment):
    text = (course.REPO_ROOT / "docs" / "EXERCISES.md").read_text(encoding="utf-8")
    sections = {part.split()[0]: part for part in text.split("\n## ")[1:]}
    assert assignment in sections, f"docs/EXERCISES.md has no section for {assignment}"
    return sections[assignment]


def _probe_functions(module):
    path = PROBES / f"{module}.py"
    if not path.is_file():
        return None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_question_has_hidden_tests_a_contract_entry_and_catalogued_bugs(assignment):
    questions = list(master.checks(assignment))
    tested = {question_of(name) for name, _ in collect_tests(assignment)}
    contract = _contract_section(assignment)
    bugs = {bug.function for bug in catalog().get(assignment, [])}
    missing = {
        "hidden tests (autograder/suites/)": [q for q in questions if q not in tested],
        "an entry in docs/EXERCISES.md": [
            q for q in questions if not re.search(rf"`(class )?{q}\b", contract)
        ],
        "a catalogued bug (tests/bugs_*.py)": [q for q in questions if q not in bugs],
    }
    missing = {what: names for what, names in missing.items() if names}
    assert not missing, f"{assignment}: questions without " + "; ".join(
        f"{what}: {', '.join(names)}" for what, names in missing.items()
    )
    assert not tested - set(questions), (
        f"{assignment}: hidden tests for no question of the master: {tested - set(questions)}"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_probe_a_suite_names_exists(assignment):
    source = course.suite_path(assignment).read_text(encoding="utf-8")
    missing = []
    named = _named_probes(source)
    assert named or assignment == "01_perceptron", f"no probe found in {assignment}'s suite"
    for module, name in sorted(named):
        functions = _probe_functions(module)
        if functions is None:
            missing.append(f"{module}.{name} (no autograder/inside/probes/{module}.py)")
        elif name.startswith("{"):  # one probe per question of the assignment
            missing += [
                f"{module}.{q}"
                for q in master.checks(assignment)
                if q not in functions and f'"{q}"' not in source
            ]
        elif name not in functions:
            missing.append(f"{module}.{name}")
    assert not missing, (
        f"{course.suite_path(assignment).name} names probes that "
        f"autograder/inside/probes/ does not define: {missing}"
    )


def test_the_probe_check_finds_a_missing_probe(tmp_path, monkeypatch):
    """The check above can fail: a suite naming a probe nobody wrote is caught."""
    suite = tmp_path / "test_01_perceptron.py"
    suite.write_text('def test_x(student):\n    student.probe("training.not_written", 1)\n')
    monkeypatch.setattr(course, "suite_path", lambda assignment: suite)
    with pytest.raises(AssertionError, match=r"training\.not_written"):
        test_every_probe_a_suite_names_exists("01_perceptron")
