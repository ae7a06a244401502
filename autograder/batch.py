"""Batch grading: a whole class, in parallel, resumably, into a gradebook.

``python -m autograder grade SUBMISSIONS... --assignment NAME --output DIR`` writes

- ``DIR/<id>/results.json``  Gradescope's form, exactly the object ``grade --json`` prints;
- ``DIR/<id>/feedback.md``   for the student: the score, each failed test's name and message,
  and what the grader saw while loading the submission (``results["output"]``);
- ``DIR/grades.csv``         ``submission, score, max_score``, then one column per question
  (the part of a test name before the colon), each the points earned in that question;
  rebuilt from every ``DIR/*/results.json`` at the end of each run.

Every text that comes from a submission (its messages, type names, output, file names) is
made safe for where it goes (``autograder.safe_text``): control characters and bidi
overrides are shown escaped in results.json, feedback.md and on the terminal; feedback.md
shows messages in code blocks, so no Markdown or HTML in them takes effect; no cell of
grades.csv starts a spreadsheet formula (``=``, ``+``, ``-``, ``@`` get a ``'`` first).

Submission ids (the folder names in DIR and the first column of grades.csv)
--------------------------------------------------------------------------
Every argument is a file or a folder.

* A file given on the command line is one submission, whatever its type (one that is not a
  notebook, a script or a zip is graded as unreadable: every test at 0, with the reason). Its
  id is the file's stem: ``alice.ipynb`` -> ``alice``. Where several given files share a stem
  (``*/hw.ipynb``), each is named after its folder instead: the nearest folder not named after
  the assignment (``alice/hw.ipynb`` -> ``alice``).
* In a folder, every ``.ipynb``, ``.py`` and ``.zip`` file is a candidate (hidden files and
  folders, ``__pycache__``, ``__MACOSX``, ``.ipynb_checkpoints`` and symbolic links are
  passed over). An nbgrader course directory, recognised by at least one
  ``submitted/<student>/<assignment>/`` folder named exactly as the assignment
  (``--assignment``), is read as nbgrader lays it out: each ``submitted/<student>/<assignment>/``
  is that student's submission (an empty one is graded as unreadable), and nothing else of
  the course is graded (``source/``, other assignments' folders, a student folder without
  this assignment's). The same holds for its ``submitted/`` folder given alone. Any other
  folder is read as follows, even one that holds a (student's) folder named ``submitted``.

  - A file directly in the folder is a submission named by its stem: a folder of notebooks,
    or of otter's exported zips (``alice.zip`` -> ``alice``).
  - A file further down belongs to a *student folder*: the outermost folder below the given
    one whose name is not the assignment's. That folder's name is the id: ``alice/hw.ipynb``
    -> ``alice``, nbgrader's ``submitted/alice/01_perceptron/01_perceptron.ipynb`` -> ``alice``.
    One file is graded per student folder; where it holds several candidates, the grader
    keeps, in this order, the ones named after the assignment (``01_perceptron.ipynb``), the
    ones whose name the most student folders share, then notebooks before zips before
    scripts; if that leaves more than one, the submission is graded as unreadable with a
    reason that lists them. A student folder with files but no candidate (``kim/hw.pdf``) is
    graded as unreadable too, saying so; other files lying directly in the folder given are
    not graded.
* Nothing is dropped in silence: ``discover`` lists every entry of a folder given that is
  passed over or not graded, with the reason, and the command line prints them on stderr.
* Ids are safe folder names: characters other than letters, digits and ``._+@-`` become
  ``_``, and leading dots are dropped. An id never names something the batch writes in the
  output folder (``grades.csv``, ``report``, compared ignoring case): such an id gets ``-1``
  (``grades.csv.py`` -> ``grades.csv-1``). If two submissions would still get the same id
  (compared ignoring case), each of them gets ``-`` and 8 hex digits of a hash of its path
  below the folder given (or of the path given), so ids do not depend on the order of the
  arguments or on which machine grades.
* A zip is the notebook inside it (otter's exported zip holds one), or its one ``.py`` where
  it holds no notebook; anything else is graded as unreadable with the reason.

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
300; see ``autograder.student.RemoteStudent``), in a batch as in ``grade FILE`` and on
Gradescope; the grading process's ``timeout`` (``--timeout``) is only a backstop beyond it.
"""

