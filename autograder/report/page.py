"""``python -m autograder report GRADED_DIR``: what a class got right, got wrong, and shares.

Reads a batch's output folder (``DIR/<id>/results.json``, ``code.py``, ``grades.csv``; see
``autograder/batch/``) and writes ``DIR/report/``:

- ``index.html``       one self-contained page (no script, no network: it opens offline);
- ``*.png``            its figures, beside it: the score histogram, pass rates, misconceptions;
- ``*.csv``            its tables: ``summary``, ``histogram``, ``questions``, ``tests``,
                       ``misconceptions``, ``problems``, ``similar`` and ``submissions``.

What it shows:

- the score distribution, with mean, median and the number of full marks and of zeros;
- every question and every test with its pass rate (the fraction of submissions that earned
  all its points), hardest first; a test that at most ``HARD`` of the class passes is
  flagged "unclear instructions or a test to review", one that nobody fails "not
  discriminating" (submissions whose grading process failed are left out of these rates);
- the misconceptions: every ``This looks like: LABEL`` of a failure message (the batch also
  stores it as ``extra_data.misconception`` of the test), with the submissions that showed it;
- the submissions whose grading failed, timed out, hit a limit or were flagged for tampering;
- pairs of submissions whose own code is alike (``autograder.report.similarity``), with
  how much they share and why they are listed. Similarity is a reason to look, not a verdict.

Every student-supplied text (ids, messages, code) is escaped; the page links each
submission to its ``feedback.md`` and ``code.py``.
"""

from __future__ import annotations

import csv
import html
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from autograder.batch.output import CODE, RESULTS
from autograder.report.data import (
    HARD,
    _assignment,
    histogram,
    item_analysis,
    misconceptions,
    problems,
    read_graded,
    score_summary,
)
from autograder.report.similarity import (
    COMMON,
    MAX_PAIRS_SHOWN,
    MAX_SIDE_BY_SIDE,
    MIN_SHARED_TOKENS,
    SIMILARITY,
    Similarity,
    compare,
)

if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Sequence

    from _typeshed import StrPath
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from autograder.report.data import Bin, Graded, Item, Misconception, Problem

REPORT_DIR = "report"


# ---- writing the report --------------------------------------------------------------------


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _pct(rate: float) -> str:
    return f"{100 * rate:.1f}%"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _plain(text: object, limit: int = 60) -> str:
    """A label for matplotlib: cut short, and no mathtext (a '$' is a dollar sign)."""
    return str(text)[:limit].replace("$", r"\$")


def _bars(ax: Axes, names: Sequence[str], values: Sequence[float], color: str) -> None:
    """Horizontal bars, the first on top (by position: two equal names stay two bars)."""
    positions = list(range(len(names)))[::-1]
    ax.barh(positions, values, color=color)
    ax.set_yticks(positions, names)


def _figures(
    folder: Path,
    summary: dict[str, float],
    bins: Sequence[Bin],
    questions: Sequence[Item],
    tests: Sequence[Item],
    labels: Sequence[Misconception],
) -> dict[str, bool]:
    import matplotlib  # deferred: start-up cost

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # deferred: start-up cost

    written: dict[str, bool] = {}

    def save(fig: Figure, name: str) -> None:
        fig.tight_layout()
        fig.savefig(folder / name, dpi=80)
        plt.close(fig)
        written[name] = True

    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(
        [lo for lo, _, _ in bins],
        [c for _, _, c in bins],
        width=[hi - lo for lo, hi, _ in bins],
        align="edge",
        color="#4c72b0",
        edgecolor="white",
    )
    ax.axvline(summary["mean"], color="#c44e52", label=f"mean {summary['mean']:.1f}")
    ax.axvline(
        summary["median"], color="#55a868", linestyle="--", label=f"median {summary['median']:.1f}"
    )
    ax.set_xlabel(f"score (out of {_num(summary['max_score'])})")
    ax.set_ylabel("submissions")
    ax.legend()
    save(fig, "histogram.png")

    for name, items in (("questions.png", questions), ("tests.png", tests)):
        shown = items[:40]
        fig, ax = plt.subplots(figsize=(7, 0.8 + 0.22 * max(1, len(shown))))
        _bars(ax, [_plain(i.name) for i in shown], [100 * i.rate for i in shown], "#4c72b0")
        ax.set_xlim(0, 100)
        ax.set_xlabel("pass rate (%)" + (f", the {len(shown)} hardest" if len(items) > 40 else ""))
        ax.tick_params(axis="y", labelsize=7)
        save(fig, name)

    if labels:
        most = labels[:15]
        fig, ax = plt.subplots(figsize=(7, 0.8 + 0.3 * len(most)))
        _bars(
            ax, [_plain(label) for label, _, _ in most], [len(ids) for _, ids, _ in most], "#dd8452"
        )
        ax.set_xlabel("submissions")
        ax.tick_params(axis="y", labelsize=7)
        save(fig, "misconceptions.png")
    return written


