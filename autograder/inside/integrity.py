"""Tamper evidence: did the submission rebind or replace anything of ours in the worker?

A second layer only. The parent never needs it for a value-based point (those it checks
against its own reference), but a few properties are visible only in this process ("does
not modify its inputs" is the worker's account of the arguments after the call), and the
cheap ways to forge them go through our modules: replacing ``calls.answer`` or a probe,
swapping ``sys.modules`` entries, rebinding a function's code, or through what the channel
is made of (``json.dumps``, ``socket.socket.sendall``) and what the agent looks up as it
answers (``importlib.import_module``, the builtins). ``Snapshot`` records what every
loaded module of ``autograder`` and of the channel holds; after each request the worker
compares, and a change is reported to the parent as the error kind ``tampered``, which
costs the question and flags the submission. Additions are allowed (a probe module imported
later adds itself to its package). A determined submission can still forge this report;
the README's trust model says so.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from types import CodeType, ModuleType
    from typing import Any

    # per watched name: the module or class, what its namespace held, its functions' code
    Seen = tuple[ModuleType | type, dict[str, Any], dict[str, CodeType]]

PACKAGE = "autograder"
# What the channel is made of besides our modules: replacing json.dumps or a socket method
# forges replies as surely as replacing the agent.
CHANNEL_MODULES = (
    "json",
    "json.encoder",
    "json.decoder",
    "json.scanner",
    "socket",
    "struct",
    "base64",
)
# What the agent looks up as it answers: rebinding importlib.import_module or the builtin
# getattr would hand it a probe of the submission's making.
AGENT_MODULES = ("importlib", "builtins")
CHANNEL_CLASSES = (("socket", "socket"), ("json", "JSONEncoder"), ("json", "JSONDecoder"))


def _ours() -> dict[str, ModuleType | type]:
    """{name: module or class} of everything watched that is loaded now."""
    found: dict[str, ModuleType | type] = {
        name: module
        for name, module in list(sys.modules.items())
        if name == PACKAGE
        or name.startswith(PACKAGE + ".")
        or name in CHANNEL_MODULES
        or name in AGENT_MODULES
    }
    for module_name, class_name in CHANNEL_CLASSES:
        cls = getattr(sys.modules.get(module_name), class_name, None)
        if isinstance(cls, type):
            found[f"{module_name}.{class_name} (class)"] = cls
    return found


class Snapshot:
    """What our modules hold now (by identity), and the code of their functions."""

    def __init__(self) -> None:
        self.modules: dict[str, Seen] = {}
        self.take()

    def take(self) -> None:
        """Add what is new (modules, and names in known modules); what was seen stays."""
        for name, module in _ours().items():
            known = self.modules.setdefault(name, (module, {}, {}))
            if known[0] is not module:
                continue
            for key, value in list(getattr(module, "__dict__", {}).items()):
                if key not in known[1]:
                    known[1][key] = value
                    if type(value).__name__ == "function":
                        known[2][key] = value.__code__

    def changed(self) -> str:
        """A sentence naming the first change to our modules since ``take``, or ''."""
        now = _ours()
        for name, (module, namespace, codes) in self.modules.items():
            if now.get(name) is not module:
                return (
                    f"{name} was replaced"
                    if name.endswith("(class)")
                    else f"sys.modules[{name!r}] was replaced or removed"
                )
            current = getattr(module, "__dict__", {})
            for key, value in namespace.items():
                if key not in current or current[key] is not value:
                    return f"{name}.{key} was rebound"
                code = getattr(value, "__code__", None)
                if codes.get(key) is not None and code is not codes[key]:
                    return f"the code of {name}.{key} was replaced"
        return ""
