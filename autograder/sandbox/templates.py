"""Worker templates: processes that have imported numpy, matplotlib (and torch) once, and fork
a fresh launcher for each worker (the program is ``autograder.inside.launcher.template``)."""

from __future__ import annotations

import ast
import atexit
import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any, cast

from autograder.sandbox.limits import FORK_MODES, SYSTEM_DIRS, Limits, jail_settings
from autograder.sandbox.runtime import note, python_paths, runtime_dir, worker_environment

if TYPE_CHECKING:
    from autograder.inside.plain import LauncherConfig, TemplateConfig, TemplateHello

# ---- the template (autograder.inside.launcher.template) -----------------------------------------

TEMPLATE_START_TIMEOUT = 180.0  # seconds for a template to import what it preloads
TEMPLATE_SEND_TIMEOUT = 30.0
MAX_TEMPLATE_STARTS = 3  # per kind and process: then the exec path only

_templates: dict[str, _Template] = {}  # kind -> _Template
_template_starts: dict[str, int] = {}  # kind -> number of starts tried in this process
_template_lock = threading.Lock()


class TemplateUnavailable(Exception):
    """The template could not start a worker (not the submission's fault): use the exec path."""


def _reset_template_lock() -> None:
    global _template_lock
    _template_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_template_lock)

_torch_installed: list[bool] = []


def template_kind(cells: Iterable[str], banned: Collection[str] = ()) -> str:
    """``torch`` where the submission's code imports torch (and torch is installed, and not
    ``banned``), else ``basic``: a worker holds torch only when its submission imports it, and
    never where torch is banned, so that importing it is a real import that the worker's
    audit hook refuses (autograder/inside/bans.py)."""
    if "torch" in banned:
        return "basic"
    if not _torch_installed:
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
    """A template process and our end of its control socket. Made by ``template_for`` (the
    process starts at once); ``ready()`` waits for its hello."""

    def __init__(self, kind: str) -> None:
        runtime = runtime_dir()
        home = os.path.join(runtime, f"template-{kind}")
        os.makedirs(home, mode=0o700, exist_ok=True)
        pkg = os.path.join(runtime, "pkg")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config: TemplateConfig = {
            "control_fd": theirs.fileno(),
            "kind": kind,
            "runtime": pkg,
            "visible": [*python_paths(), pkg, *SYSTEM_DIRS],
            "jail": jail_settings(Limits()),
        }
        self.kind, self.sock, self.owner = kind, ours, os.getpid()
        self.info: TemplateHello | None = None  # its hello, once ready
        self.problem: str | None = None
        self.unsuitable, self.runtime = False, runtime
        self._lock = threading.Lock()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "autograder.inside.agent", "--template", json.dumps(config)],
                cwd=home,
                env=worker_environment(home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
                start_new_session=True,
            )
        except OSError as exc:
            ours.close()
            raise TemplateUnavailable(f"the {kind} template could not be started: {exc}") from None
        finally:
            theirs.close()

    def ready(self) -> _Template:
        """Wait for the template's hello (once); raises TemplateUnavailable if it failed."""
        with self._lock:
            if self.info is None and self.problem is None:
                self.sock.settimeout(TEMPLATE_START_TIMEOUT)
                try:  # (plain data, not believed until checked)
                    hello: Any = json.loads(self.sock.recv(1 << 20) or b"{}")
                except (OSError, ValueError) as exc:
                    hello = {"error": f"no answer ({exc})"}
                if isinstance(hello, dict) and hello and "error" not in hello:
                    self.sock.settimeout(TEMPLATE_SEND_TIMEOUT)
                    self.info = cast("TemplateHello", hello)
                    if hello.get("outside"):
                        note(
                            f"the {self.kind} template preloaded modules that the worker's "
                            f"jail does not show: {', '.join(hello['outside'][:10])}"
                        )
                else:
                    problem = hello.get("error") if isinstance(hello, dict) else None
                    self.problem = (
                        f"the {self.kind} template did not start: "
                        f"{problem or 'it exited before it was ready'}"
                    )
                    self.unsuitable = isinstance(hello, dict) and bool(hello.get("unsuitable"))
                    self.stop()
        if self.problem:
            raise TemplateUnavailable(self.problem)
        return self

    def serves(self, isolation: str) -> bool:
        """Can workers with this isolation come from the template? (FORK_MODES)"""
        if isolation == "auto":
            # (after ready(): info is the hello)
            return self.info.get("mode") in FORK_MODES  # type: ignore[union-attr, operator]
        return isolation in FORK_MODES

    def start_worker(
        self, config: LauncherConfig, env: dict[str, str], sock_fd: int, status_w: int
    ) -> ForkedLauncher:
        """Ask the template for a worker; a Popen-like ForkedLauncher for its launcher."""
        exit_r, exit_w = os.pipe()
        life_r, life_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        request = json.dumps({"config": config, "env": env}).encode()
        try:
            socket.send_fds(self.sock, [request], [sock_fd, status_w, out_w, err_w, exit_w, life_r])
        except OSError as exc:
            for fd in (exit_r, life_w, out_r, err_r):
                os.close(fd)
            raise TemplateUnavailable(f"the {self.kind} template is gone ({exc})") from None
        finally:
            for fd in (exit_w, life_r, out_w, err_w):
                os.close(fd)
        return ForkedLauncher(exit_r, out_r, err_r, life_w)

    def stop(self) -> None:
        """Close our end (the template exits once every holder has); the process that started
        it also waits for it, and kills it if it lingers."""
        self.sock.close()
        if os.getpid() == self.owner:
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _spawn_template(kind: str) -> _Template | None:
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
                note(f"{exc}; workers start the slower way (a fresh interpreter each)")
                return None
            if sum(_template_starts.values()) == 1:
                atexit.register(stop_templates)
    return template


