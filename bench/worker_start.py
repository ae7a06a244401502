"""How long it takes to start a sandboxed worker: the exec path against the template path.

    .venv/bin/python bench/worker_start.py            # 20 workers of each kind
    .venv/bin/python bench/worker_start.py -n 50 --no-torch

For each submission (a tiny one that imports numpy and defines one function, and the same
importing torch) it starts ``-n`` workers with each way of starting them, alternating the two
so that both see the same load on the machine, and for each worker times

- start: from asking for the worker (``RemoteStudent.ensure_loaded``: scratch directory,
  jail, the submission's cells run) to its first answer (one call of ``f``);
- total: the same plus closing it (killing the worker's namespace, removing the scratch).

It prints the mean seconds per worker and the ratio exec / template. The template's own start
(once per grading process, or once per batch) is printed apart and not in the means.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import sandbox  # noqa: E402
from autograder.grade.student import RemoteStudent  # noqa: E402
from autograder.sandbox.limits import Limits  # noqa: E402
from autograder.sandbox.templates import ForkedLauncher  # noqa: E402

SUBMISSIONS = {
    "numpy": "import numpy as np\n\n\ndef f(x):\n    return float(np.sum(np.asarray(x)) + 1)\n",
    "torch": "import numpy as np\nimport torch\n\n\ndef f(x):\n"
    "    return float(torch.as_tensor(np.asarray(x)).sum()) + 1.0\n",
}


def one_worker(source, limits):
    began = time.perf_counter()
    student = RemoteStudent([source], limits)
    try:
        problem = student.ensure_loaded()
        if problem:
            raise RuntimeError(problem)
        value = student.f([1.0, 2.0])
        answered = time.perf_counter()
        if value != 4.0:
            raise RuntimeError(f"f answered {value!r}")
        mode = student._worker.info.get("mode")
        forked = isinstance(student._worker.proc, ForkedLauncher)
    finally:
        student.close()
    return answered - began, time.perf_counter() - began, mode, forked


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="workers of each kind (default 20)")
    parser.add_argument("--no-torch", action="store_true", help="skip the torch submission")
    parser.add_argument("--isolation", default=Limits().isolation)
    args = parser.parse_args(argv)
    kinds = ["numpy"] + (
        [] if args.no_torch or sandbox.template_kind(["import torch"]) != "torch" else ["torch"]
    )
    if args.isolation not in ("auto", *sandbox.FORK_MODES):
        parser.error(f"isolation {args.isolation!r} always starts workers the exec way")
    limits = {
        way: Limits(worker_start=way, isolation=args.isolation) for way in ("exec", "template")
    }
    print(f"{args.n} workers per submission and way, alternating; isolation {args.isolation}")
    for kind in kinds:
        source = SUBMISSIONS[kind]
        began = time.perf_counter()
        started = sandbox.start_templates([sandbox.template_kind([source])])
        info = next(iter(started.values()))
        if "error" in info:
            print(f"  {kind}: no template ({info['error']}); skipped")
            continue
        print(
            f"\n{kind} submission: the {info['kind']} template started in "
            f"{time.perf_counter() - began:.2f} s (its imports {info['seconds']:.2f} s, "
            f"{info['preloaded_mb']} MB of address space preloaded, isolation "
            f"{info['mode']})"
        )
        one_worker(source, limits["template"])  # warm: the first fork touches the most pages
        one_worker(source, limits["exec"])
        times, modes = {"exec": [], "template": []}, {}
        for _ in range(args.n):
            for way in ("exec", "template"):
                start, total, modes[way], forked = one_worker(source, limits[way])
                if forked != (way == "template"):
                    raise RuntimeError(f"a {way} worker was started the other way")
                times[way].append((start, total))
        means = {
            way: (statistics.mean(t[0] for t in rows), statistics.mean(t[1] for t in rows))
            for way, rows in times.items()
        }
        for way in ("exec", "template"):
            start, total = means[way]
            spread = statistics.pstdev(t[0] for t in times[way])
            print(
                f"  {way:8s}  start to first answer {start * 1000:8.1f} ms "
                f"(sd {spread * 1000:6.1f})   with teardown {total * 1000:8.1f} ms   "
                f"[{modes[way]}]"
            )
        print(
            f"  ratio exec / template: {means['exec'][0] / means['template'][0]:.1f}x "
            f"(start), {means['exec'][1] / means['template'][1]:.1f}x (with teardown)"
        )
    sandbox.stop_templates()


if __name__ == "__main__":
    main()
