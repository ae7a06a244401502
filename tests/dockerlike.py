"""Run a command the way Docker runs the processes of a container under its default profile.

    python tests/dockerlike.py [--keep DIR | --show-host] COMMAND [ARGS...]

execs COMMAND (and so everything it starts) under:

- a seccomp filter with the rules of Docker's default profile that concern namespaces:
  ``unshare``, ``setns``, ``mount``, ``umount2``, ``pivot_root`` and the new mount API fail
  with EPERM (the profile allows them only with CAP_SYS_ADMIN); ``clone`` fails with EPERM
  when its flags ask for a namespace (CLONE_NEWNS, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET,
  NEWCGROUP), user namespaces included, while a plain fork or thread is allowed; ``clone3``
  fails with ENOSYS, so that the C library falls back to ``clone`` (clone3's flags live in
  memory, where a filter cannot look);
- as root, only Docker's default capabilities (``setpriv`` drops the others from the
  bounding set), as root in a container has;
- as root, a container's view of the files, set up in a mount namespace of its own before
  the filter: every top-level directory that is not part of a base image (``IMAGE_DIRS``:
  /work with this repository and its siblings, /home, /srv, /mnt, ...) is covered by an
  empty read-only tmpfs, and /tmp by a fresh one in which only ``--keep DIR`` (a folder
  under /tmp: the test's /autograder) stays in view. A worker in ``uid`` isolation can
  read whatever every user may read; in a Gradescope container that is the image and no
  course file but /autograder's, and so it is here. ``--show-host`` leaves the files alone.

That is what the grader meets on Gradescope, and why it falls back to ``uid`` isolation
there (autograder/inside/launcher/jail.py). The filter is a hand-written classic BPF program
installed with ``prctl`` through ctypes, so that the tests need neither libseccomp's bindings
nor Docker.
x86_64 Linux only (``supported()``).
"""

import argparse
import ctypes
import os
import platform
import shutil
import struct
import sys

# Docker's default capabilities (moby's oci/caps/defaults.go), for setpriv's bounding set.
DOCKER_CAPABILITIES = (
    "chown",
    "dac_override",
    "fsetid",
    "fowner",
    "mknod",
    "net_raw",
    "setgid",
    "setuid",
    "setfcap",
    "setpcap",
    "net_bind_service",
    "sys_chroot",
    "kill",
    "audit_write",
)
# What a container's root filesystem holds (an Ubuntu base image, plus /opt: this machine's
# package mirrors, which setup.sh's pip reads, and /root: pip's cache). Nothing else shows.
IMAGE_DIRS = (
    "bin",
    "boot",
    "dev",
    "etc",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "opt",
    "proc",
    "root",
    "run",
    "sbin",
    "sys",
    "tmp",
    "usr",
    "var",
)

# x86_64 system calls and flags
SYSCALLS_EPERM = {
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "unshare": 272,
    "setns": 308,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
}
SYS_CLONE, SYS_CLONE3, SYS_OPEN_TREE, SYS_MOVE_MOUNT = 56, 435, 428, 429
CLONE_NAMESPACE_FLAGS = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
CLONE_NEWNS, MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x20000, 1, 2, 4, 16384, 1 << 18
AT_FDCWD, OPEN_TREE_CLONE, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH = -100, 1, 0x8000, 4
EPERM, ENOSYS = 1, 38

# classic BPF and seccomp
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x45, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
AUDIT_ARCH_X86_64 = 0xC000003E
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16  # in struct seccomp_data (little-endian)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def supported():
    return platform.machine() == "x86_64" and sys.platform == "linux"


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    libc.unshare.argtypes = [ctypes.c_int]
    libc.prctl.argtypes = [
        ctypes.c_int,
        ctypes.c_ulong,
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_ulong,
    ]
    libc.syscall.restype = ctypes.c_long
    return libc


def _check(result, what):
    if result < 0:
        raise OSError(ctypes.get_errno(), what)
    return result


def _tmpfs(libc, path, options, flags=MS_NOSUID | MS_NODEV):
    _check(libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, options), f"tmpfs on {path}")


def container_view(keep):
    """In a new mount namespace: cover every top-level directory outside IMAGE_DIRS with an
    empty read-only tmpfs, and /tmp with a fresh tmpfs in which ``keep`` stays in view."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for entry in sorted(os.listdir("/")):
        path = os.path.join("/", entry)
        if entry not in IMAGE_DIRS and os.path.isdir(path) and not os.path.islink(path):
            _tmpfs(libc, path, b"size=4k,mode=755", MS_RDONLY | MS_NOSUID | MS_NODEV)
    keep = os.path.realpath(keep) if keep else None
    if keep and os.path.dirname(keep) != "/tmp":
        raise ValueError(f"--keep {keep}: a folder directly under /tmp is kept, nothing else")
    # keep's tree, detached (open_tree), is attached again on top of the fresh /tmp
    tree = keep and _check(
        libc.syscall(
            SYS_OPEN_TREE, AT_FDCWD, keep.encode(), OPEN_TREE_CLONE | AT_RECURSIVE | os.O_CLOEXEC
        ),
        f"open_tree({keep})",
    )
    _tmpfs(libc, "/tmp", b"mode=1777")
    if keep:
        os.mkdir(keep, 0o755)
        _check(
            libc.syscall(
                SYS_MOVE_MOUNT, tree, b"", AT_FDCWD, keep.encode(), MOVE_MOUNT_F_EMPTY_PATH
            ),
            f"move_mount(... {keep})",
        )
        os.close(tree)


def _program():
    """The filter as (code, jt, jf, k) instructions."""
    load = lambda offset: (BPF_LD_W_ABS, 0, 0, offset)  # noqa: E731
    errno = lambda number: (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | number)  # noqa: E731
    allow = (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)
    program = [load(OFFSET_ARCH), (BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64), allow, load(OFFSET_NR)]
    for number in SYSCALLS_EPERM.values():
        program += [(BPF_JEQ_K, 0, 1, number), errno(EPERM)]
    program += [(BPF_JEQ_K, 0, 1, SYS_CLONE3), errno(ENOSYS)]
    program += [
        (BPF_JEQ_K, 0, 3, SYS_CLONE),
        load(OFFSET_ARG0),
        (BPF_JSET_K, 0, 1, CLONE_NAMESPACE_FLAGS),
        errno(EPERM),
    ]
    return program + [allow]


def install_filter():
    """Install the filter on this process (and so on everything it execs or starts)."""
    libc = _libc()
    program = _program()
    code = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    if os.geteuid() != 0:  # root may filter itself without it, as Docker's runtime does
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    _check(
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(PR_SET_SECCOMP)",
    )


def command(argv):
    """argv, preceded by setpriv dropping every capability Docker does not grant (as root)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return list(argv)
    bounding = ",".join(["-all"] + [f"+{cap}" for cap in DOCKER_CAPABILITIES])
    return [setpriv, f"--bounding-set={bounding}", "--", *argv]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python tests/dockerlike.py", description=__doc__.split("\n\n")[0]
    )
    view = parser.add_mutually_exclusive_group()
    view.add_argument("--keep", metavar="DIR", help="the folder under /tmp that stays in view")
    view.add_argument("--show-host", action="store_true", help="leave the files alone")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if not args.command:
        parser.error("no COMMAND")
    if not supported():
        parser.error("the filter is written for x86_64 Linux")
    if os.geteuid() == 0 and not args.show_host:
        container_view(args.keep)
    install_filter()
    argv = command(args.command)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    sys.exit(main())
