"""The student release (``python -m autograder release DIR``): complete, and free of answers.

One release is built for the whole module, and one fresh virtualenv set up from it with the
README's own command (torch comes from the local wheel pip finds): the checks then run
there, where neither this package, the hidden suites nor the reference exist.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.course import master, secret
from autograder.grade.grading import collect_tests
from autograder.publish.release import STUDENT_PACKAGES, write_release

MIN_LINE = 25  # shorter solution lines (`return out`) also occur in stubs and lessons


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release") / "nn-course"
    write_release(folder)
    return folder


def _texts(folder):
    """{relative path: text} of every file, notebooks also as their cells' decoded sources
    (a line with quotes is escaped in the raw JSON)."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            text += "\n".join("".join(c["source"]) for c in cells)
        texts[path.relative_to(folder).as_posix()] = text
    return texts


def _solution_lines(assignment):
    lines, inside = [], False
    for line in course.master_path(assignment).read_text(encoding="utf-8").splitlines():
        if master.BEGIN.match(line):
            inside = True
        elif master.END.match(line):
            inside = False
        elif inside and len(line.strip()) >= MIN_LINE:
            lines.append(line.strip())
    return lines


def _public(assignment):
    """The master with its solution blocks cut out (their hints kept): what its students see
    by design."""
    kept, inside = [], False
    for line in course.master_path(assignment).read_text(encoding="utf-8").splitlines():
        begin = master.BEGIN.match(line)
        if begin:
            inside = True
            kept.append(begin["hint"] or "")
        elif master.END.match(line):
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def _leaks(folder, assignments):
    """Solution lines found in the release, except where the course shows them by design: in
    an assignment's files where that master shows the line outside its solution blocks (in a
    hint, a lesson, given code: 04 gives 03's mlp_forward), and in the contract of a released
    assignment (docs/EXERCISES.md)."""
    texts = _texts(folder)
    found, checked = [], 0
    for assignment in course.assignment_names():
        for line in _solution_lines(assignment):
            checked += 1
            for path, text in texts.items():
                if line not in text:
                    continue
                if path.startswith("assignments/"):
                    shown = line in _public(path.split("/")[1])
                else:
                    shown = path == "docs/EXERCISES.md" and assignment in assignments
                if not shown:
                    found.append((assignment, line, path))
    assert checked > 100  # the scan really looked at the masters
    return found


def test_release_holds_no_solution_line(release):
    assert _leaks(release, course.assignment_names()) == []


def test_a_partial_release_holds_no_later_assignment(tmp_path):
    """Releasing 01-03 only: none of 03's answers, which 04's given code repeats."""
    first = ["01_perceptron", "02_activations", "03_forward"]
    write_release(tmp_path / "r", first)
    assert sorted(p.name for p in (tmp_path / "r" / "assignments").iterdir()) == first
    assert _leaks(tmp_path / "r", first) == []
    texts = _texts(tmp_path / "r")
    later = [line for line in _solution_lines("03_forward") if line in _public("04_backprop")
             and not any(line in _public(a) for a in first)]
    assert len(later) > 5
    contract = texts.pop("docs/EXERCISES.md")  # 03's contract states its formulas
    for line in later:
        assert not any(line in text for text in texts.values()), line
    assert "## 04_backprop" not in contract and "## 03_forward" in contract


def test_release_holds_no_hidden_test_name(release):
    texts = _texts(release)
    for assignment in course.assignment_names():
        names = {re.sub(r" \[.*\]$", "", name) for name, _ in collect_tests(assignment)}
        assert len(names) > 5
        for name in names:
            leaks = [path for path, text in texts.items() if name in text]
            assert not leaks, f"hidden test {name!r} of {assignment} is named in {leaks}"


def test_release_holds_no_grader_code_and_no_secret(release):
    texts = _texts(release)
    python_files = sorted(p for p in texts if p.endswith(".py"))
    allowed = {"check.py"} | {f"assignments/{a}/tests/{q}.py"
                              for a in course.assignment_names() for q in master.checks(a)}
    assert set(python_files) <= allowed, set(python_files) - allowed
    for path, text in texts.items():
        assert "hidden=True" not in text and "autograder.grade.inprocess" not in text, path
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
    assert not any("secret" in p for p in texts)
    key = secret.course_secret()
    if key:
        shown = key.hex() if isinstance(key, bytes) else str(key)
        assert not any(shown in text for text in texts.values())


