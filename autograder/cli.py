"""The command line: ``python -m autograder {build,grade,merge,grade-examples,check}``."""

import argparse
import contextlib
import json
import re
import sys
import tempfile
from pathlib import Path

from . import course, jail
from .batch import DEFAULT_TIMEOUT as DEFAULT_BATCH_TIMEOUT
from .gradescope import VISIBILITIES
from .sandbox import Limits


def _add_limits(parser):
    defaults = Limits()
    group = parser.add_argument_group("limits for student code")
    group.add_argument("--memory-mb", type=int, default=defaults.memory_mb,
                       help="address-space limit of a worker (default %(default)s)")
    group.add_argument("--cpu-seconds", type=int, default=defaults.cpu_seconds,
                       help="CPU time a worker may use (default %(default)s)")
    group.add_argument("--processes", type=int, default=defaults.processes,
                       help="processes a worker may run (default %(default)s)")
    group.add_argument("--file-size-mb", type=int, default=defaults.file_size_mb,
                       help="largest file a worker may write (default %(default)s)")
    group.add_argument("--load-timeout", type=float, default=defaults.load_timeout,
                       help="seconds to run the submission's cells (default %(default)s)")
    group.add_argument("--call-timeout", type=float, default=defaults.call_timeout,
                       help="seconds for one call into student code (default %(default)s)")
    group.add_argument("--output-kb", type=int, default=defaults.output_bytes // 1024,
                       help="output of a worker kept per stream, in KiB (default %(default)s)")
    group.add_argument("--isolation", default=defaults.isolation,
                       choices=["auto", *jail.MODES],
                       help="how the worker is isolated (default %(default)s: the strongest "
                            "available; see autograder/jail.py)")


def _limits(args):
    return Limits(memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                  processes=args.processes, file_size_mb=args.file_size_mb,
                  load_timeout=args.load_timeout, call_timeout=args.call_timeout,
                  output_bytes=args.output_kb * 1024, isolation=args.isolation)


def score_table(rows):
    """A readable table: one row per (label, results)."""
    width = max([len(label) for label, _ in rows] + [10])
    lines = [f"{'submission':<{width}}  {'score':>13}  failed tests"]
    for label, result in rows:
        failed = [t["name"] for t in result["tests"] if t["score"] < t["max_score"]]
        summary = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
        score = f"{result['score']:g} / {result['max_score']:g}"
        lines.append(f"{label:<{width}}  {score:>13}  {summary or '-'}")
    return "\n".join(lines)


def cmd_build(args):
    from .build import build_all
    build_all(args.assignments or None, verbose=True,
              gradescope_visibility=args.gradescope_visibility)
    return 0


def _grade_one(submission, args):
    """(results, problem) for one submission graded here. A worker that cannot start (a
    forced ``--isolation`` this machine does not offer, a Python other users cannot run) is
    the grader's own problem, not the student's: one line on stderr, and results whose
    output says the submission was not graded, in place of a traceback."""
    from . import batch
    from .sandbox import SandboxError
    try:
        return batch.grade_submission(submission, args.assignment, _limits(args)), None
    except SandboxError as exc:
        problem = re.sub(r"\w+Error: \[Errno \d+\] ", "", str(exc))
    hint = "" if args.isolation == "auto" else " (--isolation auto picks the strongest available)"
    print(f"error: {problem}{hint}", file=sys.stderr)
    results = batch.unreadable_results(
        args.assignment, f"Not graded, because of the grader's set-up, not your submission: "
                         f"{problem}. Your instructor can fix it and regrade.")
    return results, problem


def cmd_grade(args):
    from . import batch
    course.master_path(args.assignment)
    if args.json:
        if len(args.submissions) != 1 or args.output:
            print("--json grades exactly one submission (and writes no --output)", file=sys.stderr)
            return 2
        path = args.submissions[0]
        found = (batch.discover([path], args.assignment) if path.is_dir()
                 else [batch.Submission(path.stem, path, str(path))])
        if len(found) != 1:
            print(f"--json grades exactly one submission; {path} holds {len(found)}",
                  file=sys.stderr)
            return 2
        results, problem = _grade_one(found[0], args)
        print(json.dumps(results))
        return 1 if problem else 0
    for path in args.submissions:
        if not path.exists():
            print(f"warning: {path} does not exist (graded as unreadable)", file=sys.stderr)
    ignored = []
    submissions = batch.discover(args.submissions, args.assignment,
                                 skip=[args.output] if args.output else (), ignored=ignored)
    if ignored:
        shown = ", ".join(str(p) for p in ignored[:5])
        more = f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
        print(f"note: not submissions (not .ipynb, .py or .zip), ignored: {shown}{more}",
              file=sys.stderr)
    if args.shard:
        shard = batch.parse_shard(args.shard)
        submissions = [s for s in submissions if batch.in_shard(s.id, shard)]
    elif not submissions:
        print("no submission found (looked for .ipynb, .py and .zip files)", file=sys.stderr)
        return 2
    if not args.output and len(submissions) == 1:  # one file: graded here, as always
        sub = submissions[0]
        results, problem = _grade_one(sub, args)
        if problem:
            return 1
        print(score_table([(sub.label, results)]))
        return 0
    with contextlib.ExitStack() as stack:
        output = args.output or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="autograder-batch-")))
        try:
            report = batch.grade_batch(submissions, args.assignment, output, _limits(args),
                                       jobs=args.jobs, force=args.force, timeout=args.timeout,
                                       progress=not args.no_progress,
                                       retry_failed=args.retry_failed)
        except KeyboardInterrupt:
            print(f"\ninterrupted; what was graded is in {output}: run the same command again "
                  "to grade the rest", file=sys.stderr)
            return 130
        if args.output:
            print(report.summary())
        else:
            print(score_table([(s.label, batch.read_results(output / s.id))
                               for s in submissions]))
    return 1 if report.failed else 0