import contextlib
import csv
import gc
import hashlib
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path

from . import course
from .report import CODE, annotate
from .safe_text import csv_cell, markdown_block, markdown_code, markdown_text, printable

CANDIDATE_SUFFIXES = (".ipynb", ".zip", ".py")  # also the preference order in a folder
IGNORED_NAMES = {"__pycache__", "__MACOSX", ".ipynb_checkpoints"}
RESULTS = "results.json"
FEEDBACK = "feedback.md"
FAILED = ".grading-failed"  # next to a results.json that only says why grading failed
GRADEBOOK = "grades.csv"
MARKER = ".autograder-batch.json"  # which assignment an output folder holds
REPORT = "report"  # reserved for a report folder next to the gradebook
RESERVED = {GRADEBOOK.lower(), REPORT.lower(), MARKER.lower()}  # names no id may take
DEFAULT_TIMEOUT = 1800.0  # wall seconds for one submission's grading process
KILL_GRACE = 10.0  # seconds between SIGTERM and SIGKILL for a grading process
MAX_ZIP_MEMBERS = 10_000

EXIT_ERROR = 3  # a grading process's exit status: the grader raised
EXIT_STOPPED = 4  # a grading process's exit status: stopped by a signal before it finished


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path  # the file graded (for an ambiguous student folder: the folder)
    label: str  # the path as given, for messages and the score table
    problem: str = ""  # set when the submission cannot be graded: the reason, for the student


# ---- discovery ------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._+@-]")


def safe_id(name):
    """``name`` as a folder name that is safe everywhere."""
    text = _UNSAFE.sub("_", name).lstrip(".")
    return text[:100] or "submission"


def output_id(name):
    """``name`` (a safe id) unless it is the name of something the batch writes in its output
    folder (compared ignoring case), else with ``-1`` appended: ``grades.csv`` ->
    ``grades.csv-1``."""
    return f"{name}-1" if name.lower() in RESERVED else name


def _passed_over(path, skip=()):
    """Why ``path`` (an entry in a folder given) is never a submission or part of one, or ""."""
    if path.is_symlink():
        return "a symbolic link (links are not followed)"
    if path.name in IGNORED_NAMES:
        return "a folder that Jupyter, Python or macOS made"
    if path.name.startswith("."):
        return "a hidden file or folder"
    if path.resolve() in skip:
        return "the output folder"
    return ""


def _walk(root, skip, ignored):
    """Files below ``root`` (not following links), sorted: (candidates, other files). What is
    passed over is appended to ``ignored`` as (path, reason)."""
    found, others = [], []
    for folder, dirs, files in os.walk(root):
        if folder != str(root) and not dirs and not files:
            ignored.append((Path(folder), "an empty folder"))
        kept = []
        for name in sorted(dirs):
            reason = _passed_over(Path(folder, name), skip)
            if reason:
                ignored.append((Path(folder, name), reason))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = Path(folder, name)
            reason = _passed_over(path, skip)
            if reason:
                ignored.append((path, reason))
            else:
                (found if path.suffix.lower() in CANDIDATE_SUFFIXES else others).append(path)
    return found, others


def _choose(candidates, assignment, common_names):
    """The one file to grade in a student folder, or None where it is ambiguous."""
    filters = [
        lambda p: p.stem == assignment,
        lambda p: p.name in common_names,
    ] + [lambda p, s=s: p.suffix.lower() == s for s in CANDIDATE_SUFFIXES]
    for keep in filters:
        if len(candidates) == 1:
            break
        narrowed = [p for p in candidates if keep(p)]
        if narrowed:
            candidates = narrowed
    return candidates[0] if len(candidates) == 1 else None


@dataclass
class _Unit:
    key: str  # the path below the root given (or the path given), for the hash suffix
    base: str  # the id before making it unique
    path: Path
    label: str
    problem: str = ""


