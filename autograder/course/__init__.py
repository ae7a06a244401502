"""The course: where it lives (the repository's folders, the list of assignments), read here;
its masters (``master``), the lessons' demo cells (``demos``) and the course secret
(``secret``) in this folder."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # autograder/
REPO_ROOT = PACKAGE_DIR.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
ASSIGNMENTS_DIR = REPO_ROOT / "assignments"
SUITES_DIR = PACKAGE_DIR / "suites"
EXAMPLES_DIR = REPO_ROOT / "examples"
DIST_DIR = REPO_ROOT / "dist"


def assignment_names() -> list[str]:
    """Every assignment that has a master in solutions/, in course order."""
    return sorted(p.stem for p in SOLUTIONS_DIR.glob("[0-9][0-9]_*.py"))


def master_path(assignment: str) -> Path:
    path = SOLUTIONS_DIR / f"{assignment}.py"
    if not path.is_file():
        known = ", ".join(assignment_names()) or "none"
        raise ValueError(f"unknown assignment {assignment!r} (known: {known})")
    return path


# The libraries an assignment's contract forbids (EXERCISES.md: nothing in 01-05 may import
# them): its workers refuse to load them (autograder/inside/bans.py).
BANNED_LIBRARIES = ("torch", "scipy", "sklearn", "jax")
NUMPY_ONLY = ("01_perceptron", "02_activations", "03_forward", "04_backprop", "05_optimizers")


def assignment_from_path(path: str | os.PathLike[str]) -> str:
    """The assignment a notebook belongs to, from its file name (``01_perceptron.ipynb``,
    ``01_perceptron-alice.ipynb``) or a folder on its path; ValueError where neither names one."""
    path = Path(path)
    for name in assignment_names():
        if path.stem.startswith(name) or name in path.parts:
            return name
    raise ValueError(
        f"cannot tell the assignment from {path}; pass --assignment NAME "
        f"(one of {', '.join(assignment_names())})"
    )


def banned_imports(assignment: str) -> tuple[str, ...]:
    """The top-level packages a submission of ``assignment`` may not import."""
    return BANNED_LIBRARIES if assignment in NUMPY_ONLY else ()


def suite_path(assignment: str) -> Path:
    return SUITES_DIR / f"test_{assignment}.py"