def cmd_merge(args):
    from .batch import merge
    count = merge(args.folders, args.output)
    print(f"merged {len(args.folders)} folders: {count} submissions in "
          f"{args.output / 'grades.csv'}")
    return 0


def cmd_grade_examples(args):
    """The main job: every assignment's examples, graded as a class is (the batch grader)."""
    from . import batch
    for assignment in course.assignment_names():
        folder = course.EXAMPLES_DIR / assignment
        files = sorted(p for p in folder.glob("*") if p.suffix in (".ipynb", ".py"))
        if not files:
            continue
        print(f"\n== {assignment} ==", flush=True)
        submissions = [batch.Submission(p.stem, p, p.name) for p in files]
        with tempfile.TemporaryDirectory(prefix="autograder-examples-") as output:
            batch.grade_batch(submissions, assignment, Path(output), _limits(args),
                              progress=False)
            rows = [(s.label, batch.read_results(Path(output) / s.id)) for s in submissions]
        print(score_table(rows), flush=True)
    return 0


def cmd_check(args):
    from .checking import check_notebook
    return check_notebook(args.notebook, args.assignment)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate assignments/ and dist/ from solutions/")
    p.add_argument("assignments", nargs="*", help="only these (default: all)")
    p.add_argument("--gradescope-visibility", choices=VISIBILITIES, default="visible",
                   help="when students see each test's result on Gradescope (default "
                        "%(default)s; after_due_date hides the hidden tests until the due date)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("grade", help="grade submissions with the hidden suite")
    p.add_argument("submissions", nargs="+", type=Path)
    p.add_argument("--assignment", required=True, help="e.g. 01_perceptron")
    p.add_argument("--json", action="store_true",
                   help="print one Gradescope results.json object for one submission")
    batch_options = p.add_argument_group(
        "batches", "SUBMISSIONS are files and folders: a folder of notebooks or of otter's "
        "zips, nbgrader's submitted/<student>/<assignment>/, or one folder per student; "
        "ids and layouts are described in autograder/batch.py")
    batch_options.add_argument("--output", type=Path, metavar="DIR",
                               help="write DIR/<id>/results.json, DIR/<id>/feedback.md and "
                                    "DIR/grades.csv; submissions already graded there are "
                                    "skipped")
    batch_options.add_argument("--jobs", type=int, default=None, metavar="N",
                               help="submissions graded at once (default: the number of cores)")
    batch_options.add_argument("--force", action="store_true",
                               help="grade again submissions that have a results.json")
    batch_options.add_argument("--retry-failed", action="store_true",
                               help="grade again the submissions whose grading process "
                                    "failed (crashed, was killed or timed out) last time")
    batch_options.add_argument("--shard", metavar="I/N",
                               help="grade only part I of N (1-based) of the submissions, "
                                    "split by a hash of their ids; merge the outputs with "
                                    "`merge`")
    batch_options.add_argument("--timeout", type=float, default=DEFAULT_BATCH_TIMEOUT,
                               metavar="S", help="wall seconds for grading one submission "
                                                 "(default %(default)s)")
    batch_options.add_argument("--no-progress", action="store_true",
                               help="no progress bar on stderr")
    _add_limits(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("merge", help="merge the --output folders of sharded batches")
    p.add_argument("folders", nargs="+", type=Path)
    p.add_argument("--output", type=Path, required=True, metavar="DIR",
                   help="the merged folder: results and feedback copied, grades.csv rebuilt")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("grade-examples", help="grade the bundled examples/ and print scores")
    _add_limits(p)
    p.set_defaults(func=cmd_grade_examples)

    p = sub.add_parser("check", help="run the public checks on your notebook")
    p.add_argument("notebook", type=Path)
    p.add_argument("--assignment", help="default: taken from the notebook's file name")
    p.set_defaults(func=cmd_check)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