def _student_folder(rel, assignment):
    """(key, name) of the student folder holding ``rel`` (a path below the root), or None."""
    folders = [part for part in rel.parts[:-1] if part != assignment]
    if not folders:
        return None
    return Path(*rel.parts[:rel.parts.index(folders[0]) + 1]).as_posix(), folders[0]


def nbgrader_submitted(root, assignment):
    """nbgrader's ``submitted/`` folder where ``root`` is an nbgrader course directory (or
    its ``submitted/``), else None: only where some ``submitted/<student>/<assignment>/``
    folder exists."""
    for folder in ((root,) if root.name == "submitted" else (root / "submitted",)):
        if folder.is_dir() and not folder.is_symlink():
            for student in folder.iterdir():
                inner = student / assignment
                if (not _passed_over(student) and student.is_dir()
                        and inner.is_dir() and not inner.is_symlink()):
                    return folder
    return None


def _class_folders(root, assignment, skip, ignored):
    """Any layout but nbgrader's: ({student folder: (id, candidates, other files)}, the
    candidates lying directly in ``root`` or in folders named after the assignment)."""
    candidates, others = _walk(root, skip, ignored)
    chosen = set(candidates)
    folders, loose = {}, []
    for path in candidates + others:
        student = _student_folder(path.relative_to(root), assignment)
        if student is None:
            if path in chosen:
                loose.append(path)
            else:
                ignored.append((path, "not a notebook (.ipynb), Python file (.py) or zip"))
        else:
            entry = folders.setdefault(student[0], (student[1], [], []))
            (entry[1] if path in chosen else entry[2]).append(path)
    return folders, loose


def _nbgrader_folders(course_dir, submitted, assignment, skip, ignored):
    """nbgrader's layout: {student: (id, candidates, other files)} from
    ``submitted/<student>/<assignment>/`` only; everything else goes to ``ignored``."""
    layout = f"nbgrader's layout: submitted/<student>/{assignment}/"
    if course_dir != submitted:
        for entry in sorted(course_dir.iterdir()):
            if entry.name != "submitted":
                ignored.append((entry, _passed_over(entry, skip) or
                                f"an nbgrader course: only submitted/<student>/{assignment}/ "
                                "is graded"))
    folders = {}
    for entry in sorted(submitted.iterdir()):
        inner = entry / assignment
        reason = _passed_over(entry, skip)
        if not reason and not entry.is_dir():
            reason = f"a file directly in submitted/ ({layout})"
        elif not reason and not inner.is_dir():
            reason = f"a student folder without a {assignment}/ folder ({layout})"
        elif not reason:
            reason = _passed_over(inner, skip)
        if reason:
            ignored.append((entry, reason))
            continue
        for other in sorted(entry.iterdir()):
            if other.name != assignment:
                ignored.append((other, _passed_over(other, skip) or
                                f"not this assignment's folder ({layout})"))
        candidates, others = _walk(inner, skip, ignored)
        folders[entry.name] = (entry.name, candidates, others)
    return folders


def _folder_units(root, assignment, skip, ignored):
    submitted = nbgrader_submitted(root, assignment)
    if submitted is None:
        folders, loose = _class_folders(root, assignment, skip, ignored)
        if not folders and not loose and not any(root.iterdir()):
            ignored.append((root, "an empty folder"))
    else:
        folders, loose = _nbgrader_folders(root, submitted, assignment, skip, ignored), []
        root = submitted
    # the file name most student folders share: the name everyone was asked to use
    names = Counter(name for _, files, _ in folders.values() for name in {p.name for p in files})
    most = max(names.values(), default=0)
    common = {name for name, count in names.items() if count >= 2 and count == most}
    units = [_Unit(f"{root.name}/{p.relative_to(root).as_posix()}", p.stem, p, str(p))
             for p in loose]
    for key, (base, files, others) in sorted(folders.items()):
        unit_key, folder = f"{root.name}/{key}", root / key
        if not files:
            listed = ", ".join(p.relative_to(folder).as_posix() for p in others[:5])
            problem = (f"your folder holds no notebook (.ipynb), Python file (.py) or zip, "
                       f"only: {listed}" if others else "your folder is empty")
            units.append(_Unit(unit_key, base, folder, str(folder), problem))
            continue
        chosen = _choose(files, assignment, common)
        if chosen is None:
            listed = ", ".join(p.relative_to(folder).as_posix() for p in files)
            units.append(_Unit(unit_key, base, folder, str(folder),
                               f"your folder holds several files that could be the submission "
                               f"({listed}); hand in exactly one notebook"))
            continue
        units.append(_Unit(unit_key, base, chosen, str(chosen)))
        ignored.extend((p, "another file of the same student folder is the one graded")
                       for p in sorted(files + others) if p != chosen)
    return units


