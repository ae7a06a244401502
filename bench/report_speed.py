"""How long the class report takes for a large class.

    .venv/bin/python bench/report_speed.py                # a class of 500
    .venv/bin/python bench/report_speed.py --size 2000

Grades four real 01_perceptron submissions with the batch grader (the correct and the
buggy example, an independently written correct one, an untouched notebook), then makes a
class of ``--size`` out of their graded folders: each copy keeps the results and feedback of
its original, and its code.py gets a tail of its own (a few random lines), so that every
submission's fingerprints differ while a quarter of the class shares each original's code:
the similarity search then has thousands of candidate pairs to weigh, more than a real class
gives. Prints the seconds ``write_report`` takes (the figures, the tables and the similarity
search, everything ``grade --output`` adds at the end of a batch), and the similarity search
alone.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import batch, course, report  # noqa: E402
from autograder.grade.grading import Submission  # noqa: E402

SOURCES = {
    "correct": course.EXAMPLES_DIR / "01_perceptron" / "correct.ipynb",
    "buggy": course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb",
    "independent": REPO / "tests" / "report_data" / "independent_01.py",
    "untouched": course.ASSIGNMENTS_DIR / "01_perceptron" / "01_perceptron.ipynb",
}


def random_tail(rng):
    names = ["".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(4)]
    lines = [f"{names[0]} = {rng.randint(1, 99)}"]
    for name in names[1:]:
        lines.append(
            f"{name} = {rng.choice(names[:1])} * {rng.random():.3f} + "
            f"np.sum(np.arange({rng.randint(2, 40)}))"
        )
    return "\n# %%\n" + "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=500, help="submissions in the class")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="report-bench-"))
    try:
        subs = [Submission(name, path, str(path)) for name, path in SOURCES.items()]
        graded = work / "graded"
        batch.grade_batch(subs, "01_perceptron", graded, progress=False)
        klass = work / "class"
        rng = random.Random(0)
        names = list(SOURCES)
        for n in range(args.size):
            original = graded / names[n % len(names)]
            target = klass / f"student{n:04d}"
            shutil.copytree(original, target)
            code = (target / batch.CODE).read_text()
            (target / batch.CODE).write_text(code + random_tail(rng))
        shutil.copy(graded / batch.MARKER, klass / batch.MARKER)
        batch.write_gradebook(klass)
        started, before = time.perf_counter(), os.times()
        path = report.write_report(klass)
        after = os.times()
        whole = time.perf_counter() - started
        cpu = sum(
            getattr(after, f) - getattr(before, f)
            for f in ("user", "system", "children_user", "children_system")
        )
        started = time.perf_counter()
        pairs = report.similar_pairs(report.read_graded(klass), "01_perceptron")
        similar = time.perf_counter() - started
        print(
            f"class of {args.size}: the report took {whole:.1f} s ({cpu:.1f} s of CPU, "
            f"the fingerprints made on every core), of which the "
            f"similarity search {similar:.1f} s ({len(pairs)} pairs listed); {path}"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    main()
