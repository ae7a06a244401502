"""Start, limit, talk to and kill the worker process that runs a submission.

Each worker is started through ``autograder.inside.jail`` (read its docstring for the isolation:
PID, network and mount namespaces, a uid of its own, and the fallbacks where Linux or a
container forbids them), with resource limits, a clean environment, stdin closed, and a
scratch directory holding only the submission as its working directory. What it prints is
captured with a size cap, never passed through. The worker imports only a copy of the few
grader modules it needs (``autograder.inside``), made once per grading process.

Two ways to start a worker (``Limits.worker_start``, default from ``AUTOGRADER_WORKER_START``):

``template`` (the default) a fork of a template process that has already imported numpy,
    matplotlib and, for a submission that imports it, torch (``autograder.inside.template``): tens of
    milliseconds instead of a fresh interpreter's imports. The template is started lazily, once
    per kind and grading process (``start_templates`` starts it ahead, for example in a batch
    process before it forks the grading processes, which then share it), and stopped at exit.
    Each worker is a fresh fork of the pristine template, never reused. Where the template
    cannot serve (isolation ``none``, or it failed to start), the exec path is used.
``exec``  ``python -I -S jail.py`` for every worker, which execs ``python -m autograder.inside.worker``.
"""

import ast
import atexit
import errno
import json
import os
import select
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from . import course
from .inside import plain
from .inside.plain import HEADER
from .safe_text import printable  # noqa: F401 - moved to safe_text; still importable from here


# The jail's policy (``autograder/inside/jail.py`` carries it out, from the launcher's config):
MODES = ("namespaces", "userns", "uid", "none")  # strongest first: the order ``auto`` tries
# The modes a worker forked from the template (autograder.inside.template) may run in: where
# the worker runs as the template's own uid without a PID namespace ("none"), it could signal
# or ptrace the template and so reach the students after it; there the launcher is exec'd.
FORK_MODES = ("namespaces", "userns", "uid")
UID_BASE = 1_000_000_000  # + the launcher's pid: a uid no other process uses
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
JAIL_SCRIPT = course.PACKAGE_DIR / "inside" / "jail.py"  # run as a script, never imported here


def scratch_mb(limits):
    """Size of the worker's writable scratch directory (a tmpfs, in the namespaces modes)."""
    return max(64, 4 * limits.file_size_mb)


def jail_settings(limits):
    """The jail's policy for a worker with these limits, as the launcher's config holds it."""
    return {"modes": MODES, "fork_modes": FORK_MODES, "uid_base": UID_BASE,
            "system_dirs": SYSTEM_DIRS, "scratch_mb": scratch_mb(limits)}


def _default_isolation():
    return os.environ.get("AUTOGRADER_ISOLATION", "auto")


def _default_worker_start():
    return os.environ.get("AUTOGRADER_WORKER_START", "template")


@dataclass
class Limits:
    """Resource limits for one worker; each has a command-line option."""

    memory_mb: int = 4096  # address space of a process; all processes together too (cgroup)
    cpu_seconds: int = 300  # CPU time over the worker's life
    processes: int = 64  # processes/threads for the worker's user
    file_size_mb: int = 64  # largest file the worker may write
    load_timeout: float = 60.0  # wall time to run the submission's cells
    call_timeout: float = 10.0  # wall time for one call into student code
    budget: float = 300.0  # wall time for all of one submission's code (autograder.student)
    output_bytes: int = 64 * 1024  # captured output kept per stream
    isolation: str = field(default_factory=_default_isolation)  # see autograder.inside.jail
    worker_start: str = field(default_factory=_default_worker_start)  # "template" or "exec"


class WorkerLost(Exception):
    """The worker died, hung or broke the protocol; the message says how, for a student."""


class SandboxError(RuntimeError):
    """The sandbox itself could not be started: a problem of the grading machine."""


_runtime = {}
_notes_shown = set()


