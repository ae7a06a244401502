"""``dist/gradescope/NN_name/autograder.zip``: a Gradescope autograder that runs *our* grader.

Gradescope unzips the file into ``/autograder/source``, runs ``setup.sh`` once when it builds
the image, then ``run_autograder`` for every submission, with the student's files in
``/autograder/submission`` and ``/autograder/results/results.json`` to be written. Here:

- ``setup.sh`` installs Python 3.11 if the image lacks it, creates ``/autograder/venv``, and
  installs the pinned ``requirements.txt`` with ``constraints.txt`` and this package (editable,
  so that the course is found in ``/autograder/source``);
- ``run_autograder`` picks the submitted notebook (``NN_name.ipynb``, else the one ``.ipynb``,
  else ``NN_name.py``, else the one ``.py``) and runs ``python -m autograder grade FILE
  --assignment NN_name --json > /autograder/results/results.json``: the submission runs in
  the sandboxed worker, the hidden suite in the grader, exactly as ``grade --json`` (not
  tests inside the student's kernel, as otter's own Gradescope zip does);
- the package (``autograder/``, with this assignment's hidden suite only), the master
  ``solutions/NN_name.py`` (the reference) and the pins.

``AUTOGRADER_ROOT`` (default ``/autograder``) and ``AUTOGRADER_PYTHON`` (default
``$AUTOGRADER_ROOT/venv/bin/python``) relocate both scripts, for tests and for running the
same zip on another machine. The zip is reproducible: sorted entries, fixed timestamps.
"""

import shutil
import zipfile
from pathlib import Path

from . import course

ZIP_DATE = (2020, 1, 1, 0, 0, 0)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image for {assignment}.
# It installs Python 3.11, the pinned packages (requirements.txt, every transitive pin in
# constraints.txt) and the grader into $AUTOGRADER_ROOT/venv. For a CPU-only torch (smaller,
# faster to build), point PIP_EXTRA_INDEX_URL at PyTorch's CPU wheel index before running.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
cd "$ROOT/source"
if ! command -v python3.11 >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        python3.11 python3.11-venv
fi
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --disable-pip-version-check \\
    -r requirements.txt -c constraints.txt
"$ROOT/venv/bin/python" -m pip install --disable-pip-version-check \\
    --no-deps --no-build-isolation -e .
# The grader's files are for the grader only: a worker runs as another user (see jail.py).
chmod -R o-rwx "$ROOT/source"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission of {assignment}: our sandboxed grader writes
# results.json (the student's code never runs in the process that grades it).
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
ASSIGNMENT="{assignment}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
chmod -R o-rwx "$ROOT/source" "$ROOT/submission" 2>/dev/null || true

# The file to grade: NN_name.ipynb, else the one notebook, else NN_name.py, else the one .py.
submission=""
for pattern in "$ASSIGNMENT.ipynb" "*.ipynb" "$ASSIGNMENT.py" "*.py"; do
    mapfile -t found < <(find "$ROOT/submission" -type f -name "$pattern" \\
        -not -path "*/.*" -not -path "*/__MACOSX/*" 2>/dev/null | LC_ALL=C sort)
    if [ "${{#found[@]}}" -eq 1 ]; then
        submission="${{found[0]}}"
        break
    fi
done
# Nothing (or nothing unambiguous) handed in: grading the expected name says so, test by test.
[ -n "$submission" ] || submission="$ROOT/submission/$ASSIGNMENT.ipynb"

cd "$ROOT/source"
"$PYTHON" -m autograder grade "$submission" --assignment "$ASSIGNMENT" --json \\
    > "$RESULTS.tmp" 2> "$ROOT/results/grader.log"
status=$?
if [ "$status" -eq 0 ] && "$PYTHON" -c 'import json, sys; json.load(open(sys.argv[1]))' \\
        "$RESULTS.tmp" 2>/dev/null; then
    mv "$RESULTS.tmp" "$RESULTS"
else
    rm -f "$RESULTS.tmp"
    cat > "$RESULTS" <<EOF
{{"score": 0, "output": "The autograder failed (exit status $status) before it could grade this submission. Your instructor can see why in the autograder's log and will regrade it.", "tests": []}}
EOF
    cat "$ROOT/results/grader.log" >&2
fi
exit 0
"""


def _add(archive, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def package_files(assignment):
    """(name in the zip, path) of the grader package: every module, this suite only."""
    suites = course.SUITES_DIR.relative_to(course.PACKAGE_DIR)
    keep_suite = {f"test_{assignment}.py", "pytest.ini", "conftest.py", "__init__.py"}
    files = []
    for path in sorted(course.PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(course.PACKAGE_DIR)
        if (not path.is_file() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo")
                or any(part.startswith(".") for part in rel.parts)):
            continue
        if rel.parent == suites and rel.name not in keep_suite:
            continue
        files.append((f"autograder/{rel.as_posix()}", path))
    return files


def build_gradescope(assignment, root=None):
    """Write ``<root>/<assignment>/autograder.zip`` (root: dist/gradescope); its path."""
    out = Path(root or course.DIST_DIR / "gradescope") / assignment
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    path = out / "autograder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH.format(assignment=assignment), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.format(assignment=assignment),
             executable=True)
        for name in ("requirements.txt", "constraints.txt", "pyproject.toml"):
            _add(archive, name, (course.REPO_ROOT / name).read_bytes())
        for name, source in package_files(assignment):
            _add(archive, name, source.read_bytes())
        _add(archive, f"solutions/{assignment}.py", course.master_path(assignment).read_bytes())
    return path
