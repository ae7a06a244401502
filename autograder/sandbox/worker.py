"""Start, limit, talk to and kill the worker process that runs a submission.

Each worker is started through ``autograder.inside.launcher.jail`` (read its docstring for the
isolation: PID, network and mount namespaces, a uid of its own, and the fallbacks where Linux or
a container forbids them), with resource limits, a clean environment, stdin closed, and a
scratch directory holding only the submission as its working directory. What it prints is
captured with a size cap, never passed through. The worker imports only a copy of the few
grader modules it needs (``autograder.inside``), made once per grading process.

Two ways to start a worker (``Limits.worker_start``, default from ``AUTOGRADER_WORKER_START``):

``template`` (the default) a fork of a template process that has already imported numpy,
    matplotlib and, for a submission that imports it, torch
    (``autograder.inside.launcher.template``): tens of milliseconds instead of a fresh
    interpreter's imports. The template is started lazily, once
    per kind and grading process (``start_templates`` starts it ahead, for example in a batch
    process before it forks the grading processes, which then share it), and stopped at exit.
    Each worker is a fresh fork of the pristine template, never reused. Where the template
    cannot serve (isolation ``none``, or it failed to start), the exec path is used.
``exec``  ``python -I -S jail.py`` for every worker, which execs
    ``python -m autograder.inside.agent``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

from autograder import course
from autograder.inside import plain
from autograder.inside.plain import HEADER
from autograder.sandbox import messages
from autograder.sandbox.limits import (
    JAIL_SCRIPT,
    SandboxError,
    WorkerLost,
    describe_exit,
    jail_settings,
)
from autograder.sandbox.runtime import (
    note,
    package_folders,
    python_paths,
    runtime_dir,
    worker_environment,
)
from autograder.sandbox.templates import (
    ForkedLauncher,
    TemplateUnavailable,
    drop_template,
    template_for,
)

if TYPE_CHECKING:
    import io

    from autograder.inside.plain import (
        ErrorInfo,
        LauncherConfig,
        LoadRequest,
        Reply,
        Request,
        StatusReport,
    )
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.templates import _Template

_Checked = TypeVar("_Checked")  # what a message check returns


class _Capture(threading.Thread):
    """Drains one output pipe, keeping at most ``cap`` bytes."""

    def __init__(self, pipe: IO[bytes] | None, cap: int) -> None:
        super().__init__(daemon=True)
        # (a pipe's read end: Popen's stdout=PIPE and os.fdopen(fd, "rb") are buffered readers)
        self.pipe = cast("io.BufferedReader", pipe)
        self.cap, self.kept, self.dropped = cap, bytearray(), 0
        self.start()

    def run(self) -> None:
        try:
            while chunk := self.pipe.read1(65536):
                room = max(self.cap - len(self.kept), 0)
                self.kept += chunk[:room]
                self.dropped += len(chunk) - len(chunk[:room])
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="backslashreplace")
        if self.dropped:
            text += f"\n... ({self.dropped} more bytes not shown)"
        return text


class Worker:
    """One sandboxed process running one submission."""

    proc: subprocess.Popen[bytes] | ForkedLauncher  # the launcher: exec'd, or a template's fork
    sock: socket.socket  # the grader's end of the channel
    stdout: _Capture
    stderr: _Capture

    def __init__(
        self,
        cells: Iterable[str],
        scratch: str | os.PathLike[str],
        limits: Limits,
        banned: Collection[str] = (),
        assignment: str = "",
    ) -> None:
        """``banned``: packages the worker refuses to load (``course.banned_imports``)."""
        self.limits, self.banned = limits, tuple(banned)
        self.seq = 0
        self.info: StatusReport = {}  # the launcher's reports, merged
        cells = list(cells)
        template = template_for(cells, limits, banned)
        if template is not None:
            try:
                self._start(scratch, limits, template)
            except TemplateUnavailable as exc:
                drop_template(template, str(exc))
                template = None
        if template is None:
            self._start(scratch, limits, None)
        self.load_errors: list[ErrorInfo] = []
        # where the jail could not hide the banned packages' files from every program the
        # worker may start, the worker may start none (autograder/inside/bans.py)
        hidden = self.info.get("mode") in ("namespaces", "userns")
        started = time.monotonic()  # the submission's own time: running its cells
        load: LoadRequest = {
            "cells": cells,
            "banned": list(banned),
            "assignment": assignment,
            "programs": hidden or not banned,
        }
        reply = self._checked(
            messages.load_reply,
            self._exchange(load, limits.load_timeout, "running the submission"),
        )
        self.load_seconds = time.monotonic() - started
        self.load_errors = reply["errors"]
        self.tampered = reply["tampered"]

    def _start(
        self, scratch: str | os.PathLike[str], limits: Limits, template: _Template | None
    ) -> None:
        """Start the launcher (exec path) or ask the template for a worker, and read the
        launcher's report; raises TemplateUnavailable where the template could not serve."""
        self.info = {}
        parent_sock, child_sock = socket.socketpair()
        status_r, status_w = os.pipe()
        runtime = runtime_dir()
        config: LauncherConfig = {
            "argv": [sys.executable, "-m", "autograder.inside.agent", str(child_sock.fileno())],
            "scratch": str(scratch),
            "sock_fd": child_sock.fileno(),
            "status_fd": status_w,
            "limits": {
                "memory_mb": limits.memory_mb,
                "cpu_seconds": limits.cpu_seconds,
                "processes": limits.processes,
                "file_size_mb": limits.file_size_mb,
            },
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
                self.proc = template.start_worker(
                    config, worker_environment(scratch), child_sock.fileno(), status_w
                )
            else:
                self.proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-I",
                        "-S",
                        os.path.join(runtime, "pkg", "autograder", "inside", "launcher", "jail.py"),
                        json.dumps(config),
                    ],
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

    def _read_status(self, fd: int, template: _Template | None = None) -> None:
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
                self.info.update(cast("StatusReport", item))  # (a claim, read with care)
                self.info["notes"] = notes
        if isinstance(self.proc, ForkedLauncher):
            self.proc.pid = self.info.get("launcher")
            if not self.info or self.info.get("unsuitable"):  # the template, not the jail
                self.kill()
                raise TemplateUnavailable(  # (forked: from a template)
                    self.info.get("error") or f"the {template.kind} template did not answer"  # type: ignore[union-attr]
                )
        if "error" in self.info or "worker" not in self.info:
            self.kill()
            problem = self.info.get("error") or "the sandbox did not start in time"
            raise SandboxError(f"could not start a sandboxed worker: {problem}")
        mode = self.info.get("mode")
        if mode in ("uid", "none") or self.info["notes"]:
            details = "; ".join(self.info["notes"])
            note(
                f"the worker runs with isolation {mode!r}"
                + (f" ({details})" if details else "")
                + "; see autograder/inside/launcher/jail.py for what that mode does not protect"
            )

    def request(self, request: Request, timeout: float | None = None) -> Reply:
        """The decoded reply to one request, within ``timeout`` seconds (default: the call
        timeout); raises WorkerLost if the worker is gone."""
        timeout = self.limits.call_timeout if timeout is None else timeout
        return self._checked(messages.reply, self._exchange(request, timeout, "this call"))

    def _checked(self, check: Callable[[object], _Checked], message: object) -> _Checked:
        """``message`` as ``check`` (``autograder.sandbox.messages``) accepts it; a malformed
        one ends the worker, whose submission then loses what it was asked for."""
        try:
            return check(message)
        except messages.Malformed as exc:
            self.kill()
            raise WorkerLost(str(exc)) from None

    def _exchange(self, message: LoadRequest | Request, timeout: float, what: str) -> Any:
        """The reply (a dict, whatever else it holds: not believed) with the right ``seq``."""
        if self.proc.poll() is not None:
            raise WorkerLost(
                f"the submission's process {describe_exit(self.proc.returncode, self.limits)}"
            )
        self.seq += 1
        deadline = time.monotonic() + timeout
        try:
            self._send(plain.encode({**message, "seq": self.seq}), deadline)
            frame = self._receive(deadline)
        except TimeoutError:
            self.kill()
            raise WorkerLost(
                f"still running after {timeout:g} s ({what} timed out; "
                "look for an infinite loop or a very slow computation)"
            ) from None
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

    def _remaining(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)

    def _send(self, data: bytes, deadline: float) -> None:
        self._remaining(deadline)
        self.sock.sendall(HEADER.pack(len(data)) + data)  # the timeout bounds the whole call

    def _receive_exactly(self, n: int, deadline: float) -> bytes | None:
        chunks: list[bytes] = []
        got = 0
        while got < n:
            self._remaining(deadline)
            chunk = self.sock.recv(min(n - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float) -> bytes | None:
        """One frame's bytes (None at end of stream); the whole frame within ``deadline``."""
        header = self._receive_exactly(HEADER.size, deadline)
        if header is None:
            return None
        (length,) = HEADER.unpack(header)
        if length > plain.MAX_BYTES:
            raise plain.DecodeError(
                f"an answer of {length} bytes is over the {plain.MAX_BYTES // 2**20} MB limit"
            )
        return self._receive_exactly(length, deadline)

    def _death(self, when: str) -> str:
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        return f"the submission's process {describe_exit(self.proc.returncode, self.limits)} {when}"

    def output(self) -> tuple[str, str]:
        return self.stdout.text(), self.stderr.text()

    def kill(self) -> None:
        """Kill the worker and every process the submission started; idempotent."""
        mode = self.info.get("mode")
        forked = isinstance(self.proc, ForkedLauncher)
        if self.proc.poll() is None:
            if self.info.get("init"):  # namespaces: init's end takes the whole namespace along
                _signal(self.info["init"], signal.SIGKILL)
            elif mode == "none":  # the launcher, a subreaper, kills the worker's descendants
                _signal(self.proc.pid, signal.SIGTERM)  # type: ignore[arg-type]  # (exec'd: Popen)
            # the launcher kills the worker (and, uid mode, sweeps its uid)
            if isinstance(self.proc, ForkedLauncher):  # (forked)
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
            subprocess.run(
                [
                    sys.executable,
                    "-I",
                    "-S",
                    JAIL_SCRIPT,
                    "--kill-uid",
                    str(self.info["sweep_uid"]),
                ],
                timeout=30,
                check=False,
            )
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if isinstance(self.proc, ForkedLauncher):  # (forked)
            self.proc.release()
        self.sock.close()
        deadline = time.monotonic() + 1
        for capture in (self.stdout, self.stderr):
            capture.join(max(0.0, deadline - time.monotonic()))


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