def test_release_is_a_complete_repository(release):
    for name in ("README.md", "requirements.txt", "environment.yml", ".gitignore", "check.py",
                 "docs/EXERCISES.md"):
        assert (release / name).is_file(), name
    for assignment in course.assignment_names():
        folder = release / "assignments" / assignment
        assert (folder / f"{assignment}.ipynb").is_file()
        assert sorted(p.stem for p in (folder / "tests").glob("*.py")) == \
            sorted(master.checks(assignment))
    assert ".venv/" in (release / ".gitignore").read_text()


def test_release_pins_a_subset_of_the_course_pins(release):
    ours = {}
    for line in (course.REPO_ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line:
            ours[line.split("==")[0].lower().replace("_", "-")] = line.strip()
    theirs = [line.split("#")[0].strip()
              for line in (release / "requirements.txt").read_text().splitlines()]
    theirs = [line for line in theirs if line]
    assert all("==" in line for line in theirs)  # every line a pin
    names = {line.split("==")[0].lower().replace("_", "-"): line for line in theirs}
    for name, line in names.items():
        assert ours[name] == line
    for package in STUDENT_PACKAGES:
        assert package in names
    # what only the instructor needs stays out: the grader's test tools and nbgrader
    assert not {"nbgrader", "pytest", "pytest-xdist", "selenium", "copydetect"} & set(names)
    assert "-r requirements.txt" in (release / "environment.yml").read_text()


def _setup_command(release):
    """The set-up command of the release's README (the one a student types)."""
    readme = (release / "README.md").read_text()
    found = re.findall(r"^python3\.11 -m venv .*$", readme, flags=re.M)
    assert len(found) == 1, "the README shows one set-up command"
    return found[0]


@pytest.fixture(scope="module")
def student_venv(release):
    """The release set up as the README says, in a fresh virtualenv of its own."""
    command = _setup_command(release)
    # as on a student's machine: no PYTHONPATH, no active virtualenv, and Python writes the
    # bytecode of what it imports
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    # pip compiles no bytecode: a quarter of its time (profiled), mostly for files never
    # imported. (PIP_COMPILE=0, not PIP_NO_COMPILE=1: pip reads that one as "compile")
    env["PIP_COMPILE"] = "0"
    done = subprocess.run(["bash", "-c", command], cwd=release, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return release / ".venv" / "bin" / "python", env


def _check(student_venv, release, notebook):
    python, env = student_venv
    return subprocess.run([str(python), "check.py", str(notebook)], cwd=release, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_student_environment_has_no_grader(student_venv, release):
    python, env = student_venv
    probe = ("import importlib.util as u; "
             "print([m for m in ('autograder', 'nbgrader', 'pytest') if u.find_spec(m)])")
    done = subprocess.run([str(python), "-c", probe], cwd=release.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_check_command_on_an_untouched_notebook(student_venv, release):
    notebook = release / "assignments" / "01_perceptron" / "01_perceptron.ipynb"
    done = _check(student_venv, release, notebook)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("01_perceptron: public checks pass for 0 of 5 questions")
    for question in master.checks("01_perceptron"):
        assert (f"  FAIL  {question}\n        {question} is not implemented yet "
                "(it still raises NotImplementedError)") in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_check_command_on_a_correct_notebook(student_venv, release):
    notebook = release / "assignments" / "01_perceptron" / "correct.ipynb"
    notebook.write_bytes((course.EXAMPLES_DIR / "01_perceptron" / "correct.ipynb").read_bytes())
    try:
        done = _check(student_venv, release, notebook)
    finally:
        notebook.unlink()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("01_perceptron: public checks pass for 5 of 5 questions")
    assert "FAIL" not in done.stdout


def test_check_command_says_what_is_wrong_like_autograder_check(release, capsys):
    """Same summary as `python -m autograder check` on a buggy notebook (run here, in
    this environment, for speed: the check script only needs the standard library)."""
    from autograder.grade.public_checks import check_notebook
    buggy = course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb"
    ours = check_notebook(buggy, "01_perceptron")
    expected = capsys.readouterr().out
    done = subprocess.run([sys.executable, "check.py", str(buggy), "--assignment",
                           "01_perceptron"], cwd=release, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == ours == 1
    assert done.stdout == expected
