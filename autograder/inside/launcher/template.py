"""The worker template ("zygote"): workers forked, fresh, from a process that has already
imported numpy, matplotlib and (for submissions that import it) torch.

``autograder.sandbox`` starts ``python -m autograder.inside.agent --template CONFIG`` from the
runtime copy of the grader modules, with the workers' clean environment, once per kind and
per grading process (or once for a whole batch, before the grading processes are forked):

``basic``  numpy (the worker's own import) and numpy.random, matplotlib with pyplot (Agg),
           the probes;
``torch``  the same plus torch, torch.nn, torch.utils.data, torch._dynamo (what building the
           first optimizer imports: a second) and the torch probes. Used only for a submission
           whose source imports torch: the suites look at the worker's ``sys.modules`` to see
           whether a submission loaded a banned library (``suite.check_no_banned_imports``), so
           a worker must never hold torch that its submission did not import itself.

The template runs trusted code only, never student code: it preloads, then waits on its
control socket (a SOCK_SEQPACKET socketpair; every request is one message: the jail's config
and the worker's environment as JSON, and six fds by SCM_RIGHTS: the worker's end of its
channel, the status pipe, stdout, stderr, an exit pipe and a lifeline, all made by the
grader). For each request it forks a *launcher*, which does what ``jail.py`` does for the exec
path (``jail.launch``: new PID/network/IPC/UTS namespaces, init, the mount namespace and
pivot_root, cgroups, the worker's own uid, rlimits, no_new_privs) except the last step: the
worker process does not exec Python, it returns from the template's code to the worker's
``main``, with the preloaded modules already in memory. The template itself never forks a
worker twice from the same state: every worker is a fork of the pristine template, so nothing
a submission does reaches another one. The template holds nothing of the course (it was
exec'd fresh, not forked from the grader): no reference solution, no hidden suite.

What a worker sees is what a fresh interpreter would give:
- the modules load from the same absolute paths, all visible inside the jail (the runtime copy,
  the Python installation and its site-packages), so lazy sub-imports work;
- ``sys.argv``, ``sys.path[0]`` (the scratch directory, as ``-m`` gives), the environment, the
  working directory, fds (only stdin from /dev/null, the captured stdout/stderr and the
  channel), ``tempfile``'s directory and matplotlib's config/cache directory (the scratch
  directory) are set as for an exec'd worker; ``__main__`` is the worker module in both;
- privileges: as after an exec (``jail._as_after_exec``): no capabilities left where the
  worker is not root (in a nested user namespace it would otherwise keep them all), dumpable;
- memory shared with the template: none writable (checked: it refuses to serve otherwise);
- random state: every generator a fresh interpreter seeds from OS entropy is reseeded from OS
  entropy in each worker, so two students never share a stream and nothing is more
  predictable than before: Python's ``random`` (its own at-fork hook), numpy's global
  ``RandomState`` (``np.random.seed()``) and torch's default CPU generator
  (``torch.default_generator.seed()``). CUDA generators are made at CUDA's initialisation,
  in the worker, as before; the template never touches CUDA (a forked CUDA context is broken);
- threads: the template is single-threaded when it forks (OMP/OpenBLAS/MKL at one thread by
  the environment, ``torch.set_num_threads(1)``, and checked: it refuses to serve otherwise);
  the worker has one thread per numeric library, as an exec'd worker has;
- memory: the address-space rlimit is raised by what the preloaded libraries beyond numpy take
  (``preloaded_mb``), so a submission has as much room as in a fresh interpreter (one that
  imports torch itself gets torch's mappings free, a little more than before); the memory
  cgroup, where there is one, charges only pages the worker copies or allocates. CPU time and
  the load timeout likewise no longer pay for the imports the template made.
Modes: a fork path runs only in the namespaces, userns and uid modes (``sandbox.FORK_MODES``,
sent in the config). In ``none`` the worker would run as the template's uid and could signal
or ptrace it; there, and wherever the template cannot start, the grader uses the exec path.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import random
import resource
import select
import socket
import sys
import time

from autograder.inside import probes
from autograder.inside.launcher import jail

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType
    from typing import TypedDict

    from autograder.inside.launcher.jail import ModeConfig
    from autograder.inside.plain import TemplateConfig, TemplateHello, TemplateRequest

    class _State(TypedDict):
        """What every launcher forked from the template gets besides its request."""

        preloaded_mb: int
        worker: ModuleType  # the agent module, whose ``main`` runs the worker


FDS = ("sock_fd", "status_fd", "stdout_fd", "stderr_fd", "exit_fd", "lifeline_fd")
MAX_REQUEST = 1 << 20
KINDS = {
    "basic": ("numpy.random", "matplotlib", "matplotlib.pyplot"),
    "torch": (
        "numpy.random",
        "matplotlib",
        "matplotlib.pyplot",
        "torch",
        "torch.nn",
        "torch.nn.functional",
        "torch.optim",
        "torch.utils.data",
        "torch._dynamo",
    ),
}


def _vm_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _cuda_touched() -> bool:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_initialized():
        return True
    try:
        with open("/proc/self/maps") as f:
            return "libcuda.so" in f.read()
    except OSError:
        return False


def _shared_writable() -> list[str]:
    """Writable shared mappings: a worker writing there would reach the template (and the
    workers after it), so a template holding one refuses to serve."""
    try:
        with open("/proc/self/maps") as f:
            return [line.strip() for line in f if line.split()[1][1::2] == "ws"]
    except (OSError, IndexError):
        return []


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def preload(kind: str) -> tuple[list[str], list[str]]:
    """Import what workers of ``kind`` get preloaded; returns (modules, notes)."""
    loaded: list[str] = []
    notes: list[str] = []
    # asking torch whether CUDA is there must not initialise it here (a forked CUDA context is
    # broken); the workers' own environment does not carry this
    os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"
    refuse = None if kind == "torch" else probes.Refuse({"torch"})
    if refuse:
        sys.meta_path.insert(0, refuse)
    try:
        for name in KINDS[kind]:
            try:
                importlib.import_module(name)
                loaded.append(name)
            except Exception as exc:  # noqa: BLE001 - a missing library: the worker imports it
                notes.append(f"{name} not preloaded ({type(exc).__name__}: {exc})")
    finally:
        if refuse:
            sys.meta_path.remove(refuse)
    probe_modules, probe_notes = probes.load_all()  # (the workers forked from here skip it)
    loaded += probe_modules
    notes += probe_notes
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    return loaded, notes


def _probe_mode(config: TemplateConfig) -> str:
    """The isolation ``auto`` achieves here among the fork modes, or a reason why none."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            trial: ModeConfig = {
                "isolation": "auto",
                "argv": [sys.executable],
                "runtime": config["runtime"],
                "jail": config["jail"],
            }
            mode, _ = jail.choose_mode(trial, fork=True)
            os.write(write, mode.encode())
        except BaseException as exc:  # noqa: B036
            os.write(write, f"unsuitable: {exc}".encode()[:4000])
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 4096):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def _outside(paths: list[str]) -> list[str]:
    """Preloaded modules whose files lie outside ``paths`` (they would be missing in the jail)."""
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if (
            isinstance(path, str)
            and os.path.isabs(path)
            and not any(jail._within(path, p) for p in paths)
        ):
            found.append(name)
    return found


