"""Read an assignment master (solutions/NN_name.py) and derive what others receive from it.

A master is a jupytext percent-format script. Each cell has one role, given by its tags:

- no tag            lesson: markdown, or code the student sees and runs (demos, plots)
- ``given``         code the student receives as is and the reference needs (imports, helpers)
- ``exercise``      code with ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` blocks; the student
                    receives a stub, the reference keeps the solution
- ``check``         public checks: plain ``assert`` statements; the cell's ``check`` metadata
                    names the question (``# %% tags=["check"] check="step"``)

A solution block may carry a hint: ``# BEGIN SOLUTION hint: compare z with 0``.
"""

import ast
import builtins
import importlib
import re
import types
from dataclasses import dataclass
from functools import cache
from typing import Any

import jupytext

from autograder import course

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?:\s+hint:\s*(?P<hint>.*?))?\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
DEF = re.compile(r"^(?P<indent>\s*)(?:def|class)\s+(?P<name>\w+)")


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" or "code"
    role: str  # "lesson", "given", "exercise" or "check"
    source: str
    question: str = ""  # for check cells: the function the checks are about


@cache
def read_master(assignment: str) -> tuple[Cell, ...]:
    """The master's cells, in order."""
    notebook = jupytext.read(course.master_path(assignment), fmt="py:percent")
    cells = []
    for nb_cell in notebook.cells:
        tags = nb_cell.metadata.get("tags", [])
        role = next((t for t in ("given", "exercise", "check") if t in tags), "lesson")
        if nb_cell.cell_type != "code" and role != "lesson":
            raise ValueError(f"{assignment}: only code cells can be tagged {role!r}")
        question = nb_cell.metadata.get("check", "")
        if role == "check" and not question:
            raise ValueError(f'{assignment}: a check cell needs check="<function>" metadata')
        cells.append(Cell(nb_cell.cell_type, role, nb_cell.source, question))
    return tuple(cells)


def _enclosing_name(lines: list[str], index: int, indent: int) -> str:
    """The name of the def/class (``Class.method`` for methods) holding line ``index``."""
    names: list[str] = []
    for line in reversed(lines[:index]):
        match = DEF.match(line)
        if match and len(match["indent"]) < indent:
            names.append(match["name"])
            indent = len(match["indent"])
            if indent == 0:
                break
    return ".".join(reversed(names)) or "this exercise"


def strip_solutions(source: str) -> str:
    """Replace every solution block with a stub that raises NotImplementedError."""
    lines = source.splitlines()
    out: list[str] = []
    i, found = 0, False
    while i < len(lines):
        match = BEGIN.match(lines[i])
        if not match:
            if END.match(lines[i]):
                raise ValueError(f"'# END SOLUTION' without a BEGIN: {lines[i]!r}")
            out.append(lines[i])
            i += 1
            continue
        found = True
        indent = match["indent"]
        name = _enclosing_name(lines, i, len(indent))
        j = i + 1
        while j < len(lines) and not END.match(lines[j]):
            if BEGIN.match(lines[j]):
                raise ValueError(f"nested '# BEGIN SOLUTION' in {name}")
            j += 1
        if j == len(lines):
            raise ValueError(f"'# BEGIN SOLUTION' in {name} is never closed")
        if match["hint"]:
            out.append(f"{indent}# Hint: {match['hint']}")
        out.append(f'{indent}raise NotImplementedError("{name} is not implemented yet")')
        i = j + 1
    if not found:
        raise ValueError("an exercise cell holds no '# BEGIN SOLUTION' block")
    return "\n".join(out)


def remove_markers(source: str) -> str:
    """The reference solution: the master's code with the marker lines dropped."""
    return "\n".join(
        line for line in source.splitlines() if not (BEGIN.match(line) or END.match(line))
    )


def reference_cells(assignment: str) -> list[str]:
    """The code cells of the reference solution: given and exercise cells, solutions in."""
    return [
        remove_markers(c.source) for c in read_master(assignment) if c.role in ("given", "exercise")
    ]


def reference_source(assignment: str) -> str:
    """The code of the reference solution, as one text."""
    return "\n\n".join(reference_cells(assignment)) + "\n"


class _ImportedOnUse(types.ModuleType):
    """A stand-in for a module that imports it at its first attribute lookup."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def _without_plot_imports(tree: ast.Module) -> dict[str, str]:
    """``tree`` without its top-level ``import matplotlib...`` statements; {bound name: module}
    for the stand-ins that replace them."""
    stand_ins: dict[str, str] = {}
    body: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.Import) and all(
            alias.name.split(".")[0] == "matplotlib" for alias in node.names
        ):
            for alias in node.names:
                name = alias.asname or "matplotlib"
                stand_ins[name] = alias.name if alias.asname else "matplotlib"
        else:
            body.append(node)
    tree.body = body
    return stand_ins


@cache
def load_reference(assignment: str) -> types.ModuleType:
    """The reference solution as a module (trusted code: runs in the grader's process).

    Its ``import matplotlib.pyplot as plt`` binds a stand-in that imports pyplot when used:
    the reference's functions never plot, and importing pyplot would cost every grading
    process 0.6 s (``grade FILE``, so each Gradescope submission)."""
    module = types.ModuleType(f"reference_{assignment}")
    module.__file__ = str(course.master_path(assignment))
    tree = ast.parse(reference_source(assignment), f"<reference {assignment}>")
    for name, imported in _without_plot_imports(tree).items():
        module.__dict__[name] = _ImportedOnUse(imported)
    exec(compile(tree, f"<reference {assignment}>", "exec"), module.__dict__)
    return module


def checks(assignment: str) -> dict[str, str]:
    """The public checks: {question: source}, in the master's order."""
    found: dict[str, str] = {}
    for cell in read_master(assignment):
        if cell.role == "check":
            if cell.question in found:
                raise ValueError(f"{assignment}: two check cells for {cell.question!r}")
            found[cell.question] = cell.source
    return found


def free_names(source: str) -> list[str]:
    """Names a piece of code reads but never binds (so they must come from the notebook)."""
    tree = ast.parse(source)
    bound: set[str] = set()
    used: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                used.append(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            bound.update(a.arg for a in node.args.args)
        elif isinstance(node, ast.comprehension):
            bound.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
    seen: list[str] = []
    for name in used:
        if name not in bound and not hasattr(builtins, name) and name not in seen:
            seen.append(name)
    return seen