def _ready_template(template: _Template) -> _Template | None:
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
            note(f"{exc}; workers start the slower way (a fresh interpreter each)")
        return None


def uses_templates(limits: Limits) -> bool:
    """Do workers with these limits come from a template (else: the exec path)?"""
    return limits.worker_start == "template" and limits.isolation in ("auto", *FORK_MODES)


def template_for(
    cells: Iterable[str], limits: Limits, banned: Collection[str] = ()
) -> _Template | None:
    """The template to fork this worker from, or None for the exec path."""
    if not uses_templates(limits):
        return None
    template = _spawn_template(template_kind(cells, banned))
    if template is None or _ready_template(template) is None:
        return None
    return template if template.serves(limits.isolation) else None


def drop_template(template: _Template, reason: str) -> None:
    with _template_lock:
        if _templates.get(template.kind) is template:
            del _templates[template.kind]
    note(f"{reason}; the next worker starts a new template")
    try:
        template.stop()
    except OSError:
        pass


def start_templates(
    kinds: Iterable[str] | None = None, banned: Collection[str] = ()
) -> dict[str, dict[str, object]]:
    """Start the templates now rather than at the first worker, all at once (``basic``, and
    ``torch`` where it is installed and not ``banned``, by default): a batch process calls
    this before forking its grading processes, which then share them. Returns {kind: the
    template's hello, or {"error": ...}}."""
    if kinds is None:
        torch = template_kind(["import torch"], banned) == "torch"
        kinds = ["basic"] + (["torch"] if torch else [])
    spawned = {kind: _spawn_template(kind) for kind in kinds}
    found: dict[str, dict[str, object]] = {}
    for kind, template in spawned.items():
        ready = template and _ready_template(template)
        found[kind] = (
            dict(ready.info)  # type: ignore[arg-type]  # (ready: the hello)
            if ready
            else {"error": "not available (see the notes)"}
        )
    return found


def stop_templates() -> None:
    """Stop the templates this process holds (at exit; a forked process only lets go)."""
    with _template_lock:
        templates = list(_templates.values())
        _templates.clear()
    for template in templates:
        try:
            template.stop()
        except OSError:
            pass


class ForkedLauncher:
    """The launcher a template forked for one worker, as much of a Popen as Worker uses. It
    is the template's child, not ours: its end comes as the worker's wait status on an exit
    pipe (EOF without one: it was killed), and closing the lifeline makes it kill the worker
    and everything the submission started."""

    def __init__(self, exit_r: int, stdout_r: int, stderr_r: int, lifeline_w: int) -> None:
        self.pid: int | None = None  # the launcher's, from its report (its process group too)
        self.returncode: int | None = None
        self.stdout = os.fdopen(stdout_r, "rb")
        self.stderr = os.fdopen(stderr_r, "rb")
        self._exit: int | None = exit_r
        self._lifeline: int | None = lifeline_w
        self._data = b""

    def poll(self) -> int | None:
        return self._wait(0)

    def wait(self, timeout: float | None = None) -> int:
        returncode = self._wait(timeout)
        if returncode is None:  # (never without a timeout: it waits for the end)
            raise subprocess.TimeoutExpired("the worker's launcher", timeout)  # type: ignore[arg-type]
        return returncode

    def _wait(self, timeout: float | None) -> int | None:
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

    def stop(self) -> None:
        """Tell the launcher to kill the worker and everything left (close the lifeline)."""
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None

    def release(self) -> None:
        self.stop()
        if self._exit is not None and self.returncode is not None:
            os.close(self._exit)
            self._exit = None