def _link(submission_id: str, name: str) -> str:
    return f"../{quote(submission_id)}/{name}"


def _ids(ids: Iterable[str], limit: int = 30) -> str:
    shown = sorted(ids)
    links = ", ".join(
        f'<a href="{_link(i, "feedback.md")}">{html.escape(i)}</a>' for i in shown[:limit]
    )
    return links + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222;
       line-height: 1.4; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #a33; font-weight: 600; }
.note { background: #fff8e0; border-left: 4px solid #e0b000; padding: 0.5em 1em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 0.8em; max-height: 30em; }
mark { background: #ffd27a; }
img { max-width: 100%; }
"""


def _table(
    header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Container[int] = ()
) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            klass = ' class="n"' if index in numeric else ""
            cells.append(f"<td{klass}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _page(
    assignment: str | None,
    graded: Sequence[Graded],
    summary: dict[str, float],
    bins: Sequence[Bin],
    questions: Sequence[Item],
    tests: Sequence[Item],
    labels: Sequence[Misconception],
    trouble: Sequence[Problem],
    similarity: Similarity,
) -> str:
    e = html.escape
    parts = [
        f"<h1>Class report: {e(assignment or 'unknown assignment')}</h1>",
        f"<p>{len(graded)} submissions. Tables as CSV beside this page; each "
        "submission links to its feedback.</p>",
        "<h2 id='scores'>Scores</h2>",
        _table(
            ["", "value"],
            [
                ["submissions", f'<span id="stat-submissions">{summary["submissions"]}</span>'],
                ["maximum score", f'<span id="stat-max">{_num(summary["max_score"])}</span>'],
                ["mean", f'<span id="stat-mean">{summary["mean"]:.2f}</span>'],
                ["median", f'<span id="stat-median">{summary["median"]:.2f}</span>'],
                ["full marks", f'<span id="stat-full">{summary["full_marks"]}</span>'],
                ["zero", f'<span id="stat-zeros">{summary["zeros"]}</span>'],
            ],
            numeric=(1,),
        ),
        '<img src="histogram.png" alt="score histogram">',
        _table(
            ["scores from", "to", "submissions"],
            [
                [
                    f"{lo:.2f}",
                    f"{hi:.2f}" + (" (incl.)" if n == len(bins) - 1 else ""),
                    f'<span class="bin">{c}</span>',
                ]
                for n, (lo, hi, c) in enumerate(bins)
            ],
            numeric=(0, 1, 2),
        ),
    ]
    for title, anchor, items, image in (
        ("Questions", "questions", questions, "questions.png"),
        ("Tests", "tests", tests, "tests.png"),
    ):
        parts += [
            f"<h2 id='{anchor}'>{title}, hardest first</h2>",
            f"<p>Pass rate: the share of submissions that earned all the points. Flagged: "
            f"at most {_pct(HARD)} pass (unclear instructions or a test to review), or "
            "nobody fails (not discriminating). Submissions whose grading failed are "
            "left out.</p>",
            f'<img src="{image}" alt="{anchor} pass rates">',
            _table(
                ["name", "points", "passed", "of", "pass rate", "flag"],
                [
                    [
                        e(i.name),
                        _num(i.points),
                        str(i.passed),
                        str(i.attempts),
                        f'<span class="rate">{_pct(i.rate)}</span>',
                        f'<span class="flag">{e(i.flag)}</span>' if i.flag else "",
                    ]
                    for i in items
                ],
                numeric=(1, 2, 3, 4),
            ),
        ]
    parts.append("<h2 id='misconceptions'>Misconceptions</h2>")
    if labels:
        parts += [
            "<p>Each label is what a failure message said the wrong answer looks like "
            '("This looks like: ..."), counted once per submission.</p>',
            '<img src="misconceptions.png" alt="misconceptions">',
            _table(
                ["this looks like", "submissions", "in tests", "which"],
                [
                    [
                        e(label),
                        f'<span class="mc-count">{len(ids)}</span>',
                        e("; ".join(sorted(names))),
                        _ids(ids),
                    ]
                    for label, ids, names in labels
                ],
                numeric=(1,),
            ),
        ]
    else:
        parts.append("<p>No failure message named a known misconception.</p>")
    parts.append("<h2 id='problems'>Submissions to look at</h2>")
    if trouble:
        parts.append(
            _table(
                ["submission", "what", "reason"],
                [[_ids([sid]), e(kind), e(reason[:500])] for sid, kind, reason in trouble],
            )
        )
    else:
        parts.append(
            "<p>No grading failed, timed out, hit a limit or was flagged for tampering.</p>"
        )
    pairs = similarity.pairs
    parts += [
        "<h2 id='similar'>Similar submissions</h2>",
        f"<p class='note'>Similarity is a reason to look, not a verdict: short exercises "
        f"have few good answers, and students may work together where that is allowed. "
        f"{similarity.compared} pairs of {similarity.submissions} submissions compared, "
        f"on their own code (the starter notebook's cells and code that more than "
        f"{_pct(COMMON)} of the class shares do not count), after comments, docstrings, "
        f"layout, parentheses and the choice of names are set aside. A pair is listed "
        f"when both share at least {MIN_SHARED_TOKENS} tokens (about "
        f"{MIN_SHARED_TOKENS // 12} lines) of that code, and the shared part is at least "
        f"{_pct(SIMILARITY)} of one side's own code. The figures are the part of the "
        f"first submission's own code found in the second, and the other way round; the "
        f"lines holding shared code are marked side by side for the first "
        f"{MAX_SIDE_BY_SIDE} pairs.</p>",
    ]
    if pairs:
        parts.append(
            _table(
                ["first", "second", "similarity", "shared tokens", ""],
                [
                    [
                        _ids([p.a]),
                        _ids([p.b]),
                        f"{_pct(p.similarity_a)} / {_pct(p.similarity_b)}",
                        str(p.shared_tokens),
                        f'<a href="#pair-{n}">side by side</a>' if p.side_a else "",
                    ]
                    for n, p in enumerate(pairs[:MAX_PAIRS_SHOWN])
                ],
                numeric=(3,),
            )
        )
        if len(pairs) > MAX_PAIRS_SHOWN:
            parts.append(
                f"<p>... and {len(pairs) - MAX_PAIRS_SHOWN} more pairs, all in similar.csv.</p>"
            )
        for n, p in enumerate(pairs):
            if not p.side_a:
                continue
            parts.append(
                f"<h3 id='pair-{n}'>{e(p.a)} and {e(p.b)}</h3>"
                f"<p>Listed because {e(p.why)}.</p><div class='pair'>"
                f"<pre>{p.side_a}</pre><pre>{p.side_b}</pre></div>"
            )
    else:
        parts.append("<p>No pair of submissions is that alike.</p>")
    parts += [
        "<h2 id='submissions'>Every submission</h2>",
        _table(
            ["submission", "score", "", ""],
            [
                [
                    e(g.id),
                    _num(g.score),
                    f'<a href="{_link(g.id, "feedback.md")}">feedback</a>',
                    f'<a href="{_link(g.id, CODE)}">code</a>' if g.code else "",
                ]
                for g in graded
            ],
            numeric=(1,),
        ),
    ]
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Class report: {e(assignment or '')}</title>"
        f"<link rel='icon' href='data:,'><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def report_folder(graded_dir: StrPath) -> Path:
    """Where the report goes: ``GRADED_DIR/report``, or ``GRADED_DIR/class report`` where a
    submission's id is ``report`` (no id can hold a space)."""
    folder = Path(graded_dir) / REPORT_DIR
    return folder.with_name("class report") if (folder / RESULTS).exists() else folder


def write_report(graded_dir: StrPath, assignment: str | None = None) -> Path:
    """Write the class report of a batch's output folder; the path of its index.html."""
    graded_dir = Path(graded_dir)
    if not graded_dir.is_dir():
        raise ValueError(f"{graded_dir} is not a folder")
    assignment = assignment or _assignment(graded_dir)
    graded = read_graded(graded_dir)
    folder = report_folder(graded_dir)
    folder.mkdir(exist_ok=True)
    summary = score_summary(graded)
    bins = histogram([g.score for g in graded], summary["max_score"])
    questions, tests = item_analysis(graded)
    labels = misconceptions(graded)
    trouble = problems(graded)
    similarity = compare(graded, assignment)
    _write_csv(
        folder / "summary.csv",
        ["statistic", "value"],
        [[k, f"{v:.6g}"] for k, v in summary.items()],
    )
    _write_csv(
        folder / "histogram.csv",
        ["low", "high", "submissions"],
        [[f"{lo:g}", f"{hi:g}", c] for lo, hi, c in bins],
    )
    for name, items in (("questions.csv", questions), ("tests.csv", tests)):
        _write_csv(
            folder / name,
            ["name", "points", "passed", "attempts", "pass_rate", "flag"],
            [
                [i.name, f"{i.points:g}", i.passed, i.attempts, f"{i.rate:.4f}", i.flag]
                for i in items
            ],
        )
    _write_csv(
        folder / "misconceptions.csv",
        ["misconception", "submissions", "tests", "ids"],
        [
            [label, len(ids), "; ".join(sorted(names)), " ".join(sorted(ids))]
            for label, ids, names in labels
        ],
    )
    _write_csv(folder / "problems.csv", ["submission", "kind", "reason"], trouble)
    _write_csv(
        folder / "similar.csv",
        [
            "first",
            "second",
            "similarity_first",
            "similarity_second",
            "shared_tokens",
            "own_tokens_first",
            "own_tokens_second",
            "why",
        ],
        [
            [
                p.a,
                p.b,
                f"{p.similarity_a:.4f}",
                f"{p.similarity_b:.4f}",
                p.shared_tokens,
                p.distinct_a,
                p.distinct_b,
                p.why,
            ]
            for p in similarity.pairs
        ],
    )
    _write_csv(
        folder / "submissions.csv",
        ["submission", "score", "max_score", "feedback"],
        [[g.id, f"{g.score:g}", f"{g.max_score:g}", f"../{g.id}/feedback.md"] for g in graded],
    )
    for old in folder.glob("*.png"):
        old.unlink()
    _figures(folder, summary, bins, questions, tests, labels)
    page = _page(assignment, graded, summary, bins, questions, tests, labels, trouble, similarity)
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder / "index.html"


def timed_report(graded_dir: StrPath, assignment: str | None = None) -> tuple[Path, float]:
    """write_report, and the seconds it took (for the benchmark)."""
    started = time.perf_counter()
    path = write_report(graded_dir, assignment)
    return path, time.perf_counter() - started
