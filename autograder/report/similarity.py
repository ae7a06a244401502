"""Pairs of submissions whose code is alike. A reason to look, not a verdict.

How (after MOSS's winnowing and JPlag's token streams):

1. Each submission's own code (its ``code.py`` without the cells left as the starter
   notebook gave them) becomes a stream of tokens that ignores what a copier changes
   cheaply: comments, docstrings, formatting and parentheses are dropped, and every name a
   student chooses becomes ``V`` (keywords, attribute names and literals stay).
2. Every run of ``K`` tokens is hashed with a stable hash (BLAKE2b: the same on every
   machine and run, unlike Python's salted ``hash()``), and winnowing keeps the smallest
   hash of every ``WINDOW`` consecutive ones: a shared run of ``K + WINDOW - 1`` tokens is
   always caught. The starter code's hashes, and hashes that more than ``COMMON`` of the
   class holds, are dropped: they are nobody's own work.
3. A pair is listed when both sides share at least ``MIN_SHARED_TOKENS`` tokens of such
   distinctive code and the shared part is at least ``SIMILARITY`` of one side's
   distinctive code. The page shows both directions and the shared amount.

Why written here rather than copydetect: its fingerprints use Python's salted ``hash()``
(different pairs on every run), and it tokenizes the raw text, so renaming, stripped
comments and added parentheses hide a copy from it. What is left is ~150 lines of the
standard library.
"""

from __future__ import annotations

import ast
import hashlib
import html
import io
import keyword
import re
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from autograder import course
from autograder.grade.submission import SubmissionError, read_cells

if TYPE_CHECKING:
    from collections.abc import Container, Sequence

    from autograder.report.data import Graded

K = 16  # tokens in a hashed run (JPlag's minimum match length for Python is 12)
WINDOW = 8  # winnowing window: every shared run of K + WINDOW - 1 = 23 tokens is caught
SIMILARITY = 0.80  # the shared part of one side's distinctive code, to be listed
MIN_SHARED_TOKENS = 120  # ... and at least this much shared distinctive code on both sides
COMMON = 0.25  # hashes in more than this fraction of the class are common code
MIN_COMMON = 10  # ... but never fewer submissions than this (MOSS's -m default)
MAX_SIDE_BY_SIDE = 50  # pairs shown side by side (all are in similar.csv)
MAX_PAIRS_SHOWN = 300  # pairs listed on the page

_DROPPED = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
_BRACKETS = {"(", ")"}  # grouping a copier adds or removes at no cost


def starter_cells(assignment: str) -> list[str]:
    """The code cells of the student notebook, cleaned as a submission's are: boilerplate."""
    path = course.ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"
    try:
        return read_cells(path)
    except (SubmissionError, OSError):
        return []


def own_code(code: str, starter: Container[str]) -> str:
    """``code`` (a code.py) without the cells that are exactly starter cells (given code,
    demos and stubs left as they were): what the student wrote or changed."""
    cells = re.split(r"(?m)^# %%$\n?", code)
    return "".join(
        f"# %%\n{cell.strip()}\n\n"
        for cell in cells
        if cell.strip() and cell.strip() not in starter
    )


def _docstrings(code: str) -> set[tuple[int, int]]:
    """(line, column) of every docstring's token (empty where the code does not parse)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if (
            not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            or not node.body
        ):
            continue
        first = node.body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            found.add((first.lineno, first.col_offset))
    return found


def tokens(code: str) -> list[tuple[str, int]]:
    """[(normalised token, its line)] of ``code``: comments, docstrings, layout and
    parentheses left out, every name a student chooses written ``V``, strings ``S``."""
    docstrings = _docstrings(code)
    found: list[tuple[str, int]] = []
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in _DROPPED or tok.string in _BRACKETS:
                continue
            if tok.type == tokenize.STRING:
                if tok.start in docstrings:
                    continue
                text = "S"
            elif (
                tok.type == tokenize.NAME and not keyword.iskeyword(tok.string) and previous != "."
            ):
                text = "V"
            else:
                text = tok.string
            found.append((text, tok.start[0]))
            previous = tok.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # code that does not tokenize to the end: what came before still counts
    return found


def _hash(run: Sequence[str]) -> int:
    digest = hashlib.blake2b("\x00".join(run).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def winnow(stream: Sequence[tuple[str, int]]) -> dict[int, list[int]]:
    """{hash: [token index where its run starts]} of the runs winnowing keeps."""
    texts = [text for text, _ in stream]
    hashes = [_hash(texts[i : i + K]) for i in range(len(texts) - K + 1)]
    kept: dict[int, list[int]] = defaultdict(list)
    chosen = -1
    for start in range(max(1, len(hashes) - WINDOW + 1)):
        window = hashes[start : start + WINDOW]
        if not window:
            break
        low = min(window)
        at = start + max(i for i, h in enumerate(window) if h == low)  # the rightmost minimum
        if at != chosen:
            kept[hashes[at]].append(at)
            chosen = at
    return dict(kept)


@dataclass
class Fingerprint:
    """One submission's normalised tokens and the winnowed hashes of its own code."""

    stream: list[tuple[str, int]]
    hashes: dict[int, list[int]]
    code: str

    def covered(self, hashes: Container[int]) -> set[int]:
        """Token indices covered by the runs of ``hashes``."""
        found: set[int] = set()
        for h, starts in self.hashes.items():
            if h in hashes:
                for start in starts:
                    found.update(range(start, start + K))
        return found