def _file_folder_name(path, assignment):
    for part in reversed(path.parent.parts):
        if part not in ("", "/", ".", "..") and part != assignment:
            return part
    return path.stem


def discover(inputs, assignment, skip=(), ignored=None):
    """The submissions in ``inputs`` (files and folders), sorted by id; see the module doc.
    Everything found in a folder given that is not graded is appended to ``ignored`` as
    (path, reason)."""
    skip = {Path(p).resolve() for p in skip}
    ignored = [] if ignored is None else ignored
    units, files = [], []
    for given in inputs:
        given = Path(given)
        if given.is_dir():
            units.extend(_folder_units(given, assignment, skip, ignored))
        else:
            files.append(given)
    stems = Counter(p.stem for p in files)
    for path in files:
        base = path.stem if stems[path.stem] == 1 else _file_folder_name(path, assignment)
        units.append(_Unit(path.as_posix(), base, path, str(path)))
    by_id = {}
    for unit in units:
        by_id.setdefault(output_id(safe_id(unit.base)).lower(), []).append(unit)
    submissions = []
    for group in by_id.values():
        for unit in group:
            sid = output_id(safe_id(unit.base))
            if len(group) > 1:
                sid = f"{sid}-{hashlib.sha256(unit.key.encode()).hexdigest()[:8]}"
            submissions.append(Submission(sid, unit.path, unit.label, unit.problem))
    seen = Counter(s.id.lower() for s in submissions)
    duplicated = [s.label for s in submissions if seen[s.id.lower()] > 1]
    if duplicated:
        raise ValueError("the same submission was given twice (or two folders of the same name "
                         "hold the same paths; grade them separately): " + ", ".join(duplicated))
    return sorted(submissions, key=lambda s: s.id)


def parse_shard(text):
    """``"i/n"`` -> (i, n), 1 <= i <= n."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard wants i/n with 1 <= i <= n (e.g. 2/4), not {text!r}")
    return int(match[1]), int(match[2])


def in_shard(submission_id, shard):
    index, count = shard
    digest = hashlib.sha256(submission_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


# ---- grading one submission -----------------------------------------------------------------

def _student_that_cannot_load(problem):
    from .sandbox import WorkerLost
    from .student import Student

    class Unreadable(Student):
        """Every call fails with the reason, as for a submission whose worker cannot start."""

        def _request(self, request):
            raise WorkerLost(problem)

        def reference_of(self, assignment):
            return self  # nothing runs at all: a probe of the reference fails the same way

    return Unreadable()


def unreadable_results(assignment, problem, question=None):
    """Every test (of ``question``, if given) at 0 with ``problem`` as the reason, as
    ``grade_file`` reports an unreadable file (skipped tests stay skipped, so max_score
    matches a graded submission's)."""
    from .grading import run_suite, to_results_json
    student = _student_that_cannot_load(problem)
    return to_results_json(run_suite(assignment, student, question), problem)


def _zip_member(path, folder):
    """Extract the one notebook (else the one .py) of an otter zip into ``folder``."""
    from .submission import MAX_SUBMISSION_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None, f"{path.name} holds {len(members)} files; it is not an exported notebook"
            names = [m for m in members if not m.is_dir()
                     and not any(p.startswith(".") or p in IGNORED_NAMES
                                 for p in Path(m.filename).parts)]
            for suffix in (".ipynb", ".py"):
                found = [m for m in names if m.filename.lower().endswith(suffix)]
                if len(found) > 1:
                    listed = ", ".join(m.filename for m in found)
                    return None, (f"{path.name} holds several {suffix} files ({listed}); "
                                  "it should hold exactly one")
                if found:
                    member = found[0]
                    if member.file_size > MAX_SUBMISSION_BYTES:
                        return None, (f"{member.filename} in {path.name} is "
                                      f"{member.file_size / 2**20:.0f} MB; the limit is "
                                      f"{MAX_SUBMISSION_BYTES // 2**20} MB")
                    with archive.open(member) as source:
                        data = source.read(MAX_SUBMISSION_BYTES + 1)
                    if len(data) > MAX_SUBMISSION_BYTES:
                        return None, f"{member.filename} in {path.name} is too large"
                    target = Path(folder) / safe_id(Path(member.filename).name)
                    target = target.with_suffix(suffix)
                    target.write_bytes(data)
                    return target, ""
            return None, f"{path.name} holds no notebook (.ipynb) and no Python file (.py)"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError,
            NotImplementedError, EOFError) as exc:
        return None, f"{path.name} is not a readable zip file ({type(exc).__name__}: {exc})"


