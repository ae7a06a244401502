"""How fast each grading path grades the same submissions, and whether they agree.

    .venv/bin/python bench/grading_speed.py            # every assignment with examples/
    .venv/bin/python bench/grading_speed.py --quick    # 01_perceptron's honest ones (~1 min)

For every assignment that has example submissions (examples/<assignment>/correct.ipynb,
buggy.ipynb, and hostile.ipynb or hostile.py where present) it grades them, side by side, with

- ours:     ``python -m autograder grade FOLDER --output DIR --jobs N`` (the batch grader:
            warm grading processes, each submission in its own sandboxed worker), timed as a
            whole command, start-up included;
- otter:    ``otter run -a dist/otter/<assignment>/autograder.zip`` once per notebook, one
            after the other (how ``otter run`` is used without Docker);
- nbgrader: ``nbgrader autograde <assignment>`` on a course directory made in a temporary
            folder as tests/test_nbgrader.py makes it (``generate_assignment`` is set-up,
            not timed). nbgrader grades its own release notebooks, so each submission is the
            release notebook with its solution cells, in order, filled from the example
            notebook's exercise cells (the other cells are the release's own).

A script (hostile.py) is given to otter as the notebook of its ``# %%`` cells, and to nbgrader
as the release notebook with the whole script in the first solution cell. The honest
submissions (correct, buggy) give the speed table and must get the same score from the three
tools (exit status 1 otherwise); the hostile one is graded and timed apart, since in otter's
and nbgrader's kernel it can find and run course files that our worker never sees.

It also grades a "class": the honest notebooks copied up to ``--class-size`` submissions, with
our batch grader only (the other tools take ~10-30 s per notebook), to show the per-submission
cost once start-up is spread over a class.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jupytext  # noqa: E402
import nbformat  # noqa: E402

from autograder import course  # noqa: E402
from autograder.course import master  # noqa: E402
from autograder.publish import build  # noqa: E402

BIN = Path(sys.executable).parent
EXAMPLE_NAMES = ("correct", "buggy", "hostile")
HONEST = ("correct", "buggy")
TOOL_TIMEOUT = 900  # seconds for one external command


def examples(assignment):
    """correct, buggy and hostile, each a .ipynb or (hostile, often) a .py script."""
    folder = course.EXAMPLES_DIR / assignment
    found = []
    for name in EXAMPLE_NAMES:
        found += [p for p in (folder / f"{name}.ipynb", folder / f"{name}.py") if p.is_file()][:1]
    return found


def as_notebook(path, work):
    """A notebook for the tools that only take notebooks (a script's ``# %%`` cells)."""
    if path.suffix == ".ipynb":
        return path
    nb = jupytext.read(path, fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    target = work / "as-notebooks" / f"{path.stem}.ipynb"
    target.parent.mkdir(exist_ok=True)
    nbformat.write(nb, target)
    return target


def ensure_built(assignments, rebuild):
    missing = [
        a
        for a in assignments
        if rebuild
        or not (course.DIST_DIR / "otter" / a / "autograder.zip").is_file()
        or not (course.DIST_DIR / "nbgrader" / "source" / a / f"{a}.ipynb").is_file()
    ]
    if missing:
        print(f"building {', '.join(missing)} ...", file=sys.stderr)
        build.build_all(missing)


class Clock:
    """Wall seconds. (Not CPU time: the CPU of a sandboxed worker that the grader kills is
    accounted to no process that waits for it, so it would flatter our grader.)"""

    def __init__(self):
        self.wall = 0.0

    def add(self, other):
        self.wall += other.wall


def timed(cmd, clock=None, **kwargs):
    """(CompletedProcess or None on timeout, Clock)."""
    clock = clock or Clock()
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TOOL_TIMEOUT, **kwargs)
    except subprocess.TimeoutExpired:
        proc = None
    clock.wall += time.perf_counter() - started
    return proc, clock


# ---- ours -----------------------------------------------------------------------------------


def ours(assignment, notebooks, work, jobs, copies=1, tag="honest"):
    """({name: (score, max)}, Clock, count) for grading the notebooks as one batch."""
    subs = work / f"ours-{assignment}-{tag}-{copies}"
    subs.mkdir(parents=True)
    for notebook in notebooks:
        for i in range(copies):
            name = notebook.stem if copies == 1 else f"{notebook.stem}{i:03d}"
            shutil.copy(notebook, subs / f"{name}{notebook.suffix}")
    out = work / f"ours-{assignment}-{tag}-{copies}-graded"
    proc, clock = timed(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(subs),
            "--assignment",
            assignment,
            "--output",
            str(out),
            "--jobs",
            str(jobs),
            "--no-progress",
        ],
        cwd=REPO,
    )
    if proc is None or proc.returncode not in (0, 1):
        raise SystemExit(
            f"our grader failed on {assignment}:\n{proc.stderr[-3000:] if proc else 'timed out'}"
        )
    scores = {}
    for path in out.glob("*/results.json"):
        results = json.loads(path.read_text())
        scores[path.parent.name] = (results["score"], results["max_score"])
    return scores, clock, len(list(subs.iterdir()))


