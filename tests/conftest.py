"""Shared fixtures for the repository's own tests."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def grade_json(path, assignment, *extra, timeout=300):
    """Grade one file through the real command line; the parsed results.json object."""
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(path), "--assignment", assignment,
         "--json", *extra],
        capture_output=True, text=True, timeout=timeout, cwd=REPO,
    )
    assert proc.returncode == 0, f"grader exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


@pytest.fixture
def grade():
    return grade_json