STALE_SECONDS = 600


def temporary_dir(kind):
    """A new private directory ``autograder-KIND-PID-*`` in the temporary directory."""
    return tempfile.mkdtemp(prefix=f"autograder-{kind}-{os.getpid()}-")


def _ours(info, kind):
    """Was this directory made by a grader running as we do? (A scratch directory belongs
    to its worker's uid once the jail gave it away: ``UID_BASE`` and above.)"""
    if info.st_uid == os.geteuid():
        return True
    return kind == "scratch" and os.geteuid() == 0 and info.st_uid >= UID_BASE


def remove_stale_dirs():
    """Remove what graders that were killed (and so could not clean up) left behind: the
    directories of ``temporary_dir`` whose process is gone, untouched for 10 minutes."""
    folder = tempfile.gettempdir()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if not (len(parts) >= 4 and parts[0] == "autograder" and parts[1] in ("runtime", "scratch")
                and parts[2].isdigit()):
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


def runtime_dir():
    """A private copy of the grader modules a worker runs (all of the grader it can see)."""
    if "dir" not in _runtime or not os.path.isdir(os.path.join(_runtime["dir"], "root")):
        remove_stale_dirs()  # (and a new copy where a cleaner of /tmp took ours away)
        base = temporary_dir("runtime")
        atexit.register(_remove_runtime, base, os.getpid())
        package = os.path.join(base, "pkg", "autograder")
        os.makedirs(package)
        with open(os.path.join(package, "__init__.py"), "w") as f:
            f.write('"""Only autograder.inside is here: the worker sees nothing else of ours."""\n')
        shutil.copytree(course.PACKAGE_DIR / "inside", os.path.join(package, "inside"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        os.makedirs(os.path.join(base, "root"))  # where a jail's root is mounted
        for folder, dirs, files in os.walk(base):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        _runtime["dir"] = base
    return _runtime["dir"]


def _remove_runtime(base, creator):
    if os.getpid() == creator:  # not in a forked child that happens to run atexit handlers
        shutil.rmtree(base, ignore_errors=True)


def _within(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def python_paths():
    """What the worker's Python needs to see: its installation and import path, never the
    course (the repository) or a temporary directory."""
    repo = str(course.REPO_ROOT)
    prefixes = {os.path.normpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                              sys.base_exec_prefix)}
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


_package_folders = {}


def package_folders(names):
    """The folders of the installed packages ``names``, found without importing them: what a
    worker of an assignment that bans them must not see (the namespaces modes hide them)."""
    import importlib.util
    folders = []
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


def worker_environment(scratch):
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


class _Capture(threading.Thread):
    """Drains one output pipe, keeping at most ``cap`` bytes."""

    def __init__(self, pipe, cap):
        super().__init__(daemon=True)
        self.pipe, self.cap, self.kept, self.dropped = pipe, cap, bytearray(), 0
        self.start()

    def run(self):
        try:
            while chunk := self.pipe.read1(65536):
                room = max(self.cap - len(self.kept), 0)
                self.kept += chunk[:room]
                self.dropped += len(chunk) - len(chunk[:room])
        except (OSError, ValueError):
            pass

    def text(self):
        text = self.kept.decode("utf-8", errors="backslashreplace")
        if self.dropped:
            text += f"\n... ({self.dropped} more bytes not shown)"
        return text


def describe_exit(returncode, limits):
    """A student-readable sentence for how a worker process ended."""
    if returncode is None:
        return "stopped answering"
    if returncode >= 0:
        return f"exited with status {returncode} (something called sys.exit or os._exit)"
    sig = -returncode
    if sig == signal.SIGXCPU:
        return f"used more than {limits.cpu_seconds} s of CPU time"
    if sig == signal.SIGXFSZ:
        return f"wrote a file larger than {limits.file_size_mb} MB"
    if sig == signal.SIGSEGV:
        return "crashed with a segmentation fault"
    if sig == signal.SIGKILL:
        return (f"was killed (out of memory: it may use {limits.memory_mb} MB; or it killed "
                "itself)")
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    return f"was killed by {name}"


def describe_limit(info, limits):
    """The limit an error from student code reveals (MemoryError...), in words, or None."""
    names = {str(n) for n in info.get("mro", [])} | {str(info.get("type", ""))}
    message = str(info.get("message", ""))
    if "MemoryError" in names or (
            "RuntimeError" in names and ("can't allocate memory" in message
                                         or "out of memory" in message.lower())):
        return f"used more than {limits.memory_mb} MB of memory"
    if "OSError" in names and message.startswith(f"[Errno {errno.EFBIG}]"):
        return f"wrote a file larger than {limits.file_size_mb} MB"
    if "OSError" in names and message.startswith(f"[Errno {errno.ENOSPC}]"):
        scratch = scratch_mb(limits)
        return f"wrote more than the {scratch} MB of files it may write"
    if "BlockingIOError" in names and message.startswith(f"[Errno {errno.EAGAIN}]"):
        return f"tried to run more than {limits.processes} processes or threads"
    return None


def _note(text):
    """Tell whoever runs the grader (stderr, once per message), never the JSON on stdout."""
    if text not in _notes_shown:
        _notes_shown.add(text)
        print(f"autograder: note: {text}", file=sys.stderr)


# ---- the template (autograder.inside.template) ----------------------------------------------------

TEMPLATE_START_TIMEOUT = 180.0  # seconds for a template to import what it preloads
TEMPLATE_SEND_TIMEOUT = 30.0
MAX_TEMPLATE_STARTS = 3  # per kind and process: then the exec path only

_templates = {}  # kind -> _Template
_template_starts = {}  # kind -> number of starts tried in this process
_template_lock = threading.Lock()


class TemplateUnavailable(Exception):
    """The template could not start a worker (not the submission's fault): use the exec path."""


def _reset_template_lock():
    global _template_lock
    _template_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_template_lock)

_torch_installed = []


def template_kind(cells, banned=()):
    """``torch`` where the submission's code imports torch (and torch is installed, and not
    ``banned``), else ``basic``: a worker holds torch only when its submission imports it, and
    never where torch is banned, so that importing it is a real import that the worker's
    audit hook refuses (autograder/inside/bans.py)."""
    if "torch" in banned:
        return "basic"
    if not _torch_installed:
        import importlib.util
        _torch_installed.append(importlib.util.find_spec("torch") is not None)
    if not _torch_installed[0]:
        return "basic"
    for cell in cells:
        try:
            tree = ast.parse(cell)
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            if any(name.split(".")[0] == "torch" for name in names):
                return "torch"
    return "basic"


class _Template:
    """A template process and our end of its control socket. Made by ``_template_for`` (the
    process starts at once); ``ready()`` waits for its hello."""

    def __init__(self, kind):
        runtime = runtime_dir()
        home = os.path.join(runtime, f"template-{kind}")
        os.makedirs(home, mode=0o700, exist_ok=True)
        pkg = os.path.join(runtime, "pkg")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = {"control_fd": theirs.fileno(), "kind": kind, "runtime": pkg,
                  "visible": [*python_paths(), pkg, *SYSTEM_DIRS],
                  "jail": jail_settings(Limits())}
        self.kind, self.sock, self.owner, self.info = kind, ours, os.getpid(), None
        self.problem, self.unsuitable, self.runtime = None, False, runtime
        self._lock = threading.Lock()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "autograder.inside.worker", "--template", json.dumps(config)],
                cwd=home, env=worker_environment(home), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()], start_new_session=True)
        except OSError as exc:
            ours.close()
            raise TemplateUnavailable(f"the {kind} template could not be started: {exc}") from None
        finally:
            theirs.close()

    def ready(self):
        """Wait for the template's hello (once); raises TemplateUnavailable if it failed."""
        with self._lock:
            if self.info is None and self.problem is None:
                self.sock.settimeout(TEMPLATE_START_TIMEOUT)
                try:
                    hello = json.loads(self.sock.recv(1 << 20) or b"{}")
                except (OSError, ValueError) as exc:
                    hello = {"error": f"no answer ({exc})"}
                if isinstance(hello, dict) and hello and "error" not in hello:
                    self.sock.settimeout(TEMPLATE_SEND_TIMEOUT)
                    self.info = hello
                    if hello.get("outside"):
                        _note(f"the {self.kind} template preloaded modules that the worker's "
                              f"jail does not show: {', '.join(hello['outside'][:10])}")
                else:
                    problem = hello.get("error") if isinstance(hello, dict) else None
                    self.problem = (f"the {self.kind} template did not start: "
                                    f"{problem or 'it exited before it was ready'}")
                    self.unsuitable = isinstance(hello, dict) and bool(hello.get("unsuitable"))
                    self.stop()
        if self.problem:
            raise TemplateUnavailable(self.problem)
        return self

    def serves(self, isolation):
        """Can workers with this isolation come from the template? (FORK_MODES)"""
        if isolation == "auto":
            return self.info.get("mode") in FORK_MODES
        return isolation in FORK_MODES

    def start_worker(self, config, env, sock_fd, status_w):
        """Ask the template for a worker; a Popen-like _Forked for its launcher."""
        exit_r, exit_w = os.pipe()
        life_r, life_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        request = json.dumps({"config": config, "env": env}).encode()
        try:
            socket.send_fds(self.sock, [request], [sock_fd, status_w, out_w, err_w, exit_w,
                                                   life_r])
        except OSError as exc:
            for fd in (exit_r, life_w, out_r, err_r):
                os.close(fd)
            raise TemplateUnavailable(f"the {self.kind} template is gone ({exc})") from None
        finally:
            for fd in (exit_w, life_r, out_w, err_w):
                os.close(fd)
        return _Forked(exit_r, out_r, err_r, life_w)

    def stop(self):
        """Close our end (the template exits once every holder has); the process that started
        it also waits for it, and kills it if it lingers."""
        self.sock.close()
        if os.getpid() == self.owner:
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _spawn_template(kind):
    """The template of ``kind``, started now if there is none (without waiting for it), or
    None where starting it failed too often."""
    runtime = runtime_dir()
    with _template_lock:
        template = _templates.get(kind)
        if template is not None and template.runtime != runtime:
            # the runtime copy it imported from was removed (a cleaner of /tmp) and made anew:
            # its workers could not import the grader modules it has not loaded yet
            del _templates[kind]
            template.sock.close()
            template = None
        if template is None:
            if _template_starts.get(kind, 0) >= MAX_TEMPLATE_STARTS:
                return None
            _template_starts[kind] = _template_starts.get(kind, 0) + 1
            try:
                template = _templates[kind] = _Template(kind)
            except TemplateUnavailable as exc:
                _note(f"{exc}; workers start the slower way (a fresh interpreter each)")
                return None
            if sum(_template_starts.values()) == 1:
                atexit.register(stop_templates)
    return template