def grade_submission(submission, assignment, limits=None, question=None):
    """One submission's results (Gradescope's form; only ``question``'s tests, if given),
    graded in this process."""
    from .grading import grade_file
    if submission.problem:
        return unreadable_results(assignment, f"your submission could not be read: "
                                              f"{submission.problem}", question)
    path = Path(submission.path)
    if path.suffix.lower() == ".zip" and path.is_file():
        with tempfile.TemporaryDirectory(prefix="autograder-zip-") as folder:
            member, problem = _zip_member(path, folder)
            if member is None:
                return unreadable_results(assignment,
                                          f"your submission could not be read: {problem}",
                                          question)
            return grade_file(member, assignment, limits, question)
    return grade_file(path, assignment, limits, question)


def submission_code(submission):
    """The code the grader ran, as a ``# %%`` script (``code.py``; '' where unreadable)."""
    from .submission import SubmissionError, read_cells
    path = Path(submission.path)
    try:
        if submission.problem:
            return ""
        if path.suffix.lower() == ".zip" and path.is_file():
            with tempfile.TemporaryDirectory(prefix="autograder-zip-") as folder:
                member, _ = _zip_member(path, folder)
                cells = read_cells(member) if member else []
        else:
            cells = read_cells(path)
    except (SubmissionError, OSError):
        return ""
    return "".join(f"# %%\n{cell}\n\n" for cell in cells)


# ---- files ----------------------------------------------------------------------------------

