"""The lesson's own demo cells in a submission, which our grader leaves out when it runs it.

A lesson's code cells (the master's untagged code cells: plots, small experiments, training
runs) are there for the student to look at; no hidden test needs them, and running them is
most of the time it takes to load a notebook (each plot 50-100 ms; 07's demos train
networks). So the worker gets an empty cell in the place of a demo cell (cell numbers in
messages stay right) when both of these hold:

- the cell's code is the master's, line for line (a demo the student edited runs);
- no cell that runs reads a name that the left-out cells bind (a helper of the lesson that
  a student's function calls, say): names read at a cell's top level before a line of its
  own binds them, and the globals its functions read (``cell_names``, from the syntax tree
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
from collections.abc import Iterator
from functools import cache

from autograder.course import master


def _key(source: str) -> tuple[str, ...]:
    """The code of a cell without blank lines and trailing spaces (what ``clean`` leaves)."""
    return tuple(line.rstrip() for line in source.splitlines() if line.strip())


@cache
def demo_cells(assignment: str) -> frozenset[tuple[str, ...]]:
    """The keys of the master's demo cells (its untagged code cells)."""
    return frozenset(
        _key(c.source)
        for c in master.read_master(assignment)
        if c.kind == "code" and c.role == "lesson"
    )


def _nested(table: symtable.SymbolTable) -> Iterator[symtable.SymbolTable]:
    """The scopes inside a symbol table (functions, classes, comprehensions), at any depth."""
    for child in table.get_children():
        yield child
        yield from _nested(child)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)


def _top_level(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``tree`` in the cell's own scope (not inside a def, lambda, class body
    or comprehension, which are scopes of their own: see ``cell_names``)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))
        elif isinstance(node, _COMPREHENSIONS):
            todo.append(node.generators[0].iter)  # evaluated in the enclosing scope


def _earliest(lines: dict[str, int], name: str, line: int) -> None:
    lines[name] = min(lines.get(name, line), line)


def cell_names(source: str) -> tuple[set[str] | None, set[str] | None]:
    """(bound, read) for one cell; (None, None) where it cannot be read.

    bound: the names it binds in the module namespace (with a function's ``global x`` and
    ``x = ...``, which bind x when it runs); None where it could bind any (``from m import
    *``). read: the names it reads from what other cells bound: those read at its top level
    before a line of its own binds them (``x = x + 1`` reads x), and the globals its
    functions and classes read that it does not bind itself. (Only reading counts: writing
    a name a demo binds needs no demo.)"""
    try:
        tree = ast.parse(source)
        top = symtable.symtable(source, "<cell>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None, None
    first_read: dict[str, int] = {}
    first_bound: dict[str, int] = {}
    star = False
    for node in _top_level(tree):
        if isinstance(node, ast.Name):
            _earliest(
                first_read if isinstance(node.ctx, ast.Load) else first_bound, node.id, node.lineno
            )
        elif (
            isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)
            )
            and node.name
        ):
            _earliest(first_bound, node.name, node.lineno)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                star = star or alias.name == "*"
                _earliest(first_bound, alias.asname or alias.name.split(".")[0], node.lineno)
    own = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    bound = set(own)
    # read on a line before the cell's first binding of it, or on the same line (x = x + 1)
    read = {name for name, line in first_read.items() if first_bound.get(name, line) >= line}
    for scope in _nested(top):
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if symbol.is_declared_global() and symbol.is_assigned():
                bound.add(name)
            if symbol.is_global() and symbol.is_referenced() and name not in own:
                read.add(name)
    return (None if star else bound), read


def leave_out_demos(cells: list[str], assignment: str) -> list[str]:
    """``cells`` (cleaned code cells) with the lesson's demo cells emptied; see the module."""
    demos = demo_cells(assignment)
    names = [cell_names(source) for source in cells]
    binds = {
        i: bound
        for i, (bound, _) in enumerate(names)  # what each demo cell binds
        if _key(cells[i]) in demos and bound is not None
    }
    left_out = set(binds)
    uses = [read or set() for _, read in names]  # unreadable: it cannot run
    while True:  # until no running cell reads a name that a left-out cell binds
        used = set().union(*(read for i, read in enumerate(uses) if i not in left_out))
        needed = {i for i in left_out if binds[i] & used}
        if not needed:
            break
        left_out -= needed
    return [("" if i in left_out else source) for i, source in enumerate(cells)]
