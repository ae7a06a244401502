"""Library bans that the submission cannot switch off: an audit hook, installed in the worker
before any of the submission's code runs (``worker.main``), for the assignments whose
contract forbids libraries (01-05: torch, scipy, sklearn, jax; ``course.banned_imports``).

``sys.addaudithook`` hooks cannot be removed, and this one refuses, with an ImportError that
names the ban:
- every import of a banned package, by any spelling that reaches the import system
  (``import torch``, ``__import__``, ``importlib.import_module("to" + "rch")``);
- opening any file inside a banned package's folder (``exec_module`` on its ``__init__.py``,
  reading its source or bytecode), ``ctypes`` loading a library from there, changing into
  it, and linking or copying from it: any path with a part named like a banned package;
- changes to the hook function itself (its code or defaults).

The hook reads nothing that the submission can change: what it needs is bound as default
arguments when it is made (immutable: a frozenset and str), the builtins it calls are bound
the same way (rebinding ``builtins.type`` changes nothing), it calls no library function
(``os.path`` could be patched), and it has no closure (closure cells are writable).
Not caught (see the README's trust model): writing the process's memory with ``ctypes``, and
loading a banned package's compiled extension through a loader object without opening it
from Python. The parent does not believe this hook either: it only takes points away.
"""

import sys


# Events whose first argument (both, for links) is a path: a path with a folder or file named
# like a banned package is refused (its files, a symlink to them, a working directory in them).
_PATH_EVENTS = frozenset(["open", "ctypes.dlopen", "os.chdir", "os.symlink", "os.link",
                          "os.rename", "shutil.copyfile", "shutil.copytree"])


def install(banned, assignment):
    """Refuse the packages ``banned`` (top-level names) for the rest of this process."""
    banned = frozenset(str(name) for name in banned)
    if not banned:
        return None
    message = (f"{{}} may not be used in {assignment}: write it with numpy alone "
               "(the grader refuses to load it)")

    def hook(event, args, _banned=banned, _message=message, _type=type, _str=str,
             _bytes=bytes, _error=ImportError, _runtime=RuntimeError, _self=None):
        if event == "import":
            name = args[0]
            if _type(name) is not _str:
                raise _error("the grader only imports modules named by plain strings")
            top = name.partition(".")[0]
            if top in _banned:
                raise _error(_message.format(top))
        elif event in _PATH_EVENTS:
            for path in (args[:2] if event in ("os.symlink", "os.link") else args[:1]):
                if _type(path) is _bytes:
                    path = path.decode("utf-8", "surrogateescape")
                if _type(path) is not _str:
                    continue
                parts = []
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

    hook.__defaults__ = hook.__defaults__[:-1] + (hook,)  # no closure: its cells are writable
    sys.addaudithook(hook)
    return hook