def _ready_template(template):
    try:
        return template.ready()
    except TemplateUnavailable as exc:
        with _template_lock:
            if _templates.get(template.kind) is template:
                del _templates[template.kind]
            if template.unsuitable:  # isolation none only, here: the exec path, silently
                for kind in ("basic", "torch"):
                    _template_starts[kind] = MAX_TEMPLATE_STARTS
        if not template.unsuitable:
            _note(f"{exc}; workers start the slower way (a fresh interpreter each)")
        return None


def uses_templates(limits):
    """Do workers with these limits come from a template (else: the exec path)?"""
    return limits.worker_start == "template" and limits.isolation in ("auto", *FORK_MODES)


def _template_for(cells, limits, banned=()):
    """The template to fork this worker from, or None for the exec path."""
    if not uses_templates(limits):
        return None
    template = _spawn_template(template_kind(cells, banned))
    if template is None or _ready_template(template) is None:
        return None
    return template if template.serves(limits.isolation) else None


def _drop_template(template, reason):
    with _template_lock:
        if _templates.get(template.kind) is template:
            del _templates[template.kind]
    _note(f"{reason}; the next worker starts a new template")
    try:
        template.stop()
    except OSError:
        pass


def start_templates(kinds=None, banned=()):
    """Start the templates now rather than at the first worker, all at once (``basic``, and
    ``torch`` where it is installed and not ``banned``, by default): a batch process calls
    this before forking its grading processes, which then share them. Returns {kind: the
    template's hello, or {"error": ...}}."""
    if kinds is None:
        torch = template_kind(["import torch"], banned) == "torch"
        kinds = ["basic"] + (["torch"] if torch else [])
    spawned = {kind: _spawn_template(kind) for kind in kinds}
    found = {}
    for kind, template in spawned.items():
        ready = template and _ready_template(template)
        found[kind] = dict(ready.info) if ready else {"error": "not available (see the notes)"}
    return found


