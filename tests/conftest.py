"""Shared fixtures for the repository's own tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


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
