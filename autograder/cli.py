"""The command line: ``python -m autograder {build,grade,grade-examples,check}``."""

import argparse
import json
import sys
from pathlib import Path

from . import course
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


def _limits(args):
    return Limits(memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                  processes=args.processes, file_size_mb=args.file_size_mb,
                  load_timeout=args.load_timeout, call_timeout=args.call_timeout)


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
    build_all(args.assignments or None, verbose=True)
    return 0


def cmd_grade(args):
    from .grading import grade_file
    course.master_path(args.assignment)
    if args.json and len(args.submissions) != 1:
        print("--json grades exactly one submission", file=sys.stderr)
        return 2
    rows = []
    for path in args.submissions:
        result = grade_file(path, args.assignment, _limits(args))
        if args.json:
            print(json.dumps(result))
            return 0
        rows.append((str(path), result))
    print(score_table(rows))
    return 0


def cmd_grade_examples(args):
    from .grading import grade_file
    for assignment in course.assignment_names():
        folder = course.EXAMPLES_DIR / assignment
        files = sorted(p for p in folder.glob("*") if p.suffix in (".ipynb", ".py"))
        if not files:
            continue
        print(f"\n== {assignment} ==")
        rows = [(p.name, grade_file(p, assignment, _limits(args))) for p in files]
        print(score_table(rows))
    return 0


def cmd_check(args):
    from .checking import check_notebook
    return check_notebook(args.notebook, args.assignment)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate assignments/ and dist/ from solutions/")
    p.add_argument("assignments", nargs="*", help="only these (default: all)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("grade", help="grade submissions with the hidden suite")
    p.add_argument("submissions", nargs="+", type=Path)
    p.add_argument("--assignment", required=True, help="e.g. 01_perceptron")
    p.add_argument("--json", action="store_true",
                   help="print one Gradescope results.json object for one submission")
    _add_limits(p)
    p.set_defaults(func=cmd_grade)

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