def stop_templates():
    """Stop the templates this process holds (at exit; a forked process only lets go)."""
    with _template_lock:
        templates = list(_templates.values())
        _templates.clear()
    for template in templates:
        try:
            template.stop()
        except OSError:
            pass


class _Forked:
    """The launcher a template forked for one worker, as much of a Popen as Worker uses. It
    is the template's child, not ours: its end comes as the worker's wait status on an exit
    pipe (EOF without one: it was killed), and closing the lifeline makes it kill the worker
    and everything the submission started."""

    def __init__(self, exit_r, stdout_r, stderr_r, lifeline_w):
        self.pid = None  # the launcher's, from its report (its process group too)
        self.returncode = None
        self.stdout = os.fdopen(stdout_r, "rb")
        self.stderr = os.fdopen(stderr_r, "rb")
        self._exit, self._lifeline, self._data = exit_r, lifeline_w, b""

    def poll(self):
        return self._wait(0)

    def wait(self, timeout=None):
        if self._wait(timeout) is None:
            raise subprocess.TimeoutExpired("the worker's launcher", timeout)
        return self.returncode

    def _wait(self, timeout):
        if self.returncode is not None or self._exit is None:
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        poller = select.poll()
        poller.register(self._exit, select.POLLIN)
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic()) * 1000
            if not poller.poll(left):
                return None
            chunk = os.read(self._exit, 64)
            if chunk:
                self._data += chunk
                continue
            try:
                status = int(self._data)
                self.returncode = os.waitstatus_to_exitcode(status)
            except ValueError:
                self.returncode = -signal.SIGKILL  # the launcher itself was killed
            os.close(self._exit)
            self._exit = None
            return self.returncode

    def stop(self):
        """Tell the launcher to kill the worker and everything left (close the lifeline)."""
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None

    def release(self):
        self.stop()
        if self._exit is not None and self.returncode is not None:
            os.close(self._exit)
            self._exit = None