# ---- otter ----------------------------------------------------------------------------------


def otter(assignment, notebooks, work):
    """({name: (score, max)}, Clock): ``otter run`` on each notebook, one after the other."""
    zip_path = course.DIST_DIR / "otter" / assignment / "autograder.zip"
    scores, total = {}, Clock()
    for notebook in notebooks:
        out = work / f"otter-{assignment}-{notebook.stem}"
        out.mkdir()
        proc, _ = timed(
            [
                str(BIN / "otter"),
                "run",
                "-a",
                str(zip_path),
                "-o",
                str(out),
                str(as_notebook(notebook, work)),
            ],
            total,
            cwd=work,
        )
        try:
            tests = json.loads((out / "results.json").read_text())["tests"]
            scores[notebook.stem] = (
                float(sum(t.get("score") or 0 for t in tests)),
                float(sum(t.get("max_score") or 0 for t in tests)),
            )
        except (OSError, ValueError, KeyError):
            why = "timed out" if proc is None else f"exit {proc.returncode}"
            scores[notebook.stem] = f"no result ({why})"
    return scores, total


# ---- nbgrader -------------------------------------------------------------------------------


def exercise_cell_ids(assignment):
    """The ids of the exercise cells in the student notebook, in order."""
    roles = [cell.role for cell in master.read_master(assignment)]
    roles = roles[:1] + ["setup"] + roles[1:]  # the otter set-up cell after the title
    cells = build.student_notebook(assignment).cells
    return [cell.id for cell, role in zip(cells, roles) if role == "exercise"]


def filled_release(release_path, assignment, example):
    """The release notebook with its solution cells, in order, from the example's exercise
    cells. A submission that is not a filled-in student notebook (a script) goes whole into
    the first solution cell, and the other solution cells are left empty."""
    nb = nbformat.read(release_path, as_version=4)
    cells = nbformat.read(example, as_version=4).cells
    answers = {c.get("id"): c.source for c in cells}
    wanted = exercise_cell_ids(assignment)
    slots = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    if len(slots) != len(wanted):
        raise SystemExit("the release notebook's solution cells do not match the master")
    if all(i in answers for i in wanted):
        for cell, cell_id in zip(slots, wanted):
            cell.source = answers[cell_id]
    else:
        slots[0].source = "\n\n".join(c.source for c in cells if c.cell_type == "code")
        for cell in slots[1:]:
            cell.source = "# (the whole submission is in the first answer cell)"
    return nb


def nbgrader_cmd(course_dir, *args):
    env = dict(os.environ, JUPYTER_NO_CONFIG="1", PATH=f"{BIN}:{os.environ['PATH']}")
    return timed([str(BIN / "nbgrader"), *args], cwd=course_dir, env=env)


