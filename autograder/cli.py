"""The command line: ``python -m autograder
{build,grade,merge,report,release,grade-examples,check}``."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import course
from autograder.course import secret
from autograder.grade import grading
from autograder.grade.results import annotate
from autograder.grade.summary import first_failures, score_table
from autograder.publish.gradescope import VISIBILITIES
from autograder.safe_text import printable
from autograder.sandbox.limits import (
    GRADING_PROCESS_TIMEOUT,
    SandboxError,
    add_limit_options,
    limits_from,
)

if TYPE_CHECKING:
    from autograder.grade.results import ResultsJson

# The stages a command needs beyond grading one file (batch/, report/, publishing, the public
# checks) are imported in that command: grading one file loads nothing of batch/ or report/
# (tests/test_layout.py), and each command starts without the others' imports.


def cmd_build(args: argparse.Namespace) -> int:
    from autograder.publish.build import build_all  # deferred: this stage only

    build_all(
        args.assignments or None, verbose=True, gradescope_visibility=args.gradescope_visibility
    )
    return 0


def _show(path: object) -> str:
    return printable(path, one_line=True)


def print_not_graded(ignored: Iterable[tuple[Path, str]]) -> None:
    """On stderr, every input that is not graded, grouped by the reason."""
    by_reason: dict[str, list[Path]] = {}
    for path, reason in ignored:
        by_reason.setdefault(reason, []).append(path)
    for reason, paths in by_reason.items():
        print(f"not graded, {reason}: {', '.join(_show(p) for p in paths)}", file=sys.stderr)


def _grade_one(
    submission: grading.Submission, args: argparse.Namespace
) -> tuple[ResultsJson, str | None]:
    """(results, problem) for one submission graded here. A worker that cannot start (a
    forced ``--isolation`` this machine does not offer, a Python other users cannot run) is
    the grader's own problem, not the student's: one line on stderr, and results whose
    output says the submission was not graded, in place of a traceback."""
    try:
        return grading.grade_submission(
            submission, args.assignment, limits_from(args), args.question
        ), None
    except SandboxError as exc:
        problem = re.sub(r"\w+Error: \[Errno \d+\] ", "", str(exc))
    hint = "" if args.isolation == "auto" else " (--isolation auto picks the strongest available)"
    print(f"error: {problem}{hint}", file=sys.stderr)
    results = grading.unreadable_results(
        args.assignment,
        f"Not graded, because of the grader's set-up, not your submission: "
        f"{problem}. Your instructor can fix it and regrade.",
        args.question,
    )
    return results, problem


def _discover(
    paths: Sequence[Path], args: argparse.Namespace, ignored: list[tuple[Path, str]]
) -> list[grading.Submission]:
    from autograder.batch.discover import discover  # deferred: this stage only

    return discover(
        paths, args.assignment, skip=[args.output] if args.output else (), ignored=ignored
    )


def cmd_grade(args: argparse.Namespace) -> int:
    if args.assignment is None:
        assignments = {course.assignment_from_path(p) for p in args.submissions}
        if len(assignments) != 1:
            print(
                f"these submissions belong to {len(assignments)} assignments "
                f"({', '.join(sorted(assignments))}): pass --assignment NAME",
                file=sys.stderr,
            )
            return 2
        args.assignment = assignments.pop()
    course.master_path(args.assignment)
    if args.question is not None:
        grading.check_question(args.assignment, args.question)
        if args.output or len(args.submissions) != 1 or args.submissions[0].is_dir():
            print("--question grades one submission file (and writes no --output)", file=sys.stderr)
            return 2
    if args.budget <= 0:
        print("--budget must be a positive number of seconds", file=sys.stderr)
        return 2
    if secret.course_secret() is None:
        print(
            "autograder: note: no course secret (run `python -m autograder build`, or set "
            f"{secret.ENV_VAR}): hidden inputs then follow from the code alone",
            file=sys.stderr,
        )
    if args.json:
        if len(args.submissions) != 1 or args.output:
            print("--json grades exactly one submission (and writes no --output)", file=sys.stderr)
            return 2
        path = args.submissions[0]
        ignored: list[tuple[Path, str]] = []
        found = (
            _discover([path], args, ignored)
            if path.is_dir()
            else [grading.Submission(path.stem, path, str(path))]
        )
        print_not_graded(ignored)
        if len(found) != 1:
            print(
                f"--json grades exactly one submission; {_show(path)} holds {len(found)}",
                file=sys.stderr,
            )
            return 2
        results, problem = _grade_one(found[0], args)
        print(json.dumps(annotate(results)))
        return 1 if problem else 0
    if args.timeout <= args.budget:
        print(
            f"--timeout ({args.timeout:g} s, the backstop for one submission's grading "
            f"process) must be larger than --budget ({args.budget:g} s)",
            file=sys.stderr,
        )
        return 2
    for path in args.submissions:
        if not path.exists():
            print(f"warning: {_show(path)} does not exist (graded as unreadable)", file=sys.stderr)
    ignored = []
    one_file = (
        len(args.submissions) == 1
        and args.submissions[0].is_file()
        and not args.output
        and not args.shard
    )
    submissions = (
        [
            grading.Submission(
                args.submissions[0].stem, args.submissions[0], str(args.submissions[0])
            )
        ]
        if one_file
        else _discover(args.submissions, args, ignored)
    )
    print_not_graded(ignored)
    if args.shard:
        from autograder.batch.discover import in_shard, parse_shard  # deferred: a batch's

        shard = parse_shard(args.shard)
        total = len(submissions)
        submissions = [s for s in submissions if in_shard(s.id, shard)]
        print(
            f"shard {shard[0]}/{shard[1]}: {len(submissions)} of the {total} submissions "
            "(the others belong to the other shards)",
            file=sys.stderr,
        )
    elif not submissions:
        print("no submission found (looked for .ipynb, .py and .zip files)", file=sys.stderr)
        return 2
    if not args.output and len(submissions) == 1:  # one file: graded here, as always
        sub = submissions[0]
        results, problem = _grade_one(sub, args)
        if problem:
            return 1
        print(score_table([(sub.label, results)]))
        print(first_failures(results))
        return 0
    from autograder import batch  # deferred: past the one-file case

    with contextlib.ExitStack() as stack:
        output = args.output or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="autograder-batch-"))
        )
        try:
            report = batch.grade_batch(
                submissions,
                args.assignment,
                output,
                limits_from(args),
                jobs=args.jobs,
                force=args.force,
                timeout=args.timeout,
                progress=not args.no_progress,
                retry_failed=args.retry_failed,
            )
        except KeyboardInterrupt:
            print(
                f"\ninterrupted; what was graded is in {output}: run the same command again "
                "to grade the rest",
                file=sys.stderr,
            )
            return 130
        if args.output:
            print(report.summary())
            if not args.no_report:
                _class_report(args.output, args.assignment)
        else:
            print(
                score_table(
                    [(s.label, _written(batch.read_results(output / s.id))) for s in submissions]
                )
            )
    return 1 if report.failed else 0


def _written(results: ResultsJson | None) -> ResultsJson:
    """What ``batch.read_results`` read after ``grade_batch``, which writes results for every
    submission (a failed grading process's too): never None there."""
    assert results is not None, "grade_batch wrote no results.json"
    return results


def _class_report(folder: Path, assignment: str | None = None) -> int:
    """Write the class report of a batch's output folder; a failure is reported, not raised
    (the grades are written already)."""
    from autograder.report.page import write_report  # deferred: this stage only

    try:
        path = write_report(folder, assignment)
    except Exception as exc:  # noqa: BLE001 - the grades stand; say what went wrong
        print(
            f"warning: the class report could not be written: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return 1
    print(f"class report: {path}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from autograder.batch.output import merge  # deferred: this stage only

    count = merge(args.folders, args.output)
    print(
        f"merged {len(args.folders)} folders: {count} submissions in {args.output / 'grades.csv'}"
    )
    if not args.no_report:
        _class_report(args.output)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from autograder.report.page import write_report  # deferred: this stage only

    path = write_report(args.folder, args.assignment)
    print(f"class report: {path}")
    return 0


def cmd_grade_examples(args: argparse.Namespace) -> int:
    """The main job: every assignment's examples, graded as a class is (the batch grader)."""
    from autograder import batch  # deferred: this stage only

    for assignment in course.assignment_names():
        folder = course.EXAMPLES_DIR / assignment
        files = sorted(p for p in folder.glob("*") if p.suffix in (".ipynb", ".py"))
        if not files:
            continue
        print(f"\n== {assignment} ==", flush=True)
        submissions = [grading.Submission(p.stem, p, p.name) for p in files]
        with contextlib.ExitStack() as stack:
            if args.output:
                output = args.output / assignment
            else:
                output = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="autograder-examples-"))
                )
            batch.grade_batch(
                submissions, assignment, output, limits_from(args), force=True, progress=False
            )
            rows = [(s.label, _written(batch.read_results(output / s.id))) for s in submissions]
        print(score_table(rows), flush=True)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.publish.release import given_away, write_release  # deferred: this stage only

    files = write_release(args.folder, args.assignments or None)
    print(
        f"wrote the student release: {len(files)} files in {args.folder} (no solutions, "
        "hidden tests or course secret); publish that folder, not this repository"
    )
    for later, earlier in given_away(sorted(args.assignments or course.assignment_names())).items():
        listed = ", ".join(f"{n} solution lines of {a}" for a, n in earlier.items())
        print(
            f"note: {later}'s lesson and given code repeat {listed}: release {later} only "
            "once those are due (`release DIR NN_name ...` writes only the ones named)"
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.grade.public_checks import check_notebook  # deferred: this stage only

    return check_notebook(args.notebook, args.assignment)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate assignments/ and dist/ from solutions/")
    p.add_argument("assignments", nargs="*", help="only these (default: all)")
    p.add_argument(
        "--gradescope-visibility",
        choices=VISIBILITIES,
        default="visible",
        help="when students see each test's result on Gradescope (default "
        "%(default)s; after_due_date hides the hidden tests until the due date)",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("grade", help="grade submissions with the hidden suite")
    p.add_argument("submissions", nargs="+", type=Path)
    p.add_argument(
        "--assignment",
        help="e.g. 01_perceptron (default: taken from the file names, as in 01_perceptron.ipynb)",
    )
    p.add_argument(
        "--question",
        metavar="NAME",
        help="run only this question's tests (e.g. step), for one submission file",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one Gradescope results.json object for one submission",
    )
    batch_options = p.add_argument_group(
        "batches",
        "SUBMISSIONS are files and folders: a folder of notebooks or of otter's "
        "zips, nbgrader's submitted/<student>/<assignment>/, or one folder per student; "
        "ids and layouts are described in autograder/batch/",
    )
    batch_options.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="write DIR/<id>/results.json, DIR/<id>/feedback.md and "
        "DIR/grades.csv; submissions already graded there are "
        "skipped",
    )
    batch_options.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="submissions graded at once (default: the number of cores)",
    )
    batch_options.add_argument(
        "--force", action="store_true", help="grade again submissions that have a results.json"
    )
    batch_options.add_argument(
        "--retry-failed",
        action="store_true",
        help="grade again the submissions whose grading process "
        "failed (crashed, was killed or timed out) last time",
    )
    batch_options.add_argument(
        "--shard",
        metavar="I/N",
        help="grade only part I of N (1-based) of the submissions, "
        "split by a hash of their ids; merge the outputs with "
        "`merge`",
    )
    batch_options.add_argument(
        "--timeout",
        type=float,
        default=GRADING_PROCESS_TIMEOUT,
        metavar="S",
        help="wall seconds for one submission's grading "
        "process, a backstop larger than --budget "
        "(default %(default)s)",
    )
    batch_options.add_argument(
        "--no-progress", action="store_true", help="no progress bar on stderr"
    )
    batch_options.add_argument(
        "--no-report",
        action="store_true",
        help="do not write the class report (DIR/report/index.html)",
    )
    add_limit_options(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("merge", help="merge the --output folders of sharded batches")
    p.add_argument("folders", nargs="+", type=Path)
    p.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="DIR",
        help="the merged folder: results and feedback copied, grades.csv rebuilt",
    )
    p.add_argument(
        "--no-report",
        action="store_true",
        help="do not write the class report (DIR/report/index.html)",
    )
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser(
        "report",
        help="write the class report of a graded folder "
        "(GRADED_DIR/report/index.html, figures and CSV tables)",
    )
    p.add_argument("folder", type=Path, metavar="GRADED_DIR", help="a `grade --output` folder")
    p.add_argument("--assignment", help="default: the one the folder was graded for")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("grade-examples", help="grade the bundled examples/ and print scores")
    p.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="keep what grading writes (results.json, feedback.md, grades.csv) in "
        "DIR/<assignment>/ (default: a temporary folder, removed)",
    )
    add_limit_options(p)
    p.set_defaults(func=cmd_grade_examples)

    p = sub.add_parser("release", help="write the student repository (no answers) into DIR")
    p.add_argument(
        "folder",
        type=Path,
        metavar="DIR",
        help="a new or empty folder outside this repository (or under dist/)",
    )
    p.add_argument("assignments", nargs="*", help="only these (default: all)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("check", help="run the public checks on your notebook")
    p.add_argument("notebook", type=Path)
    p.add_argument("--assignment", help="default: taken from the notebook's file name")
    p.set_defaults(func=cmd_check)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 2