def close_fds_except(keep: Iterable[int]) -> None:
    kept = sorted({fd for fd in keep if fd >= 0})
    low = 0
    for fd in kept:
        if low < fd:
            os.closerange(low, fd)
        low = fd + 1
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    os.closerange(low, limit if 0 < limit < 1 << 20 else 1 << 20)


def serve(worker_module: ModuleType, config_text: str) -> int:
    """The template's life: preload, say hello, then fork a launcher per request. Returns only
    in a worker process (the channel's fd), which then runs ``worker_module.main``."""
    config: TemplateConfig = json.loads(config_text)
    ctl = socket.socket(fileno=config["control_fd"])
    hello: TemplateHello = {"pid": os.getpid(), "kind": config["kind"]}
    try:
        started = time.monotonic()
        hello["mode"] = _probe_mode(config)
        if hello["mode"] not in config["jail"]["fork_modes"]:  # (before the slow imports)
            hello["unsuitable"] = True
            raise RuntimeError(f"no isolation it may fork workers in ({hello['mode']})")
        base = _vm_mb()
        hello["modules"], hello["notes"] = preload(config["kind"])
        gc.collect()
        gc.freeze()  # the preloaded objects stay out of every worker's collections (and copies)
        hello["preloaded_mb"] = max(0, int(_vm_mb() - base) + 1)
        hello["seconds"] = round(time.monotonic() - started, 3)
        hello["outside"] = _outside(config.get("visible", []))
        if config["kind"] != "torch" and "torch" in sys.modules:
            raise RuntimeError("torch was imported in a basic template")
        if _shared_writable():
            raise RuntimeError(
                f"the template holds writable shared memory "
                f"({_shared_writable()[0]}), which its workers would share"
            )
        if _cuda_touched():
            raise RuntimeError("preloading initialised CUDA, which a forked worker could not use")
        if _threads() != 1:
            raise RuntimeError(
                f"the template runs {_threads()} threads after preloading; "
                "forking it would not be safe"
            )
    except BaseException as exc:  # noqa: B036
        hello["error"] = f"{type(exc).__name__}: {exc}"
    ctl.send(json.dumps(hello).encode())
    if "error" in hello:
        os._exit(1)
    state: _State = {"preloaded_mb": hello["preloaded_mb"], "worker": worker_module}
    poller = select.poll()
    poller.register(ctl, select.POLLIN)
    while True:
        _reap()
        if not poller.poll(1000):
            continue
        try:
            data, fds, flags, _ = socket.recv_fds(ctl, MAX_REQUEST, len(FDS))
        except InterruptedError:
            continue
        except OSError:
            os._exit(0)
        if not data and not fds:
            os._exit(0)  # every grader holding the control socket is gone
        if len(fds) != len(FDS) or flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            _close(fds)
            continue
        try:
            request: TemplateRequest = json.loads(data)
        except ValueError:
            _close(fds)
            continue
        try:
            pid = os.fork()
        except OSError as exc:
            jail.report(fds[1], error=f"the worker template could not fork: {exc}")
            _close(fds)
            continue
        if pid == 0:
            return _launcher(ctl, request, dict(zip(FDS, fds)), state)
        _close(fds)


