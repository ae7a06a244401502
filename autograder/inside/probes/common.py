"""Probes every assignment may use: which libraries a submission loaded or called."""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # typing's flag, without importing typing at run time (mypy knows it)
if TYPE_CHECKING:
    from typing import Any

    Namespace = dict[str, Any]  # the submission's globals (or a copy): its values are anything


def contract_function(namespace: Namespace, name: str) -> Any:
    """The submission's ``name``, or a NameError a student can act on."""
    if name not in namespace:
        raise NameError(
            f"{name} is not defined in your submission (check the spelling of its name)"
        )
    return namespace[name]


def loaded_modules(namespace: Namespace, names: list[str]) -> list[str]:
    """Which of the top-level module ``names`` are imported in the submission's process."""
    return [name for name in names if name in sys.modules]


def used_in_namespace(namespace: Namespace, names: list[str]) -> list[str]:
    """Which of the top-level module ``names`` the submission's globals come from."""
    found: set[str] = set()
    for value in list(namespace.values()):
        origin = (
            value.__name__
            if isinstance(value, types.ModuleType)
            else getattr(type(value) if not callable(value) else value, "__module__", None)
        )
        root = origin.split(".")[0] if isinstance(origin, str) else ""
        if root in names:
            found.add(root)
    return sorted(found)


def _resolve(dotted: str) -> tuple[types.ModuleType, str]:
    module_name, _, attr = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    return module, attr


def _reachable(function: object, limit: int = 2000) -> list[object]:
    """Objects reachable from ``function`` without calling anything: its defaults, closure,
    the globals its code names, and what lists, tuples, sets, dicts, functions and
    ``np.vectorize`` objects among them hold (bounded: ``limit`` objects)."""
    seen: set[int] = set()
    found: list[object] = []
    todo: list[Any] = [function]  # anything the submission's function reaches
    while todo and len(found) < limit:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append(obj)
        kind = type(obj)
        if kind in (list, tuple, set, frozenset):
            todo.extend(obj)
        elif kind is dict:
            todo.extend(obj.values())
        elif kind is types.FunctionType:
            todo.extend(obj.__defaults__ or ())
            todo.extend((obj.__kwdefaults__ or {}).values())
            for cell in obj.__closure__ or ():
                try:
                    todo.append(cell.cell_contents)
                except ValueError:  # an empty cell
                    pass
            codes = [obj.__code__]
            while codes:
                code = codes.pop()
                todo.extend(obj.__globals__[n] for n in code.co_names if n in obj.__globals__)
                codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        elif kind.__name__ == "vectorize" and hasattr(obj, "pyfunc"):
            todo.append(obj.pyfunc)
    return found


def calls_banned(
    namespace: Namespace, function: str, args: list[Any], banned: list[str]
) -> list[str]:
    """Call ``function(*args)`` with every ``banned`` function ("numpy.tanh") replaced by a
    tripwire, also where the submission bound it to a global of its own; returns the list
    of banned functions that were called."""
    tripped: list[str] = []
    saved_attrs: list[tuple[types.ModuleType, str, Any]] = []
    saved_globals: list[tuple[str, Any]] = []
    for dotted in banned:
        module, attr = _resolve(dotted)
        original = getattr(module, attr)

        def tripwire(*a: Any, _name: str = dotted, _original: Any = original, **k: Any) -> Any:
            tripped.append(_name)
            return _original(*a, **k)

        saved_attrs.append((module, attr, original))
        setattr(module, attr, tripwire)
        for key, value in list(namespace.items()):
            if value is original:
                saved_globals.append((key, value))
                namespace[key] = tripwire
    originals = [original for _, _, original in saved_attrs]
    for obj in _reachable(namespace[function]):  # bound at definition time: a default, a
        for dotted, original in zip(banned, originals):  # closure, a list, np.vectorize
            if obj is original:
                tripped.append(dotted)
    try:
        namespace[function](*args)
    finally:
        for module, attr, original in saved_attrs:
            setattr(module, attr, original)
        for key, value in saved_globals:
            namespace[key] = value
    return sorted(set(tripped))
