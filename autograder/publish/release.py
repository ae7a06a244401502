"""``python -m autograder release DIR``: the repository students receive, without the answers.

This repository holds every reference answer (``solutions/``), the hidden suites
(``autograder/suites/``) and the course secret; it stays private. ``release`` writes a
separate, complete repository for students, the way ``otter assign`` writes ``student/``
beside ``autograder/`` and nbgrader releases ``source/`` into ``release/``:

- ``assignments/NN_name/NN_name.ipynb`` and ``assignments/NN_name/tests/*.py``: the student
  notebooks with their stubs and otter's public checks (exactly what ``build`` writes);
- ``check.py``: ``python check.py NOTEBOOK`` runs the public checks and prints the same
  summary as ``python -m autograder check``, with nothing but the standard library and the
  notebook's own packages (no hidden suite, no reference, not this package);
- ``requirements.txt`` (and ``environment.yml`` for conda): what a student's notebooks need
  (numpy, torch, matplotlib, tqdm, scikit-learn; otter's client for the ``grader.check(...)``
  cells; JupyterLab and a kernel) and everything those need, each pinned to the version in
  this repository's ``constraints.txt``, so students see the numbers the grader sees;
- ``README.md`` for students, ``.gitignore``, and ``docs/EXERCISES.md`` (the contract).

Later assignments give earlier answers as given code (04's helpers include 03's
``mlp_forward``): ``release DIR 01_perceptron 02_activations`` writes only those assignments
(and their parts of the contract), so a course can release each one after the previous one
is due; ``given_away`` says which released assignment repeats whose solution lines.

Everything is generated from the masters and templates here; nothing is copied from
``solutions/``, ``autograder/`` or ``dist/`` (and never ``autograder/course_secret.txt``).
``tests/test_release.py`` scans the release for every solution line and hidden test name.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import course
from autograder.course import master
from autograder.grade.submission import NOT_RUN
from autograder.publish import pins
from autograder.publish.build import build_student_release

if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Sequence

    from _typeshed import StrPath
    from packaging.utils import NormalizedName

# What a student's environment needs, and why (everything else follows from these).
STUDENT_PACKAGES = {
    "numpy": "every assignment",
    "matplotlib": "the lessons' plots",
    "torch": "06_training",
    "tqdm": "06_training's progress bars",
    "scikit-learn": "07_digits's data set (sklearn.datasets.load_digits)",
    "otter-grader": "the grader.check(...) cells in the notebooks (otter's client)",
    "jupyterlab": "to open the notebooks",
    "ipykernel": "the notebooks' Python kernel",
}

GITIGNORE = """\
.venv/
__pycache__/
.ipynb_checkpoints/
*.pyc
.OTTER_LOG
*.zip
*.pdf
"""


def student_requirements() -> list[tuple[NormalizedName, str]]:
    """[(name, "Name==version")]: the student packages and all they need (pins.closure)."""
    return pins.closure(STUDENT_PACKAGES)


def requirements_text() -> str:
    return pins.requirements_text(
        STUDENT_PACKAGES,
        [
            "# Everything the notebooks need, pinned: the grader uses these same versions.",
            "# Set up: see README.md.",
        ],
    )


ENVIRONMENT_YML = """\
# Conda: `conda env create -f environment.yml`, then `conda activate nn-fundamentals`.
# The packages are requirements.txt's (the same pins as pip's set-up).
name: nn-fundamentals
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
      - -r requirements.txt
"""


def check_script(assignments: Iterable[str]) -> str:
    """The release's check.py: this template with the list of questions filled in."""
    questions = {a: list(master.checks(a)) for a in assignments}
    template = (course.PACKAGE_DIR / "publish" / "check_script.py").read_text(encoding="utf-8")
    return template.replace(
        "QUESTIONS: dict[str, list[str]] = {}  # filled in by the release",
        f"QUESTIONS: dict[str, list[str]] = {questions!r}",
    ).replace(
        'NOT_RUN_PATTERN = ""  # filled in by the release', f"NOT_RUN_PATTERN = {NOT_RUN.pattern!r}"
    )


def readme_text(names: Sequence[str]) -> str:
    rows = "\n".join(f"| {n[:2]} | [`{n}`](assignments/{n}/{n}.ipynb) |" for n in names)
    first = names[0]
    return README.format(rows=rows, first=first)