def fingerprint(code: str) -> Fingerprint:
    stream = tokens(code)
    return Fingerprint(stream, winnow(stream), code)


@dataclass
class Pair:
    a: str
    b: str
    similarity_a: float  # the part of a's distinctive code found in b
    similarity_b: float
    shared_tokens: int = 0  # tokens of distinctive code they share (the smaller side's count)
    distinct_a: int = 0  # tokens of a's distinctive code
    distinct_b: int = 0
    side_a: str = ""  # a's code as HTML, the lines holding shared code marked
    side_b: str = ""
    why: str = ""  # in words: what they share, and how much of each

    @property
    def similarity(self) -> float:
        return max(self.similarity_a, self.similarity_b)


@dataclass
class Similarity:
    """What ``similar_pairs`` found, and what it compared."""

    pairs: list[Pair]
    compared: int  # pairs of submissions compared
    submissions: int  # submissions with code of their own
    common_hashes: int  # hashes dropped as code common to the class


def _marked(fp: Fingerprint, covered: set[int]) -> str:
    """The code as HTML, each line that holds a shared token marked."""
    lines = {fp.stream[i][1] for i in covered}
    return "\n".join(
        f"<mark>{html.escape(line)}</mark>" if n in lines else html.escape(line)
        for n, line in enumerate(fp.code.splitlines(), start=1)
    )


def compare(
    graded: Sequence[Graded],
    assignment: str | None = None,
    threshold: float = SIMILARITY,
    common: float = COMMON,
    min_shared: int = MIN_SHARED_TOKENS,
) -> Similarity:
    """Every pair of submissions compared; the alike ones, most alike first (see above)."""
    subs = sorted((g for g in graded if g.code.strip()), key=lambda g: g.id)
    cells = starter_cells(assignment) if assignment else []
    kept = {c.strip() for c in cells}
    starter = set(fingerprint("\n\n".join(cells)).hashes) if cells else set()
    prints = [fingerprint(own_code(g.code, kept)) for g in subs]
    frequency = Counter(h for fp in prints for h in fp.hashes if h not in starter)
    limit = max(MIN_COMMON, int(common * len(subs)))
    shared_by_class = {h for h, n in frequency.items() if n > limit}
    distinctive = [
        {h for h in fp.hashes if h not in starter and h not in shared_by_class} for fp in prints
    ]
    holders: dict[int, list[int]] = defaultdict(list)  # hash -> submissions holding it
    for row, hashes in enumerate(distinctive):
        for h in hashes:
            holders[h].append(row)
    candidates: Counter[tuple[int, int]] = Counter()
    for rows in holders.values():
        if len(rows) > 1:
            for i, first in enumerate(rows):
                for second in rows[i + 1 :]:
                    candidates[first, second] += 1
    sizes = [len(prints[n].covered(distinctive[n])) for n in range(len(subs))]
    pairs: list[Pair] = []
    for (i, j), count in sorted(candidates.items()):
        if count * K < min_shared:  # too few shared runs to cover min_shared tokens
            continue
        both = distinctive[i] & distinctive[j]
        covered_i, covered_j = prints[i].covered(both), prints[j].covered(both)
        shared = min(len(covered_i), len(covered_j))
        part_i = len(covered_i) / max(1, sizes[i])
        part_j = len(covered_j) / max(1, sizes[j])
        if shared < min_shared or max(part_i, part_j) < threshold:
            continue
        pair = Pair(subs[i].id, subs[j].id, part_i, part_j, shared, sizes[i], sizes[j])
        pair.why = (
            f"they share {shared} tokens of code that neither the starter notebook "
            f"nor more than {limit} other submissions hold: {part_i:.0%} of "
            f"{pair.a}'s own code and {part_j:.0%} of {pair.b}'s"
        )
        pairs.append(pair)
    pairs.sort(key=lambda p: (-p.similarity, -p.shared_tokens, p.a, p.b))
    index = {g.id: n for n, g in enumerate(subs)}
    for pair in pairs[:MAX_SIDE_BY_SIDE]:  # the pairs shown first, side by side
        i, j = index[pair.a], index[pair.b]
        both = distinctive[i] & distinctive[j]
        pair.side_a = _marked(prints[i], prints[i].covered(both))
        pair.side_b = _marked(prints[j], prints[j].covered(both))
    return Similarity(pairs, len(subs) * (len(subs) - 1) // 2, len(subs), len(shared_by_class))


def similar_pairs(
    graded: Sequence[Graded],
    assignment: str | None = None,
    threshold: float = SIMILARITY,
    common: float = COMMON,
) -> list[Pair]:
    """The alike pairs of ``compare``, most alike first."""
    return compare(graded, assignment, threshold, common).pairs
