"""``dist/gradescope/NN_name/autograder.zip``: a Gradescope autograder that runs *our* grader.

Gradescope unzips the file into ``/autograder/source``, runs ``setup.sh`` once, as root in a
Docker build, when it builds the image, then ``run_autograder`` for every submission, as
root in a container of that image, with the student's files in ``/autograder/submission``
and ``/autograder/results/results.json`` to be written. Here:

- ``setup.sh`` finds or gets a Python 3.11 (any patch release: every pin allows 3.11.0 and
  up), creates ``/autograder/venv``, installs the bundle's ``requirements.txt`` (what grading
  needs, ``GRADER_PACKAGES``, and what those need, pinned: about a quarter of the course's
  full set, which has nbgrader, otter and the class report's tools) with
  ``constraints.txt`` and this package (editable, so that the course is found in
  ``/autograder/source``), then grades the reference solution as a submission, with the
  isolation a Docker container allows (``uid``, see autograder/inside/launcher/jail.py), and
  expects full marks. Any failure stops the image build with a message, so that no submission
  meets a broken image. The Python, first found wins: ``$AUTOGRADER_SETUP_PYTHON`` (candidates),
  else ``python3.11`` or ``python3`` on PATH, if it is a 3.11 with ``venv`` and
  ``ensurepip`` (Debian 12: 3.11.2); else ``python3.11`` and ``python3.11-venv`` from the
  package archive (Ubuntu 22.04: 3.11.0); else a uv-managed Python 3.11 in
  ``/autograder/python`` (Ubuntu 24.04, whose archive has none), uv itself from PyPI through
  pip, else from astral.sh's installer.
- ``run_autograder`` picks the submitted notebook (``NN_name.ipynb``, else the one ``.ipynb``,
  else ``NN_name.py``, else the one ``.py``) and runs ``python -m autograder grade FILE
  --assignment NN_name --json``: the submission runs in the sandboxed worker, the hidden
  suite in the grader, exactly as ``grade --json`` (not tests inside the student's kernel,
  as otter's own Gradescope zip does). ``python -m autograder.publish.gradescope finish`` then
  writes ``results.json``: that object plus Gradescope's display fields
  (``gradescope_fields``: plain-text output, each test's visibility, execution_time).
- the package (``autograder/``, with this assignment's hidden suite only), the master
  ``solutions/NN_name.py`` (the reference) and the pins.

``AUTOGRADER_ROOT`` (default ``/autograder``) and ``AUTOGRADER_PYTHON`` (default
``$AUTOGRADER_ROOT/venv/bin/python``) relocate both scripts, for tests and for running the
same zip on another machine. The zip is reproducible: sorted entries, fixed timestamps.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

from autograder import course
from autograder.publish import pins

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _typeshed import StrPath

    from autograder.grade.results import ResultsJson

ZIP_DATE = (2020, 1, 1, 0, 0, 0)
# What grading a submission needs in the image, and why (everything else follows from these;
# not otter, nbgrader, Jupyter or the class report's tools, which only the instructor runs).
GRADER_PACKAGES = {
    "numpy": "every assignment",
    "torch": "06 and 07, and the suites' oracle",
    "matplotlib": "the notebooks' plots, which the worker runs where a submission edited them",
    "tqdm": "the progress bars of 06 and 07",
    "scikit-learn": "07's digits",
    "pytest": "runs the hidden suite",
    "nbformat": "reads a submitted notebook",
    "jupytext": "reads the master and a submitted script",
    "pydantic": "checks every message from the worker (autograder/sandbox/messages.py)",
}
# Gradescope's visibility of a test: "after_due_date" hides a test (its name, score and
# message) from the student until the due date, "after_published" until grades are published.
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")

# build_gradescope fills in @ASSIGNMENT@ and @VISIBILITY@.
SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image for @ASSIGNMENT@.
# Written for Gradescope's Ubuntu 22.04 and 24.04 base images and for Debian 12. It
#  1. finds a Python 3.11 (any 3.11.x) with venv: $AUTOGRADER_SETUP_PYTHON (candidates), else
#     python3.11 or python3 on PATH; else python3.11 from apt where the archive has one
#     (Ubuntu 22.04); else a uv-managed Python 3.11 in $ROOT/python (Ubuntu 24.04 has none);
#  2. installs the pinned packages (requirements.txt, every transitive pin in constraints.txt)
#     and the grader into $ROOT/venv;
#  3. grades the reference solution as a submission, the way students' will be graded.
# Any failure stops the build here, with a message: never an image that fails every student.
# For a CPU-only torch (smaller, faster to build), point PIP_EXTRA_INDEX_URL at PyTorch's CPU
# wheel index before running.
set -Eeuo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
ASSIGNMENT="@ASSIGNMENT@"
cd "$ROOT/source"
say() { echo "setup.sh: $*"; }
fail() {
    echo "setup.sh: FAILED: $*" >&2
    echo "setup.sh: the autograder for $ASSIGNMENT is NOT ready; fix this and rebuild." >&2
    exit 1
}
trap 'fail "line $LINENO: $BASH_COMMAND (exit status $?)"' ERR

suitable() {  # a Python 3.11 that can create a virtualenv with pip in it
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))' \
        >/dev/null 2>&1
}
find_python() {
    local candidate found
    for candidate in ${AUTOGRADER_SETUP_PYTHON:-python3.11 python3}; do
        found="$(command -v "$candidate" 2>/dev/null)" || continue
        if suitable "$found"; then echo "$found"; return 0; fi
    done
    return 1
}
apt_has() {  # the package archive offers this package
    apt-cache policy "$1" 2>/dev/null | grep -q '^ *Candidate: [^(]'
}

PYTHON="$(find_python)" || PYTHON=""
if [ -z "$PYTHON" ] && command -v apt-get >/dev/null 2>&1; then
    say "no Python 3.11 with venv on PATH; looking in the package archive"
    apt-get update -qq || say "apt-get update failed; looking in the lists at hand"
    if apt_has python3.11 && apt_has python3.11-venv; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3.11 python3.11-venv
        PYTHON="$(find_python)" || PYTHON=""
    else
        say "the package archive has no python3.11 (Ubuntu 24.04's has none)"
    fi
fi
if [ -z "$PYTHON" ]; then
    say "getting a uv-managed Python 3.11"
    UV="$(command -v uv 2>/dev/null)" || UV=""
    if [ -z "$UV" ] && python3 -m pip --version >/dev/null 2>&1 &&
            python3 -m pip install --quiet --disable-pip-version-check --target "$ROOT/uv" uv
    then
        UV="$ROOT/uv/bin/uv"
    fi
    if [ -z "$UV" ] && ! command -v curl >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1
    then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            curl ca-certificates || say "could not install curl"
    fi
    if [ -z "$UV" ] && command -v curl >/dev/null 2>&1 &&
            curl -LsSf https://astral.sh/uv/install.sh | env UV_UNMANAGED_INSTALL="$ROOT/uv/bin" sh
    then
        UV="$ROOT/uv/bin/uv"
    fi
    [ -n "$UV" ] || fail "no Python 3.11 here, none in the package archive, and no way to" \
        "get uv (neither pip nor curl worked): install a Python 3.11 with venv in the image"
    export UV_PYTHON_INSTALL_DIR="$ROOT/python"  # not under /root: the worker's uid runs it
    "$UV" python install --no-bin 3.11 || fail "uv could not install Python 3.11 (see above)"
    chmod -R a+rX "$ROOT/python"
    PYTHON="$("$UV" python find --managed-python --no-project 3.11)" ||
        fail "uv installed Python 3.11 but cannot find it in $ROOT/python"
    suitable "$PYTHON" || fail "uv's Python 3.11 ($PYTHON) cannot create a virtualenv"
fi
say "Python $("$PYTHON" -c 'import platform; print(platform.python_version())') ($PYTHON)"

rm -rf "$ROOT/venv"
"$PYTHON" -m venv "$ROOT/venv"
PY="$ROOT/venv/bin/python"
"$PY" -m pip install --disable-pip-version-check -r requirements.txt -c constraints.txt
"$PY" -m pip install --disable-pip-version-check --no-deps --no-build-isolation -e .
chmod -R a+rX "$ROOT/venv"  # a worker runs as a user of its own (see autograder/inside/launcher/jail.py) ...
chmod -R o-rwx "$ROOT/source"  # ... and the grader's files are for the grader only
# the data sets a suite grades on (07's digits), which the uid mode's jail cannot hide
"$PY" -c 'import sys; from autograder.inside.launcher import jail
print("\n".join(jail.hidden_data(sys.argv[1:])))' "$ROOT/venv" |
    while read -r folder; do chmod -R o-rwx "$folder"; done

# As a submission will be graded: as root in a container that forbids namespaces, the worker
# runs as a uid of its own (isolation uid), which must be able to run this Python.
ISOLATION=auto
[ "$(id -u)" -ne 0 ] || ISOLATION=uid
say "grading the reference solution as a submission (isolation $ISOLATION)"
"$PY" -m autograder grade "solutions/$ASSIGNMENT.py" --assignment "$ASSIGNMENT" --json \
        --isolation "$ISOLATION" > "$ROOT/setup-check.json" ||
    fail "the grader could not grade the reference solution (its error is above)"
"$PY" -c 'import json, sys
result = json.load(open(sys.argv[1]))
print("setup.sh: the reference solution scores %g / %g" % (result["score"], result["max_score"]))
sys.exit(not 0 < result["score"] == result["max_score"])' "$ROOT/setup-check.json" ||
    fail "the reference solution did not get full marks (its results: $ROOT/setup-check.json)"
say "the autograder for $ASSIGNMENT is ready"
"""  # noqa: E501 (setup.sh as the zip holds it)

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission of @ASSIGNMENT@: our sandboxed grader writes
# results.json (the student's code never runs in the process that grades it).
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
ASSIGNMENT="@ASSIGNMENT@"
VISIBILITY="@VISIBILITY@"  # of each test on Gradescope (see autograder/publish/gradescope.py)
RESULTS="$ROOT/results/results.json"
LOG="$ROOT/results/grader.log"
mkdir -p "$ROOT/results"
chmod go-w "$ROOT/results"  # only the grader writes results.json
chmod -R o-rwx "$ROOT/source" "$ROOT/submission" 2>/dev/null || true