class NbgraderCourse:
    """A course directory for one assignment in the work folder, its release generated."""

    def __init__(self, assignment, work):
        self.assignment, self.work = assignment, work
        self.root = work / f"nbgrader-{assignment}"
        shutil.copytree(course.DIST_DIR / "nbgrader", self.root)
        (self.root / "source").mkdir(exist_ok=True)
        for other in (self.root / "source").iterdir():  # this assignment only
            if other.name != assignment:
                shutil.rmtree(other)
        proc, _ = nbgrader_cmd(self.root, "generate_assignment", assignment, "--create", "--force")
        if proc is None or proc.returncode != 0:
            raise SystemExit(
                f"nbgrader generate_assignment failed:\n{proc and proc.stderr[-3000:]}"
            )
        self.release = self.root / "release" / assignment / f"{assignment}.ipynb"

    def autograde(self, notebooks, student=None):
        """({name: (score, max)}, Clock): submit the notebooks, time ``nbgrader autograde``."""
        for notebook in notebooks:
            target = (
                self.root
                / "submitted"
                / notebook.stem
                / self.assignment
                / f"{self.assignment}.ipynb"
            )
            target.parent.mkdir(parents=True)
            nbformat.write(
                filled_release(self.release, self.assignment, as_notebook(notebook, self.work)),
                target,
            )
        only = ["--student", student] if student else []
        proc, clock = nbgrader_cmd(self.root, "autograde", self.assignment, "--create", *only)
        if proc is None or proc.returncode != 0:
            print(
                f"nbgrader autograde {self.assignment}: "
                f"{'timed out' if proc is None else proc.stderr[-1500:]}",
                file=sys.stderr,
            )
        grades = self.work / f"nbgrader-{self.assignment}.csv"
        nbgrader_cmd(self.root, "export", "--to", str(grades))
        scores = {n.stem: "no result" for n in notebooks}
        if grades.is_file():
            for row in csv.DictReader(open(grades, newline="")):
                if row.get("assignment") == self.assignment and row["student_id"] in scores:
                    scores[row["student_id"]] = (float(row["score"]), float(row["max_score"]))
        return scores, clock