README = """\
# Neural-network fundamentals

Assignments that build a neural network from the ground up. Each is a Jupyter notebook:
read the lesson, replace every `raise NotImplementedError(...)` stub with your code, and
check it as you go.

| # | notebook |
|---|---|
{rows}

What every function must do (names, shapes, semantics) is in
[`docs/EXERCISES.md`](docs/EXERCISES.md).

## Set up (once)

You need Python 3.11 ([python.org](https://www.python.org/downloads/), or conda). In this
folder, one command:

```bash
python3.11 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt
```

On Windows (PowerShell): `py -3.11 -m venv .venv; .venv\\Scripts\\python -m pip install -r requirements.txt`.
With conda: `conda env create -f environment.yml` then `conda activate nn-fundamentals`
(and use `python` wherever this page says `.venv/bin/python`; on Windows without conda,
`.venv\\Scripts\\python`).

It installs numpy, matplotlib, PyTorch (no GPU needed), scikit-learn, JupyterLab and otter's
checks client, at the versions the grader uses.

## Work on an assignment

```bash
.venv/bin/python -m jupyterlab assignments/{first}/{first}.ipynb
```

Run the notebook's first code cell (it loads the checks), then work through it. Under
each exercise a `grader.check("name")` cell runs its public checks.

## Check your work

From this folder, on the saved notebook:

```bash
.venv/bin/python check.py assignments/{first}/{first}.ipynb
```

It runs your notebook's code, then every public check, and prints which questions pass
and, for the others, why. The public checks only catch the first mistakes: your grade
comes from hidden tests that check much more (random inputs, edge cases, numerical
stability, gradients), so test your code beyond them.

## Hand in

Save the notebook and hand in the `.ipynb` file the way your instructor asks (Gradescope,
a course JupyterHub, or a file upload). Keep the function names of the stubs: the grader
calls them by name. Code that only prints or plots is fine; code that runs for minutes
at import time is not (the grader has time limits).
"""  # noqa: E501 (the release's README.md, as released)


def solution_lines(assignment: str, min_length: int = 25) -> list[str]:
    """The lines of the master's solution blocks at least ``min_length`` long, stripped."""
    lines: list[str] = []
    inside = False
    for line in course.master_path(assignment).read_text(encoding="utf-8").splitlines():
        if master.BEGIN.match(line):
            inside = True
        elif master.END.match(line):
            inside = False
        elif inside and len(line.strip()) >= min_length:
            lines.append(line.strip())
    return lines


def public_text(assignment: str) -> str:
    """The master without its solution blocks (their hints kept): what students see."""
    kept: list[str] = []
    inside = False
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


def given_away(assignments: Sequence[str]) -> dict[str, dict[str, int]]:
    """{later assignment: {earlier assignment: number of its solution lines that the later
    one's lesson or given code repeats}} among ``assignments`` (lines an earlier master
    shows itself, such as a hint, do not count)."""
    found: dict[str, dict[str, int]] = {}
    for later in assignments:
        text = public_text(later)
        for earlier in assignments:
            if earlier >= later:
                continue
            own = public_text(earlier)
            count = sum(
                1 for line in set(solution_lines(earlier)) if line in text and line not in own
            )
            if count:
                found.setdefault(later, {})[earlier] = count
    return found


def contract_text(assignments: Container[str]) -> str:
    """docs/EXERCISES.md: its preamble and the sections of ``assignments`` only."""
    text = (course.REPO_ROOT / "docs" / "EXERCISES.md").read_text(encoding="utf-8")
    parts = text.split("\n## ")
    kept = [parts[0]] + [p for p in parts[1:] if p.split()[0] in assignments]
    return "\n## ".join(kept)


def write_release(target: StrPath, assignments: Iterable[str] | None = None) -> list[Path]:
    """Write the student repository of ``assignments`` (default: all) into ``target`` (a new
    or empty folder, or one a previous release wrote); returns the files written."""
    known = course.assignment_names()
    assignments = sorted(assignments or known)
    for name in assignments:
        course.master_path(name)  # an unknown name is an error that lists the known ones
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not (target / "check.py").is_file():
        raise ValueError(
            f"{target} is not empty and not a student release: choose an empty or new folder"
        )
    resolved = target.resolve()
    in_repo = resolved == course.REPO_ROOT or course.REPO_ROOT in resolved.parents
    in_dist = resolved == course.DIST_DIR or course.DIST_DIR in resolved.parents
    if in_repo and not in_dist:
        raise ValueError(
            f"{target} is inside this (private) repository: write the release "
            "outside it, or under dist/"
        )
    for name in ("assignments", "docs"):
        if (target / name).exists():
            shutil.rmtree(target / name)
    target.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        build_student_release(assignment, root=target / "assignments")
    files = {
        "docs/EXERCISES.md": contract_text(assignments),
        "README.md": readme_text(assignments),
        "requirements.txt": requirements_text(),
        "environment.yml": ENVIRONMENT_YML,
        ".gitignore": GITIGNORE,
        "check.py": check_script(assignments),
    }
    for name, text in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, encoding="utf-8")
    return sorted(p for p in target.rglob("*") if p.is_file())
