"""The grading process's runtime folder (the copy of ``autograder.inside`` a worker
imports), the Python paths a worker sees, its environment, and notes for whoever runs
the grader."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import site
import sys
import tempfile
import time
from collections.abc import Iterable

from autograder import course
from autograder.sandbox.limits import UID_BASE

_runtime: dict[str, str] = {}  # "dir": the runtime folder, once made
_notes_shown: set[str] = set()


STALE_SECONDS = 600


def temporary_dir(kind: str) -> str:
    """A new private directory ``autograder-KIND-PID-*`` in the temporary directory."""
    return tempfile.mkdtemp(prefix=f"autograder-{kind}-{os.getpid()}-")


def _ours(info: os.stat_result, kind: str) -> bool:
    """Was this directory made by a grader running as we do? (A scratch directory belongs
    to its worker's uid once the jail gave it away: ``UID_BASE`` and above.)"""
    if info.st_uid == os.geteuid():
        return True
    return kind == "scratch" and os.geteuid() == 0 and info.st_uid >= UID_BASE


def remove_stale_dirs() -> None:
    """Remove what graders that were killed (and so could not clean up) left behind: the
    directories of ``temporary_dir`` whose process is gone, untouched for 10 minutes."""
    folder = tempfile.gettempdir()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if not (
            len(parts) >= 4
            and parts[0] == "autograder"
            and parts[1] in ("runtime", "scratch")
            and parts[2].isdigit()
        ):
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
            if not _ours(info, parts[1]) or time.time() - info.st_mtime < STALE_SECONDS:
                continue
            os.kill(int(parts[2]), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def runtime_dir() -> str:
    """A private copy of the grader modules a worker runs (all of the grader it can see)."""
    if "dir" not in _runtime or not os.path.isdir(os.path.join(_runtime["dir"], "root")):
        remove_stale_dirs()  # (and a new copy where a cleaner of /tmp took ours away)
        base = temporary_dir("runtime")
        atexit.register(_remove_runtime, base, os.getpid())
        package = os.path.join(base, "pkg", "autograder")
        os.makedirs(package)
        with open(os.path.join(package, "__init__.py"), "w") as f:
            f.write('"""Only autograder.inside is here: the worker sees nothing else of ours."""\n')
        shutil.copytree(
            course.PACKAGE_DIR / "inside",
            os.path.join(package, "inside"),
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        os.makedirs(os.path.join(base, "root"))  # where a jail's root is mounted
        for folder, _dirs, files in os.walk(base):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        _runtime["dir"] = base
    return _runtime["dir"]


def _remove_runtime(base: str, creator: int) -> None:
    if os.getpid() == creator:  # not in a forked child that happens to run atexit handlers
        shutil.rmtree(base, ignore_errors=True)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def python_paths() -> list[str]:
    """What the worker's Python needs to see: its installation and import path, never the
    course (the repository) or a temporary directory."""
    repo = str(course.REPO_ROOT)
    prefixes = {
        os.path.normpath(p)
        for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    }
    paths = set(prefixes)
    for entry in [*sys.path, *site.getsitepackages()]:
        if not entry or not os.path.isabs(entry) or not os.path.exists(entry):
            continue
        entry = os.path.normpath(entry)
        if any(_within(entry, p) for p in prefixes):
            continue
        if _within(entry, repo) or _within(repo, entry) or _within(entry, tempfile.gettempdir()):
            continue
        paths.add(entry)
    return sorted(paths)


_package_folders: dict[str, list[str]] = {}


def package_folders(names: Iterable[str]) -> list[str]:
    """The folders of the installed packages ``names``, found without importing them: what a
    worker of an assignment that bans them must not see (the namespaces modes hide them)."""
    folders: list[str] = []
    for name in names:
        if name not in _package_folders:
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            locations = (spec.submodule_search_locations or []) if spec else []
            _package_folders[name] = [os.path.normpath(p) for p in locations]
        folders += _package_folders[name]
    return folders


def worker_environment(scratch: str | os.PathLike[str]) -> dict[str, str]:
    """A clean environment: no secrets of the grader's, one thread per numeric library."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.path.join(runtime_dir(), "pkg"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",  # what it printed before a crash or a timeout is kept
        "PYTHONHASHSEED": "0",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch),
        "TQDM_DISABLE": "1",
    }
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES"):
        if var in os.environ:
            env[var] = os.environ[var]
    return env


def note(text: str) -> None:
    """Tell whoever runs the grader (stderr, once per message), never the JSON on stdout."""
    if text not in _notes_shown:
        _notes_shown.add(text)
        print(f"autograder: note: {text}", file=sys.stderr)
