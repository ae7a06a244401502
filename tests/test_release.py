"""The student release (``python -m autograder release DIR``): complete, and free of answers.

One release is built for the whole module, and one fresh virtualenv set up from it with the
README's own command (torch comes from the local wheel pip finds): the checks then run
there, where neither this package, the hidden suites nor the reference exist, and so does
every notebook, top to bottom in a Jupyter kernel, as released and with the reference
answers filled in.
"""

import json
import os
import re
import subprocess
import sys
from importlib import metadata

import pytest
from packaging.utils import canonicalize_name

from autograder import course
from autograder.course import master, secret
from autograder.grade.grading import collect_tests
from autograder.publish.release import STUDENT_PACKAGES, write_release
from conftest import imported_modules

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
    later = [
        line
        for line in _solution_lines("03_forward")
        if line in _public("04_backprop") and not any(line in _public(a) for a in first)
    ]
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
    allowed = {"check.py"} | {
        f"assignments/{a}/tests/{q}.py" for a in course.assignment_names() for q in master.checks(a)
    }
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
    for name in (
        "README.md",
        "requirements.txt",
        "environment.yml",
        ".gitignore",
        "check.py",
        "docs/EXERCISES.md",
    ):
        assert (release / name).is_file(), name
    for assignment in course.assignment_names():
        folder = release / "assignments" / assignment
        assert (folder / f"{assignment}.ipynb").is_file()
        assert sorted(p.stem for p in (folder / "tests").glob("*.py")) == sorted(
            master.checks(assignment)
        )
    assert ".venv/" in (release / ".gitignore").read_text()


