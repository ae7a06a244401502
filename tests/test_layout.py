"""The layout shows the pipeline and the trust boundary: folders by stage, no import cycle,
grading one file loads nothing of batch/ or report/, modules short enough to read, imports at
the top unless a comment says why not; all of ours that a worker loads is autograder/inside/,
and nothing there reaches outside it."""

import ast
import json
import os
import subprocess
import sys

from autograder import course
from autograder.grade.student import RemoteStudent

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
            if (
                level == 0
                and module.split(".")[0] == "autograder"
                and not module.startswith("autograder.inside")
            ):
                outside.append((path.name, module))
            if level > depth + 1:  # a relative import that climbs out of inside/
                outside.append((path.name, "." * level + module))
    assert not outside, outside


def test_a_worker_loads_only_the_inside_package_of_ours():
    student = RemoteStudent(
        [
            "import sys\n"
            "ours = sorted(m for m in sys.modules if m.startswith('autograder'))\n"
            "def loaded():\n    return ours\n"
        ]
    )
    try:
        loaded = student.loaded()
    finally:
        student.close()
    assert "autograder.inside.agent" in loaded or "autograder.inside" in loaded, loaded
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
        found |= {
            name.split(".")[2]
            for name in names
            if name.split(".")[:2] == ["autograder", "inside"] and name.count(".") > 1
        }
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
    code = (
        "import json, sys\n"
        "from autograder import course\nfrom autograder.grade import grading\n"
        "result = grading.grade_file(course.master_path('06_training'), '06_training')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('autograder.inside'))\n"
        "print(json.dumps([result['score'], result['max_score'], loaded]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=course.REPO_ROOT,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    score, max_score, loaded = json.loads(proc.stdout.splitlines()[-1])
    assert score == max_score > 0
    assert set(loaded) <= {"autograder.inside", "autograder.inside.plain"}, loaded


# ---- the pipeline's layout ------------------------------------------------------------------

STAGES = ("course", "publish", "grade", "sandbox", "inside", "batch", "report", "suites")
MAX_LINES = 500
# Longer on purpose: the hidden suites (one test file per assignment, many small tests), and
# the jail, which runs as a stand-alone script (``python -I -S jail.py``) and so can import
# nothing of ours from beside it.
LONG_ON_PURPOSE = {"inside/launcher/jail.py"}


def _package_modules():
    """{dotted module name: path} of every module of the package, the suites left out."""
    found = {}
    for path in sorted(course.PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(course.PACKAGE_DIR.parent).with_suffix("").parts
        if "suites" in parts:
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported_modules(name, path, modules):
    """The package's modules that ``name`` imports (anywhere in it), as dotted names."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for level, module in _imports(path):
        if level:
            base = package.split(".")[: len(package.split(".")) - level + 1]
            module = ".".join(base + ([module] if module else []))
        if module in modules:
            found.add(module)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
            found |= {f"{node.module}.{a.name}" for a in node.names} & set(modules)
    # a package's own __init__ runs first whenever one of its modules is imported: not an edge
    return {m for m in found if not name.startswith(m + ".")} - {name}


def test_the_package_has_no_import_cycle():
    modules = _package_modules()
    graph = {name: _imported_modules(name, path, modules) for name, path in modules.items()}
    state, cycles = {}, []

    def visit(name, stack):
        state[name] = "open"
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                cycles.append(stack[stack.index(other) :] + [other])
            elif other not in state:
                visit(other, stack + [other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_stage_is_a_folder_that_says_what_it_is():
    for stage in STAGES[:-1]:
        init = course.PACKAGE_DIR / stage / "__init__.py"
        assert init.is_file(), f"autograder/{stage}/ is not a package"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), (
            f"autograder/{stage}/__init__.py says nothing of what the stage does"
        )
    flat = sorted(p.name for p in course.PACKAGE_DIR.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "cli.py", "safe_text.py"], flat


def test_no_module_is_longer_than_a_newcomer_can_read_in_one_sitting():
    long = {}
    for path in _package_modules().values():
        relative = path.relative_to(course.PACKAGE_DIR).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and relative not in LONG_ON_PURPOSE:
            long[relative] = lines
    assert not long, f"over {MAX_LINES} lines (two jobs in one module: split it): {long}"


def test_imports_are_at_the_top_unless_a_comment_says_why():
    """An import inside a function is deferred on purpose (start-up cost, a command's own
    stage): its line says so, "# deferred: why"."""
    unexplained = []
    for path in _package_modules().values():
        text = path.read_text(encoding="utf-8")
        tree, lines = ast.parse(text), text.splitlines()
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if (
                isinstance(node, (ast.Import, ast.ImportFrom))
                and id(node) not in top
                and "deferred" not in lines[node.end_lineno - 1]
                and not isinstance(_parent_of(tree, node), (ast.Try, ast.If))
            ):
                unexplained.append(f"{path.relative_to(course.PACKAGE_DIR)}:{node.lineno}")
    assert not unexplained, unexplained


def _parent_of(tree, child):
    """The node whose body holds ``child`` (module-level ``try``/``if`` imports are top-level)."""
    for node in ast.walk(tree):
        if child in getattr(node, "body", []) and node in tree.body:
            return node
    return None


def test_grading_one_file_loads_nothing_of_batch_or_report():
    """`grade FILE --json` (Gradescope's path) and `grade FILE`: one submission needs none of
    the class stages."""
    notebook = course.EXAMPLES_DIR / "01_perceptron" / "correct.ipynb"
    code = (
        "import contextlib, io, json, sys\n"
        "from autograder import cli\n"
        "for extra in (['--json'], []):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        status = cli.main(['grade', sys.argv[1], '--assignment', '01_perceptron',"
        " *extra])\n"
        "    assert status == 0, status\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.startswith(('autograder.batch', 'autograder.report')))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(notebook)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=course.REPO_ROOT,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == []
