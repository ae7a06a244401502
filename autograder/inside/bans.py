"""Library bans that the submission cannot switch off: an audit hook, installed in the worker
before any of the submission's code runs (``worker.main``), for the assignments whose
contract forbids libraries (01-05: torch, scipy, sklearn, jax; ``course.banned_imports``).

``sys.addaudithook`` hooks cannot be removed, and this one refuses, with an ImportError that
names the ban:
- the ``import`` statement and ``__import__`` for a banned package (the "import" event);
- opening any file with a path through a folder named like a banned package: whatever finds
  a module (``importlib.import_module("to" + "rch")``, which raises no "import" event,
  ``exec_module`` on its ``__init__.py``) must read its source or bytecode; likewise
  ``ctypes`` loading a library from there, changing into it, linking or copying from it;
- changes to the hook function itself (its code or defaults);
- with ``programs`` false, starting any program: a fresh interpreter has no such hook. The
  grader asks for that only where its jail could not hide the banned packages' folders
  (the namespaces modes mount an empty folder over each, so no process of the worker can
  read them: ``jail.build_root``).

The hook reads nothing that the submission can change: what it needs is bound as default
arguments when it is made (immutable: frozensets and str), the builtins it calls are bound
the same way (rebinding ``builtins.type`` changes nothing), it calls no library function
(``os.path`` could be patched), and it has no closure (closure cells are writable).
Not caught (see the README's trust model): writing the process's memory with ``ctypes``, and
loading a banned package's compiled extension through a loader object without opening it
from Python (in the namespaces modes its files are not there to load). The parent does not
believe this hook either: it only takes points away.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from types import ModuleType
    from typing import Any

    AuditHook = Callable[[str, tuple[Any, ...]], None]

# Events whose first argument (both, for links) is a path: a path with a folder or file named
# like a banned package is refused (its files, a symlink to them, a working directory in them).
_PATH_EVENTS = frozenset(
    [
        "open",
        "ctypes.dlopen",
        "os.chdir",
        "os.symlink",
        "os.link",
        "os.rename",
        "shutil.copyfile",
        "shutil.copytree",
    ]
)


# Events that start a program: a fresh interpreter would not have this hook.
_PROGRAM_EVENTS = frozenset(
    [
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.system",
        "subprocess.Popen",
        "os.startfile",
        "pty.spawn",
    ]
)


def install(banned: Iterable[str], assignment: str, programs: bool = True) -> AuditHook | None:
    """Refuse the packages ``banned`` (top-level names) for the rest of this process; with
    ``programs`` false, refuse to start any program too (a fresh Python has no such hook: the
    grader asks for this where the jail could not hide the packages' files, ``uid`` mode)."""
    refused = frozenset(str(name) for name in banned)
    if not refused:
        return None
    no_programs = f"starting programs is not allowed in {assignment} on this grading machine"
    message = (
        f"{{}} may not be used in {assignment}: write it with numpy alone "
        "(the grader refuses to load it)"
    )

    def hook(
        event: str,
        args: tuple[Any, ...],
        _banned: frozenset[str] = refused,
        _message: str = message,
        _type: type[type] = type,
        _str: type[str] = str,
        _bytes: type[bytes] = bytes,
        _error: type[ImportError] = ImportError,
        _runtime: type[RuntimeError] = RuntimeError,
        _programs: bool = programs,
        _denied: type[PermissionError] = PermissionError,
        _no_programs: str = no_programs,
        _starts: frozenset[str] = _PROGRAM_EVENTS,
        _paths: frozenset[str] = _PATH_EVENTS,
        _self: object = None,
    ) -> None:
        if event == "import":
            name = args[0]
            if _type(name) is not _str:
                raise _error("the grader only imports modules named by plain strings")
            top = name.partition(".")[0]
            if top in _banned:
                raise _error(_message.format(top))
        elif event in _starts and not _programs:
            raise _denied(_no_programs)
        elif event in _paths:
            for path in args[:2] if event in ("os.symlink", "os.link") else args[:1]:
                if _type(path) is _bytes:
                    path = path.decode("utf-8", "surrogateescape")
                if _type(path) is not _str:
                    if event == "ctypes.dlopen" and path is not None:  # None: this process
                        raise _error("the grader loads libraries by plain path names only")
                    continue  # a file descriptor (open): nothing is looked up by name
                parts: list[str] = []
                for part in path.split("/"):  # "..": no library code, which could be patched
                    if part == "..":
                        if parts:
                            parts.pop()
                    elif part and part != ".":
                        parts.append(part)
                for part in parts:
                    if part in _banned:
                        raise _error(_message.format(part))
        elif event == "object.__setattr__" and args[0] is _self:
            raise _runtime("the grader's library ban cannot be changed")

    # no closure: its cells are writable
    hook.__defaults__ = hook.__defaults__[:-1] + (hook,)  # type: ignore[index]  # (it has some)
    sys.addaudithook(hook)
    # For the message only: importlib.import_module raises no "import" event, and where the
    # jail hid a package's folder there is no file to refuse either (an empty folder imports
    # as an empty namespace package). The finder names the ban first; removing it from
    # sys.meta_path changes nothing but the message.
    sys.meta_path.insert(0, _BanFinder(refused, message))
    return hook


class _BanFinder:
    """A meta path finder that refuses the banned packages with the ban's message."""

    def __init__(self, banned: frozenset[str], message: str) -> None:
        self.banned, self.message = banned, message

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> None:
        top = str(name).partition(".")[0]
        if top in self.banned:
            raise ImportError(self.message.format(top))
        return None
