"""The worker's jail: what keeps student code away from the grader, the course and the network.

``autograder.sandbox`` starts ``python -I -S .../autograder/inside/launcher/jail.py CONFIG``
for every worker. This *launcher* runs trusted code only (the standard library, nothing the
submission can touch): it isolates itself, forks, and finally execs ``python -m
autograder.inside.agent FD``, the process that runs the submission. It reports on a status
pipe which isolation it achieved. The faster way (the default,
``autograder.inside.launcher.template``): the launcher is a fork of a template
process that has already imported numpy, matplotlib and torch, and runs ``launch`` (the same
steps, with a lifeline to the grader in place of PR_SET_PDEATHSIG, and the worker's wait
status on an exit pipe, since the grader is not its parent); the worker does not exec but
returns into the template's Python (privileges as after an exec: no capabilities, dumpable),
which runs the worker. Only in the fork modes (``sandbox.FORK_MODES``); in ``none`` the
launcher is always exec'd.
Four modes, tried in this order by ``auto`` (``--isolation`` or ``AUTOGRADER_ISOLATION``
forces one):

``namespaces`` (the grader runs as root: CI, a grading server, this course's machines)
    The launcher ``unshare``\\ s a new PID, network, IPC and UTS namespace; its child is the
    PID namespace's *init* (pid 1). Init creates a mount namespace and ``pivot_root``\\ s into
    a fresh tmpfs holding only what the worker needs, read-only and nosuid: /usr and the
    library dirs, the Python installation and its site-packages (numpy, torch,
    matplotlib), a copy of the few grader modules the worker runs
    (``autograder.inside``: worker, plain, calls, probes), a private /tmp, /dev with
    null/zero/random (and the GPU's nodes), a new /proc, and the scratch directory with the
    submission (read-write). The course's solutions/, the hidden suites, the tests, other
    submissions and the grader's own files do not exist in that view. Init forks the
    worker, which drops to its own uid (``sandbox.UID_BASE`` + the launcher's pid: unique among
    running workers), sets its rlimits and ``no_new_privs``, and execs Python.

    Why a PID namespace: when its init exits (the worker ended, or the grader killed init),
    the kernel kills every process left in the namespace and waits for them, so nothing a
    submission starts survives it, however it hid (setsid, double fork, a new process
    group); and the worker cannot even see, let alone signal, the grader or other workers.
    Why a network namespace: it holds only a loopback interface that is down, so no host,
    not even a service on the grading machine's 127.0.0.1, is reachable. Why a uid of its
    own: RLIMIT_NPROC is ignored for root and counted per uid, a process cannot signal
    another uid's processes (init and the launcher run as root), and the read-only binds
    stay read-only for it. Where cgroup v1 hierarchies are mounted writable, init and so
    every process of the submission also sit in a memory and a pids cgroup of their own:
    the memory limit then holds for all of them together (a fork bomb of big allocations
    meets the OOM killer, not the machine's), and on a GPU machine the address-space
    rlimit, which CUDA cannot live with, is left to the cgroup. The launcher has
    PR_SET_PDEATHSIG and init too: if the grader dies, even by SIGKILL, the whole
    namespace goes with it.

``userns`` (an ordinary user, where the kernel allows unprivileged user namespaces)
    The same, inside a new user namespace in which the launcher is root; the worker then
    runs in a nested user namespace as uid 1000, without any capability.

``uid`` (root without the right to create namespaces: an unprivileged Docker container,
    as where Gradescope and ``otter grade`` run, whose seccomp profile forbids unshare)
    The worker runs as its own uid with ``no_new_privs``; when it ends or times out, every
    process of that uid is killed (``kill(-1)`` sent *as* that uid, which reaches setsid and
    double-forked daemons too). Not achieved: network isolation, and the worker can read
    files readable by every user (make the course files private: ``chmod -R o-rwx``).

``none`` (an ordinary user without user namespaces)
    Only rlimits, a session of its own, and the launcher as child subreaper that kills
    every descendant at the end. The worker could signal the grader (same uid).

Whatever the mode: the rlimits of ``sandbox.Limits`` (address space, CPU time, processes,
file size, no core dumps), stdin closed, a clean environment, output captured by the
grader and never passed through.

Why namespaces rather than a seccomp filter or a container runtime: they need nothing
beyond Python's standard library (ctypes for unshare, mount and pivot_root), cost about
20 ms per worker, and give the two guarantees that matter most, every process gone at the
end and nothing of the course in sight, from the kernel rather than from our
bookkeeping. Setting up the view needs root (or a user namespace), which is why the
weaker modes exist, and why the grader tells whoever runs it (on stderr, never in the
JSON) which mode it had to fall back to.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import resource
import select
import signal
import socket
import sys
import time

TYPE_CHECKING = False  # typing's flag, without importing typing here (mypy knows the name)
if TYPE_CHECKING:  # the standard library's typing only: this runs as a script
    from collections.abc import Sequence
    from typing import NoReturn, NotRequired, TypedDict, Unpack

    class LimitsConfig(TypedDict):
        """``sandbox.Limits`` as the launcher applies them (``_set_limits``)."""

        memory_mb: int
        cpu_seconds: int
        processes: int
        file_size_mb: int
        preloaded_mb: NotRequired[int]  # set by the template: what its preloading took

    class JailSettings(TypedDict):
        """The jail's policy, from the grader (``sandbox.limits.jail_settings``)."""

        modes: Sequence[str]  # strongest first: the order ``auto`` tries
        fork_modes: Sequence[str]  # those a template may fork workers in
        uid_base: int
        system_dirs: Sequence[str]
        scratch_mb: int

    class ModeConfig(TypedDict):
        """What ``choose_mode`` reads of the launcher's config."""

        isolation: str  # a mode, or "auto"
        argv: list[str]  # the worker's command line (exec path); argv[0]: its Python
        runtime: str  # the runtime copy's ``pkg`` folder
        jail: JailSettings

    class LauncherConfig(ModeConfig):
        """The launcher's config: the command line's last argument (JSON) on the exec path,
        the template's request on the fork path (``sandbox.worker.Worker._start``)."""

        scratch: str  # the worker's working directory, with the submission
        sock_fd: int  # the worker's end of the channel
        status_fd: int  # where the launcher reports (``report``)
        limits: LimitsConfig
        python_paths: list[str]  # what the jail shows of the Python installation
        jail_root: str  # an empty folder where the jail's root is built
        hide: list[str]  # folders the binds must not show (the course)
        hide_packages: list[str]  # the banned packages' folders
        grader_pid: int
        launcher_pid: NotRequired[int]  # set by the launcher
        fork: NotRequired[bool]  # set by ``launch``: the fork path
        exit_fd: NotRequired[int]  # fork path: the grader's exit pipe
        lifeline_fd: NotRequired[int]  # fork path: closed by the grader to stop the worker

    class StatusReport(TypedDict, total=False):
        """What the launcher and the worker report on the status pipe (a JSON line each,
        merged by the grader into ``Worker.info``)."""

        mode: str  # the isolation achieved
        notes: list[str]  # what is missing of it, for whoever runs the grader
        init: int  # namespaces modes: the namespace's init (its pid outside)
        cgroups: list[str]  # the controllers init sits in a cgroup of
        launcher: int
        sweep_uid: int | None  # uid mode: the uid whose processes are killed at the end
        uid: int  # the worker's
        worker: int  # the worker's pid (as the launcher sees it)
        error: str  # the worker did not start
        unsuitable: bool  # fork path: no fork mode here (the grader uses the exec path)


