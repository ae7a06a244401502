"""The lesson's own demo cells in a submission, which our grader leaves out when it runs it.

A lesson's code cells (the master's untagged code cells: plots, small experiments, training
runs) are there for the student to look at; no hidden test needs them, and running them is
most of the time it takes to load a notebook (each plot 50-100 ms; 07's demos train
networks). So the worker gets an empty cell in the place of a demo cell (cell numbers in
messages stay right) when both of these hold:

- the cell's code is the master's, line for line (a demo the student edited runs);
- no cell that runs reads a name that the left-out cells bind (a helper of the lesson that
  a student's function calls, say): names read at a cell's top level before a line of its
  own binds them, and the globals its functions read (``read_names``, from the syntax tree
  and ``symtable``: a function's own local variables do not count).

The fingerprint (``submission.fingerprint``) is taken from the submission as written, so the
hidden inputs are the same on every path. otter and nbgrader run every cell: a function whose
results depend on what a demo did to shared state (the global random generators, say) could
score differently there. The probes seed what they draw, and the masters' demos change no
setting that their functions read; the tests that compare the examples' scores with
``otter run`` and nbgrader (which run everything) show it.
"""

import ast
import symtable
from functools import lru_cache

from . import master


def _key(source):
    """The code of a cell without blank lines and trailing spaces (what ``clean`` leaves)."""
    return tuple(line.rstrip() for line in source.splitlines() if line.strip())


@lru_cache(maxsize=None)
def demo_cells(assignment):
    """The keys of the master's demo cells (its untagged code cells)."""
    return frozenset(_key(c.source) for c in master.read_master(assignment)
                     if c.kind == "code" and c.role == "lesson")


def _scopes(table):
    yield table
    for child in table.get_children():
        yield from _scopes(child)


def bound_names(source):
    """Names the code binds in the module namespace; None where it could bind any (``from m
    import *``) or cannot be read."""
    try:
        if any(isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
               for node in ast.walk(ast.parse(source))):
            return None
        top = symtable.symtable(source, "<cell>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    names = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    for scope in _scopes(top):  # a function's ``global x`` and ``x = ...`` bind x when it runs
        names |= {s.get_name() for s in scope.get_symbols()
                  if s.is_declared_global() and s.is_assigned()}
    return names


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _top_level(tree):
    """The nodes of ``tree`` in the cell's own scope (not inside a def, lambda, class body
    or comprehension, which are scopes of their own: see ``read_names``)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            todo.append(node.generators[0].iter)  # evaluated in the enclosing scope


def read_names(source):
    """The names the cell reads from what other cells bound: names read at its top level
    before a line of its own binds them (``x = x + 1`` reads x), and the globals its
    functions and classes read that it does not bind itself. None where it cannot be read.
    (Only reading counts: writing a name a demo binds needs no demo.)"""
    try:
        tree = ast.parse(source)
        top = symtable.symtable(source, "<cell>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    first_read, first_bound = {}, {}
    for node in _top_level(tree):
        if isinstance(node, ast.Name):
            seen = first_read if isinstance(node.ctx, ast.Load) else first_bound
            seen[node.id] = min(seen.get(node.id, node.lineno), node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                               ast.ExceptHandler)) and node.name:
            first_bound[node.name] = min(first_bound.get(node.name, node.lineno), node.lineno)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                first_bound[name] = min(first_bound.get(name, node.lineno), node.lineno)
    # read on a line before the cell's first binding of it, or on the same line (x = x + 1)
    names = {name for name, line in first_read.items() if first_bound.get(name, line) >= line}
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    for scope in list(_scopes(top))[1:]:
        names |= {s.get_name() for s in scope.get_symbols()
                  if s.is_global() and s.is_referenced() and s.get_name() not in bound}
    return names


def leave_out_demos(cells, assignment):
    """``cells`` (cleaned code cells) with the lesson's demo cells emptied; see the module."""
    demos = demo_cells(assignment)
    bound = {i: bound_names(source) for i, source in enumerate(cells) if _key(source) in demos}
    left_out = {i for i, names in bound.items() if names is not None}
    uses = [read_names(source) or set() for source in cells]  # unreadable: it cannot run
    while True:  # until no running cell reads a name that a left-out cell binds
        used = set().union(*(names for i, names in enumerate(uses) if i not in left_out))
        needed = {i for i in left_out if bound[i] & used}
        if not needed:
            break
        left_out -= needed
    return [("" if i in left_out else source) for i, source in enumerate(cells)]