def test_release_pins_a_subset_of_the_course_pins(release):
    ours = {}
    for line in (course.REPO_ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line:
            ours[line.split("==")[0].lower().replace("_", "-")] = line.strip()
    theirs = [
        line.split("#")[0].strip()
        for line in (release / "requirements.txt").read_text().splitlines()
    ]
    theirs = [line for line in theirs if line]
    assert all("==" in line for line in theirs)  # every line a pin
    names = {line.split("==")[0].lower().replace("_", "-"): line for line in theirs}
    for name, line in names.items():
        assert ours[name] == line
    for package in STUDENT_PACKAGES:
        assert package in names
    # what only the instructor needs stays out: the grader's test tools and nbgrader
    assert not {"nbgrader", "pytest", "pytest-xdist", "selenium"} & set(names)
    assert "-r requirements.txt" in (release / "environment.yml").read_text()


def _code_sources(release):
    """{where: Python source} of the release's code: each notebook's code cells (IPython
    syntax turned into Python, as the kernel does), check.py and the public checks."""
    from IPython.core.inputtransformer2 import TransformerManager

    sources = {}
    for notebook in sorted(release.glob("assignments/*/*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                where = f"{notebook.relative_to(release)}, cell {cell['id']}"
                sources[where] = TransformerManager().transform_cell("".join(cell["source"]))
    for path in [release / "check.py", *sorted(release.glob("assignments/*/tests/*.py"))]:
        sources[path.relative_to(release).as_posix()] = path.read_text(encoding="utf-8")
    return sources


def test_the_release_requirements_provide_every_module_its_code_imports(release):
    """A module the release's code imports from a package its requirements.txt lacks fails
    on the student's machine only, at that cell (07's sklearn did)."""
    lines = [
        line.split("#")[0].strip()
        for line in (release / "requirements.txt").read_text().splitlines()
    ]
    required = {canonicalize_name(line.split("==")[0]) for line in lines if line}
    providers = metadata.packages_distributions()
    importers = {}
    for where, source in _code_sources(release).items():
        for module in imported_modules(source) - set(sys.stdlib_module_names):
            importers.setdefault(module, []).append(where)
    assert {"numpy", "torch", "sklearn", "otter"} <= set(importers)  # the scan found them
    unprovided = {
        module: {"installed here from": providers.get(module, []), "imported in": where[:3]}
        for module, where in sorted(importers.items())
        if not {canonicalize_name(d) for d in providers.get(module, [])} & required
    }
    assert not unprovided, f"no package in the release's requirements.txt has {unprovided}"


def test_the_release_gitignore_ignores_what_python_jupyter_and_otter_write(release, tmp_path):
    """A student who runs `git init` in the release commits no virtualenv, checkpoint or
    otter log (otter writes .OTTER_LOG next to the notebook), and every released file.
    (The repository's .git is kept outside the release, which later tests use.)"""
    from otter.check.notebook import OTTER_LOG_FILENAME

    env = {**os.environ, "GIT_DIR": str(tmp_path / "git"), "GIT_WORK_TREE": str(release)}
    subprocess.run(["git", "init", "-q"], env=env, check=True)
    folder = "assignments/01_perceptron"
    written = [
        ".venv/bin/python",
        f"{folder}/{OTTER_LOG_FILENAME}",
        f"{folder}/.ipynb_checkpoints/01_perceptron-checkpoint.ipynb",
        f"{folder}/tests/__pycache__/step.cpython-311.pyc",
    ]
    released = [
        p.relative_to(release).as_posix()  # not what later tests write there
        for pattern in ("*", "docs/*", "assignments/*/*.ipynb", "assignments/*/tests/*")
        for p in release.glob(pattern)
        if p.is_file()
    ]

    def ignored(paths):
        done = subprocess.run(
            ["git", "check-ignore", "--stdin"],
            input="\n".join(paths),
            env=env,
            capture_output=True,
            text=True,
            cwd=release,
        )
        assert done.returncode in (0, 1), done.stderr
        return done.stdout.splitlines()

    assert f"{folder}/01_perceptron.ipynb" in released
    missed = sorted(set(written) - set(ignored(written)))
    assert not missed, f"the release's .gitignore does not ignore {missed}"
    assert ignored(released) == [], "the release's .gitignore ignores released files"


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
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    }
    # pip compiles no bytecode: a quarter of its time (profiled), mostly for files never
    # imported. (PIP_COMPILE=0, not PIP_NO_COMPILE=1: pip reads that one as "compile")
    env["PIP_COMPILE"] = "0"
    done = subprocess.run(
        ["bash", "-c", command], cwd=release, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return release / ".venv" / "bin" / "python", env


def _check(student_venv, release, notebook):
    python, env = student_venv
    return subprocess.run(
        [str(python), "check.py", str(notebook)],
        cwd=release,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_student_environment_has_no_grader(student_venv, release):
    python, env = student_venv
    probe = (
        "import importlib.util as u; "
        "print([m for m in ('autograder', 'nbgrader', 'pytest') if u.find_spec(m)])"
    )
    done = subprocess.run(
        [str(python), "-c", probe],
        cwd=release.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_check_command_on_an_untouched_notebook(student_venv, release):
    notebook = release / "assignments" / "01_perceptron" / "01_perceptron.ipynb"
    done = _check(student_venv, release, notebook)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("01_perceptron: public checks pass for 0 of 5 questions")
    for question in master.checks("01_perceptron"):
        assert (
            f"  FAIL  {question}\n        {question} is not implemented yet "
            "(it still raises NotImplementedError)"
        ) in done.stdout
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
    done = subprocess.run(
        [sys.executable, "check.py", str(buggy), "--assignment", "01_perceptron"],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == ours == 1
    assert done.stdout == expected


# Run by the student virtualenv's Python: executes notebooks in Jupyter kernels of that
# environment, one kernel per folder, a few folders at once, the kernel working in the
# folder (as when a student opens a notebook there). A folder's notebooks run one after the
# other in its kernel, each after a %reset -f (its names go, the modules it imported stay:
# a fresh kernel would cost each run 4 s of CPU again, importing torch and otter).
RUN_NOTEBOOKS = """\
import asyncio, json, sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

FRESH = "get_ipython().reset(new_session=False)"  # what %reset -f does
WHICH_PYTHON = "import sys; print(sys.prefix)"


async def run(runs, limit):
    \"\"\"Execute the notebooks of runs ([source, executed copy], one folder) in one kernel.\"\"\"
    async with limit:
        client = NotebookClient(None, timeout=600, allow_errors=True, kernel_name="python3",
                                resources={"metadata": {"path": str(Path(runs[0][0]).parent)}})
        problems = []
        try:
            async with client.async_setup_kernel():
                for source, target in runs:
                    nb = client.nb = nbformat.read(source, as_version=4)
                    nb.cells.insert(0, nbformat.v4.new_code_cell(FRESH, id="fresh"))
                    nb.cells.append(nbformat.v4.new_code_cell(WHICH_PYTHON, id="which-python"))
                    for index, cell in enumerate(nb.cells):
                        await client.async_execute_cell(cell, index)
                    prefix = "".join(o.get("text", "") for o in nb.cells.pop().outputs).strip()
                    if prefix != sys.prefix:
                        problems.append(f"{source} ran in {prefix}, not in {sys.prefix}")
                    nb.cells.pop(0)
                    nbformat.write(nb, target)
        except Exception as error:  # a dead kernel, a cell past its timeout
            problems.append(f"{runs[0][0]}: {type(error).__name__}: {error}")
        return problems


async def main(folders, at_once):
    limit = asyncio.Semaphore(at_once)
    return await asyncio.gather(*(run(runs, limit) for runs in folders))


problems = sum(asyncio.run(main(json.loads(sys.argv[1]), int(sys.argv[2]))), [])
sys.exit("\\n".join(problems) or None)
"""
FOLDERS_AT_ONCE = 3


def _with_reference_answers(notebook, assignment):
    """The released notebook with each exercise cell's stub replaced by the master's answer."""
    answers = {
        master.strip_solutions(c.source): master.remove_markers(c.source)
        for c in master.read_master(assignment)
        if c.role == "exercise"
    }
    filled = 0
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source in answers:
            cell["source"] = answers[source]
            filled += 1
    assert filled == len(answers), f"{assignment}: {filled} of {len(answers)} stubs found"
    return notebook


@pytest.fixture(scope="module")
def executed(student_venv, release, tmp_path_factory):
    """{(assignment, "as released" or "answered"): the notebook executed top to bottom in
    the student virtualenv}: each released notebook, then a copy with the reference answers
    filled in (next to it, as a student's solved notebook is)."""
    python, env = student_venv
    env = {**env, "MPLBACKEND": "Agg"}
    out = tmp_path_factory.mktemp("executed")
    targets, folders, answered = {}, [], []
    for assignment in sorted(course.assignment_names(), reverse=True):  # 07, 06 train: first
        released = release / "assignments" / assignment / f"{assignment}.ipynb"
        filled = released.with_name("answered.ipynb")
        filled.write_text(
            json.dumps(
                _with_reference_answers(
                    json.loads(released.read_text(encoding="utf-8")), assignment
                )
            ),
            encoding="utf-8",
        )
        answered.append(filled)
        runs = {"as released": released, "answered": filled}
        for how in runs:
            targets[assignment, how] = out / f"{assignment}-{how.replace(' ', '-')}.ipynb"
        folders.append(
            [[str(source), str(targets[assignment, how])] for how, source in runs.items()]
        )
    try:
        done = subprocess.run(
            [str(python), "-c", RUN_NOTEBOOKS, json.dumps(folders), str(FOLDERS_AT_ONCE)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        for path in answered:
            path.unlink()
    noise = "Kernel is running over TCP without encryption"  # each kernel says it
    said = [line for line in done.stderr.splitlines() if noise not in line]
    assert done.returncode == 0, done.stdout[-3000:] + "\n".join(said)[-3000:]
    return {key: json.loads(path.read_text(encoding="utf-8")) for key, path in targets.items()}


def _errors(notebook):
    """[(cell id, its first line, error name, error message)] of the cells that raised."""
    return [
        (cell["id"], "".join(cell["source"]).split("\n")[0], out["ename"], out["evalue"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for out in cell["outputs"]
        if out["output_type"] == "error"
    ]


def _check_reports(notebook):
    """{question: what its grader.check("question") cell showed (as text)}, in order."""
    reports = {}
    for cell in notebook["cells"]:
        found = re.fullmatch(r'grader\.check\("(\w+)"\)', "".join(cell["source"]).strip())
        if found:
            reports[found[1]] = "".join(
                "".join(out.get("data", {}).get("text/plain", "")) + "".join(out.get("text", ""))
                for out in cell["outputs"]
            )
    return reports


def test_every_released_notebook_runs_in_the_student_environment_up_to_its_stubs(executed):
    """Top to bottom, untouched, as a student first runs it: only the stubs may fail (a
    missing package, or a cell that needs a name an earlier failure left undefined, would
    stop the student before the first exercise)."""
    wrong = {
        assignment: [
            e for e in _errors(executed[assignment, "as released"]) if e[2] != "NotImplementedError"
        ]
        for assignment in course.assignment_names()
    }
    wrong = {assignment: errors for assignment, errors in wrong.items() if errors}
    assert not wrong, f"cells that fail other than at a stub (cell, line, error): {wrong}"


def test_every_notebook_with_the_reference_answers_runs_and_passes_its_checks(executed):
    """The released notebook with the reference answers filled in: no cell fails, and every
    grader.check(...) cell says that all its public checks pass (otter's own output)."""
    wrong = {}
    for assignment in course.assignment_names():
        notebook = executed[assignment, "answered"]
        reports = _check_reports(notebook)
        assert list(reports) == list(master.checks(assignment)), f"{assignment}: check cells"
        failed = {
            question: report
            for question, report in reports.items()
            if f"{question} results: All test cases passed!" not in report
        }
        errors = _errors(notebook)
        if errors or failed:
            wrong[assignment] = {
                "cells that fail (cell, line, error)": errors,
                "public checks that do not pass": failed,
            }
    assert not wrong, f"with the reference answers filled in: {wrong}"
