"""Shared fixtures for the repository's own tests."""

import ast
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# `make test` runs pytest-xdist (a worker more than there are cores) with `--dist loadscope
# --no-loadscope-reorder`: the tests of a module (or of a class: each assignment of the bug
# catalog) run on one worker, so that its module fixtures are set up once. (`loadgroup`
# would group by mark, but pytest-xdist 3.8 does not apply its marks under pytest 9.)
# Modules and classes are handed out in the order below, longest first (measured), so that
# no long one starts last while the other workers sit idle; the rest follow in collection
# order.
LONGEST_FIRST = (
    "tests/test_release.py",
    "tests/test_gradescope.py",
    "tests/test_nbgrader.py",
    "tests/test_otter_run.py",
    "tests/test_batch.py",
    "tests/test_adversarial.py",
    "tests/test_grading.py",
    "tests/test_bug_catalog.py::TestCatalog_07_digits",
    "tests/test_bug_catalog.py::TestCatalog_06_training",
    "tests/test_bans.py",
    "tests/test_bug_catalog.py::TestCatalog_04_backprop",
    "tests/test_bug_catalog.py::TestCatalog_05_optimizers",
    "tests/test_bug_catalog.py::TestCatalog_02_activations",
    "tests/test_channel_fuzz.py",
    "tests/test_digits_grading.py",
)


def _work_order(item):
    scope = item.nodeid.rsplit("::", 1)[0]  # pytest-xdist's loadscope unit
    return LONGEST_FIRST.index(scope) if scope in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items):
    items.sort(key=_work_order)  # stable: collection order within each rank


def cli(*args, timeout=600, env=None):
    """``python -m autograder ARGS...`` from the repository root, output captured; ``env``
    adds to (or overrides) this process's environment.

    The environment is passed explicitly: without one the child execs with the C library's
    ``environ``, which pytest reallocates (PYTEST_CURRENT_TEST) in the main thread while a
    test's worker thread spawns, and exec then fails at random with EFAULT ("Bad address").
    """
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def grade_json(path, assignment, *extra, timeout=300):
    """Grade one file through the real command line; the parsed results.json object."""
    proc = cli("grade", path, "--assignment", assignment, "--json", *extra, timeout=timeout)
    assert proc.returncode == 0, f"grader exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


@pytest.fixture
def grade():
    return grade_json


@pytest.fixture(scope="session")
def built_course(testrun_uid):
    """dist/ built from the current masters, once per test run, even when several pytest-xdist
    workers ask for it at once (the first builds under a lock; the others find its stamp)."""
    import fcntl

    from autograder import course
    from autograder.publish import build

    course.DIST_DIR.mkdir(exist_ok=True)
    stamp = course.DIST_DIR / ".built-for-test-run"
    with open(course.DIST_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != testrun_uid:
            build.build_all(release=False)  # assignments/ is committed: test_build checks it
            stamp.write_text(testrun_uid)


@pytest.fixture(scope="session")
def graded_examples(built_course, testrun_uid, tmp_path_factory):
    """``grade-examples --output DIR``, run once per test run for every pytest-xdist worker
    (the first runs it under a lock; the others read what it left): (its stdout, DIR), with
    DIR/<assignment>/<example>/results.json, which is what ``grade --json`` prints for that
    file (tests/test_batch.py checks this). Tests that compare another path's scores with
    ours on the examples read them here instead of grading each example again."""
    import fcntl

    root = tmp_path_factory.getbasetemp().parent / f"graded-examples-{testrun_uid}"
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stdout = root / "stdout.txt"
        if not stdout.exists():
            proc = cli("grade-examples", "--output", root / "graded", timeout=1200)
            assert proc.returncode == 0, proc.stderr[-3000:]
            stdout.write_text(proc.stdout, encoding="utf-8")
    return stdout.read_text(encoding="utf-8"), root / "graded"


def with_last_cell(source, target, line):
    """A copy of the notebook ``source`` at ``target``, with a last code cell ``line``."""
    import nbformat

    notebook = nbformat.read(source, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(line))
    nbformat.write(notebook, target)
    return target


def imported_modules(source):
    """The top-level modules ``source`` imports (absolute imports only, deferred ones too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def results_of(output):
    """{submission id: results.json} of a batch's ``--output`` folder."""
    return {
        p.parent.name: json.loads(p.read_text(encoding="utf-8"))
        for p in Path(output).glob("*/results.json")
    }


def example_results(graded_examples, assignment, example):
    """The results.json of examples/<assignment>/<example> in ``graded_examples``."""
    path = graded_examples[1] / assignment / Path(example).stem / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))


# A number as Python or numpy prints it: 1, -0.5, 1.2434047471161989, 3e-05, 1.5E+10
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _differences(ours, theirs, where, rel):
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if ours.keys() != theirs.keys():
            return [f"{where}: keys {sorted(ours)} != {sorted(theirs)}"]
        return [
            d for key in ours for d in _differences(ours[key], theirs[key], f"{where}.{key}", rel)
        ]
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{where}: {len(ours)} items != {len(theirs)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs))
            for d in _differences(a, b, f"{where}[{i}]", rel)
        ]
    if isinstance(ours, str) and isinstance(theirs, str):
        words_a, words_b = NUMBER.split(ours), NUMBER.split(theirs)
        numbers_a, numbers_b = NUMBER.findall(ours), NUMBER.findall(theirs)
        if (
            words_a != words_b
            or len(numbers_a) != len(numbers_b)
            or not all(
                math.isclose(float(a), float(b), rel_tol=rel, abs_tol=rel)
                for a, b in zip(numbers_a, numbers_b)
            )
        ):
            return [f"{where}: {ours!r} != {theirs!r}"]
        return []
    return (
        []
        if ours == theirs and type(ours) is type(theirs)
        else [f"{where}: {ours!r} != {theirs!r}"]
    )


def assert_same_results(ours, theirs, rel=1e-9):
    """Two results.json objects from two environments agree: the same tests, scores and
    messages, where a number quoted in a message may differ in its last digits.

    The same float computed in another process environment can differ by an ulp: OpenBLAS
    picks its kernel by the CPU and by OPENBLAS_CORETYPE, which a Gradescope image's shell
    does not set (1.2434047471161989 against ...984 was seen, for some course secrets only,
    which are drawn per clone). Scores are compared exactly: a pass near a tolerance's edge
    would be a real disagreement worth seeing."""
    differences = _differences(ours, theirs, "results", rel)
    assert not differences, "\n".join(differences[:10])


# The end of a hostile cell that takes the worker over: it speaks the channel's protocol on
# the worker's socket with an agent of its own, ``_answer(request) -> reply`` (defined before
# this), and never returns.
FAKE_AGENT = r"""
import os, socket, sys
from autograder.inside import plain

_sock = socket.socket(fileno=os.dup(int(sys.argv[-1])))
plain.send_frame(_sock, plain.encode({"loaded": True, "errors": [], "tampered": "", "seq": 1}))
while True:
    _frame = plain.recv_frame(_sock)
    if _frame is None:
        os._exit(0)
    _request = plain.decode(_frame)
    plain.send_frame(_sock, plain.encode({**_answer(_request), "seq": _request["seq"]}))
"""
