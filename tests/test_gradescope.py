"""The Gradescope zip, run end to end: in a folder laid out as Gradescope's /autograder with our
own Python, and as Gradescope runs it (setup.sh with a system Python, run_autograder as root
in a Docker-like sandbox that forbids namespaces, tests/dockerlike.py)."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

import dockerlike
from autograder import course, sandbox
from autograder.publish.gradescope import build_gradescope, gradescope_fields
from conftest import assert_same_results, example_results, imported_modules

ASSIGNMENT = "01_perceptron"
EXAMPLES = course.EXAMPLES_DIR / ASSIGNMENT
DOCKERLIKE = Path(dockerlike.__file__)
SYSTEM_PYTHON = Path("/usr/bin/python3.11")  # Debian 12's: 3.11.2, readable by every user
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
GRADESCOPE_ONLY = ("output_format", "test_output_format", "execution_time")


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    return build_gradescope(ASSIGNMENT, tmp_path_factory.mktemp("dist"))


def test_zip_layout(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    for name in (
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        "constraints.txt",
        "pyproject.toml",
        "autograder/__main__.py",
        "autograder/inside/agent.py",
        f"autograder/suites/test_{ASSIGNMENT}.py",
        f"solutions/{ASSIGNMENT}.py",
    ):
        assert name in names
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    others = [a for a in course.assignment_names() if a != ASSIGNMENT]
    assert not [n for n in names if any(a in n for a in others)]  # this assignment only
    assert "-r requirements.txt -c constraints.txt" in setup and "-e ." in setup
    assert "python3.11 python3.11-venv" in setup and "python install --no-bin 3.11" in setup
    assert f'ASSIGNMENT="{ASSIGNMENT}"' in setup and "@" not in setup.replace("$@", "")
    assert (
        '-m autograder grade "$submission" --assignment "$ASSIGNMENT" --json' in run
        and f'ASSIGNMENT="{ASSIGNMENT}"' in run
        and 'VISIBILITY="visible"' in run
    )
    assert (
        build_gradescope(ASSIGNMENT, autograder_zip.parent.parent).read_bytes()
        == autograder_zip.read_bytes()
    )  # reproducible


def test_the_image_installs_only_what_grading_needs_at_the_course_pins(autograder_zip):
    """The bundle's requirements.txt: the grader's packages and their dependencies, each
    pinned as constraints.txt pins it; none of the instructor's tools (the image builds in
    a quarter of the packages). test_setup_sh_... grades in that image."""
    from packaging.utils import canonicalize_name

    from autograder.publish import pins
    from autograder.publish.gradescope import GRADER_PACKAGES

    with zipfile.ZipFile(autograder_zip) as archive:
        text = archive.read("requirements.txt").decode()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    pinned = pins.pins()
    names = {canonicalize_name(line.split("==")[0]): line for line in lines}
    assert all("==" in line and pinned[name] == line for name, line in names.items())
    assert {canonicalize_name(n) for n in GRADER_PACKAGES} <= set(names)
    assert not {
        "nbgrader",
        "otter-grader",
        "jupyterlab",
        "selenium",
        "pytest-xdist",
        "ipykernel",
        "nbclient",
    } & set(names)
    assert len(names) < len(pinned) / 2


# What grading one submission runs: the image needs every package these import
GRADING_CODE = (
    "course",
    "grade",
    "sandbox",
    "inside",
    "suites",
    "publish/gradescope.py",
    "cli.py",
    "safe_text.py",
)


def test_the_image_has_every_package_that_grading_imports():
    """Checked without building the image: each module imported by the code that grades
    (anywhere in it, deferred imports too) comes from a package of GRADER_PACKAGES' closure."""
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    from autograder.publish import pins
    from autograder.publish.gradescope import GRADER_PACKAGES

    provided = {name for name, _ in pins.closure(GRADER_PACKAGES)}
    owners = packages_distributions()
    missing = {}
    for part in GRADING_CODE:
        root = course.PACKAGE_DIR / part
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            modules = imported_modules(path.read_text(encoding="utf-8"))
            for top in modules - set(sys.stdlib_module_names) - {"autograder", "_typeshed"}:
                dists = {canonicalize_name(d) for d in owners.get(top, [top])}
                if not dists & provided:
                    missing.setdefault(top, []).append(str(path.relative_to(course.REPO_ROOT)))
    assert not missing, f"the Gradescope image lacks what these import: {missing}"


def test_zip_built_to_hide_tests_until_the_due_date(tmp_path):
    path = build_gradescope(ASSIGNMENT, tmp_path, visibility="after_due_date")
    with zipfile.ZipFile(path) as archive:
        assert 'VISIBILITY="after_due_date"' in archive.read("run_autograder").decode()
    with pytest.raises(ValueError, match="visibility 'later'"):
        build_gradescope(ASSIGNMENT, tmp_path, visibility="later")


