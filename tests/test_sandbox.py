"""What a killed grader leaves in the temporary directory is removed by the next one."""

import os
import subprocess
import sys
import tempfile
import time

from autograder import sandbox


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _made(folder, name, age, uid=None):
    path = folder / name
    path.mkdir()
    if uid is not None:
        os.chown(path, uid, uid)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_stale_dirs_of_dead_graders_go_and_the_rest_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead, old = _dead_pid(), sandbox.STALE_SECONDS + 60
    gone = [_made(tmp_path, f"autograder-runtime-{dead}-a", old)]
    kept = [
        _made(tmp_path, f"autograder-runtime-{dead}-b", 5),  # too fresh
        _made(tmp_path, f"autograder-scratch-{os.getpid()}-c", old),  # its grader lives
        _made(tmp_path, f"autograder-report-{dead}-d", old),
    ]  # not a kind of ours
    if os.geteuid() == 0:  # a scratch directory the jail gave to its worker's uid
        gone.append(_made(tmp_path, f"autograder-scratch-{dead}-e", old, sandbox.UID_BASE + 7))
        kept.append(_made(tmp_path, f"autograder-scratch-{dead}-f", old, 4242))  # someone's
    sandbox.remove_stale_dirs()
    assert [p for p in gone if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []
