"""Read a submission (.ipynb or .py) into the code cells the worker will run.

Parsing happens here, in the grader, on data only: a notebook is JSON read by nbformat, a
script is split into cells by jupytext where it has ``# %%`` markers. Lines that only make
sense in Jupyter or talk to a grading tool (``%magic``, ``!shell``, ``grader.check(...)``,
nbgrader's hidden-test blocks) become blank lines, so that line numbers in error messages
still match the student's cell.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypedDict

import jupytext
import nbformat

from autograder.safe_text import safe_id

if TYPE_CHECKING:
    import os

MAX_SUBMISSION_BYTES = 20 * 2**20

NOT_RUN = re.compile(
    r"""^\s*(?:
        [%!].*                                   # IPython magics and shell escapes
      | import\s+otter\s*(?:\#.*)?               # otter's client, not needed to grade
      | import\s+os,\s*otter\s*
      | if\s+not\s+os\.path\.isdir\("tests"\):\s*print\(".*"\)\s*   # where the checks are
      | grader\s*=\s*otter\.Notebook\(.*\)\s*
      | grader\.(?:check|check_all|export|to_pdf)\(.*\)\s*
    )$""",
    re.VERBOSE,
)


class CellLabel(TypedDict):
    """Where a code cell is in the notebook, for messages (``read_submission``)."""

    position: int  # its place among all the cells (markdown too), counting from 1
    first: str  # its first non-blank line


class SubmissionError(ValueError):
    """A file that is not a gradable submission; the message says why."""


HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")  # nbgrader's markers


def clean(source: str) -> str:
    """The cell as the worker runs it: a line that only makes sense in Jupyter or talks to a
    grading tool (``NOT_RUN``) becomes a blank line, so that line numbers still match the
    student's cell; nbgrader's hidden-test blocks, which nbgrader strips from the notebook it
    releases and restores to grade, are left out whole, markers included."""
    lines: list[str] = []
    hidden = False
    for line in source.splitlines():
        marker = line.strip()
        if marker == HIDDEN_TESTS[0]:
            hidden = True
        if not hidden:
            lines.append("" if NOT_RUN.match(line) else line)
        if marker == HIDDEN_TESTS[1]:
            hidden = False
    return "\n".join(lines)


def read_cells(path: str | os.PathLike[str]) -> list[str]:
    """The submission's code cells, cleaned, as a list of strings."""
    return read_submission(path)[0]


def read_submission(path: str | os.PathLike[str]) -> tuple[list[str], list[CellLabel], str]:
    """(code cells, labels, fingerprint): the cells as ``read_cells`` gives them; for each one
    a label for messages, ``{"position": its place among all the cells (markdown too),
    counting from 1, "first": its first non-blank line}``, so that "cell 11" is the 11th cell a
    student sees; and the code's ``fingerprint``."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path} is not a file")
    size = path.stat().st_size
    if size > MAX_SUBMISSION_BYTES:
        raise SubmissionError(
            f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_SUBMISSION_BYTES // 2**20} MB"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path.name} is not a text file (it is not valid UTF-8)") from None
    if path.suffix == ".ipynb":
        try:
            notebook = nbformat.reads(text, as_version=4)
        except Exception as exc:
            raise SubmissionError(
                f"{path.name} is not a readable Jupyter notebook "
                f"({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        cells = notebook.get("cells") if isinstance(notebook, dict) else None
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise SubmissionError(f"{path.name} is not a readable Jupyter notebook (no cells)")
        code = [
            (n, c.get("source", ""))
            for n, c in enumerate(cells, start=1)
            if c.get("cell_type") == "code"
        ]
        if not all(isinstance(s, str) for _, s in code):
            raise SubmissionError(f"{path.name} has a malformed code cell")
    elif path.suffix == ".py":
        if "# %%" in text:
            try:
                notebook = jupytext.reads(text, fmt="py:percent")
                code = [
                    (n, c.source)
                    for n, c in enumerate(notebook.cells, start=1)
                    if c.cell_type == "code"
                ]
            except Exception as exc:
                raise SubmissionError(
                    f"{path.name} could not be split into cells "
                    f"({type(exc).__name__}: {str(exc)[:200]})"
                ) from None
        else:
            code = [(1, text)]
    else:
        raise SubmissionError(f"{path.name} is not a notebook (.ipynb) or a Python file (.py)")
    labels: list[CellLabel] = [
        {
            "position": n,
            "first": next((line.strip() for line in s.splitlines() if line.strip()), ""),
        }
        for n, s in code
    ]
    cells = [clean(s) for _, s in code]
    return cells, labels, _digest(cells)


def fingerprint(sources: Iterable[str]) -> str:
    """A hash of exactly the text the worker runs: ``clean`` of each code cell (``sources``:
    the cells as written), and the boundaries between cells.

    Markdown, outputs and metadata do not count, nor the text of a line the worker does not
    run (only its place, as the blank line the worker gets: inside a string literal, where
    blank lines are is data). Our grader and the otter and nbgrader bridges read the same
    file, so they compute the same fingerprint.
    """
    return _digest(clean(source) for source in sources)


def _digest(cells: Iterable[str]) -> str:
    """SHA-256 of cleaned cells, each prefixed by its length (so boundaries count)."""
    digest = hashlib.sha256()
    for cell in cells:
        data = cell.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


# ---- otter's exported zips ----------------------------------------------------------------

MAX_ZIP_MEMBERS = 10_000
IGNORED_NAMES = {"__pycache__", "__MACOSX", ".ipynb_checkpoints"}  # never a submission


def extract_from_zip(path: Path, folder: str | os.PathLike[str]) -> tuple[Path | None, str]:
    """Extract the one notebook (else the one .py) of an otter zip into ``folder``."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None, (
                    f"{path.name} holds {len(members)} files; it is not an exported notebook"
                )
            names = [
                m
                for m in members
                if not m.is_dir()
                and not any(p.startswith(".") or p in IGNORED_NAMES for p in Path(m.filename).parts)
            ]
            for suffix in (".ipynb", ".py"):
                found = [m for m in names if m.filename.lower().endswith(suffix)]
                if len(found) > 1:
                    listed = ", ".join(m.filename for m in found)
                    return None, (
                        f"{path.name} holds several {suffix} files ({listed}); "
                        "it should hold exactly one"
                    )
                if found:
                    member = found[0]
                    if member.file_size > MAX_SUBMISSION_BYTES:
                        return None, (
                            f"{member.filename} in {path.name} is "
                            f"{member.file_size / 2**20:.0f} MB; the limit is "
                            f"{MAX_SUBMISSION_BYTES // 2**20} MB"
                        )
                    with archive.open(member) as source:
                        data = source.read(MAX_SUBMISSION_BYTES + 1)
                    if len(data) > MAX_SUBMISSION_BYTES:
                        return None, f"{member.filename} in {path.name} is too large"
                    target = Path(folder) / safe_id(Path(member.filename).name)
                    target = target.with_suffix(suffix)
                    target.write_bytes(data)
                    return target, ""
            return None, f"{path.name} holds no notebook (.ipynb) and no Python file (.py)"
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        RuntimeError,
        ValueError,
        NotImplementedError,
        EOFError,
    ) as exc:
        return None, f"{path.name} is not a readable zip file ({type(exc).__name__}: {exc})"


class Found(Protocol):
    """A submission as found (``grading.Submission``): what ``submission_code`` reads."""

    @property
    def path(self) -> Path: ...
    @property
    def problem(self) -> str: ...


def submission_code(submission: Found) -> str:
    """The code the grader ran, as a ``# %%`` script (``code.py``; '' where unreadable)."""
    path = Path(submission.path)
    try:
        if submission.problem:
            return ""
        if path.suffix.lower() == ".zip" and path.is_file():
            with tempfile.TemporaryDirectory(prefix="autograder-zip-") as folder:
                member, _ = extract_from_zip(path, folder)
                cells = read_cells(member) if member else []
        else:
            cells = read_cells(path)
    except (SubmissionError, OSError):
        return ""
    return "".join(f"# %%\n{cell}\n\n" for cell in cells)