# The policy comes from the grader, in the launcher's config (``autograder.sandbox``'s ``jail``
# settings: the modes ``auto`` tries in order, those a template may fork workers in, the
# first worker uid, the system folders a worker sees, the scratch folder's size); this
# module carries it out and keeps no policy of its own.
KNOWN_MODES = ("namespaces", "userns", "uid", "none")
NOBODY = 65534
NESTED_UID = 1000  # the worker's uid inside its own user namespace (userns mode)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
PR_SET_DUMPABLE, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 4, 47, 4
CAPABILITY_VERSION_3 = 0x20080522
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}

# Files of the host's /etc a Python process may want (the rest of /etc stays hidden).
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "alternatives",
    "nsswitch.conf",
    "host.conf",
    "hosts",
    "services",
    "protocols",
    "mime.types",
    "fonts",
    "matplotlibrc",
)
DEVICES = ("null", "zero", "full", "random", "urandom")
# Data sets that hidden suites grade on, relative to a site-packages folder: hidden from the
# worker so that no submission can read the grader's test examples (07 grades on
# scikit-learn's digits). Only the modes with a mount namespace can hide them.
HIDDEN_DATA = ("sklearn/datasets/data",)

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        lib = ctypes.CDLL(None, use_errno=True)
        lib.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
        lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        lib.unshare.argtypes = [ctypes.c_int]
        lib.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
        lib.syscall.restype = ctypes.c_long
        _libc = lib
    return _libc


