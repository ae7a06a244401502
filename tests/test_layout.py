"""The trust boundary is visible in the layout: all of ours that a worker loads is
autograder/inside/, and nothing there reaches outside it."""

import ast
import json
import os
import subprocess
import sys

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


# What the trusted side (the grader's own process) may import from inside/, and why: only
# the channel's format. Suites name the probes they run (``student.probe("training.fit_moons",
# ...)``) and run them on the reference in a worker of its own (``reference.probe``).
TRUSTED_MAY_IMPORT = {
    "plain": "encodes and decodes the channel's messages",
}
# inprocess.py is the otter and nbgrader bridge: it runs in the student's own kernel, where
# the suites call the submission through inside/'s calls (their trust model, not ours).
IN_KERNEL = {"inprocess.py": {"calls", "plain"}}


def _inside_modules(path):
    """The modules of inside/ (their first name below it) that the file at ``path`` imports."""
    depth = len(path.relative_to(course.PACKAGE_DIR).parts) - 1  # 0 for autograder/x.py
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == depth + 1:  # relative to the package autograder itself
                base = f"autograder.{base}" if base else "autograder"
            names = [f"{base}.{alias.name}" for alias in node.names]  # a module or a name in it
        else:
            continue
        found |= {name.split(".")[2] for name in names
                  if name.split(".")[:2] == ["autograder", "inside"] and name.count(".") > 1}
    return found


def test_the_trusted_side_imports_only_the_channel_from_inside():
    wrong = {}
    for path in sorted(course.PACKAGE_DIR.rglob("*.py")):
        if INSIDE in path.parents:
            continue
        allowed = set(TRUSTED_MAY_IMPORT) | IN_KERNEL.get(path.name, set())
        used = _inside_modules(path) - allowed
        if used:
            wrong[str(path.relative_to(course.PACKAGE_DIR))] = sorted(used)
    assert not wrong, wrong


def test_grading_runs_no_probe_in_the_grading_process():
    """06 runs a probe for nearly every test, on the submission and on the reference: after
    grading (full marks), the grading process has loaded nothing of inside/ but the channel."""
    code = ("import json, sys\n"
            "from autograder import course, grading\n"
            "result = grading.grade_file(course.master_path('06_training'), '06_training')\n"
            "print(json.dumps([result['score'], result['max_score'],\n"
            "                  sorted(m for m in sys.modules if m.startswith('autograder.inside'))]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, cwd=course.REPO_ROOT, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    score, max_score, loaded = json.loads(proc.stdout.splitlines()[-1])
    assert score == max_score > 0
    assert set(loaded) <= {"autograder.inside", "autograder.inside.plain"}, loaded
