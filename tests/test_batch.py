"""Batch grading: layouts and ids, gradebook, feedback, resume, atomic writes, isolation of a
broken submission or grading process, shards and merge."""

import csv
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from autograder import batch, course
from autograder.safe_text import markdown_text
from conftest import cli, results_of, with_last_cell

ASSIGNMENT = "01_perceptron"
EXAMPLES = course.EXAMPLES_DIR / ASSIGNMENT
CORRECT = EXAMPLES / "correct.ipynb"
BUGGY = EXAMPLES / "buggy.ipynb"


@functools.cache
def reference():
    """(full marks, the buggy example's score), from `grade --json` (the suite may change)."""
    from conftest import grade_json

    correct, buggy = grade_json(CORRECT, ASSIGNMENT), grade_json(BUGGY, ASSIGNMENT)
    assert correct["score"] == correct["max_score"] > buggy["score"] > 0
    return correct["max_score"], buggy["score"]


def expected(kinds):
    """{id: score} for {id: "correct" | "buggy" | "broken"}."""
    full, buggy = reference()
    return {
        name: {"correct": full, "buggy": buggy, "broken": 0}[kind] for name, kind in kinds.items()
    }


def points(value):
    return f"{value:g}"


def grade_into(output, *inputs, extra=(), timeout=600):
    proc = cli(
        "grade",
        *inputs,
        "--assignment",
        ASSIGNMENT,
        "--output",
        output,
        "--jobs",
        2,
        *extra,
        timeout=timeout,
    )
    return proc


def copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def make_class(root):
    """Eleven submissions in every accepted layout; (inputs, {id: kind})."""
    flat = root / "flat"  # a folder of notebooks
    copy(CORRECT, flat / "alice.ipynb")
    # bob prints from his own cell (the lesson's demos, which print too, are not run)
    with_last_cell(BUGGY, flat / "bob.ipynb", "print('bob checks his work')")
    (flat / "carol.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")
    (flat / "README.txt").write_text("not a submission")  # a loose file: ignored, listed
    nbg = root / "course"  # an nbgrader course directory
    copy(CORRECT, nbg / "submitted" / "dave" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    copy(BUGGY, nbg / "submitted" / "erin" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    copy(CORRECT, nbg / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")  # not a submission
    zips = root / "zips"  # otter's exported zips
    zips.mkdir()
    with zipfile.ZipFile(zips / "frank.zip", "w") as archive:
        archive.write(CORRECT, f"{ASSIGNMENT}.ipynb")
        archive.writestr(".OTTER_LOG", b"\x00log")
    (zips / "grace.zip").write_bytes(b"PK\x03\x04 truncated")
    students = root / "students"  # every student's file has the same name
    copy(BUGGY, students / "heidi" / "hw.ipynb")
    copy(CORRECT, students / "ivan" / "hw.ipynb")
    (students / "ivan" / "helpers.py").write_text("X = 1\n")  # hw.ipynb is the one graded
    copy(CORRECT, students / "ivan" / ".ipynb_checkpoints" / "hw-checkpoint.ipynb")
    (students / "kim").mkdir()  # handed in the wrong kind of file
    (students / "kim" / "hw.pdf").write_bytes(b"%PDF-1.4")
    wrong = root / "judy.txt"  # a file given by name is a submission, whatever its type
    wrong.write_text("I wrote my answers in a text file")
    inputs = [flat, nbg, zips, students, wrong]
    kinds = {
        "alice": "correct",
        "bob": "buggy",
        "carol": "broken",
        "dave": "correct",
        "erin": "buggy",
        "frank": "correct",
        "grace": "broken",
        "heidi": "buggy",
        "ivan": "correct",
        "judy": "broken",
        "kim": "broken",
    }
    return inputs, kinds


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    inputs, kinds = make_class(root)
    scores = expected(kinds)
    output = root / "graded"
    started = time.monotonic()
    proc = grade_into(output, *inputs)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    seconds = time.monotonic() - started
    print(
        f"\nbatch of {len(scores)}: {seconds:.1f} s, {seconds / len(scores):.2f} s per "
        "submission (start-up included)"
    )
    return root, inputs, scores, output, proc


# ---- discovery (no grading) ---------------------------------------------------------------


def ids(inputs, assignment=ASSIGNMENT, **kwargs):
    return {s.id: s for s in batch.discover(inputs, assignment, **kwargs)}


def test_ids_for_every_layout(tmp_path):
    inputs, kinds = make_class(tmp_path)
    found = ids(inputs)
    assert set(found) == set(kinds)
    assert found["dave"].path.parts[-3:] == ("dave", ASSIGNMENT, f"{ASSIGNMENT}.ipynb")
    assert found["ivan"].path.name == "hw.ipynb" and not found["ivan"].problem
    assert found["frank"].path.suffix == ".zip"
    # nbgrader's submitted/ folder itself, and one student's folder given alone
    assert set(ids([tmp_path / "course" / "submitted"])) == {"dave", "erin"}
    # explicit files that share a name are named after their folders
    assert set(
        ids(
            [
                tmp_path / "students" / "heidi" / "hw.ipynb",
                tmp_path / "students" / "ivan" / "hw.ipynb",
            ]
        )
    ) == {"heidi", "ivan"}
    assert set(ids([tmp_path / "students" / "heidi" / "hw.ipynb"])) == {"hw"}


def test_ids_are_stable_unique_and_safe(tmp_path):
    copy(CORRECT, tmp_path / "a" / "Zoë Smith (late).ipynb")
    copy(CORRECT, tmp_path / "a" / "alice.ipynb")
    copy(BUGGY, tmp_path / "b" / "alice.ipynb")
    first = ids([tmp_path / "a", tmp_path / "b"])
    assert "Zo_Smith_late_" not in first and "Zo__Smith__late_" in first
    alices = sorted(i for i in first if i.startswith("alice"))
    assert len(alices) == 2 and all(len(i) == len("alice-") + 8 for i in alices)
    again = ids([tmp_path / "b", tmp_path / "a"])  # argument order does not matter
    assert {i: s.path for i, s in again.items()} == {i: s.path for i, s in first.items()}
    with pytest.raises(ValueError, match="given twice"):
        batch.discover([tmp_path / "a", tmp_path / "a"], ASSIGNMENT)


def test_a_student_folder_with_several_candidates(tmp_path):
    copy(CORRECT, tmp_path / "s" / "ann" / "hw.ipynb")
    copy(CORRECT, tmp_path / "s" / "ann" / "hw_old.ipynb")
    copy(CORRECT, tmp_path / "s" / "bea" / "hw.ipynb")
    copy(CORRECT, tmp_path / "s" / "cid" / "mine.ipynb")
    copy(CORRECT, tmp_path / "s" / "cid" / "other.ipynb")
    copy(CORRECT, tmp_path / "s" / "dan" / f"{ASSIGNMENT}.ipynb")
    copy(CORRECT, tmp_path / "s" / "dan" / "hw.ipynb")
    found = ids([tmp_path / "s"])
    assert found["ann"].path.name == "hw.ipynb"  # the name the class shares
    assert found["dan"].path.name == f"{ASSIGNMENT}.ipynb"  # the assignment's name first
    assert "mine.ipynb" in found["cid"].problem and "other.ipynb" in found["cid"].problem


def test_the_output_folder_is_not_a_submission(tmp_path):
    copy(CORRECT, tmp_path / "subs" / "alice.ipynb")
    copy(CORRECT, tmp_path / "subs" / "graded" / "x" / "stray.ipynb")
    assert set(ids([tmp_path / "subs"], skip=[tmp_path / "subs" / "graded"])) == {"alice"}


def test_shards_split_deterministically():
    names = [f"student{i:03d}" for i in range(200)]
    parts = [[n for n in names if batch.in_shard(n, (i, 3))] for i in (1, 2, 3)]
    assert sorted(sum(parts, [])) == names and all(40 < len(p) < 95 for p in parts)
    for text in ("0/2", "3/2", "x", "1/0"):
        with pytest.raises(ValueError):
            batch.parse_shard(text)


# ---- a graded class -----------------------------------------------------------------------


def test_every_layout_is_graded(graded):
    root, inputs, scores, output, proc = graded
    results = results_of(output)
    assert {k: v["score"] for k, v in results.items()} == scores
    assert all(v["max_score"] == reference()[0] for v in results.values())
    assert "graded 11, skipped 0" in proc.stdout
    not_graded = [line for line in proc.stderr.splitlines() if line.startswith("not graded, ")]
    for path, reason in (
        (root / "flat" / "README.txt", "not a notebook (.ipynb), Python"),
        (root / "course" / "source", "an nbgrader course"),
        (root / "students" / "ivan" / "helpers.py", "is the one graded"),
        (root / "students" / "ivan" / ".ipynb_checkpoints", "Jupyter"),
    ):
        assert any(reason in line and str(path) in line for line in not_graded), (path, not_graded)
    assert "submission/s" in proc.stderr or "%" in proc.stderr  # the progress bar
    assert "is not a readable Jupyter notebook" in results["carol"]["output"]
    assert "not a readable zip file" in results["grace"]["output"]
    assert "is not a notebook" in results["judy"]["output"]
    assert (
        "no notebook (.ipynb), Python file (.py) or zip, only: hw.pdf" in results["kim"]["output"]
    )
    for broken in ("carol", "grace", "judy", "kim"):
        assert all(t["score"] == 0 and t["output"] for t in results[broken]["tests"])
    assert not list(output.glob("**/*.tmp"))


def test_results_json_is_what_grade_json_prints(graded, grade):
    root, inputs, scores, output, proc = graded
    for name, path in (
        ("alice", root / "flat" / "alice.ipynb"),
        ("frank", root / "zips" / "frank.zip"),
    ):
        assert json.loads((output / name / "results.json").read_text()) == grade(path, ASSIGNMENT)


def test_gradebook_columns_and_values(graded):
    root, inputs, scores, output, proc = graded
    rows = list(csv.reader(open(output / "grades.csv", newline="")))
    questions = ["step", "perceptron_output", "perceptron_update", "train_perceptron", "accuracy"]
    assert rows[0] == ["submission", "score", "max_score", *questions]
    assert [r[0] for r in rows[1:]] == sorted(scores)
    results = results_of(output)
    for row in rows[1:]:
        result = results[row[0]]
        assert float(row[1]) == result["score"] == scores[row[0]]
        assert float(row[2]) == result["max_score"]
        per_question = {q: 0.0 for q in questions}
        for test in result["tests"]:
            per_question[test["name"].split(":")[0].strip()] += test["score"]
        assert [float(v) for v in row[3:]] == list(per_question.values())
        assert sum(float(v) for v in row[3:]) == float(row[1])


def test_feedback_lists_failed_tests_and_what_the_submission_printed(graded):
    root, inputs, scores, output, proc = graded
    results = results_of(output)
    bob = (output / "bob" / "feedback.md").read_text()
    full, buggy = reference()
    assert f"Score: {points(buggy)} / {points(full)}" in bob
    failed = [t for t in results["bob"]["tests"] if t["score"] < t["max_score"]]
    for test in failed:
        assert markdown_text(test["name"]) in bob and test["output"] in bob
    assert "bob checks his work" in results["bob"]["output"]
    assert results["bob"]["output"].strip() in bob
    carol = (output / "carol" / "feedback.md").read_text()
    assert f"Score: 0 / {points(full)}" in carol and "not a readable Jupyter notebook" in carol
    alice = (output / "alice" / "feedback.md").read_text()
    assert f"Score: {points(full)} / {points(full)}" in alice and "Failed tests" not in alice


def test_resume_skips_what_is_graded_and_force_regrades(graded, tmp_path):
    root, inputs, scores, output, proc = graded
    out = tmp_path / "graded"
    shutil.copytree(output, out)
    again = grade_into(out, *inputs)
    assert again.returncode == 0 and "graded 0, skipped 11" in again.stdout
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/results.json")}
    (out / "bob" / "results.json").unlink()
    (out / "grades.csv").unlink()
    again = grade_into(out, *inputs)
    assert again.returncode == 0 and "graded 1, skipped 10" in again.stdout
    for path, stamp in stamps.items():
        assert (path.stat().st_mtime_ns == stamp) == (path.parent.name != "bob")
    assert (out / "grades.csv").read_text() == (output / "grades.csv").read_text()
    forced = grade_into(out, root / "flat", extra=["--force"])
    assert forced.returncode == 0 and "graded 3, skipped 0" in forced.stdout
    assert results_of(out) == results_of(output)


def test_a_killed_batch_leaves_only_whole_files_and_resumes(tmp_path):
    subs = tmp_path / "subs"
    for i in range(6):
        copy(CORRECT if i % 2 else BUGGY, subs / f"s{i}.ipynb")
    out = tmp_path / "graded"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(subs),
            "--assignment",
            ASSIGNMENT,
            "--output",
            str(out),
            "--jobs",
            "2",
        ],
        cwd=course.REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()  # SIGKILL mid-run: no clean-up in the batch process
    proc.wait()
    time.sleep(3)  # its grading processes notice (SIGTERM on the batch's death) and stop
    done = list(out.glob("*/results.json"))
    assert 1 <= len(done) < 6
    for path in done:
        assert json.loads(path.read_text())["max_score"] == reference()[0]  # whole
    assert not list(out.glob("**/*.tmp"))
    again = grade_into(out, subs)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"skipped {len(done)} already graded" in again.stdout
    results = results_of(out)
    assert {k: v["score"] for k, v in results.items()} == expected(
        {f"s{i}": "correct" if i % 2 else "buggy" for i in range(6)}
    )


CRASHING_BATCH = """
import os, signal, sys, time
from autograder import batch
from autograder.batch import run
real = run.grade_submission
def grade(submission, assignment, limits=None):
    if submission.id == "bob":
        os.kill(os.getpid(), signal.SIGKILL)
    if submission.id == "carol":
        time.sleep(600)
    return real(submission, assignment, limits)
run.grade_submission = grade
subs = batch.discover([sys.argv[1]], "01_perceptron")
report = batch.grade_batch(subs, "01_perceptron", sys.argv[2], jobs=2, timeout=20,
                           progress=False)
print(sorted(report.graded), sorted(report.failed))
"""


def test_a_dying_or_hanging_grading_process_costs_only_its_submission(tmp_path):
    # timeout=20: carol's grading never ends; alice's takes about a second, far below 20 s
    # even on a slow, shared machine (3 s was too close there)
    subs = tmp_path / "subs"
    for name in ("alice", "bob", "carol"):
        copy(CORRECT, subs / f"{name}.ipynb")
    out = tmp_path / "graded"
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_BATCH, str(subs), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=course.REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "['alice'] ['bob', 'carol']"
    results = results_of(out)
    full = reference()[0]
    assert results["alice"]["score"] == full
    assert "killed by SIGKILL" in results["bob"]["output"]
    assert "longer than 20 s" in results["carol"]["output"]
    for name in ("bob", "carol"):
        assert results[name]["score"] == 0 and results[name]["max_score"] == full
        assert all(t["output"] == results[name]["output"] for t in results[name]["tests"])
        assert (out / name / "feedback.md").is_file()
    assert [r.split(",")[:2] for r in (out / "grades.csv").read_text().split()[1:]] == [
        ["alice", points(full)],
        ["bob", "0"],
        ["carol", "0"],
    ]
    assert sorted(p.parent.name for p in out.glob("*/.grading-failed")) == ["bob", "carol"]
    # a plain second run keeps them; --retry-failed grades those two again, and only them
    assert "graded 0, skipped 3" in grade_into(out, subs).stdout
    again = grade_into(out, subs, extra=["--retry-failed"])
    assert again.returncode == 0 and "graded 2, skipped 1" in again.stdout
    assert {k: v["score"] for k, v in results_of(out).items()} == dict.fromkeys(
        ("alice", "bob", "carol"), full
    )
    assert not list(out.glob("*/.grading-failed"))


def test_shards_merged_equal_the_whole_batch(graded, tmp_path):
    root, inputs, scores, output, proc = graded
    parts = []
    for i in (1, 2):
        part = tmp_path / f"shard{i}"
        proc = grade_into(part, *inputs, extra=["--shard", f"{i}/2"])
        assert proc.returncode == 0, proc.stderr[-2000:]
        parts.append(part)
    ones, twos = (set(results_of(p)) for p in parts)
    assert ones and twos and not ones & twos and ones | twos == set(scores)
    merged = tmp_path / "merged"
    proc = cli("merge", *parts, "--output", merged)
    assert proc.returncode == 0, proc.stderr
    assert (merged / "grades.csv").read_text() == (output / "grades.csv").read_text()
    assert results_of(merged) == results_of(output)
    for name in scores:
        assert (merged / name / "feedback.md").read_text() == (
            output / name / "feedback.md"
        ).read_text()


def test_merge_refuses_overlapping_shards_that_disagree(tmp_path):
    for name, score in (("a", 1.0), ("b", 2.0)):
        batch.write_outputs(
            tmp_path / name / "x",
            "x",
            ASSIGNMENT,
            {"score": score, "max_score": 2.0, "output": "", "tests": []},
        )
    with pytest.raises(ValueError, match="graded differently"):
        batch.merge([tmp_path / "a", tmp_path / "b"], tmp_path / "m")


def test_an_output_folder_holds_one_assignment(tmp_path):
    batch.claim_output(tmp_path, ASSIGNMENT)
    with pytest.raises(ValueError, match="holds grades for 01_perceptron"):
        batch.claim_output(tmp_path, "06_training")


def test_several_submissions_without_output_print_the_table(tmp_path):
    copy(CORRECT, tmp_path / "alice.ipynb")
    copy(BUGGY, tmp_path / "bob.ipynb")
    proc = cli(
        "grade",
        tmp_path / "alice.ipynb",
        tmp_path / "bob.ipynb",
        "--assignment",
        ASSIGNMENT,
        "--jobs",
        2,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("submission")
    full, buggy = reference()
    assert f"{points(full)} / {points(full)}" in lines[1]
    assert lines[1].startswith(str(tmp_path / "alice.ipynb"))
    assert f"{points(buggy)} / {points(full)}" in lines[2]
    assert not list(tmp_path.glob("*/results.json"))  # nothing written without --output


def test_json_grades_exactly_one_submission(tmp_path):
    proc = cli("grade", CORRECT, "--assignment", ASSIGNMENT, "--json", "--output", tmp_path)
    assert proc.returncode == 2 and "exactly one" in proc.stderr


def test_atomic_write_leaves_the_old_file_or_the_new_one(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    batch.write_atomic(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        batch.write_atomic(target, "new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["results.json"]


def test_a_submission_is_graded_in_its_own_process(tmp_path):
    """The batch warms up once and forks: the grading process is not the batch process."""
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom autograder import batch\n"
        "from autograder.batch import run\nfrom autograder.grade.grading import Submission\n"
        "run.grade_submission = lambda s, a, l=None: {'score': float(os.getpid()), "
        "'max_score': 1.0, 'output': '', 'tests': []}\n"
        "subs = [Submission(n, Path(n), n) for n in ('a', 'b')]\n"
        "batch.grade_batch(subs, '01_perceptron', sys.argv[1], jobs=2, progress=False)\n"
        "print(os.getpid())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=course.REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    pids = {r["score"] for r in results_of(tmp_path).values()}
    assert len(pids) == 2 and float(proc.stdout.strip()) not in pids


def test_signals_stop_the_batch_cleanly(tmp_path):
    subs = tmp_path / "subs"
    for i in range(4):
        copy(BUGGY, subs / f"s{i}.ipynb")
    out = tmp_path / "graded"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(subs),
            "--assignment",
            ASSIGNMENT,
            "--output",
            str(out),
            "--jobs",
            "2",
        ],
        cwd=course.REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not (out / ".autograder-batch.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), stderr[-2000:]
    for path in out.glob("*/results.json"):
        assert json.loads(path.read_text())["score"] == reference()[1]
    assert (out / "grades.csv").is_file() and not list(out.glob("**/*.tmp"))


# ---- ids, layouts and skipped inputs: nothing of the class is lost -------------------------


def test_ids_never_name_an_output_of_the_folder(tmp_path):
    """A submission named like the gradebook or the report folder (in any case) gets an id
    of its own, so the gradebook can always be written."""
    subs = tmp_path / "subs"
    for name in ("grades.csv.py", "Report.ipynb", "alice.ipynb"):
        copy(CORRECT, subs / name)
    copy(CORRECT, tmp_path / "folders" / "GRADES.CSV" / "hw.ipynb")
    copy(CORRECT, tmp_path / "folders" / "bob" / "hw.ipynb")
    assert set(ids([subs])) == {"grades.csv-1", "Report-1", "alice"}
    assert set(ids([tmp_path / "folders"])) == {"GRADES.CSV-1", "bob"}
    # two of them, and one already named like the suffixed id: all distinct, order-free
    copy(CORRECT, tmp_path / "more" / "grades.csv-1.ipynb")
    found = ids([subs, tmp_path / "more"])
    assert len(found) == 4 and not {i.lower() for i in found} & batch.RESERVED
    assert {i for i in found if i.startswith("grades.csv-1-")} == set(found) - {"Report-1", "alice"}
    assert set(ids([tmp_path / "more", subs])) == set(found)


def test_a_submission_named_grades_csv_is_graded_rerun_and_merged(tmp_path):
    subs = tmp_path / "subs"
    (subs / "grades.csv.py").parent.mkdir()
    (subs / "grades.csv.py").write_text("x = 1\n")  # scores 0, quickly
    copy(BUGGY, subs / "bob.ipynb")
    out = tmp_path / "graded"
    proc = grade_into(out, subs)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "grades.csv").is_file() and (out / "grades.csv-1" / "results.json").is_file()
    rows = list(csv.reader(open(out / "grades.csv", newline="")))
    assert [r[:2] for r in rows[1:]] == [["bob", points(reference()[1])], ["grades.csv-1", "0"]]
    again = grade_into(out, subs)
    assert again.returncode == 0 and "graded 0, skipped 2" in again.stdout
    merged = tmp_path / "merged"
    assert cli("merge", out, "--output", merged).returncode == 0
    assert (merged / "grades.csv").read_text() == (out / "grades.csv").read_text()


def test_an_older_graders_folder_named_like_an_output_is_moved_on_rerun_and_merge(tmp_path):
    """Before ids avoided output names, ``grades.csv.py`` was graded into ``grades.csv/``."""
    results = {"score": 1.0, "max_score": 2.0, "output": "", "tests": []}
    for folder in (tmp_path / "old", tmp_path / "shard"):
        batch.write_outputs(folder / "grades.csv", "grades.csv", ASSIGNMENT, results)
        batch.write_outputs(folder / "alice", "alice", ASSIGNMENT, results)
        (folder / batch.MARKER).write_text(json.dumps({"assignment": ASSIGNMENT}))
    batch.claim_output(tmp_path / "old", ASSIGNMENT)  # what a rerun does first
    assert batch.write_gradebook(tmp_path / "old") == 2
    assert batch.read_results(tmp_path / "old" / "grades.csv-1") == results
    assert batch.merge([tmp_path / "shard"], tmp_path / "merged") == 2
    rows = list(csv.reader(open(tmp_path / "merged" / "grades.csv", newline="")))
    assert [r[0] for r in rows[1:]] == ["alice", "grades.csv-1"]


def nbgrader_course(root):
    """An nbgrader course: two students handed in 01, one only 02, one folder is odd."""
    course_dir = root / "course"
    copy(CORRECT, course_dir / "submitted" / "dave" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    copy(BUGGY, course_dir / "submitted" / "erin" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    copy(CORRECT, course_dir / "submitted" / "erin" / "02_activations" / "02_activations.ipynb")
    copy(CORRECT, course_dir / "submitted" / "fay" / "02_activations" / "02_activations.ipynb")
    (course_dir / "submitted" / "gus" / ASSIGNMENT).mkdir(parents=True)  # handed in nothing
    copy(CORRECT, course_dir / "submitted" / "stray.ipynb")
    copy(CORRECT, course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (course_dir / "gradebook.db").write_bytes(b"")
    return course_dir


def test_nbgrader_layout_is_read_only_where_it_is_one(tmp_path):
    course_dir = nbgrader_course(tmp_path)
    ignored = []
    found = ids([course_dir], ignored=ignored)
    assert set(found) == {"dave", "erin", "gus"}
    assert found["erin"].path.parts[-2] == ASSIGNMENT
    assert found["gus"].problem == "your folder is empty"
    reasons = {p.relative_to(course_dir).as_posix(): r for p, r in ignored}
    assert "not this assignment's folder" in reasons["submitted/erin/02_activations"]
    assert "without a 01_perceptron/ folder" in reasons["submitted/fay"]
    assert "a file directly in submitted/" in reasons["submitted/stray.ipynb"]
    assert "an nbgrader course" in reasons["source"]
    assert "an nbgrader course" in reasons["gradebook.db"]
    assert set(ids([course_dir / "submitted"])) == {"dave", "erin", "gus"}
    # for another assignment, the same course holds that assignment's submissions
    assert set(ids([course_dir], assignment="02_activations")) == {"erin", "fay"}


def test_a_student_folder_named_submitted_is_a_student(tmp_path):
    """One student called "submitted" does not turn a class into an nbgrader course."""
    students = tmp_path / "students"
    for name in ("alice", "submitted", "zoe"):
        copy(CORRECT, students / name / "hw.ipynb")
    copy(CORRECT, students / "submitted" / "notes" / "draft.ipynb")  # not the assignment's
    found = ids([students])
    assert set(found) == {"alice", "submitted", "zoe"}
    assert found["submitted"].path == students / "submitted" / "hw.ipynb"


def test_every_input_not_graded_is_listed_with_the_reason(tmp_path):
    subs = tmp_path / "subs"
    copy(CORRECT, subs / "alice.ipynb")
    (subs / "notes.txt").write_text("x")
    (subs / ".hidden.ipynb").write_text("{}")
    (subs / "__pycache__").mkdir()
    (subs / "empty").mkdir()
    (subs / "link.ipynb").symlink_to(subs / "alice.ipynb")
    copy(CORRECT, subs / "graded" / "alice" / "old.ipynb")  # the output folder, inside
    ignored = []
    assert set(ids([subs], skip=[subs / "graded"], ignored=ignored)) == {"alice"}
    reasons = {p.name: r for p, r in ignored}
    assert reasons == {
        "notes.txt": "not a notebook (.ipynb), Python file (.py) or zip",
        ".hidden.ipynb": "a hidden file or folder",
        "__pycache__": "a folder that Jupyter, Python or macOS made",
        "empty": "an empty folder",
        "link.ipynb": "a symbolic link (links are not followed)",
        "graded": "the output folder",
    }
    proc = cli(
        "grade",
        subs,
        "--assignment",
        ASSIGNMENT,
        "--output",
        subs / "graded",
        "--budget",
        "1",
        "--timeout",
        "0.5",
    )  # refused before grading anything
    assert proc.returncode == 2 and "--timeout (0.5 s" in proc.stderr
    assert not (subs / "graded" / "alice" / "results.json").exists()


# ---- what reaches the gradebook and the feedback from a submission -------------------------

HOSTILE = (
    "<img src=x onerror=alert(1)> [click](http://evil.example) ![i](http://evil.example/i.png)"
    "\n# ALL TESTS PASSED\n\n```\n</pre><script>alert(2)</script>\n"
    "\x1b[2J\x1b]0;owned\x07 \u202egnp.exe\u202c \u2066x\u2069 *bold* _it_ &amp;"
)


def test_feedback_shows_submission_text_literally(tmp_path):
    """Markdown, HTML, escape sequences and bidi overrides from a submission's messages and
    output render as the literal text, in a Markdown renderer too."""
    from markdown_it import MarkdownIt

    results = {
        "score": 1.0,
        "max_score": 3.0,
        "output": HOSTILE,
        "tests": [
            {"name": "step: passes", "score": 1.0, "max_score": 1.0, "output": ""},
            {"name": "step: raises", "score": 0.0, "max_score": 2.0, "output": HOSTILE},
        ],
    }
    text = batch.feedback_markdown("www.evil.example", ASSIGNMENT, results)
    assert not any(ch in text for ch in "\x1b\x07\u202e\u202c\u2066\u2069")
    assert "\\x1b[2J" in text and "\\u202e" in text
    html = MarkdownIt("commonmark").render(text)
    assert "<img" not in html and "<a " not in html and "<script" not in html
    assert "<h1>ALL TESTS PASSED" not in html and "<em>" not in html
    assert html.count("<h1>") == 1 and "<code>www.evil.example</code>" in html
    assert "&lt;img src=x onerror=alert(1)&gt; [click](http://evil.example)" in html
    assert html.count("# ALL TESTS PASSED") == 2  # both copies, as text in code blocks


def test_gradebook_cells_never_start_a_formula(tmp_path):
    results = {
        "score": 1.0,
        "max_score": 2.0,
        "output": "",
        "tests": [{"name": "step: x", "score": 1.0, "max_score": 2.0, "output": ""}],
    }
    names = ["-2+3", "+cmd", "@SUM(A1)", "=HYPERLINK(1)", "alice"]
    for name in names:
        batch.write_outputs(tmp_path / name, name, ASSIGNMENT, results)
    batch.write_gradebook(tmp_path)
    rows = list(csv.reader(open(tmp_path / "grades.csv", newline="")))
    assert sorted(r[0] for r in rows[1:]) == sorted(
        ["'-2+3", "'+cmd", "'@SUM(A1)", "'=HYPERLINK(1)", "alice"]
    )
    assert all(r[1:] == ["1", "2", "1"] for r in rows[1:])
    # discovery keeps such ids ("=" is not an id character): the gradebook neutralises them
    copy(CORRECT, tmp_path / "subs" / "-2+3.ipynb")
    copy(CORRECT, tmp_path / "subs" / "=1+2.ipynb")
    assert set(ids([tmp_path / "subs"])) == {"-2+3", "_1+2"}


# ---- one time budget for a submission's code --------------------------------------------

SLEEPY = """\
import time

def step(z):
    time.sleep(8)

def perceptron_output(x, w, b):
    time.sleep(8)

def perceptron_update(x, y, w, b, lr=1.0):
    time.sleep(8)

def train_perceptron(X, y, lr=1.0, max_epochs=100):
    time.sleep(8)

def accuracy(y_true, y_pred):
    time.sleep(8)
"""


def test_the_time_budget_applies_in_a_batch(tmp_path):
    """Calls that each stay under the call timeout still stop at the submission's budget;
    the slowness is the submission's own sleeping, and the time bound is far above it."""
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "sleepy.py").write_text(SLEEPY)
    copy(BUGGY, tmp_path / "subs" / "bob.ipynb")
    started = time.monotonic()
    proc = grade_into(
        tmp_path / "graded", tmp_path / "subs", extra=["--budget", "3", "--call-timeout", "10"]
    )
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = results_of(tmp_path / "graded")
    assert results["bob"]["score"] == reference()[1]  # honest work is far from the budget
    sleepy = results["sleepy"]
    assert sleepy["score"] == 0
    budget = [
        t for t in sleepy["tests"] if "time budget for grading one submission (3 s" in t["output"]
    ]
    assert budget and budget[0] is sleepy["tests"][0]  # the first call already ran it out
    later = [t for t in sleepy["tests"] if t["max_score"] > 0]
    assert all("time budget" in t["output"] for t in later), later
    assert seconds < 150  # without the budget: about 30 calls of 8 s, 4 minutes