def test_gradescope_fields_show_text_and_set_each_tests_visibility():
    results = {
        "score": 1.0,
        "max_score": 2.0,
        "output": "*not* <b>markup</b>",
        "tests": [
            {"name": "a", "score": 1.0, "max_score": 1.0, "output": ""},
            {"name": "b", "score": 0.0, "max_score": 1.0, "output": "x_1 * 2"},
        ],
    }
    shown = gradescope_fields(results, seconds=12.7, visibility="after_due_date")
    assert shown["output_format"] == shown["test_output_format"] == "text"
    assert shown["execution_time"] == 12
    assert [t["visibility"] for t in shown["tests"]] == ["after_due_date"] * 2
    assert {k: v for k, v in shown.items() if k not in GRADESCOPE_ONLY} == dict(
        results, tests=[dict(t, visibility="after_due_date") for t in results["tests"]]
    )
    assert "execution_time" not in gradescope_fields(results)


def test_results_from_two_environments_agree_up_to_the_last_digits_of_quoted_numbers():
    """The comparison above tolerates an ulp in a quoted number (OpenBLAS's kernel differs
    between the image's shell and ours), and nothing else."""
    ours = {
        "score": 1.0,
        "tests": [
            {"name": "step [3]", "score": 0.0, "output": "expected 1.2434047471161989, got 2.5"}
        ],
    }
    ulp = {
        "score": 1.0,
        "tests": [
            {"name": "step [3]", "score": 0.0, "output": "expected 1.243404747116198, got 2.5"}
        ],
    }
    assert_same_results(ours, ulp)
    for other in (
        {**ulp, "score": 2.0},
        {**ulp, "tests": [{**ulp["tests"][0], "output": "expected 1.25, got 2.5"}]},
        {**ulp, "tests": [{**ulp["tests"][0], "output": "wanted 1.2434047471161989, got 2.5"}]},
        {**ulp, "tests": [{**ulp["tests"][0], "name": "step [4]"}]},
        {**ulp, "tests": []},
    ):
        with pytest.raises(AssertionError):
            assert_same_results(ours, other)


def without_gradescope_fields(results):
    """results.json as grade --json prints it (Gradescope's display fields taken off)."""
    assert results["output_format"] == results["test_output_format"] == "text"
    assert isinstance(results["execution_time"], int) and results["execution_time"] >= 0
    return {k: v for k, v in results.items() if k not in GRADESCOPE_ONLY} | {
        "tests": [{k: v for k, v in t.items() if k != "visibility"} for t in results["tests"]]
    }


def lay_out(root, autograder_zip, submission_files):
    """Gradescope's /autograder in ``root``: the zip in source/, the files in submission/."""
    (root / "source").mkdir(parents=True, exist_ok=True)
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    if not (root / "source" / "setup.sh").exists():
        with zipfile.ZipFile(autograder_zip) as archive:
            archive.extractall(root / "source")
            for info in archive.infolist():  # the modes, as unzip restores them
                (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    for name, source in submission_files.items():
        target = root / "submission" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)


def gradescope_run(autograder_zip, tmp_path, submission_files):
    """Lay out /autograder in tmp_path, run run_autograder with our Python, return results.json."""
    root = tmp_path / "autograder"
    lay_out(root, autograder_zip, submission_files)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_gives_the_same_results_as_grade_json(autograder_zip, tmp_path, grade):
    notebook = EXAMPLES / "buggy.ipynb"
    results = gradescope_run(
        autograder_zip, tmp_path, {"hw/my notebook.ipynb": notebook, "notes.txt": notebook}
    )
    assert_same_results(without_gradescope_fields(results), grade(notebook, ASSIGNMENT))
    assert {t["visibility"] for t in results["tests"]} == {"visible"}
    assert 0 < results["score"] < results["max_score"]


def test_run_autograder_without_a_notebook_scores_zero_and_says_why(autograder_zip, tmp_path):
    results = gradescope_run(autograder_zip, tmp_path, {"answers.pdf": EXAMPLES / "buggy.ipynb"})
    assert results["score"] == 0 and results["max_score"] > 0
    assert f"{ASSIGNMENT}.ipynb is not a file" in results["output"]


# ---- as Gradescope runs it ----------------------------------------------------------------


