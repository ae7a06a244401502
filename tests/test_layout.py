"""The trust boundary is visible in the layout: all of ours that a worker loads is
autograder/inside/, and nothing there reaches outside it."""

import ast

from autograder import course
from autograder.student import RemoteStudent

INSIDE = course.PACKAGE_DIR / "inside"


def _imports(path):
    """(level, module) of every import in the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_code_inside_imports_nothing_of_ours_from_outside_it():
    outside = []
    for path in sorted(INSIDE.rglob("*.py")):
        depth = len(path.relative_to(INSIDE).parts) - 1  # 0 for inside/x.py
        for level, module in _imports(path):
            if (level == 0 and module.split(".")[0] == "autograder"
                    and not module.startswith("autograder.inside")):
                outside.append((path.name, module))
            if level > depth + 1:  # a relative import that climbs out of inside/
                outside.append((path.name, "." * level + module))
    assert not outside, outside


def test_a_worker_loads_only_the_inside_package_of_ours():
    student = RemoteStudent(["import sys\n"
                             "ours = sorted(m for m in sys.modules if m.startswith('autograder'))\n"
                             "def loaded():\n    return ours\n"])
    try:
        loaded = student.loaded()
    finally:
        student.close()
    assert "autograder.inside.worker" in loaded or "autograder.inside" in loaded, loaded
    assert all(m == "autograder" or m.startswith("autograder.inside") for m in loaded), loaded
