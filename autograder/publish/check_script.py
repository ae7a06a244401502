"""Run the public checks on your notebook:  python check.py assignments/NN_name/NN_name.ipynb

It runs the notebook's code cells in order (as "Restart and run all" would), then each
question's public checks (the files in the assignment's tests/ folder, the same checks as
the notebook's grader.check(...) cells), and prints which questions pass and, for the
others, why. Exit status 0 when every question passes, 1 otherwise.

The public checks are a first test only: the graded tests are hidden and check much more.
This file needs only Python's standard library (and what your notebook itself imports).
"""

# the annotations stay unevaluated, as when there were none; the code this file compiles (the
# notebook's, the checks) does not inherit this import: dont_inherit=True
from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import re
import signal
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from types import CodeType, FrameType

HERE = Path(__file__).resolve().parent
QUESTIONS: dict[str, list[str]] = {}  # filled in by the release
NOT_RUN_PATTERN = ""  # filled in by the release
NOT_RUN = re.compile(NOT_RUN_PATTERN, re.VERBOSE)  # Jupyter magics and otter's client lines
CELL_SECONDS = 120  # a cell (or one question's checks) running longer than this is stopped


class TookTooLong(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise TookTooLong after ``seconds`` (where the system has SIGALRM; not Windows)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> NoReturn:
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def quiet() -> contextlib.ExitStack[bool | None]:
    """What the notebook prints (progress bars, demos) is not part of the summary."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def guess_assignment(path: str | os.PathLike[str]) -> str:
    for name in QUESTIONS:
        if Path(path).stem.startswith(name) or name in Path(path).resolve().parts:
            return name
    raise SystemExit(
        f"cannot tell the assignment from {path}; pass --assignment NAME "
        f"(one of {', '.join(QUESTIONS)})"
    )


def code_cells(path: str | os.PathLike[str]) -> list[str]:
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = notebook["cells"]
        sources = []
        for cell in cells:
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                sources.append("".join(source) if isinstance(source, list) else source)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SystemExit(
            f"Cannot check {path}: it is not a readable Jupyter notebook "
            f"({type(exc).__name__}: {exc})"
        ) from None
    return [
        "\n".join("" if NOT_RUN.match(line) else line for line in s.splitlines()) for s in sources
    ]


def public_checks(assignment: str, question: str) -> CodeType:
    """The body of ``public_checks`` in tests/<question>.py, compiled (otter not needed)."""
    path = HERE / "assignments" / assignment / "tests" / f"{question}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "public_checks":
            return compile(
                ast.Module(body=node.body, type_ignores=[]), str(path), "exec", dont_inherit=True
            )  # not this file's __future__ import
    raise SystemExit(f"{path} holds no public checks: download the assignment again")


def run_notebook(
    cells: Iterable[str], folder: str | os.PathLike[str]
) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """Run the cells in one namespace, in ``folder``; (namespace, [(cell number, error)])."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # plots are drawn, not shown
    namespace: dict[str, Any] = {"__name__": "__main__"}
    errors: list[tuple[int, str]] = []
    previous = os.getcwd()
    os.chdir(folder)
    try:
        for number, source in enumerate(cells, start=1):
            if not source.strip():
                continue
            try:
                # dont_inherit: compiled as Jupyter does, without this file's __future__ import
                code = compile(source, f"<cell {number}>", "exec", dont_inherit=True)
                with quiet(), time_limit(CELL_SECONDS):
                    exec(code, namespace)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - SystemExit from a cell too
                errors.append((number, f"{type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        os.chdir(previous)
    return namespace, errors


def reason(question: str, exc: BaseException) -> str:
    """What went wrong, in the words `python -m autograder check` uses."""
    if isinstance(exc, AssertionError):
        return str(exc) or "an assertion failed"
    if isinstance(exc, NotImplementedError):
        return f"{question} is not implemented yet (it still raises NotImplementedError)"
    if isinstance(exc, TookTooLong):
        return f"{question}: the checks were {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    where = next(
        (
            f" (cell {f.filename[6:-1]}, line {f.lineno})"
            for f in reversed(frames)
            if f.filename.startswith("<cell ")
        ),
        "",
    )
    return f"{question} raised {type(exc).__name__}: {exc}{where}"


def check(path: str | os.PathLike[str], assignment: str | None = None) -> int:
    assignment = assignment or guess_assignment(path)
    if assignment not in QUESTIONS:
        raise SystemExit(f"unknown assignment {assignment!r} (one of {', '.join(QUESTIONS)})")
    namespace, load_errors = run_notebook(code_cells(path), Path(path).resolve().parent)
    outcomes: dict[str, str | None] = {}  # question -> why it fails, None where it passes
    for question in QUESTIONS[assignment]:
        try:
            with quiet(), time_limit(CELL_SECONDS):
                exec(public_checks(assignment, question), dict(namespace))
            outcomes[question] = None
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001
            outcomes[question] = reason(question, exc)
    passed = [q for q, why in outcomes.items() if why is None]
    print(f"{assignment}: public checks pass for {len(passed)} of {len(outcomes)} questions\n")
    for question, why in outcomes.items():
        print(
            f"  {'PASS' if why is None else 'FAIL'}  {question}"
            + ("" if why is None else f"\n        {why}")
        )
    if load_errors:
        print("\nWhile running your notebook:")
        for number, error in load_errors:
            print(f"  cell {number}: {error}")
    print("\nThe public checks are a first test; the graded (hidden) tests check much more.")
    return 0 if len(passed) == len(outcomes) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--assignment", help="default: taken from the notebook's file name")
    args = parser.parse_args(argv)
    return check(args.notebook, args.assignment)


if __name__ == "__main__":
    sys.exit(main())