def image_env(root, **extra):
    """The environment of a Gradescope image's shell: no pyenv or virtualenv on PATH (pip's
    settings kept: they say where this machine's packages come from; and pip compiles no
    bytecode, a quarter of its time, profiled, for files the test never imports: PIP_COMPILE=0,
    since pip reads PIP_NO_COMPILE=1 as "compile")."""
    env = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    env.update(
        PATH=IMAGE_PATH,
        HOME=os.environ.get("HOME", "/root"),
        LANG="C.UTF-8",
        AUTOGRADER_ROOT=str(root),
        PIP_COMPILE="0",
    )
    return env | extra


def world_readable_tmpdir(prefix):
    """A folder under /tmp that every user may enter, as Gradescope's /autograder (pytest's
    own tmp_path sits in a folder closed to other users, which the worker's uid needs)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(0o755)
    return folder


needs_docker_like_root = pytest.mark.skipif(
    os.geteuid() != 0 or not dockerlike.supported() or not SYSTEM_PYTHON.exists(),
    reason="needs root on x86_64 Linux and a system python3.11 (/usr/bin/python3.11, Debian's)",
)


@pytest.fixture(scope="module")
def image(autograder_zip):
    """setup.sh run as written, as root under Docker's restrictions, with the image's
    python3.11; once for the module (it installs the whole pinned set: about 1.5 minutes)."""
    base = world_readable_tmpdir("gradescope-")
    try:
        root = base / "autograder"
        lay_out(root, autograder_zip, {})
        proc = subprocess.run(
            [sys.executable, DOCKERLIKE, "--keep", base, "bash", root / "source" / "setup.sh"],
            env=image_env(root),
            cwd=base,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert proc.returncode == 0, (
            f"setup.sh failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
        yield root, proc.stdout
    finally:
        # in the background: deleting a 1.7 GB virtualenv took 4 minutes on this busy disk,
        # and nothing needs to wait for it
        subprocess.run(
            ["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(base)], check=True
        )


def run_as_gradescope(root, submission_files):
    """run_autograder as root under Docker's restrictions; (results.json, grader.log)."""
    lay_out(root, None, submission_files)
    proc = subprocess.run(
        [sys.executable, DOCKERLIKE, "--keep", root.parent, root / "source" / "run_autograder"],
        env=image_env(root),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (
        json.loads((root / "results" / "results.json").read_text()),
        (root / "results" / "grader.log").read_text(),
    )


@needs_docker_like_root
def test_setup_sh_builds_the_image_with_the_system_python_and_checks_it(image):
    root, output = image
    venv_python = Path(root / "venv" / "bin" / "python")
    assert venv_python.resolve() == SYSTEM_PYTHON.resolve()
    assert "setup.sh: Python 3.11." in output and f"({SYSTEM_PYTHON})" in output
    assert "setup.sh: grading the reference solution as a submission (isolation uid)" in output
    assert "setup.sh: the reference solution scores 24 / 24" in output
    assert f"setup.sh: the autograder for {ASSIGNMENT} is ready" in output
    assert not (root / "source").stat().st_mode & stat.S_IRWXO  # the course is private


@needs_docker_like_root
@pytest.mark.parametrize("example", ["correct.ipynb", "buggy.ipynb", "hostile.py"])
def test_gradescope_grades_each_example_as_our_grader_does_here(image, example, graded_examples):
    root, _ = image
    results, log = run_as_gradescope(root, {example: EXAMPLES / example})
    assert "the worker runs with isolation 'uid'" in log  # namespaces were forbidden
    assert_same_results(
        without_gradescope_fields(results), example_results(graded_examples, ASSIGNMENT, example)
    )


SPY = """

# %%
# Reach for the course, forge the results, and leave a daemon behind to try again later.
import os
import time

def note(line):
    try:
        with open(os.path.join({drop!r}, f"{{os.getpid()}}.txt"), "a") as f:
            f.write(line + "\\n")
    except OSError:
        pass

def attempt(what, action):
    try:
        action()
        note(f"{{what}}: DONE")
    except OSError as exc:
        note(f"{{what}}: denied ({{type(exc).__name__}})")

FORGED = '{{"score": 24.0, "max_score": 24.0, "output": "forged", "tests": []}}'
ATTEMPTS = [
    ("read the solution", lambda: open({source!r} + "/solutions/01_perceptron.py").read()),
    ("read the hidden suite",
     lambda: open({source!r} + "/autograder/suites/test_01_perceptron.py").read()),
    ("list the course", lambda: os.listdir({source!r})),
    ("list the submissions", lambda: os.listdir({submission!r})),
    ("write results.json", lambda: open({results!r} + "/results.json", "w").write(FORGED)),
]
for what, action in ATTEMPTS:
    attempt(what, action)
note(f"worker {{os.getpid()}} uid {{os.getuid()}}")
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        note(f"daemon {{os.getpid()}} uid {{os.getuid()}}")
        for _ in range(600):
            attempt("write results.json later", ATTEMPTS[-1][1])
            time.sleep(0.2)
    os._exit(0)
"""


def _alive_as(pid, uid):
    """Is ``pid`` a live process of ``uid``? A zombie is not: it is dead and only waits for
    its parent (here, after the launcher's end, whatever reaps orphans: PID 1, which on some
    machines takes its time) to collect it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    state, uids = fields.get("State", "").split(), fields.get("Uid", "").split()
    return bool(state) and state[0] != "Z" and str(uid) in uids


@needs_docker_like_root
def test_a_hostile_submission_cannot_read_the_course_forge_results_or_stay(image, grade):
    """The reference solution plus code that reaches for /autograder/source, writes
    results.json and leaves a daemon: everything it tried lands in a folder it may write."""
    root, _ = image
    drop, spy = root.parent / "drop", root.parent / "spy.py"
    drop.mkdir()
    drop.chmod(0o1777)
    try:
        spy.write_text(
            course.master_path(ASSIGNMENT).read_text()
            + SPY.format(
                drop=str(drop),
                source=str(root / "source"),
                submission=str(root / "submission"),
                results=str(root / "results"),
            )
        )
        results, log = run_as_gradescope(root, {f"{ASSIGNMENT}.py": spy})
        notes = [line for f in sorted(drop.iterdir()) for line in f.read_text().splitlines()]
        local = grade(spy, ASSIGNMENT)  # namespaces here: the drop folder is out of its sight
    finally:
        shutil.rmtree(drop, ignore_errors=True)
        spy.unlink(missing_ok=True)
    assert "the worker runs with isolation 'uid'" in log
    assert_same_results(without_gradescope_fields(results), local)
    assert results["score"] == 24.0
    workers = [line.split() for line in notes if line.startswith(("worker ", "daemon "))]
    assert [w for w in workers if w[0] == "daemon"], f"the daemon never started: {notes}"
    assert all(int(uid) >= sandbox.UID_BASE for _, _, _, uid in workers)  # its own uid, not root
    tried = [line for line in notes if not line.startswith(("worker ", "daemon "))]
    assert len(tried) >= 5 and all(": denied (PermissionError)" in line for line in tried), tried
    assert not [pid for _, pid, _, uid in workers if _alive_as(pid, uid)]  # all gone


def test_setup_sh_fails_loudly_when_it_cannot_get_python_3_11(autograder_zip):
    """As on an image with no Python 3.11, no python3.11 in the package archive (Ubuntu
    24.04's) and no way to download one: the build stops with a message, no venv made."""
    base = world_readable_tmpdir("gradescope-nopython-")
    try:
        root = base / "autograder"
        lay_out(root, autograder_zip, {})
        stubs = base / "bin"
        stubs.mkdir()
        for name, script in {
            "apt-get": "exit 0",
            "apt-cache": "echo '  Candidate: (none)'",
            "uv": "echo 'uv: no network here' >&2; exit 2",
        }.items():
            (stubs / name).write_text(f"#!/bin/sh\n{script}\n")
            (stubs / name).chmod(0o755)
        env = image_env(
            root,
            PATH=f"{stubs}:{IMAGE_PATH}",
            AUTOGRADER_SETUP_PYTHON=str(base / "no-such-python3.11"),
        )
        proc = subprocess.run(
            ["bash", root / "source" / "setup.sh"],
            env=env,
            cwd=base,
            capture_output=True,
            text=True,
            timeout=120,
        )
        made_a_venv = (root / "venv").exists()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert proc.returncode == 1
    assert "the package archive has no python3.11" in proc.stdout
    assert "setup.sh: FAILED: uv could not install Python 3.11" in proc.stderr
    assert f"the autograder for {ASSIGNMENT} is NOT ready" in proc.stderr
    assert not made_a_venv and "Traceback" not in proc.stderr


@pytest.mark.skipif(not dockerlike.supported(), reason="the seccomp filter is for x86_64 Linux")
def test_a_forced_isolation_that_is_not_available_says_so_without_a_traceback():
    proc = subprocess.run(
        [
            sys.executable,
            DOCKERLIKE,
            "--show-host",
            sys.executable,
            "-m",
            "autograder",
            "grade",
            EXAMPLES / "correct.ipynb",
            "--assignment",
            ASSIGNMENT,
            "--json",
            "--isolation",
            "namespaces",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=course.REPO_ROOT,
        env=dict(os.environ),
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: could not start a sandboxed worker: isolation 'namespaces' is not available"
    )
    results = json.loads(proc.stdout)
    assert results["score"] == 0 and results["max_score"] == 24
    assert results["output"].startswith("Not graded, because of the grader's set-up")
    assert "isolation 'namespaces' is not available" in results["output"]