# The file to grade: NN_name.ipynb, else the one notebook, else NN_name.py, else the one .py.
submission=""
for pattern in "$ASSIGNMENT.ipynb" "*.ipynb" "$ASSIGNMENT.py" "*.py"; do
    mapfile -t found < <(find "$ROOT/submission" -type f -name "$pattern" \
        -not -path "*/.*" -not -path "*/__MACOSX/*" 2>/dev/null | LC_ALL=C sort)
    if [ "${#found[@]}" -eq 1 ]; then
        submission="${found[0]}"
        break
    fi
done
# Nothing (or nothing unambiguous) handed in: grading the expected name says so, test by test.
[ -n "$submission" ] || submission="$ROOT/submission/$ASSIGNMENT.ipynb"

cd "$ROOT/source"
"$PYTHON" -m autograder grade "$submission" --assignment "$ASSIGNMENT" --json \
    > "$RESULTS.tmp" 2> "$LOG"
status=$?
if [ "$status" -eq 0 ] && "$PYTHON" -m autograder.publish.gradescope finish "$RESULTS.tmp" "$RESULTS" \
        --seconds "$SECONDS" --visibility "$VISIBILITY" 2>> "$LOG"; then
    rm -f "$RESULTS.tmp"
else
    rm -f "$RESULTS.tmp"
    cat > "$RESULTS" <<EOF
{"score": 0, "output": "The autograder failed (exit status $status) before it could grade this submission. Your instructor can see why in the autograder's log and will regrade it.", "output_format": "text", "tests": []}
EOF
    cat "$LOG" >&2