def _ok(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


def unshare(flags: int) -> None:
    _ok(libc().unshare(flags), "unshare")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    _ok(libc().mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def prctl(option: int, arg: int) -> None:
    _ok(libc().prctl(option, arg, 0, 0, 0), f"prctl {option}")


def pivot_root(new_root: str, put_old: str) -> None:
    number = PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(errno.ENOSYS, "pivot_root: unknown architecture")
    _ok(libc().syscall(ctypes.c_long(number), _b(new_root), _b(put_old)), "pivot_root")


def report(fd: int, **info: Unpack[StatusReport]) -> None:
    """One JSON line on the status pipe (read by autograder.sandbox)."""
    try:
        os.write(fd, (json.dumps(info) + "\n").encode())
    except OSError:
        pass


def processes_of(uid: int) -> list[int]:
    """Pids of the live processes whose real or saved uid is ``uid``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"Uid:"):
                        real, _, saved = (int(v) for v in line.split()[1:4])
                        if uid in (real, saved):
                            found.append(int(name))
                        break
                    if line.startswith(b"State:") and b"Z" in line.split()[1:2]:
                        break  # a zombie only waits to be reaped
        except (OSError, ValueError):
            continue
    return found


def kill_uid(uid: int | None, rounds: int = 50) -> bool:
    """Kill every process of ``uid`` (root only): ``kill(-1, SIGKILL)`` sent as that uid
    reaches every process it could signal itself; repeated until none is left."""
    if uid in (0, None):
        return False
    for _ in range(rounds):
        if not processes_of(uid):
            return True
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    return not processes_of(uid)


# ---- the worker process ---------------------------------------------------------------------


def _has_gpu() -> bool:
    try:
        return any(name.startswith("nvidia") for name in os.listdir("/dev"))
    except OSError:
        return False


def _set_limits(limits: LimitsConfig, memory_cgroup: bool = False) -> None:
    mb = 2**20
    if not (memory_cgroup and _has_gpu()):
        # CUDA reserves far more address space than it uses and fails under RLIMIT_AS; where
        # a memory cgroup holds the limit for all the worker's processes, it is enough.
        # A worker forked from the template starts with the address space of the libraries
        # preloaded for it (torch...): that much is added, so that the submission has the
        # same room as in a fresh interpreter (see autograder.inside.launcher.template).
        space = limits["memory_mb"] + limits.get("preloaded_mb", 0)
        resource.setrlimit(resource.RLIMIT_AS, (space * mb,) * 2)
    cpu = limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _as_after_exec() -> None:
    """Fork path: what execve would have done to the worker's privileges. A process that is not
    root (euid) loses every capability at exec (a worker in a nested user namespace has them
    all there until then), and one whose uid changed becomes dumpable again."""
    if os.geteuid() != 0:
        _ok(
            libc().capset(ctypes.byref(_CapHeader(CAPABILITY_VERSION_3, 0)), (_CapData * 2)()),
            "capset",
        )
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    prctl(PR_SET_DUMPABLE, 1)


def _drop_to(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _enter_nested_userns() -> None:
    """userns mode: become NESTED_UID in a user namespace of our own (no capabilities)."""
    unshare(CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{NESTED_UID} 0 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{NESTED_UID} 0 1")


def become_worker(
    config: LauncherConfig,
    mode: str,
    uid: int | None,
    notes: list[str],
    memory_cgroup: bool = False,
) -> int:
    """In the forked child: limits, privileges, then exec the worker. Never returns, except
    in a launcher forked from the template (``config["fork"]``): there it returns the
    channel's fd, and the caller's Python, which already holds the worker's modules, runs
    the worker itself."""
    status = config["status_fd"]
    try:
        os.chdir(config["scratch"])
        _set_limits(config["limits"], memory_cgroup)
        achieved = os.getuid()
        if mode in ("namespaces", "uid"):
            # (uid is None in mode "none" only: run_plain)
            candidates: tuple[int, int] = (uid, NOBODY)  # type: ignore[assignment]
            for candidate in candidates:
                try:
                    os.chown(config["scratch"], candidate, candidate)
                    _drop_to(candidate)
                    achieved = candidate
                    break
                except OSError as exc:
                    notes.append(f"cannot run the worker as uid {candidate}: {exc}")
        elif mode == "userns":
            _enter_nested_userns()
            achieved = NESTED_UID
        if achieved == 0 and os.geteuid() == 0:
            notes.append("the worker runs as root")
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid change, which clears it
        if config.get("fork"):
            _as_after_exec()
            os.environ.update(USER="student", LOGNAME="student")
            report(status, uid=achieved, notes=notes, worker=os.getpid())
            os.close(status)
            return config["sock_fd"]
        env = dict(os.environ, USER="student", LOGNAME="student")
        report(status, uid=achieved, notes=notes, worker=os.getpid())
        os.execve(config["argv"][0], config["argv"], env)
    except BaseException as exc:  # noqa: B036 - nothing may escape a forked child
        report(status, error=f"starting the worker failed: {type(exc).__name__}: {exc}")
    os._exit(127)


# ---- the filesystem view ---------------------------------------------------------------------


def _within(path: str, folder: str) -> bool:
    folder = folder.rstrip("/") or "/"
    return path == folder or path.startswith(folder if folder == "/" else folder + "/")


def _locked_flags(path: str) -> int:
    """The mount flags of ``path`` that a remount inside a user namespace must keep."""
    flags = 0
    try:
        f_flag = os.statvfs(path).f_flag
    except OSError:
        return flags
    for st, ms in (
        (os.ST_RDONLY, MS_RDONLY),
        (os.ST_NOSUID, MS_NOSUID),
        (os.ST_NODEV, MS_NODEV),
        (os.ST_NOEXEC, MS_NOEXEC),
        (os.ST_NOATIME, MS_NOATIME),
        (os.ST_NODIRATIME, MS_NODIRATIME),
        (os.ST_RELATIME, MS_RELATIME),
    ):
        if f_flag & st:
            flags |= ms
    return flags


class Jail:
    """Builds the new root under ``root`` (a directory on the host)."""

    def __init__(self, root: str, notes: list[str]) -> None:
        self.root, self.notes = root, notes
        self.bound: list[str] = []
        self.hidden: list[str] = []

    def inside(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    def covered(self, path: str) -> bool:
        """Already visible through an earlier bind (and not under a hidden path)."""
        return any(_within(path, b) for b in self.bound) and not any(
            _within(path, h) for h in self.hidden
        )

    def hide(self, path: str) -> None:
        """An empty directory over ``path`` where a bind made it visible (the course
        inside /usr, say); binds of paths beneath it (a virtualenv) still work."""
        if self.covered(path) and os.path.isdir(self.inside(path)):
            mount("tmpfs", self.inside(path), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
            self.hidden.append(path)

    def _mountpoint(self, path: str, is_dir: bool) -> str:
        target = self.inside(path)
        if is_dir:
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                open(target, "wb").close()
        return target

    def bind(
        self,
        path: str,
        writable: bool = False,
        devices: bool = False,
        source: str | None = None,
        recursive: bool = True,
    ) -> None:
        """Make host ``source`` (default: ``path``) appear at ``path``, read-only unless
        ``writable``; nosuid, and nodev unless ``devices``; with the mounts beneath it unless
        not ``recursive`` (where the kernel allows leaving them out)."""
        source = source or path
        if self.covered(path) or not os.path.exists(source):
            return
        if os.path.islink(path) and os.path.dirname(path) == "/":
            target = self.inside(path)  # /bin -> usr/bin on merged-/usr systems
            if not os.path.lexists(target):
                os.symlink(os.readlink(path), target)
            return
        real = os.path.realpath(source)
        target = self._mountpoint(path, os.path.isdir(real))
        try:
            mount(real, target, None, MS_BIND | (MS_REC if recursive else 0))
        except OSError:
            if recursive:
                raise
            mount(real, target, None, MS_BIND | MS_REC)  # a user namespace: locked submounts
        self.bound.append(path)
        flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if writable else MS_RDONLY)
        flags |= 0 if devices else MS_NODEV
        for extra in (_locked_flags(real), _locked_flags(real) & ~MS_NODEV & ~MS_NOEXEC):
            try:
                mount(None, target, None, flags | extra)
                return
            except OSError as exc:
                error = exc
        self.notes.append(f"{path} stays writable in the jail: {error}")

    def tmpfs(self, path: str, mode: int, size_mb: int, owner: int | None = None) -> str:
        target = self._mountpoint(path, True)
        data = f"mode={mode:o},size={size_mb}m"
        if owner is not None:
            data += f",uid={owner},gid={owner}"
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, data)
        return target

    def write(self, path: str, text: str) -> None:
        with open(self.inside(path), "w") as f:
            f.write(text)


def hidden_data(python_paths: list[str]) -> list[str]:
    """The folders of HIDDEN_DATA in the site-packages of the worker's Python paths."""
    found = []
    for prefix in python_paths:
        lib = os.path.join(prefix, "lib")
        versions = (
            sorted(n for n in os.listdir(lib) if n.startswith("python"))
            if os.path.isdir(lib)
            else []
        )
        for folder in [prefix, *(os.path.join(lib, v, "site-packages") for v in versions)]:
            found += [
                os.path.join(folder, d)
                for d in HIDDEN_DATA
                if os.path.isdir(os.path.join(folder, d))
            ]
    return found


def build_root(config: LauncherConfig, uid: int, owner: int) -> list[str]:
    """Build the worker's filesystem view at config["jail_root"] and pivot into it."""
    notes: list[str] = []
    jail = Jail(config["jail_root"], notes)
    root = jail.root
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=16m")
    # /tmp first: the scratch directory and the runtime modules usually live under it
    jail.tmpfs("/tmp", 0o1777, 256)
    needed = [
        *config["jail"]["system_dirs"],
        *sorted(set(config["python_paths"]), key=len),
        config["runtime"],
    ]
    for path in needed:
        jail.bind(path)
    for path in [*config["hide"], *hidden_data(config["python_paths"])]:  # what binds revealed
        jail.hide(path)
    for path in needed:  # what lies beneath a hidden path (a virtualenv in the course)
        jail.bind(path)
    for path in config.get("hide_packages", ()):  # the libraries this assignment bans
        jail.hide(path)
    os.makedirs(jail.inside("/etc"), exist_ok=True)
    for name in ETC_FILES:
        jail.bind(f"/etc/{name}")
    home = config["scratch"]
    jail.write(
        "/etc/passwd",
        f"root:x:0:0:root:/root:/bin/sh\n"
        f"student:x:{uid}:{uid}:student:{home}:/bin/sh\n"
        f"nobody:x:{NOBODY}:{NOBODY}:nobody:/nonexistent:/bin/false\n",
    )
    jail.write("/etc/group", f"root:x:0:\nstudent:x:{uid}:\nnogroup:x:{NOBODY}:\n")
    jail.write("/etc/hostname", "sandbox\n")
    # /dev: a few harmless devices, the GPU's nodes where there is one, a private /dev/shm
    dev = jail.tmpfs("/dev", 0o755, 1)
    for name in DEVICES:
        jail.bind(f"/dev/{name}", writable=True, devices=True)
    for name in sorted(os.listdir("/dev")):
        if name.startswith("nvidia"):
            jail.bind(f"/dev/{name}", writable=True, devices=True)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, os.path.join(dev, name))
    jail.tmpfs("/dev/shm", 0o1777, max(64, config["limits"]["memory_mb"] // 2))
    jail.bind("/sys", recursive=False)
    proc = jail._mountpoint("/proc", True)
    try:
        mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError as exc:
        notes.append(f"no /proc in the jail: {exc}")
    # the scratch directory: a tmpfs of limited size with a copy of the submission, so that
    # what the submission writes can neither fill the grading machine's disk nor outlive it
    scratch = config["scratch"]
    jail.tmpfs(scratch, 0o700, config["jail"]["scratch_mb"], owner=owner)
    for name in os.listdir(scratch):
        source = os.path.join(scratch, name)
        if os.path.isfile(source) and not os.path.islink(source):
            with open(source, "rb") as f:
                data = f.read()
            with open(jail.inside(source), "wb") as f:
                f.write(data)
            os.chown(jail.inside(source), owner, owner)
    # switch to the new root; the old one is detached, unreachable from the worker
    os.chdir(root)
    try:
        os.mkdir(".oldroot", 0o000)
        pivot_root(".", ".oldroot")
        os.chdir("/")
        _ok(libc().umount2(b"/.oldroot", MNT_DETACH), "umount old root")
        os.rmdir("/.oldroot")
    except OSError as exc:
        notes.append(f"pivot_root failed ({exc}); using chroot")
        os.chroot(root)
        os.chdir("/")
    for path in ("/", "/dev"):
        try:
            mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        except OSError as exc:
            notes.append(f"{path} stays writable in the jail: {exc}")
    return notes


# ---- cgroups ---------------------------------------------------------------------------------

CGROUP_ROOT = "/sys/fs/cgroup"


def make_cgroups(pid: int, limits: LimitsConfig) -> list[str]:
    """Where cgroup v1 hierarchies are mounted writable (root, outside a container): put
    ``pid`` (init, before it starts the worker) in memory and pids cgroups of its own, so that
    the limits hold for the submission's processes *together*; returns the folders made."""
    made: list[str] = []
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return made
    own = {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1]:
            for controller in parts[1].split(","):
                own[controller] = parts[2]
    memory = limits["memory_mb"] * 2**20
    settings = {
        "memory": [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)],
        "pids": [("pids.max", limits["processes"] + 4)],
    }
    for controller, values in settings.items():
        if controller not in own:
            continue
        folder = os.path.join(
            CGROUP_ROOT, controller, own[controller].lstrip("/"), f"autograder-{os.getpid()}"
        )
        try:
            os.mkdir(folder)
        except OSError:
            continue
        try:
            for index, (name, value) in enumerate(values):
                try:
                    with open(os.path.join(folder, name), "w") as f:
                        f.write(str(value))
                except OSError:
                    if index == 0:
                        raise
            with open(os.path.join(folder, "cgroup.procs"), "w") as f:
                f.write(str(pid))
            made.append(folder)
        except OSError:
            remove_cgroups([folder])
    return made


def remove_cgroups(folders: list[str]) -> None:
    for folder in folders:
        for _ in range(100):
            try:
                os.rmdir(folder)
                break
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    break
                time.sleep(0.02)


# ---- the launcher and init -------------------------------------------------------------------

NAMESPACES = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS


def _enter_namespaces(mode: str) -> None:
    """Unshare for ``mode``; raises OSError where the kernel or the container forbids it."""
    if mode == "namespaces":
        if os.geteuid() != 0:
            raise OSError(errno.EPERM, "not root")
        unshare(NAMESPACES)
    else:
        uid, gid = os.geteuid(), os.getegid()
        unshare(CLONE_NEWUSER | NAMESPACES)
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"0 {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"0 {gid} 1")


def _uid_works(uid: int, config: ModeConfig) -> bool:
    """Can ``uid`` run the Python interpreter and read the runtime modules? (uid mode)"""
    pid = os.fork()
    if pid == 0:
        try:
            _drop_to(uid)
            worker = os.path.join(config["runtime"], "autograder", "inside", "agent.py")
            ok = os.access(config["argv"][0], os.X_OK) and os.access(worker, os.R_OK)
            os._exit(0 if ok else 1)
        except BaseException:  # noqa: B036
            os._exit(2)
    return os.waitpid(pid, 0)[1] == 0


def _reproduce(wait_status: int) -> NoReturn:
    """Exit the way the worker did, so the grader's returncode describes the worker."""
    if os.WIFSIGNALED(wait_status):
        sig = os.WTERMSIG(wait_status)
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else 1)


def _silence_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def init_main(config: LauncherConfig, mode: str, exit_w: int, memory_cgroup: bool = False) -> int:
    """pid 1 of the namespace: build the jail, start the worker, reap, report its end."""
    status = config["status_fd"]
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        unshare(CLONE_NEWNS)
        mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing propagates back to the host
        uid = NESTED_UID if mode == "userns" else worker_uid(config, config["launcher_pid"])
        try:
            notes = build_root(config, uid, 0 if mode == "userns" else uid)
        except OSError as exc:
            if config["isolation"] != "auto":
                raise
            notes = [
                f"could not build the filesystem jail ({exc}); the worker sees the host's files"
            ]
        try:
            socket.sethostname("sandbox")
        except OSError:
            pass
        worker = os.fork()
        if worker == 0:
            os.close(exit_w)
            return become_worker(config, mode, uid, notes, memory_cgroup)
        os.close(config["sock_fd"])
        os.close(status)
        _silence_stdio()
        while True:
            try:
                pid, wait_status = os.waitpid(-1, 0)
            except ChildProcessError:
                os._exit(0)
            if pid == worker:
                os.write(exit_w, str(wait_status).encode())
                os._exit(0)  # and the kernel kills whatever the submission left behind
    except BaseException as exc:  # noqa: B036
        report(status, error=f"setting up the jail failed: {type(exc).__name__}: {exc}")
        os._exit(127)


def run_namespaced(config: LauncherConfig, mode: str, notes: list[str]) -> int:
    exit_r, exit_w = os.pipe()
    go_r, go_w = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(exit_r)
        os.close(go_w)
        _close_launcher_fds(config)
        go = os.read(go_r, 1)  # wait until init is in its cgroups
        if go not in (b"g", b"m"):
            os._exit(127)
        os.close(go_r)
        return init_main(config, mode, exit_w, memory_cgroup=go == b"m")
    os.close(exit_w)
    os.close(go_r)
    cgroups = make_cgroups(init, config["limits"]) if mode == "namespaces" else []
    controllers = [os.path.relpath(c, CGROUP_ROOT).split("/")[0] for c in cgroups]
    os.write(go_w, b"m" if "memory" in controllers else b"g")
    os.close(go_w)
    report(
        config["status_fd"],
        mode=mode,
        notes=notes,
        init=init,
        cgroups=controllers,
        launcher=os.getpid(),
    )
    os.close(config["status_fd"])
    os.close(config["sock_fd"])
    _silence_stdio()
    _watch_lifeline(config, init, exit_r)
    os.waitpid(init, 0)
    remove_cgroups(cgroups)
    data = os.read(exit_r, 64)
    if not data:  # init was killed (the grader's timeout): so was everything in it
        _finish(config, signal.SIGKILL)
    _finish(config, int(data))


def _kill_descendants() -> None:
    """none mode: as child subreaper, every orphan of the worker became our child."""
    for _ in range(100):
        children: set[int] = set()
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/children") as f:
                    children.update(int(p) for p in f.read().split())
            except OSError:
                pass
        if not children:
            return
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def run_plain(config: LauncherConfig, mode: str, notes: list[str]) -> int:
    """uid and none modes: no namespaces; the launcher watches the worker from outside."""
    uid = None
    if mode == "uid":
        uid = worker_uid(config, os.getpid())
        os.chown(config["scratch"], uid, uid)
    else:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    worker = os.fork()
    if worker == 0:
        _close_launcher_fds(config)
        return become_worker(config, mode, uid, notes)
    report(config["status_fd"], mode=mode, notes=notes, sweep_uid=uid, launcher=os.getpid())
    os.close(config["status_fd"])
    os.close(config["sock_fd"])
    _silence_stdio()
    # the grader stops a worker with SIGTERM to the launcher (none mode) or SIGKILL to its
    # process group (uid mode, followed by kill_uid)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(worker, signal.SIGKILL))
    _watch_lifeline(config, worker)
    _, wait_status = os.waitpid(worker, 0)
    if uid is not None:
        kill_uid(uid)
    else:
        _kill_descendants()
    _finish(config, wait_status)


class Unsuitable(Exception):
    """The isolation asked for is one the template's fork path does not run (the fork modes)."""


def worker_uid(config: ModeConfig, launcher_pid: int) -> int:
    """The uid a worker runs as in the uid and namespaces modes: unique among workers."""
    return config["jail"]["uid_base"] + launcher_pid


def choose_mode(config: ModeConfig, fork: bool = False) -> tuple[str, list[str]]:
    """Enter the strongest isolation available (among the fork modes where ``fork``: a
    launcher forked from the template); returns (mode, notes)."""
    wanted = config["isolation"]
    allowed = config["jail"]["fork_modes" if fork else "modes"]
    notes: list[str] = []
    candidates = config["jail"]["modes"] if wanted == "auto" else (wanted,)
    unknown = [mode for mode in candidates if mode not in KNOWN_MODES]
    if unknown:
        raise ValueError(f"unknown isolation {unknown[0]!r}; the jail knows {KNOWN_MODES}")
    if not any(mode in allowed for mode in candidates):
        raise Unsuitable(f"isolation {wanted!r} is not run from the template")
    for mode in candidates:
        if mode not in allowed:
            raise Unsuitable(
                f"only isolation {mode!r} is available: {'; '.join(notes) or 'nothing stronger'}"
            )
        if mode in ("namespaces", "userns"):
            try:
                _enter_namespaces(mode)
                return mode, notes
            except OSError as exc:
                notes.append(f"{mode}: {exc}")
        elif mode == "uid":
            if os.geteuid() != 0:
                continue
            uid = worker_uid(config, os.getpid())
            if _uid_works(uid, config):
                return mode, notes
            notes.append(
                f"uid: uid {uid} cannot run {os.path.realpath(config['argv'][0])} "
                "or read the runtime modules (is a directory above them closed to "
                "other users?)"
            )
        elif mode == "none":
            return mode, notes
    raise OSError(errno.EPERM, f"isolation {wanted!r} is not available: {'; '.join(notes)}")


# ---- the fork path: a launcher forked from the template --------------------------------------


def _close_launcher_fds(config: LauncherConfig) -> None:
    """In init or the worker: the exit and lifeline fds are the launcher's alone (a process of
    the submission holding them could keep the grader waiting, or write a forged status)."""
    for fd in (config.get("exit_fd"), config.get("lifeline_fd")):
        if fd is not None:
            os.close(fd)


def _finish(config: LauncherConfig, wait_status: int) -> NoReturn:
    """Exit the way the worker did; a launcher forked from the template (not the grader's
    child) first writes the worker's wait status to the grader's exit pipe."""
    if config.get("exit_fd") is not None:
        try:
            os.write(config["exit_fd"], str(wait_status).encode())
        except OSError:
            pass
    _reproduce(wait_status)


def _watch_lifeline(config: LauncherConfig, child: int, ended_fd: int | None = None) -> None:
    """Fork path: wait until ``child`` ends (``ended_fd`` readable, else a pidfd of it), or
    until the grader is gone (every copy of the lifeline's write end closed: it died, even by
    SIGKILL, or it stopped the worker): then kill ``child``. The launcher is the template's
    child, so PR_SET_PDEATHSIG cannot tie it to the grader; the lifeline does. The child is
    left for the caller to reap."""
    lifeline = config.get("lifeline_fd")
    if lifeline is None:
        return
    pidfd = None
    if ended_fd is None:
        try:
            ended_fd = pidfd = os.pidfd_open(child)
        except (AttributeError, OSError):
            pass
    poller = select.poll()
    poller.register(lifeline, select.POLLIN)  # a pipe's read end: POLLHUP once the grader is gone
    if ended_fd is not None:
        poller.register(ended_fd, select.POLLIN)
    while True:
        events = dict(poller.poll(None if ended_fd is not None else 100))
        if lifeline in events:
            _signal_quietly(child, signal.SIGKILL)
            break
        if ended_fd in events:
            break
        if (
            ended_fd is None
            and os.waitid(os.P_PID, child, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        ):
            break  # (no pidfd: polled; WNOWAIT leaves it to be reaped)
    if pidfd is not None:
        os.close(pidfd)


def _signal_quietly(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def launch(config: LauncherConfig) -> int:
    """What ``main`` does, in a launcher forked from the template
    (autograder.inside.launcher.template) rather than a fresh ``python -I -S jail.py``: the
    same isolation, limits and reports, with the worker's channel, status pipe,
    stdout/stderr, an exit pipe and a lifeline received from the grader. Returns only in the
    worker process (the channel's fd), whose Python then runs the worker; every other
    process of the chain ends in here."""
    status = config["status_fd"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    config["launcher_pid"] = os.getpid()
    config["fork"] = True
    try:
        mode, notes = choose_mode(config, fork=True)
        if mode in ("namespaces", "userns"):
            if mode == "namespaces":
                uid = worker_uid(config, os.getpid())
                os.chown(config["scratch"], uid, uid)
            return run_namespaced(config, mode, notes)
        return run_plain(config, mode, notes)
    except BaseException as exc:  # noqa: B036
        report(status, error=f"{type(exc).__name__}: {exc}", unsuitable=isinstance(exc, Unsuitable))
        os._exit(127)


def main(argv: list[str]) -> None:
    config: LauncherConfig = json.loads(argv[1])
    status = config["status_fd"]
    os.set_inheritable(status, False)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    config["launcher_pid"] = os.getpid()
    # if the grader dies (even by SIGKILL), so does the launcher, and with it init, the
    # namespace and everything in it
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != config.get("grader_pid", os.getppid()):
        os._exit(127)
    try:
        mode, notes = choose_mode(config)
        if mode in ("namespaces", "userns"):
            if mode == "namespaces":
                uid = worker_uid(config, os.getpid())
                os.chown(config["scratch"], uid, uid)
            run_namespaced(config, mode, notes)
        else:
            run_plain(config, mode, notes)
    except BaseException as exc:  # noqa: B036
        report(status, error=f"{type(exc).__name__}: {exc}")
        os._exit(127)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--kill-uid":
        sys.exit(0 if kill_uid(int(sys.argv[2])) else 1)
    main(sys.argv)