def write_atomic(path, text):
    """Write ``text`` to ``path`` so that a reader sees the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_results(folder):
    """The results in ``folder/results.json``, or None where there is none (or it is not one)."""
    try:
        results = json.loads((Path(folder) / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(results, dict) and isinstance(results.get("tests"), list) and "score" in results:
        return results
    return None


def _points(value):
    return f"{value or 0:g}"


def skip_reasons(tests):
    """{reason: [test]} of the skipped tests among ``tests`` (results.json entries)."""
    reasons = {}
    for test in tests:
        if not (test.get("max_score") or 0):
            reason = (test.get("extra_data") or {}).get("skipped") or test.get("output") or "skipped"
            reasons.setdefault(str(reason), []).append(test)
    return reasons


def feedback_markdown(submission_id, assignment, results):
    """The student's feedback: score, failed tests with their messages, the loading report.
    Every text not written here is Markdown-escaped, or a code block (messages, output)."""
    tests = results.get("tests", [])
    failed = [t for t in tests if (t.get("score") or 0) < (t.get("max_score") or 0)]
    passed = [t for t in tests if t not in failed and (t.get("max_score") or 0) > 0]
    skipped = [t for t in tests if t not in failed and not (t.get("max_score") or 0)]

    def name(test):
        return markdown_text(test.get("name", "?"))

    lines = [f"# Feedback for {markdown_code(submission_id)}: {markdown_text(assignment)}", "",
             f"**Score: {_points(results.get('score'))} / {_points(results.get('max_score'))}**"
             f" ({len(passed)} tests passed, {len(failed)} failed)", ""]
    if results.get("output"):
        lines += ["## What the grader saw while running your submission", "",
                  markdown_block(str(results["output"])), ""]
    if failed:
        lines += [f"## Failed tests ({len(failed)})", ""]
        for test in failed:
            lines += [f"### {name(test)} "
                      f"({_points(test.get('score'))} / {_points(test.get('max_score'))})", ""]
            if test.get("output"):
                lines += [markdown_block(str(test["output"])), ""]
    if passed:
        lines += [f"## Passed tests ({len(passed)})", ""]
        lines += [f"- {name(t)} ({_points(t.get('max_score'))})" for t in passed]
        lines.append("")
    for reason, tests in skip_reasons(skipped).items():
        lines += [f"## Skipped, worth no points ({len(tests)}): {markdown_text(reason)}", ""]
        lines += [f"- {name(t)}" for t in tests]
        lines.append("")
    return "\n".join(lines)


def write_outputs(folder, submission_id, assignment, results):
    """feedback.md, then results.json (whose presence marks the submission as graded)."""
    write_atomic(Path(folder) / FEEDBACK, feedback_markdown(submission_id, assignment, results))
    write_atomic(Path(folder) / RESULTS, json.dumps(results) + "\n")  # as `grade --json`


def write_gradebook(output):
    """Rebuild ``output/grades.csv`` from every ``output/*/results.json``; the row count."""
    from . import grading
    output = Path(output)
    rows, questions = [], {}
    folders = sorted(p for p in output.iterdir() if p.is_dir() and p.name.lower() not in RESERVED
                     and not p.name.startswith(".")) if output.is_dir() else []
    for folder in folders:
        results = read_results(folder)
        if results is None:
            continue
        earned = {}
        for test in results["tests"]:
            question = grading.question_of(test.get("name", ""))
            questions.setdefault(question, None)
            earned[question] = earned.get(question, 0) + (test.get("score") or 0)
        rows.append((folder.name, results, earned))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in ("submission", "score", "max_score", *questions)])
    for name, results, earned in rows:
        writer.writerow([csv_cell(c) for c in (
            name, _points(results.get("score")), _points(results.get("max_score")),
            *(_points(earned.get(q, 0)) for q in questions))])
    write_atomic(output / GRADEBOOK, buffer.getvalue())
    return len(rows)


def _remove_stale_temporaries(output):
    for tmp in Path(output).glob("*/.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
    for tmp in Path(output).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def claim_output(output, assignment):
    """Create ``output`` for ``assignment``; refuse a folder that holds another assignment."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    marker = output / MARKER
    try:
        held = json.loads(marker.read_text(encoding="utf-8")).get("assignment")
    except (OSError, ValueError, AttributeError):
        held = None
    if held and held != assignment:
        raise ValueError(f"{output} holds grades for {held}, not {assignment}: "
                         "choose another --output")
    if held is None:
        write_atomic(marker, json.dumps({"assignment": assignment}) + "\n")
    _remove_stale_temporaries(output)
    _rename_reserved(output)


def _rename_reserved(output):
    """Move a submission folder that an older grader named like an output of the folder
    (``grades.csv/``, which made the gradebook unwritable) to its id of today."""
    for folder in sorted(Path(output).iterdir()):
        if (folder.name.lower() in RESERVED and folder.is_dir() and not folder.is_symlink()
                and read_results(folder) is not None):
            target = folder.with_name(output_id(folder.name))
            if target.exists():
                raise ValueError(f"{folder} is a submission's folder named like an output of "
                                 f"the batch, and {target.name} exists too: move one of them")
            folder.rename(target)
            print(f"note: {folder} moved to {target} (an id may not name an output of the "
                  "batch)", file=sys.stderr)


# ---- the grading processes ------------------------------------------------------------------

_stopping = False


def _stop(signum, frame):
    global _stopping
    _stopping = True
    raise KeyboardInterrupt


def _die_with_parent():
    """Linux: SIGTERM this process when the batch that started it dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _grading_process(submission, assignment, limits, folder, parent_pid, reason=""):
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
            sys.stderr.write(f"\nerror while grading {label}:\n"
                             f"{printable(traceback.format_exc())}")
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def _prewarm(assignment, limits):
    """Import and load in the batch process what every grading process needs; True when it is
    safe to fork grading processes from here afterwards."""
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # asking must not init CUDA
    from . import grading, master, sandbox, student, submission  # noqa: F401
    master.read_master(assignment)
    suite = course.suite_path(assignment).read_text(encoding="utf-8")
    if "import torch" in suite:
        # the suite's oracle: imported once here instead of in every grading process (~1.5 s),
        # with what the first torch optimizer imports where it makes some (torch._dynamo:
        # another 2 s, which a batch of another assignment need not pay)
        with contextlib.suppress(ImportError):
            import torch  # noqa: F401
            if _makes_optimizers(suite):
                import torch._dynamo  # noqa: F401
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
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_initialized():
        return False  # a forked process could not use CUDA
    gc.collect()
    gc.freeze()  # keeps the warm objects out of every grading process's garbage collections
    return True