class Worker:
    """One sandboxed process running one submission."""

    def __init__(self, cells, scratch, limits, banned=(), assignment=""):
        """``banned``: packages the worker refuses to load (``course.banned_imports``)."""
        self.limits, self.banned = limits, tuple(banned)
        self.seq = 0
        self.info = {}
        cells = list(cells)
        template = _template_for(cells, limits, banned)
        if template is not None:
            try:
                self._start(scratch, limits, template)
            except TemplateUnavailable as exc:
                _drop_template(template, str(exc))
                template = None
        if template is None:
            self._start(scratch, limits, None)
        self.load_errors = []
        # where the jail could not hide the banned packages' files from every program the
        # worker may start, the worker may start none (autograder/inside/bans.py)
        hidden = self.info.get("mode") in ("namespaces", "userns")
        started = time.monotonic()  # the submission's own time: running its cells
        reply = self._exchange({"cells": cells, "banned": list(banned), "assignment": assignment,
                                "programs": hidden or not banned}, limits.load_timeout,
                               "running the submission")
        self.load_seconds = time.monotonic() - started
        if not (isinstance(reply, dict) and reply.get("loaded") is True):
            self.kill()
            raise WorkerLost("the submission's process sent a malformed reply while loading")
        errors = reply.get("errors")
        self.load_errors = ([e for e in errors if isinstance(e, dict)]
                            if isinstance(errors, list) else [])
        self.tampered = str(reply.get("tampered") or "")

    def _start(self, scratch, limits, template):
        """Start the launcher (exec path) or ask the template for a worker, and read the
        launcher's report; raises TemplateUnavailable where the template could not serve."""
        self.info = {}
        parent_sock, child_sock = socket.socketpair()
        status_r, status_w = os.pipe()
        runtime = runtime_dir()
        config = {
            "argv": [sys.executable, "-m", "autograder.inside.worker", str(child_sock.fileno())],
            "scratch": str(scratch),
            "sock_fd": child_sock.fileno(),
            "status_fd": status_w,
            "limits": {"memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds,
                       "processes": limits.processes, "file_size_mb": limits.file_size_mb},
            "isolation": limits.isolation,
            "python_paths": python_paths(),
            "runtime": os.path.join(runtime, "pkg"),
            "jail_root": os.path.join(runtime, "root"),
            "hide": [str(course.REPO_ROOT)],
            "hide_packages": package_folders(self.banned),
            "grader_pid": os.getpid(),
            "jail": jail_settings(limits),
        }
        try:
            if template is not None:
                self.proc = template.start_worker(config, worker_environment(scratch),
                                                  child_sock.fileno(), status_w)
            else:
                self.proc = subprocess.Popen(
                    [sys.executable, "-I", "-S",
                     os.path.join(runtime, "pkg", "autograder", "inside", "jail.py"), json.dumps(config)],
                    cwd=scratch,
                    env=worker_environment(scratch),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    pass_fds=[child_sock.fileno(), status_w],
                    start_new_session=True,
                )
        except BaseException:
            parent_sock.close()
            os.close(status_r)
            raise
        finally:
            child_sock.close()
            os.close(status_w)
        self.sock = parent_sock
        self.stdout = _Capture(self.proc.stdout, limits.output_bytes)
        self.stderr = _Capture(self.proc.stderr, limits.output_bytes)
        self._read_status(status_r, template)

    def _read_status(self, fd, template=None):
        """What the launcher reports before the worker starts: mode, pids, notes, errors."""
        data, deadline = b"", time.monotonic() + max(30.0, self.limits.load_timeout)
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        try:
            while True:
                left = deadline - time.monotonic()
                chunk = os.read(fd, 65536) if left > 0 and poller.poll(left * 1000) else None
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(fd)
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                notes = self.info.get("notes", [])
                notes = notes + [n for n in item.get("notes", []) if n not in notes]
                self.info.update(item)
                self.info["notes"] = notes
        if isinstance(self.proc, _Forked):
            self.proc.pid = self.info.get("launcher")
            if not self.info or self.info.get("unsuitable"):  # the template, not the jail
                self.kill()
                raise TemplateUnavailable(self.info.get("error")
                                          or f"the {template.kind} template did not answer")
        if "error" in self.info or "worker" not in self.info:
            self.kill()
            problem = self.info.get("error") or "the sandbox did not start in time"
            raise SandboxError(f"could not start a sandboxed worker: {problem}")
        mode = self.info.get("mode")
        if mode in ("uid", "none") or self.info["notes"]:
            details = "; ".join(self.info["notes"])
            _note(f"the worker runs with isolation {mode!r}"
                  + (f" ({details})" if details else "")
                  + "; see autograder/inside/jail.py for what that mode does not protect")

    def request(self, request, timeout=None):
        """The decoded reply to one request, within ``timeout`` seconds (default: the call
        timeout); raises WorkerLost if the worker is gone."""
        timeout = self.limits.call_timeout if timeout is None else timeout
        return self._exchange(request, timeout, "this call")

    def _exchange(self, message, timeout, what):
        if self.proc.poll() is not None:
            raise WorkerLost(f"the submission's process {describe_exit(self.proc.returncode, self.limits)}")
        self.seq += 1
        deadline = time.monotonic() + timeout
        try:
            self._send(plain.encode({**message, "seq": self.seq}), deadline)
            frame = self._receive(deadline)
        except TimeoutError:
            self.kill()
            raise WorkerLost(f"still running after {timeout:g} s ({what} timed out; "
                             "look for an infinite loop or a very slow computation)") from None
        except plain.DecodeError as exc:
            self.kill()
            raise WorkerLost(f"the submission's process broke the protocol ({exc})") from None
        except OSError:
            frame = None
        if frame is None:
            raise WorkerLost(self._death(f"while {what}"))
        try:
            reply = plain.decode(frame)
        except plain.DecodeError as exc:
            self.kill()
            raise WorkerLost(f"sent data the grader does not accept ({exc})") from None
        if not (isinstance(reply, dict) and reply.pop("seq", None) == self.seq):
            self.kill()
            raise WorkerLost("the submission's process broke the protocol (an answer out of turn)")
        return reply

    def _remaining(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)

    def _send(self, data, deadline):
        self._remaining(deadline)
        self.sock.sendall(HEADER.pack(len(data)) + data)  # the timeout bounds the whole call

    def _receive_exactly(self, n, deadline):
        chunks, got = [], 0
        while got < n:
            self._remaining(deadline)
            chunk = self.sock.recv(min(n - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline):
        """One frame's bytes (None at end of stream); the whole frame within ``deadline``."""
        header = self._receive_exactly(HEADER.size, deadline)
        if header is None:
            return None
        (length,) = HEADER.unpack(header)
        if length > plain.MAX_BYTES:
            raise plain.DecodeError(f"an answer of {length} bytes is over the "
                                    f"{plain.MAX_BYTES // 2**20} MB limit")
        return self._receive_exactly(length, deadline)

    def _death(self, when):
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        return f"the submission's process {describe_exit(self.proc.returncode, self.limits)} {when}"

    def output(self):
        return self.stdout.text(), self.stderr.text()

    def kill(self):
        """Kill the worker and every process the submission started; idempotent."""
        mode = self.info.get("mode")
        forked = isinstance(self.proc, _Forked)
        if self.proc.poll() is None:
            if self.info.get("init"):  # namespaces: init's end takes the whole namespace along
                _signal(self.info["init"], signal.SIGKILL)
            elif mode == "none":  # the launcher, a subreaper, kills the worker's descendants
                _signal(self.proc.pid, signal.SIGTERM)
            if forked:  # the launcher kills the worker (and, uid mode, sweeps its uid)
                self.proc.stop()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        # the launcher's process group; a forked launcher's pid is not ours to wait for, so
        # only while it has not ended (its pid cannot have been reused then)
        if self.proc.pid and (not forked or self.proc.poll() is None):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.info.get("sweep_uid"):  # uid mode: every process of the worker's uid
            subprocess.run([sys.executable, "-I", "-S", JAIL_SCRIPT, "--kill-uid",
                            str(self.info["sweep_uid"])], timeout=30, check=False)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if forked:
            self.proc.release()
        self.sock.close()
        deadline = time.monotonic() + 1
        for capture in (self.stdout, self.stderr):
            capture.join(max(0.0, deadline - time.monotonic()))


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