fi
exit 0
"""  # noqa: E501 (run_autograder as the zip holds it)


def gradescope_fields(
    results: ResultsJson, seconds: float | None = None, visibility: str = "visible"
) -> ResultsJson:
    """``results`` (``grade --json``'s object) with Gradescope's display fields: output shown
    as plain text (``output_format``, ``test_output_format``: messages quote arrays and what
    the submission printed, which Markdown or HTML would mangle), each test's
    ``visibility`` and, given ``seconds``, ``execution_time`` (whole seconds)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    out: ResultsJson = {
        **results,
        "output_format": "text",
        "test_output_format": "text",
        "tests": [{**test, "visibility": visibility} for test in results["tests"]],
    }
    if seconds is not None:
        out["execution_time"] = int(seconds)
    return out


def finish(
    graded: StrPath,
    results_path: StrPath,
    seconds: float | None = None,
    visibility: str = "visible",
) -> None:
    """Write ``results_path`` (Gradescope's results.json) from the grader's JSON in the file
    ``graded``, atomically; ValueError if that file does not hold a grader's results."""
    with open(graded, encoding="utf-8") as f:
        results = json.load(f)
    if not (
        isinstance(results, dict)
        and isinstance(results.get("tests"), list)
        and isinstance(results.get("score"), (int, float))
    ):
        raise ValueError(f"{graded} does not hold a grader's results")
    tmp = Path(f"{results_path}.finishing")
    fields = gradescope_fields(cast("ResultsJson", results), seconds, visibility)  # as checked
    tmp.write_text(json.dumps(fields), encoding="utf-8")
    os.replace(tmp, results_path)


def _add(archive: zipfile.ZipFile, name: str, data: str | bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def package_files(assignment: str) -> list[tuple[str, Path]]:
    """(name in the zip, path) of the grader package: every module, this suite only."""
    suites = course.SUITES_DIR.relative_to(course.PACKAGE_DIR)
    keep_suite = {f"test_{assignment}.py", "pytest.ini", "conftest.py", "__init__.py"}
    files = []
    for path in sorted(course.PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(course.PACKAGE_DIR)
        if (
            not path.is_file()
            or "__pycache__" in rel.parts
            or path.suffix in (".pyc", ".pyo")
            or any(part.startswith(".") for part in rel.parts)
        ):
            continue
        if rel.parent == suites and rel.name not in keep_suite:
            continue
        files.append((f"autograder/{rel.as_posix()}", path))
    return files


def build_gradescope(
    assignment: str, root: StrPath | None = None, visibility: str = "visible"
) -> Path:
    """Write ``<root>/<assignment>/autograder.zip`` (root: dist/gradescope); its path.
    ``visibility``: every test's on Gradescope (one of VISIBILITIES)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    out = Path(root or course.DIST_DIR / "gradescope") / assignment
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    path = out / "autograder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH.replace("@ASSIGNMENT@", assignment), executable=True)
        _add(
            archive,
            "run_autograder",
            RUN_AUTOGRADER.replace("@ASSIGNMENT@", assignment).replace("@VISIBILITY@", visibility),
            executable=True,
        )
        _add(
            archive,
            "requirements.txt",
            pins.requirements_text(
                GRADER_PACKAGES,
                [
                    f"# What grading {assignment} needs, pinned as the course pins it "
                    "(constraints.txt)."
                ],
            ).encode("utf-8"),
        )
        for name in ("constraints.txt", "pyproject.toml"):
            _add(archive, name, (course.REPO_ROOT / name).read_bytes())
        for name, source in package_files(assignment):
            _add(archive, name, source.read_bytes())
        _add(archive, f"solutions/{assignment}.py", course.master_path(assignment).read_bytes())
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder.publish.gradescope finish GRADED RESULTS``: run_autograder's last
    step."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder.publish.gradescope", description=main.__doc__
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("finish", help="write Gradescope's results.json from grade --json's")
    p.add_argument("graded", type=Path, help="what grade --json printed")
    p.add_argument("results", type=Path, help="results.json to write")
    p.add_argument("--seconds", type=float, help="execution_time to report")
    p.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        default="visible",
        help="of every test (default %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        finish(args.graded, args.results, args.seconds, args.visibility)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