def _makes_optimizers(suite):
    """Does the suite's code mention torch's optim? (Its probes run in workers, which the
    template starts with torch._dynamo already imported.)"""
    return "optim" in suite


def _how_it_ended(exitcode):
    if exitcode == EXIT_ERROR:
        return "the grader hit an internal error"
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the grading process was killed by {name}"
    return f"the grading process exited with status {exitcode} without a result"


def _fallback_results(assignment, reason):
    """Results the batch process writes itself when no grading process could: every test of
    the suite at 0, or none if even collecting them fails."""
    from .grading import collect_tests
    try:
        tests = [{"name": name, "score": 0.0, "max_score": points, "output": reason}
                 for name, points in collect_tests(assignment)]
    except Exception:  # noqa: BLE001
        tests = []
    return {"score": 0.0, "max_score": sum(t["max_score"] for t in tests), "output": reason,
            "tests": tests}


@dataclass
class _Job:
    submission: Submission
    fallback: bool = False  # only writes the zero results that say why grading failed
    reason: str = ""
    process: object = None
    before: tuple = None  # the results.json there was before (inode, mtime), if any
    deadline: float = 0.0
    kill_at: float = 0.0
    timed_out: bool = False


@dataclass
class BatchReport:
    graded: list
    skipped: list
    failed: list  # ids whose grading process failed (their results.json says so)
    seconds: float
    output: Path

    def summary(self):
        done = len(self.graded)
        per = f" ({self.seconds / done:.2f} s per submission)" if done else ""
        text = (f"graded {done}, skipped {len(self.skipped)} already graded, in "
                f"{self.seconds:.1f} s{per}; gradebook: {self.output / GRADEBOOK}")
        if self.failed:
            text += (f"\n{len(self.failed)} could not be graded (score 0, see their "
                     f"feedback.md): {', '.join(self.failed)}. To grade them again: "
                     "the same command with --retry-failed.")
        return text


def default_jobs():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def grade_batch(submissions, assignment, output, limits=None, jobs=None, force=False,
                timeout=DEFAULT_TIMEOUT, progress=True, retry_failed=False):
    """Grade ``submissions`` into ``output``; a BatchReport. See the module doc.
    ``retry_failed``: also grade again those whose grading process failed before."""
    from .sandbox import Limits
    started = time.monotonic()
    output = Path(output)
    limits = limits or Limits()
    jobs = max(1, jobs or default_jobs())
    course.master_path(assignment)
    claim_output(output, assignment)
    todo, skipped = [], []
    for sub in submissions:
        folder = output / sub.id
        if (not force and read_results(folder) is not None
                and not (retry_failed and (folder / FAILED).exists())):
            skipped.append(sub.id)
        else:
            todo.append(sub)
    graded, failed = [], []
    # SIGTERM stops the batch as Ctrl-C does: grading processes stopped, gradebook written
    previous = signal.signal(signal.SIGTERM, _stop) if _in_main_thread() else None
    try:
        if todo:
            forkable = _prewarm(assignment, limits)
            methods = multiprocessing.get_all_start_methods()
            use_fork = forkable and "fork" in methods and sys.platform.startswith("linux")
            context = multiprocessing.get_context("fork" if use_fork else "spawn")
            bar = _progress_bar(len(todo), progress)
            try:
                _run(todo, assignment, limits, output, jobs, timeout, context, bar, graded,
                     failed)
            finally:
                bar.close()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        write_gradebook(output)
    return BatchReport(graded, skipped, failed, time.monotonic() - started, output)


