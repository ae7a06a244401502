"""Where the course lives: the repository's folders and the list of assignments."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
ASSIGNMENTS_DIR = REPO_ROOT / "assignments"
SUITES_DIR = PACKAGE_DIR / "suites"
EXAMPLES_DIR = REPO_ROOT / "examples"
DIST_DIR = REPO_ROOT / "dist"


def assignment_names():
    """Every assignment that has a master in solutions/, in course order."""
    return sorted(p.stem for p in SOLUTIONS_DIR.glob("[0-9][0-9]_*.py"))


def master_path(assignment):
    path = SOLUTIONS_DIR / f"{assignment}.py"
    if not path.is_file():
        known = ", ".join(assignment_names()) or "none"
        raise ValueError(f"unknown assignment {assignment!r} (known: {known})")
    return path


def suite_path(assignment):
    return SUITES_DIR / f"test_{assignment}.py"