def _close(fds: list[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _launcher(
    ctl: socket.socket, request: TemplateRequest, fds: dict[str, int], state: _State
) -> int:
    """In the launcher forked from the template; returns only in the worker process."""
    status = fds["status_fd"]
    try:
        os.close(ctl.detach())
        os.setsid()  # a process group of its own, as the exec path's launcher has
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(fds["stdout_fd"], 1)
        os.dup2(fds["stderr_fd"], 2)
        keep = {0, 1, 2, fds["sock_fd"], status, fds["exit_fd"], fds["lifeline_fd"]}
        close_fds_except(keep)
        os.environ.clear()
        os.environ.update(request["env"])
        config = request["config"]
        config["sock_fd"], config["status_fd"] = fds["sock_fd"], fds["status_fd"]
        config["exit_fd"], config["lifeline_fd"] = fds["exit_fd"], fds["lifeline_fd"]
        config["limits"]["preloaded_mb"] = state["preloaded_mb"]
        fd = jail.launch(config)
        return _fresh(state["worker"], fd)
    except BaseException as exc:  # noqa: B036 - nothing may escape a forked child
        jail.report(
            status,
            error=f"the worker template could not start a worker: {type(exc).__name__}: {exc}",
        )
    os._exit(127)


def _fresh(worker_module: ModuleType, fd: int) -> int:
    """In the worker (its own uid, limits and jail already set): the state a fresh
    ``python -m autograder.inside.agent FD`` would have, where it differs from the template's."""
    close_fds_except({0, 1, 2, fd})
    sys.argv[:] = [worker_module.__file__, str(fd)]  # type: ignore[list-item]  # (a file's)
    sys.path[0] = os.getcwd()  # the scratch directory, as -m puts the working directory
    worker_module._MAIN_PID = os.getpid()  # type: ignore[attr-defined]  # (the agent's)
    random.seed()
    numpy_random = sys.modules.get("numpy.random")  # (where it is not loaded, its first
    if numpy_random is not None:  # import seeds it, as anywhere)
        numpy_random.seed()
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.default_generator.seed()
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        # TMPDIR is the scratch directory now
        tempfile.tempdir = None  # type: ignore[attr-defined]  # (tempfile's)
    _reset_matplotlib()
    return fd


def _reset_matplotlib() -> None:
    """matplotlib memoizes its config and cache directories (the template's): forget them, so
    that they come from MPLCONFIGDIR (the scratch directory), as in a fresh interpreter."""
    matplotlib = sys.modules.get("matplotlib")
    for name in ("get_configdir", "get_cachedir"):
        function = getattr(matplotlib, name, None)
        code = getattr(function, "__code__", None)
        if function is None or code is None or "called" not in code.co_freevars:
            continue
        function.__closure__[code.co_freevars.index("called")].cell_contents = False
