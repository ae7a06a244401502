"""Run a command the way Docker's default security profile runs a container's processes.

    python tests/dockerlike.py [--show-host] COMMAND [ARGS...]

installs a seccomp filter with the rules of Docker's default profile that concern
namespaces, then execs COMMAND (the filter is inherited by everything it starts):

- ``unshare``, ``setns``, ``mount``, ``umount2``, ``pivot_root`` and the new mount API
  fail with EPERM (the profile allows them only with CAP_SYS_ADMIN);
- ``clone`` fails with EPERM when its flags ask for a namespace (CLONE_NEWNS, NEWUTS,
  NEWIPC, NEWUSER, NEWPID, NEWNET, NEWCGROUP), user namespaces included; a plain fork or
  thread is allowed;
- ``clone3`` fails with ENOSYS, so that the C library falls back to ``clone`` (its flags
  live in memory, where a filter cannot look).

Run as root, COMMAND also gets only Docker's default capabilities (``setpriv`` drops the
others from the bounding set), as root in a container does, and a container's view of the
files: first, in a mount namespace of its own, every top-level directory that is not part
of a base image (``IMAGE_DIRS``: /work with this repository and its siblings, /home, /srv,
/mnt, ...) is covered by an empty read-only tmpfs. A worker in ``uid`` isolation can read
whatever is readable by every user; on Gradescope that is the image and no course file
outside /autograder/source, and so it is here.

That is what the grader meets on Gradescope, and why it falls back to ``uid`` isolation
there (autograder/jail.py). The filter is a hand-written classic BPF program installed
through ``prctl`` (ctypes), so that the tests need neither libseccomp's bindings nor Docker.
x86_64 only (``supported()``); elsewhere, and for a user other than root, the tests that
need it are skipped.
"""

import ctypes
import os
import platform
import shutil
import struct
import sys

# Docker's default capabilities (moby's oci/caps/defaults.go), for setpriv's bounding set.
DOCKER_CAPABILITIES = ("chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw",
                       "setgid", "setuid", "setfcap", "setpcap", "net_bind_service",
                       "sys_chroot", "kill", "audit_write")

# What a container's root filesystem holds (an Ubuntu base image, plus /opt: this machine's
# package mirrors, which setup.sh's pip reads, and /root: pip's cache). Nothing else shows.
IMAGE_DIRS = ("bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "opt", "proc",
              "root", "run", "sbin", "sys", "tmp", "usr", "var")
CLONE_NEWNS, MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x20000, 1, 2, 4, 16384, 1 << 18

AUDIT_ARCH_X86_64 = 0xC000003E
SYSCALLS_EPERM = {  # x86_64 numbers
    "mount": 165, "umount2": 166, "pivot_root": 155, "unshare": 272, "setns": 308,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433,
}
SYS_CLONE, SYS_CLONE3 = 56, 435
CLONE_NAMESPACE_FLAGS = 0x7E020000  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
EPERM, ENOSYS = 1, 38

BPF_LD_W_ABS, BPF_JEQ_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x45, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16  # struct seccomp_data (little-endian)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def supported():
    return platform.machine() == "x86_64" and sys.platform == "linux"


def _program():
    """The filter as (code, jt, jf, k) instructions."""
    load = lambda offset: (BPF_LD_W_ABS, 0, 0, offset)  # noqa: E731
    errno = lambda number: (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | number)  # noqa: E731
    allow = (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)
    program = [load(OFFSET_ARCH), (BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64), allow, load(OFFSET_NR)]
    for number in SYSCALLS_EPERM.values():
        program += [(BPF_JEQ_K, 0, 1, number), errno(EPERM)]
    program += [(BPF_JEQ_K, 0, 1, SYS_CLONE3), errno(ENOSYS)]
    program += [(BPF_JEQ_K, 0, 3, SYS_CLONE), load(OFFSET_ARG0),
                (BPF_JSET_K, 0, 1, CLONE_NAMESPACE_FLAGS), errno(EPERM)]
    return program + [allow]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    libc.unshare.argtypes = [ctypes.c_int]
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p,
                           ctypes.c_ulong, ctypes.c_ulong]
    return libc


def hide_host():
    """In a new mount namespace, cover every top-level directory outside IMAGE_DIRS."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), "mount --make-rprivate /")
    for entry in sorted(os.listdir("/")):
        path = os.path.join("/", entry)
        if entry in IMAGE_DIRS or os.path.islink(path) or not os.path.isdir(path):
            continue
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=4k,mode=755") != 0:
            raise OSError(ctypes.get_errno(), f"mount tmpfs on {path}")


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
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def command(argv):
    """argv, preceded by setpriv dropping every capability Docker does not grant (as root)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return list(argv)
    bounding = ",".join(["-all"] + [f"+{cap}" for cap in DOCKER_CAPABILITIES])
    return [setpriv, f"--bounding-set={bounding}", "--", *argv]


def main(argv):
    show_host = argv[:1] == ["--show-host"]  # keep this machine's files in view
    argv = argv[1:] if show_host else argv
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    if os.geteuid() == 0 and not show_host:
        hide_host()
    if supported():
        install_filter()
    argv = command(argv)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