def _in_main_thread():
    import threading
    return threading.current_thread() is threading.main_thread()


def _progress_bar(total, enabled):
    from tqdm import tqdm
    tqdm.monitor_interval = 0  # no monitor thread: this process forks
    return tqdm(total=total, unit="submission", file=sys.stderr, disable=not enabled,
                dynamic_ncols=True, smoothing=0.1)


def _stamp(folder):
    try:
        stat = (Path(folder) / RESULTS).stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _start(job, assignment, limits, output, timeout, context):
    sub = job.submission
    job.before = _stamp(output / sub.id)
    job.process = context.Process(
        target=_grading_process,
        args=(sub, assignment, limits, output / sub.id, os.getpid(), job.reason),
        name=f"grade-{sub.id}", daemon=False)
    job.process.start()
    job.deadline = time.monotonic() + (min(timeout, 300.0) if job.fallback else timeout)


def _run(todo, assignment, limits, output, jobs, timeout, context, bar, graded, failed):
    queue = deque(_Job(sub) for sub in todo)
    running = []
    try:
        while queue or running:
            while queue and len(running) < jobs:
                job = queue.popleft()
                _start(job, assignment, limits, output, timeout, context)
                running.append(job)
            now = time.monotonic()
            wake = min(j.kill_at or j.deadline for j in running)
            multiprocessing.connection.wait([j.process.sentinel for j in running],
                                            timeout=max(0.05, min(wake - now, 5.0)))
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


def _finished(job, assignment, output, timeout, queue, graded, failed, bar):
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
        reason = (f"grading this submission took longer than {timeout:g} s, the grader's "
                  "limit for one submission, and was stopped, so no test could be graded "
                  "(look for code that runs very slowly or never ends)")
    elif not job.fallback:
        reason = (f"{_how_it_ended(job.process.exitcode)} while grading this submission, so "
                  "no test could be graded; ask your instructor to grade it again")
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


# ---- merging shards -------------------------------------------------------------------------

def merge(inputs, output):
    """Copy every graded submission of ``inputs`` (batch output folders) into ``output`` and
    rebuild its gradebook; the number of submissions in the merged gradebook."""
    output = Path(output)
    assignments = set()
    for folder in map(Path, inputs):
        if not folder.is_dir():
            raise ValueError(f"{folder} is not a folder")
        with contextlib.suppress(OSError, ValueError, AttributeError):
            assignments.add(json.loads((folder / MARKER).read_text()).get("assignment"))
    assignments.discard(None)
    if len(assignments) > 1:
        raise ValueError(f"these folders hold grades of different assignments: "
                         f"{', '.join(sorted(assignments))}")
    if assignments:
        claim_output(output, assignments.pop())
    else:
        output.mkdir(parents=True, exist_ok=True)
    sources = {}  # id (ignoring case) -> (id, the folder holding that submission's files)
    for folder in map(Path, inputs):
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            if read_results(sub) is None or sub.name.startswith(".") or sub.is_symlink():
                continue
            name = output_id(sub.name)  # an older grader's grades.csv/: grades.csv-1/
            if name.lower() in sources:
                other = sources[name.lower()][1]
                if (other / RESULTS).read_bytes() != (sub / RESULTS).read_bytes():
                    raise ValueError(f"{sub.name} was graded differently in {other.parent} and "
                                     f"{folder}: shards should not overlap")
                continue
            sources[name.lower()] = (name, sub)
    for name, source in sources.values():
        target = output / name
        if target.resolve() == source.resolve():
            continue
        for path in sorted(p for p in source.iterdir() if p.is_file() and p.name != RESULTS
                           and (p.name == FAILED or not p.name.startswith("."))):
            write_atomic(target / path.name, path.read_text(encoding="utf-8"))
        write_atomic(target / RESULTS, (source / RESULTS).read_text(encoding="utf-8"))
    return write_gradebook(output)
