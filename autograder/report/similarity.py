"""Pairs of submissions whose code is alike: copydetect's winnowing (as MOSS does) on each
``code.py``, with the student notebook's code cells as boilerplate, and code that more than
``COMMON`` of the class shares ignored, as MOSS's ``-m`` does. A reason to look, not a verdict."""

from __future__ import annotations

import html
import io
import multiprocessing
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from autograder import course
from autograder.grade.submission import SubmissionError, read_cells

if TYPE_CHECKING:
    from collections.abc import Collection, Container, Sequence

    from copydetect import CodeFingerprint  # untyped: Any

    from autograder.report.data import Graded

    Codes = list[tuple[str, str]]  # [(submission id, code)]

SIMILARITY = 0.80  # pairs sharing at least this part of one's fingerprints are listed
COMMON = 0.25  # fingerprints in more than this fraction of the class are common code
NOISE, GUARANTEE = 25, 30  # copydetect's k-gram length and guarantee threshold (its defaults)
MIN_COMMON = 10  # ... but never fewer submissions than this (MOSS's -m default)
MAX_SIDE_BY_SIDE = 50  # pairs shown side by side (all are in similar.csv)
MAX_PAIRS_SHOWN = 300  # pairs listed on the page


# ---- similar submissions -----------------------------------------------------------------

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
    return "".join(f"# %%\n{cell.strip()}\n\n" for cell in cells
                   if cell.strip() and cell.strip() not in starter)


def _fingerprint(name: str, code: str, boilerplate: Collection[int] = ()) -> CodeFingerprint:
    from copydetect import CodeFingerprint  # deferred: start-up cost
    win = GUARANTEE - NOISE + 1
    return CodeFingerprint(f"{name}.py", NOISE, win, boilerplate=list(boilerplate),
                           language="python", fp=io.StringIO(code))


def _fingerprint_all(args: tuple[Codes, Collection[int]]) -> list[CodeFingerprint]:
    codes, boilerplate = args
    return [_fingerprint(name, code, boilerplate) for name, code in codes]


def _fingerprints(codes: Codes, boilerplate: Collection[int]) -> list[CodeFingerprint]:
    """copydetect's fingerprints of [(name, code)], in order; tokenizing is most of the
    report's time, so a large class is split over the cores (forked processes)."""
    jobs = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 8)
    if len(codes) < 100 or jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _fingerprint_all((codes, boilerplate))
    chunks = [(codes[n::jobs], boilerplate) for n in range(jobs)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_fingerprint_all, chunks)
    prints: list[CodeFingerprint] = [None] * len(codes)  # each filled in below
    for n, part in enumerate(parts):
        prints[n::jobs] = part
    return prints


def _drop(fp: CodeFingerprint, hashes: set[int]) -> None:
    """Remove ``hashes`` from a fingerprint (as copydetect removes boilerplate)."""
    from copydetect.utils import get_token_coverage  # deferred: start-up cost
    fp.hashes = set(fp.hashes) - hashes
    fp.hash_idx = {h: i for h, i in fp.hash_idx.items() if h not in hashes}
    fp.token_coverage = get_token_coverage(fp.hash_idx, fp.k, len(fp.filtered_code))


@dataclass
class Pair:
    a: str
    b: str
    similarity_a: float  # the part of a's code found in b
    similarity_b: float
    side_a: str = ""  # a's code as HTML, the matching parts marked
    side_b: str = ""

    @property
    def similarity(self) -> float:
        return max(self.similarity_a, self.similarity_b)


def similar_pairs(graded: Sequence[Graded], assignment: str | None = None,
                  threshold: float = SIMILARITY, common: float = COMMON) -> list[Pair]:
    """Pairs of submissions whose code is alike, most alike first: copydetect's winnowed
    fingerprints of each code.py (``assignment`` gives the starter code: boilerplate), and a
    pair's similarity, either way, the part of one's fingerprints that the other holds too
    (one matrix product for the whole class); pairs at ``threshold`` or more either way are
    kept, and the first MAX_SIDE_BY_SIDE get copydetect's matching parts, side by side."""
    import numpy as np  # deferred: start-up cost
    from copydetect import compare_files  # deferred: start-up cost
    from copydetect.utils import highlight_overlap  # deferred: start-up cost
    subs = [g for g in graded if g.code.strip()]
    if len(subs) < 2:
        return []
    cells = starter_cells(assignment) if assignment else []
    starter = "\n\n".join(cells)
    boilerplate = _fingerprint("starter", starter).hashes if starter.strip() else set()
    kept = {c.strip() for c in cells}
    prints = _fingerprints([(g.id, own_code(g.code, kept)) for g in subs], boilerplate)
    frequency = Counter(h for fp in prints for h in fp.hashes)
    limit = max(MIN_COMMON, int(common * len(subs)))
    shared = {h for h, n in frequency.items() if n > limit}
    if shared:
        for fp in prints:
            _drop(fp, shared)
    # how many fingerprints each pair shares: one matrix product over the fingerprints that
    # at least two submissions hold (0/1 matrix: submissions x fingerprints)
    columns = {h: c for c, h in enumerate(h for h, n in frequency.items() if 2 <= n <= limit)}
    held = np.zeros((len(subs), len(columns)), dtype=np.float32)
    for row, fp in enumerate(prints):
        held[row, [columns[h] for h in fp.hashes if h in columns]] = 1.0
    overlap = held @ held.T
    sizes = np.array([max(1, len(fp.hashes)) for fp in prints], dtype=np.float32)
    share = overlap / sizes[:, None]  # share[i, j]: the part of i's fingerprints j holds too
    alike = np.triu(np.maximum(share, share.T) >= threshold, k=1)
    pairs = [Pair(subs[i].id, subs[j].id, float(share[i, j]), float(share[j, i]))
             for i, j in zip(*(a.tolist() for a in np.nonzero(alike)))]
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    index = {g.id: n for n, g in enumerate(subs)}
    for pair in pairs[:MAX_SIDE_BY_SIDE]:  # copydetect finds the matching parts

        fa, fb = prints[index[pair.a]], prints[index[pair.b]]
        _, _, (slices_a, slices_b) = compare_files(fa, fb)
        for attr, fp, slices in (("side_a", fa, slices_a), ("side_b", fb, slices_b)):
            if np.size(slices):
                text, _ = highlight_overlap(fp.raw_code, slices, "<mark>", "</mark>",
                                            escape_html=True)
            else:
                text = html.escape(fp.raw_code)
            setattr(pair, attr, text)
    return pairs


