"""Probes every assignment may use: which libraries a submission loaded or called."""

import importlib
import sys
import types


def contract_function(namespace, name):
    """The submission's ``name``, or a NameError a student can act on."""
    if name not in namespace:
        raise NameError(f"{name} is not defined in your submission (check the spelling of "
                        "its name)")
    return namespace[name]


def loaded_modules(namespace, names):
    """Which of the top-level module ``names`` are imported in the submission's process."""
    return [name for name in names if name in sys.modules]


def used_in_namespace(namespace, names):
    """Which of the top-level module ``names`` the submission's globals come from."""
    found = set()
    for value in list(namespace.values()):
        origin = value.__name__ if isinstance(value, types.ModuleType) else getattr(
            type(value) if not callable(value) else value, "__module__", None)
        root = origin.split(".")[0] if isinstance(origin, str) else ""
        if root in names:
            found.add(root)
    return sorted(found)


def _resolve(dotted):
    module_name, _, attr = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    return module, attr


def _reachable(function, limit=2000):
    """Objects reachable from ``function`` without calling anything: its defaults, closure,
    the globals its code names, and what lists, tuples, sets, dicts, functions and
    ``np.vectorize`` objects among them hold (bounded: ``limit`` objects)."""
    seen, found, todo = set(), [], [function]
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


def calls_banned(namespace, function, args, banned):
    """Call ``function(*args)`` with every ``banned`` function ("numpy.tanh") replaced by a
    tripwire, also where the submission bound it to a global of its own; returns the list
    of banned functions that were called."""
    tripped = []
    saved_attrs, saved_globals = [], []
    for dotted in banned:
        module, attr = _resolve(dotted)
        original = getattr(module, attr)

        def tripwire(*a, _name=dotted, _original=original, **k):
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
