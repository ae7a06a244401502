"""What a worker may use and how it is isolated (``Limits``, the jail's policy), and how
a limit that was hit is told to the student."""

from __future__ import annotations

import argparse
import errno
import os
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autograder import course

if TYPE_CHECKING:
    from autograder.inside.plain import ErrorInfo, JailSettings

# The jail's policy (``autograder/inside/launcher/jail.py`` carries it out, from the launcher's
# config):
MODES = ("namespaces", "userns", "uid", "none")  # strongest first: the order ``auto`` tries
# The modes a worker forked from the template (autograder.inside.launcher.template) may run in:
# where the worker runs as the template's own uid without a PID namespace ("none"), it could
# signal or ptrace the template and so reach the students after it; there the launcher is exec'd.
FORK_MODES = ("namespaces", "userns", "uid")
UID_BASE = 1_000_000_000  # + the launcher's pid: a uid no other process uses
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# run as a script, never imported here
JAIL_SCRIPT = course.PACKAGE_DIR / "inside" / "launcher" / "jail.py"

GRADING_PROCESS_TIMEOUT = 1800.0  # wall seconds for one submission's grading process (a backstop)


def scratch_mb(limits: Limits) -> int:
    """Size of the worker's writable scratch directory (a tmpfs, in the namespaces modes)."""
    return max(64, 4 * limits.file_size_mb)


def jail_settings(limits: Limits) -> JailSettings:
    """The jail's policy for a worker with these limits, as the launcher's config holds it."""
    return {
        "modes": MODES,
        "fork_modes": FORK_MODES,
        "uid_base": UID_BASE,
        "system_dirs": SYSTEM_DIRS,
        "scratch_mb": scratch_mb(limits),
    }


def _default_isolation() -> str:
    return os.environ.get("AUTOGRADER_ISOLATION", "auto")


def _default_worker_start() -> str:
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
    budget: float = 300.0  # wall time for all of one submission's code (autograder.grade.student)
    output_bytes: int = 64 * 1024  # captured output kept per stream
    # see autograder.inside.launcher.jail
    isolation: str = field(default_factory=_default_isolation)
    worker_start: str = field(default_factory=_default_worker_start)  # "template" or "exec"


class WorkerLost(Exception):
    """The worker died, hung or broke the protocol; the message says how, for a student."""


class SandboxError(RuntimeError):
    """The sandbox itself could not be started: a problem of the grading machine."""


def describe_exit(returncode: int | None, limits: Limits) -> str:
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
        return f"was killed (out of memory: it may use {limits.memory_mb} MB; or it killed itself)"
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    return f"was killed by {name}"


def describe_limit(info: ErrorInfo, limits: Limits) -> str | None:
    """The limit an error from student code reveals (MemoryError...), in words, or None."""
    names = {str(n) for n in info.get("mro", [])} | {str(info.get("type", ""))}
    message = str(info.get("message", ""))
    if "MemoryError" in names or (
        "RuntimeError" in names
        and ("can't allocate memory" in message or "out of memory" in message.lower())
    ):
        return f"used more than {limits.memory_mb} MB of memory"
    if "OSError" in names and message.startswith(f"[Errno {errno.EFBIG}]"):
        return f"wrote a file larger than {limits.file_size_mb} MB"
    if "OSError" in names and message.startswith(f"[Errno {errno.ENOSPC}]"):
        scratch = scratch_mb(limits)
        return f"wrote more than the {scratch} MB of files it may write"
    if "BlockingIOError" in names and message.startswith(f"[Errno {errno.EAGAIN}]"):
        return f"tried to run more than {limits.processes} processes or threads"
    return None


# ---- the command line's options ------------------------------------------------------------


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """The command line's options for ``Limits`` (``grade``, ``grade-examples``)."""
    defaults = Limits()
    group = parser.add_argument_group("limits for student code")
    group.add_argument(
        "--memory-mb",
        type=int,
        default=defaults.memory_mb,
        help="address-space limit of a worker (default %(default)s)",
    )
    group.add_argument(
        "--cpu-seconds",
        type=int,
        default=defaults.cpu_seconds,
        help="CPU time a worker may use (default %(default)s)",
    )
    group.add_argument(
        "--processes",
        type=int,
        default=defaults.processes,
        help="processes a worker may run (default %(default)s)",
    )
    group.add_argument(
        "--file-size-mb",
        type=int,
        default=defaults.file_size_mb,
        help="largest file a worker may write (default %(default)s)",
    )
    group.add_argument(
        "--load-timeout",
        type=float,
        default=defaults.load_timeout,
        help="seconds to run the submission's cells (default %(default)s)",
    )
    group.add_argument(
        "--call-timeout",
        type=float,
        default=defaults.call_timeout,
        help="seconds for one call into student code (default %(default)s)",
    )
    group.add_argument(
        "--budget",
        type=float,
        default=defaults.budget,
        metavar="SECONDS",
        help="seconds for all of one submission's code together: loading it "
        "and every call; when they are spent, the remaining tests fail "
        "saying so (default %(default)s)",
    )
    group.add_argument(
        "--output-kb",
        type=int,
        default=defaults.output_bytes // 1024,
        help="output of a worker kept per stream, in KiB (default %(default)s)",
    )
    group.add_argument(
        "--isolation",
        default=defaults.isolation,
        choices=["auto", *MODES],
        help="how the worker is isolated (default %(default)s: the strongest "
        "available; see autograder/inside/launcher/jail.py)",
    )


def limits_from(args: argparse.Namespace) -> Limits:
    """``Limits`` from the options ``add_limit_options`` added."""
    return Limits(
        memory_mb=args.memory_mb,
        cpu_seconds=args.cpu_seconds,
        processes=args.processes,
        file_size_mb=args.file_size_mb,
        load_timeout=args.load_timeout,
        call_timeout=args.call_timeout,
        budget=args.budget,
        output_bytes=args.output_kb * 1024,
        isolation=args.isolation,
    )