# ---- the report -----------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="01_perceptron's correct and buggy notebooks only, a class of 6",
    )
    parser.add_argument("--assignments", nargs="*", help="default: all with examples")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="our batch's --jobs (default: the number of cores)",
    )
    parser.add_argument(
        "--class-size",
        type=int,
        default=None,
        help="submissions in the class graded by ours (default 24, 6 quick; 0: none)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild dist/ first")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    assignments = args.assignments or [a for a in course.assignment_names() if examples(a)]
    if args.quick:
        assignments = ["01_perceptron"]
    class_size = args.class_size if args.class_size is not None else (6 if args.quick else 24)
    ensure_built(assignments, args.rebuild)
    work = Path(tempfile.mkdtemp(prefix="grading-speed-"))
    tools = ["ours", "otter run", "nbgrader autograde"]
    clocks = {
        (tool, kind): Clock() for tool in tools + ["ours, class"] for kind in ("honest", "hostile")
    }
    counts = dict.fromkeys(clocks, 0)
    by_assignment = {}  # (assignment, tool) -> seconds per honest submission
    rows, disagreements = [], []

    def record(tool, kind, clock, count):
        clocks[tool, kind].add(clock)
        counts[tool, kind] += count
        if kind == "honest":
            by_assignment[assignment, tool] = clock.wall / count

    try:
        for assignment in assignments:
            every = examples(assignment)
            honest = [n for n in every if n.stem in HONEST]
            hostile = [n for n in every if n.stem not in HONEST and not args.quick]
            every = honest + hostile
            print(f"== {assignment}: {', '.join(n.name for n in every)}", file=sys.stderr)
            scores = {tool: {} for tool in tools}
            nbg = NbgraderCourse(assignment, work)
            for kind, notebooks in (("honest", honest), ("hostile", hostile)):
                if not notebooks:
                    continue
                found, clock, count = ours(assignment, notebooks, work, args.jobs, tag=kind)
                scores["ours"].update(found)
                record("ours", kind, clock, count)
                if kind == "honest" and class_size:
                    copies = max(1, -(-class_size // len(notebooks)))
                    _, clock, count = ours(
                        assignment, notebooks, work, args.jobs, copies, tag="class"
                    )
                    record("ours, class", kind, clock, count)
                found, clock = otter(assignment, notebooks, work)
                scores["otter run"].update(found)
                record("otter run", kind, clock, len(notebooks))
                student = notebooks[0].stem if kind == "hostile" else None
                found, clock = nbg.autograde(notebooks, student)
                scores["nbgrader autograde"].update(found)
                record("nbgrader autograde", kind, clock, len(notebooks))
            for notebook in every:
                row = (assignment, notebook.name, *(scores[t].get(notebook.stem) for t in tools))
                rows.append(row)
                if notebook.stem in HONEST and not (row[2] == row[3] == row[4]):
                    disagreements.append(row)
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    def score(value):
        return f"{value[0]:g} / {value[1]:g}" if isinstance(value, tuple) else str(value)

    print("\nScores:\n")
    print("| assignment | submission | ours | otter run | nbgrader autograde |")
    print("|---|---|---|---|---|")
    for assignment, name, *found in rows:
        print(f"| {assignment} | {name} | " + " | ".join(score(v) for v in found) + " |")
    per = {key: clocks[key].wall / counts[key] for key in clocks if counts[key]}
    base, klass = per.get(("ours", "honest")), per.get(("ours, class", "honest"))
    print(
        f"\nSeconds per submission: each tool's whole command timed, start-up included "
        f"({os.cpu_count()} cores; ours with --jobs {args.jobs}; a ratio is the tool's time "
        "over ours):\n"
    )
    print("| tool | submissions | seconds | s / submission | x ours | x ours, class |")
    print("|---|---|---|---|---|---|")
    for (tool, kind), seconds in per.items():
        if kind != "honest":
            continue
        ratio = f"{seconds / base:.1f}" if base else "-"
        vs_class = f"{seconds / klass:.1f}" if klass else "-"
        name = f"{tool} ({counts[tool, kind]} copies)" if tool == "ours, class" else tool
        print(
            f"| {name} | {counts[tool, kind]} | {clocks[tool, kind].wall:.1f} | "
            f"{seconds:.2f} | {ratio} | {vs_class} |"
        )
    if len(assignments) > 1:
        print("\nSeconds per honest submission, by assignment:\n")
        print(
            "| assignment | ours | ours, class | otter run | nbgrader autograde "
            "| otter / ours | otter / ours, class |"
        )
        print("|---|---|---|---|---|---|---|")
        for assignment in assignments:
            got = {t: by_assignment.get((assignment, t)) for t in tools + ["ours, class"]}
            if got["ours"] is None:
                continue
            cells = " | ".join(
                f"{got[t]:.2f}" if got[t] else "-"
                for t in ("ours", "ours, class", "otter run", "nbgrader autograde")
            )
            otter_s = got["otter run"]
            ratios = " | ".join(
                f"{otter_s / got[t]:.1f}" if otter_s and got[t] else "-"
                for t in ("ours", "ours, class")
            )
            print(f"| {assignment} | {cells} | {ratios} |")
    hostile = [(tool, per[tool, "hostile"]) for tool in tools if (tool, "hostile") in per]
    if hostile:
        print(
            "\nThe hostile submissions alone (timed apart: on otter and nbgrader, in the "
            "student's kernel, they may find and run course files that our worker never "
            "sees):\n"
        )
        print("| tool | submissions | s / submission |")
        print("|---|---|---|")
        for tool, seconds in hostile:
            print(f"| {tool} | {counts[tool, 'hostile']} | {seconds:.2f} |")
    if disagreements:
        print("\nDISAGREEMENT on honest submissions:", file=sys.stderr)
        for row in disagreements:
            print(f"  {row}", file=sys.stderr)
        return 1
    print("\nThe three tools agree on every honest submission.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
