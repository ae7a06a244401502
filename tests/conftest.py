"""Shared fixtures for the repository's own tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# `make test` runs pytest-xdist with `--dist loadgroup --no-loadscope-reorder`: the tests of
# one xdist_group (a module whose tests share an expensive module fixture, an assignment of
# the bug catalog, grade-examples with the otter runs that compare with it) run on one
# worker; every other test goes to whichever worker is free. Work is handed out in the order
# below, longest first (measured), so that no long group starts last while the other workers
# sit idle; the rest follows in collection order.
LONGEST_FIRST = ("group:examples", "group:gradescope", "group:batch", "group:catalog-07_digits",
                 "group:adversarial", "group:catalog-04_backprop", "group:release",
                 "tests/test_nbgrader.py", "group:catalog-03_forward",
                 "group:catalog-02_activations", "group:catalog-06_training",
                 "group:catalog-05_optimizers", "tests/test_digits_grading.py")


def _work_order(item):
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        key = "group:" + (mark.args[0] if mark.args else mark.kwargs["name"])
    else:
        key = item.nodeid.split("::")[0]
    return LONGEST_FIRST.index(key) if key in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items):
    items.sort(key=_work_order)  # stable: collection order within each rank


def cli(*args, timeout=600, env=None):
    """``python -m autograder ARGS...`` from the repository root, output captured; ``env``
    adds to (or overrides) this process's environment.

    The environment is passed explicitly: without one the child execs with the C library's
    ``environ``, which pytest reallocates (PYTEST_CURRENT_TEST) in the main thread while a
    test's worker thread spawns, and exec then fails at random with EFAULT ("Bad address").
    """
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, **(env or {})})


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

    from autograder import build, course

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


def example_results(graded_examples, assignment, example):
    """The results.json of examples/<assignment>/<example> in ``graded_examples``."""
    path = graded_examples[1] / assignment / Path(example).stem / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))
