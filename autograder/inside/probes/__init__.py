"""Probes: functions ``probe(namespace, *plain_args) -> plain data`` that a hidden suite runs
next to the student code (``student.probe("module.probe", ...)``), and next to the reference
solution in a worker of its own (``reference.probe(...)``), for objects that cannot cross the
process boundary themselves (an nn.Module, an optimizer, a training loop). The grading
process names them and never imports them."""

from __future__ import annotations

import importlib
import os
import sys

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from types import ModuleType


def module_names() -> list[str]:
    """The full names of the probe modules: every public .py file of this folder."""
    folder = os.path.dirname(__file__)
    return [
        f"{__name__}.{name[:-3]}"
        for name in sorted(os.listdir(folder))
        if name.endswith(".py") and not name.startswith("_")
    ]


class Refuse:
    """A meta path finder that refuses some top-level packages (torch where it is not loaded)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> None:
        if name.split(".")[0] in self.names:
            raise ImportError(f"{name} is not preloaded here")
        return None


# load_all's (loaded, notes), once it ran: a worker forked from a template has it
_tried: list[tuple[list[str], list[str]]] = []


def load_all() -> tuple[list[str], list[str]]:
    """Import the probe modules before the submission runs, so that a probe module the
    submission finds loaded is ours, watched by the tamper evidence from the start
    (``integrity``). Those this process cannot load stay out: a banned library's, and, where
    torch is not loaded yet (a basic template, a worker started afresh), torch's; they load at
    their first use. Returns (modules loaded, notes on the others); a second call (in a worker
    forked from the template that made the first) does nothing again."""
    if _tried:
        return _tried[0]
    loaded: list[str] = []
    notes: list[str] = []
    refuse = None if "torch" in sys.modules else Refuse({"torch"})
    if refuse:
        sys.meta_path.insert(0, refuse)
    try:
        for name in [__name__, *module_names()]:
            try:
                importlib.import_module(name)
                loaded.append(name)
            except Exception as exc:  # noqa: BLE001 - a missing library: loads at first use
                notes.append(f"{name} not preloaded ({type(exc).__name__}: {exc})")
    finally:
        if refuse:
            sys.meta_path.remove(refuse)
    _tried.append((loaded, notes))
    return loaded, notes
