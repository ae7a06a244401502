"""Batch grading: a whole class, in parallel, resumably, into an output folder.

Grading
-------
Every submission is graded in a grading process of its own (a fork of this, trusted,
process, warmed up once with the grader's modules and the reference solution), which starts
the sandboxed worker as ``grade --json`` does and writes that submission's files itself.
Up to ``jobs`` of them run at once. Every file is written atomically (a temporary file in the
same folder, then ``os.replace``): ``results.json`` is written last, and its presence means
"graded", so a batch that is interrupted or killed loses nothing and a second run grades only
what is missing (``force`` regrades everything). A grading process that crashes, is killed or
runs past ``timeout`` costs only its own submission: it gets a ``results.json`` with score 0
saying what happened, next to a ``.grading-failed`` marker (and the batch's exit status is
1); ``retry_failed`` (``--retry-failed``) grades those again, and only those.

``shard=(i, n)`` keeps the submissions whose id hashes (SHA-256) to ``i - 1`` modulo ``n``:
``n`` machines, each with its own output folder, grade disjoint parts of the same batch, and
``python -m autograder merge DIR1 DIR2 ... --output DIR`` (``merge``) puts them together
(a submission folder that an older grader named like an output, ``grades.csv/``, is merged
under its id of today, ``grades.csv-1/``; so is one in an output folder graded again).

Time: all of one submission's code has ``limits.budget`` seconds (``--budget``, default
300; see ``autograder.grade.student.RemoteStudent``), in a batch as in ``grade FILE`` and on
Gradescope; the grading process's ``timeout`` (``--timeout``) is only a backstop beyond it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from autograder import course, sandbox
from autograder.batch.output import (
    CODE,
    FAILED,
    GRADEBOOK,
    RESULTS,
    claim_output,
    read_results,
    write_atomic,
    write_gradebook,
    write_outputs,
)
from autograder.course import master
from autograder.grade.grading import Submission, collect_tests, grade_submission, unreadable_results
from autograder.grade.results import annotate
from autograder.grade.submission import submission_code
from autograder.safe_text import printable
from autograder.sandbox.limits import GRADING_PROCESS_TIMEOUT, Limits

if TYPE_CHECKING:
    from collections.abc import Iterable
    from multiprocessing.context import ForkContext, SpawnContext
    from multiprocessing.process import BaseProcess
    from types import FrameType

    from _typeshed import StrPath
    from tqdm import tqdm

    from autograder.grade.results import ResultsJson, TestJson

DEFAULT_TIMEOUT = GRADING_PROCESS_TIMEOUT
KILL_GRACE = 10.0  # seconds between SIGTERM and SIGKILL for a grading process
EXIT_ERROR = 3  # a grading process's exit status: the grader raised
EXIT_STOPPED = 4  # a grading process's exit status: stopped by a signal before it finished

_stopping = False


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    global _stopping
    _stopping = True
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """Linux: SIGTERM this process when the batch that started it dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _grading_process(
    submission: Submission,
    assignment: str,
    limits: Limits,
    folder: Path,
    parent_pid: int,
    reason: str = "",
) -> NoReturn:
    """The body of a grading process: grade, write the files, exit. With ``reason``, only
    write the results of a submission whose grading failed: every test at 0, saying why."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    _die_with_parent()
    if os.getppid() != parent_pid:  # the batch died before the line above took effect
        os._exit(EXIT_STOPPED)
    code = 0
    try:
        if reason:
            results = unreadable_results(assignment, reason)
        else:
            results = annotate(grade_submission(submission, assignment, limits))
            write_atomic(Path(folder) / CODE, submission_code(submission))
        if _stopping:
            raise KeyboardInterrupt
        write_outputs(folder, submission.id, assignment, results)
        if not reason:
            with contextlib.suppress(FileNotFoundError):
                (Path(folder) / FAILED).unlink()
    except KeyboardInterrupt:
        code = EXIT_STOPPED
    except BaseException:  # noqa: BLE001 - the batch reports it; nothing is written
        code = EXIT_STOPPED if _stopping else EXIT_ERROR
        if not _stopping:
            label = printable(submission.label, one_line=True)
            sys.stderr.write(f"\nerror while grading {label}:\n{printable(traceback.format_exc())}")
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def _prewarm(assignment: str, limits: Limits) -> bool:
    """Import and load in the batch process what every grading process needs; True when it is
    safe to fork grading processes from here afterwards."""
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # asking must not init CUDA
    master.read_master(assignment)
    suite = course.suite_path(assignment).read_text(encoding="utf-8")
    if "import torch" in suite:
        # the suite's oracle: imported once here instead of in every grading process (~1.5 s),
        # with what the first torch optimizer imports where it makes some (torch._dynamo:
        # another 2 s, which a batch of another assignment need not pay)
        with contextlib.suppress(ImportError):
            import torch  # noqa: F401 (deferred: start-up cost)

            if _makes_optimizers(suite):
                import torch._dynamo  # noqa: F401 (deferred: start-up cost)
    with contextlib.suppress(Exception):  # a broken reference: the grading processes say so
        master.load_reference(assignment)
    # The workers' private copy of the grader modules: made once here (and removed when this
    # process exits), not once per grading process, which leaves by os._exit.
    sandbox.runtime_dir()
    # The worker templates (numpy, and torch where installed) start once here, so that every
    # grading process forks its workers from them instead of importing numpy and torch anew.
    # Only those this assignment's workers can use: no torch template where torch is banned.
    if sandbox.uses_templates(limits):
        sandbox.start_templates(banned=course.banned_imports(assignment))
    loaded = sys.modules.get("torch")
    if loaded is not None and loaded.cuda.is_initialized():
        return False  # a forked process could not use CUDA
    gc.collect()
    gc.freeze()  # keeps the warm objects out of every grading process's garbage collections
    return True


def _makes_optimizers(suite: str) -> bool:
    """Does the suite's code mention torch's optim? (Its probes run in workers, which the
    template starts with torch._dynamo already imported.)"""
    return "optim" in suite


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode == EXIT_ERROR:
        return "the grader hit an internal error"
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the grading process was killed by {name}"
    return f"the grading process exited with status {exitcode} without a result"


def _fallback_results(assignment: str, reason: str) -> ResultsJson:
    """Results the batch process writes itself when no grading process could: every test of
    the suite at 0, or none if even collecting them fails."""
    tests: list[TestJson]
    try:
        tests = [
            {"name": name, "score": 0.0, "max_score": points, "output": reason}
            for name, points in collect_tests(assignment)
        ]
    except Exception:  # noqa: BLE001
        tests = []
    return {
        "score": 0.0,
        "max_score": sum(t["max_score"] for t in tests),
        "output": reason,
        "tests": tests,
    }


@dataclass
class _Job:
    submission: Submission
    fallback: bool = False  # only writes the zero results that say why grading failed
    reason: str = ""
    process: BaseProcess = field(init=False)  # set by _start
    before: tuple[int, int] | None = None  # the results.json there was before (inode, mtime)
    deadline: float = 0.0
    kill_at: float = 0.0
    timed_out: bool = False


@dataclass
class BatchReport:
    graded: list[str]
    skipped: list[str]
    failed: list[str]  # ids whose grading process failed (their results.json says so)
    seconds: float
    output: Path

    def summary(self) -> str:
        done = len(self.graded)
        per = f" ({self.seconds / done:.2f} s per submission)" if done else ""
        text = (
            f"graded {done}, skipped {len(self.skipped)} already graded, in "
            f"{self.seconds:.1f} s{per}; gradebook: {self.output / GRADEBOOK}"
        )
        if self.failed:
            text += (
                f"\n{len(self.failed)} could not be graded (score 0, see their "
                f"feedback.md): {', '.join(self.failed)}. To grade them again: "
                "the same command with --retry-failed."
            )
        return text


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def grade_batch(
    submissions: Iterable[Submission],
    assignment: str,
    output: StrPath,
    limits: Limits | None = None,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    progress: bool = True,
    retry_failed: bool = False,
) -> BatchReport:
    """Grade ``submissions`` into ``output``; a BatchReport. See the module doc.
    ``retry_failed``: also grade again those whose grading process failed before."""
    started = time.monotonic()
    output = Path(output)
    limits = limits or Limits()
    jobs = max(1, jobs or default_jobs())
    course.master_path(assignment)
    claim_output(output, assignment)
    todo: list[Submission] = []
    skipped: list[str] = []
    for sub in submissions:
        folder = output / sub.id
        if (
            not force
            and read_results(folder) is not None
            and not (retry_failed and (folder / FAILED).exists())
        ):
            skipped.append(sub.id)
        else:
            todo.append(sub)
    graded: list[str] = []
    failed: list[str] = []
    # SIGTERM stops the batch as Ctrl-C does: grading processes stopped, gradebook written
    previous = signal.signal(signal.SIGTERM, _stop) if _in_main_thread() else None
    try:
        if todo:
            forkable = _prewarm(assignment, limits)
            methods = multiprocessing.get_all_start_methods()
            use_fork = forkable and "fork" in methods and sys.platform.startswith("linux")
            context = (
                multiprocessing.get_context("fork")
                if use_fork
                else multiprocessing.get_context("spawn")
            )
            bar = _progress_bar(len(todo), progress)
            try:
                _run(todo, assignment, limits, output, jobs, timeout, context, bar, graded, failed)
            finally:
                bar.close()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        write_gradebook(output)
    return BatchReport(graded, skipped, failed, time.monotonic() - started, output)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _progress_bar(total: int, enabled: bool) -> tqdm:
    from tqdm import tqdm  # deferred: start-up cost

    tqdm.monitor_interval = 0  # no monitor thread: this process forks
    return tqdm(
        total=total,
        unit="submission",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )


def _stamp(folder: StrPath) -> tuple[int, int] | None:
    try:
        stat = (Path(folder) / RESULTS).stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _start(
    job: _Job,
    assignment: str,
    limits: Limits,
    output: Path,
    timeout: float,
    context: ForkContext | SpawnContext,
) -> None:
    sub = job.submission
    job.before = _stamp(output / sub.id)
    job.process = context.Process(
        target=_grading_process,
        args=(sub, assignment, limits, output / sub.id, os.getpid(), job.reason),
        name=f"grade-{sub.id}",
        daemon=False,
    )
    job.process.start()
    job.deadline = time.monotonic() + (min(timeout, 300.0) if job.fallback else timeout)


def _run(
    todo: list[Submission],
    assignment: str,
    limits: Limits,
    output: Path,
    jobs: int,
    timeout: float,
    context: ForkContext | SpawnContext,
    bar: tqdm,
    graded: list[str],
    failed: list[str],
) -> None:
    queue = deque(_Job(sub) for sub in todo)
    running: list[_Job] = []
    try:
        while queue or running:
            while queue and len(running) < jobs:
                job = queue.popleft()
                _start(job, assignment, limits, output, timeout, context)
                running.append(job)
            now = time.monotonic()
            wake = min(j.kill_at or j.deadline for j in running)
            multiprocessing.connection.wait(
                [j.process.sentinel for j in running], timeout=max(0.05, min(wake - now, 5.0))
            )
            now = time.monotonic()
            for job in list(running):
                process = job.process
                if process.exitcode is None:
                    if job.kill_at and now >= job.kill_at:
                        process.kill()
                    elif not job.kill_at and now >= job.deadline:
                        job.timed_out = True
                        process.terminate()
                        job.kill_at = now + KILL_GRACE
                    continue
                process.join()
                running.remove(job)
                _finished(job, assignment, output, timeout, queue, graded, failed, bar)
    finally:
        for job in running:
            if job.process.exitcode is None:
                job.process.terminate()
        deadline = time.monotonic() + KILL_GRACE
        for job in running:
            job.process.join(max(0.0, deadline - time.monotonic()))
            if job.process.exitcode is None:
                job.process.kill()
                job.process.join()


def _finished(
    job: _Job,
    assignment: str,
    output: Path,
    timeout: float,
    queue: deque[_Job],
    graded: list[str],
    failed: list[str],
    bar: tqdm,
) -> None:
    sub = job.submission
    folder = output / sub.id
    fresh = _stamp(folder) not in (None, job.before) and read_results(folder) is not None
    if fresh:  # written by this grading process (even if it was stopped right after)
        if job.fallback:
            failed.append(sub.id)
        else:
            graded.append(sub.id)
        bar.update(1)
        return
    if job.timed_out and not job.fallback:
        reason = (
            f"grading this submission took longer than {timeout:g} s, the grader's "
            "limit for one submission, and was stopped, so no test could be graded "
            "(look for code that runs very slowly or never ends)"
        )
    elif not job.fallback:
        reason = (
            f"{_how_it_ended(job.process.exitcode)} while grading this submission, so "
            "no test could be graded; ask your instructor to grade it again"
        )
    else:
        reason = job.reason
    bar.write(f"{sub.id}: {reason}", file=sys.stderr)
    if not job.fallback:
        write_atomic(folder / FAILED, reason + "\n")  # before the results that say so
        queue.appendleft(_Job(sub, fallback=True, reason=reason))
        return
    write_outputs(folder, sub.id, assignment, _fallback_results(assignment, reason))
    failed.append(sub.id)
    bar.update(1)
