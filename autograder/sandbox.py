"""Start, limit, talk to and kill the worker process that runs a submission.

Each worker is a fresh ``python -m autograder.worker`` in its own session (so its whole
process group can be killed), with resource limits set before it starts, a clean
environment, stdin closed, and a scratch directory holding only the submission as its
working directory. What it prints is captured with a size cap, never passed through.
"""

import os
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from . import course, plain
from .worker import recv_frame, send_frame


@dataclass
class Limits:
    """Resource limits for one worker; each has a command-line option."""

    memory_mb: int = 4096  # address space
    cpu_seconds: int = 300  # CPU time over the worker's life
    processes: int = 64  # processes/threads for the worker's user
    file_size_mb: int = 64  # largest file the worker may write
    load_timeout: float = 60.0  # wall time to run the submission's cells
    call_timeout: float = 10.0  # wall time for one call into student code
    output_bytes: int = 64 * 1024  # captured output kept per stream


class WorkerLost(Exception):
    """The worker died, hung or broke the protocol; the message says how, for a student."""


def _set_limits(limits):
    def apply():
        mb = 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes,) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def worker_environment(scratch):
    """A clean environment: no secrets of the grader's, one thread per numeric library."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(course.REPO_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
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
        while chunk := self.pipe.read1(65536):
            room = self.cap - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self):
        text = self.kept.decode("utf-8", errors="replace")
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
        return f"was killed (out of memory, over {limits.memory_mb} MB, or killed from inside)"
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    return f"was killed by {name}"


class Worker:
    """One sandboxed process running one submission."""

    def __init__(self, cells, scratch, limits):
        self.limits = limits
        parent_sock, child_sock = socket.socketpair()
        self.sock = parent_sock
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", str(child_sock.fileno())],
            cwd=scratch,
            env=worker_environment(scratch),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=[child_sock.fileno()],
            start_new_session=True,
            preexec_fn=_set_limits(limits),
        )
        child_sock.close()
        self.stdout = _Capture(self.proc.stdout, limits.output_bytes)
        self.stderr = _Capture(self.proc.stderr, limits.output_bytes)
        self.load_errors = []
        reply = self._exchange({"cells": list(cells)}, limits.load_timeout, "running the submission")
        if not (isinstance(reply, dict) and reply.get("loaded") is True):
            self.kill()
            raise WorkerLost("the submission's process sent a malformed reply while loading")
        self.load_errors = [e for e in reply.get("errors", []) if isinstance(e, dict)]

    def request(self, request):
        """The decoded reply to one request; raises WorkerLost if the worker is gone."""
        return self._exchange(request, self.limits.call_timeout, "this call")

    def _exchange(self, message, timeout, what):
        if self.proc.poll() is not None:
            raise WorkerLost(f"the submission's process {describe_exit(self.proc.returncode, self.limits)}")
        try:
            send_frame(self.sock, plain.encode(message))
        except OSError:
            raise WorkerLost(self._death(f"while {what}")) from None
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            self.kill()
            raise WorkerLost(f"still running after {timeout:g} s ({what} timed out; "
                             "look for an infinite loop or a very slow computation)")
        self.sock.settimeout(timeout)
        try:
            frame = recv_frame(self.sock)
        except (OSError, plain.DecodeError) as exc:
            self.kill()
            raise WorkerLost(f"the submission's process broke the protocol ({exc})") from None
        if frame is None:
            raise WorkerLost(self._death(f"while {what}"))
        try:
            return plain.decode(frame)
        except plain.DecodeError as exc:
            raise WorkerLost(f"sent data the grader does not accept ({exc})") from None

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
        """Kill the worker and every process in its session; idempotent."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.sock.close()
        deadline = time.monotonic() + 1
        for capture in (self.stdout, self.stderr):
            capture.join(max(0.0, deadline - time.monotonic()))
