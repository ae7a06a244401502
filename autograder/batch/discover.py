"""Finding the submissions in what an instructor gives: files, folders of notebooks,
student folders, nbgrader course directories, otter zips; and their ids.

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

"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.batch.output import output_id
from autograder.grade.grading import Submission
from autograder.grade.submission import IGNORED_NAMES
from autograder.safe_text import safe_id

if TYPE_CHECKING:
    from collections.abc import Container, Iterable

    from _typeshed import StrPath

    # {student folder (its path below the root): (id, candidates, other files)}
    _Folders = dict[str, tuple[str, list[Path], list[Path]]]

CANDIDATE_SUFFIXES = (".ipynb", ".zip", ".py")  # also the preference order in a folder


# ---- discovery ------------------------------------------------------------------------------


def _passed_over(path: Path, skip: Container[Path] = ()) -> str:
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


def _walk(
    root: Path, skip: Container[Path], ignored: list[tuple[Path, str]]
) -> tuple[list[Path], list[Path]]:
    """Files below ``root`` (not following links), sorted: (candidates, other files). What is
    passed over is appended to ``ignored`` as (path, reason)."""
    found: list[Path] = []
    others: list[Path] = []
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


def _choose(candidates: list[Path], assignment: str, common_names: Container[str]) -> Path | None:
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


def _student_folder(rel: Path, assignment: str) -> tuple[str, str] | None:
    """(key, name) of the student folder holding ``rel`` (a path below the root), or None."""
    folders = [part for part in rel.parts[:-1] if part != assignment]
    if not folders:
        return None
    return Path(*rel.parts[: rel.parts.index(folders[0]) + 1]).as_posix(), folders[0]


def nbgrader_submitted(root: Path, assignment: str) -> Path | None:
    """nbgrader's ``submitted/`` folder where ``root`` is an nbgrader course directory (or
    its ``submitted/``), else None: only where some ``submitted/<student>/<assignment>/``
    folder exists."""
    for folder in (root,) if root.name == "submitted" else (root / "submitted",):
        if folder.is_dir() and not folder.is_symlink():
            for student in folder.iterdir():
                inner = student / assignment
                if (
                    not _passed_over(student)
                    and student.is_dir()
                    and inner.is_dir()
                    and not inner.is_symlink()
                ):
                    return folder
    return None


def _class_folders(
    root: Path, assignment: str, skip: Container[Path], ignored: list[tuple[Path, str]]
) -> tuple[_Folders, list[Path]]:
    """Any layout but nbgrader's: ({student folder: (id, candidates, other files)}, the
    candidates lying directly in ``root`` or in folders named after the assignment)."""
    candidates, others = _walk(root, skip, ignored)
    chosen = set(candidates)
    folders: _Folders = {}
    loose: list[Path] = []
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


def _nbgrader_folders(
    course_dir: Path,
    submitted: Path,
    assignment: str,
    skip: Container[Path],
    ignored: list[tuple[Path, str]],
) -> _Folders:
    """nbgrader's layout: {student: (id, candidates, other files)} from
    ``submitted/<student>/<assignment>/`` only; everything else goes to ``ignored``."""
    layout = f"nbgrader's layout: submitted/<student>/{assignment}/"
    if course_dir != submitted:
        for entry in sorted(course_dir.iterdir()):
            if entry.name != "submitted":
                ignored.append(
                    (
                        entry,
                        _passed_over(entry, skip)
                        or f"an nbgrader course: only submitted/<student>/{assignment}/ is graded",
                    )
                )
    folders: _Folders = {}
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
                ignored.append(
                    (other, _passed_over(other, skip) or f"not this assignment's folder ({layout})")
                )
        candidates, others = _walk(inner, skip, ignored)
        folders[entry.name] = (entry.name, candidates, others)
    return folders


def _folder_units(
    root: Path, assignment: str, skip: Container[Path], ignored: list[tuple[Path, str]]
) -> list[_Unit]:
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
    units = [
        _Unit(f"{root.name}/{p.relative_to(root).as_posix()}", p.stem, p, str(p)) for p in loose
    ]
    for key, (base, files, others) in sorted(folders.items()):
        unit_key, folder = f"{root.name}/{key}", root / key
        if not files:
            listed = ", ".join(p.relative_to(folder).as_posix() for p in others[:5])
            problem = (
                f"your folder holds no notebook (.ipynb), Python file (.py) or zip, only: {listed}"
                if others
                else "your folder is empty"
            )
            units.append(_Unit(unit_key, base, folder, str(folder), problem))
            continue
        chosen = _choose(files, assignment, common)
        if chosen is None:
            listed = ", ".join(p.relative_to(folder).as_posix() for p in files)
            units.append(
                _Unit(
                    unit_key,
                    base,
                    folder,
                    str(folder),
                    f"your folder holds several files that could be the submission "
                    f"({listed}); hand in exactly one notebook",
                )
            )
            continue
        units.append(_Unit(unit_key, base, chosen, str(chosen)))
        ignored.extend(
            (p, "another file of the same student folder is the one graded")
            for p in sorted(files + others)
            if p != chosen
        )
    return units


def _file_folder_name(path: Path, assignment: str) -> str:
    for part in reversed(path.parent.parts):
        if part not in ("", "/", ".", "..") and part != assignment:
            return part
    return path.stem


def discover(
    inputs: Iterable[StrPath],
    assignment: str,
    skip: Iterable[StrPath] = (),
    ignored: list[tuple[Path, str]] | None = None,
) -> list[Submission]:
    """The submissions in ``inputs`` (files and folders), sorted by id; see the module doc.
    Everything found in a folder given that is not graded is appended to ``ignored`` as
    (path, reason)."""
    skipped = {Path(p).resolve() for p in skip}
    ignored = [] if ignored is None else ignored
    units: list[_Unit] = []
    files: list[Path] = []
    for given in inputs:
        given = Path(given)
        if given.is_dir():
            units.extend(_folder_units(given, assignment, skipped, ignored))
        else:
            files.append(given)
    stems = Counter(p.stem for p in files)
    for path in files:
        base = path.stem if stems[path.stem] == 1 else _file_folder_name(path, assignment)
        units.append(_Unit(path.as_posix(), base, path, str(path)))
    by_id: dict[str, list[_Unit]] = {}
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
        raise ValueError(
            "the same submission was given twice (or two folders of the same name "
            "hold the same paths; grade them separately): " + ", ".join(duplicated)
        )
    return sorted(submissions, key=lambda s: s.id)


def parse_shard(text: str | None) -> tuple[int, int]:
    """``"i/n"`` -> (i, n), 1 <= i <= n."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard wants i/n with 1 <= i <= n (e.g. 2/4), not {text!r}")
    return int(match[1]), int(match[2])


def in_shard(submission_id: str, shard: tuple[int, int]) -> bool:
    index, count = shard
    digest = hashlib.sha256(submission_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1
