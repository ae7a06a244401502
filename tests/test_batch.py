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
from pathlib import Path

import pytest

from autograder import batch, course
from conftest import cli

ASSIGNMENT = "01_perceptron"
EXAMPLES = course.EXAMPLES_DIR / ASSIGNMENT
CORRECT = EXAMPLES / "correct.ipynb"
BUGGY = EXAMPLES / "buggy.ipynb"


@functools.lru_cache(maxsize=None)
def reference():
    """(full marks, the buggy example's score), from `grade --json` (the suite may change)."""
    from conftest import grade_json
    correct, buggy = grade_json(CORRECT, ASSIGNMENT), grade_json(BUGGY, ASSIGNMENT)
    assert correct["score"] == correct["max_score"] > buggy["score"] > 0
    return correct["max_score"], buggy["score"]


def expected(kinds):
    """{id: score} for {id: "correct" | "buggy" | "broken"}."""
    full, buggy = reference()
    return {name: {"correct": full, "buggy": buggy, "broken": 0}[kind]
            for name, kind in kinds.items()}


def points(value):
    return f"{value:g}"


def grade_into(output, *inputs, extra=(), timeout=600):
    proc = cli("grade", *inputs, "--assignment", ASSIGNMENT, "--output", output, "--jobs", 2,
               *extra, timeout=timeout)
    return proc


def copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def make_class(root):
    """Eleven submissions in every accepted layout; (inputs, {id: kind})."""
    flat = root / "flat"  # a folder of notebooks
    copy(CORRECT, flat / "alice.ipynb")
    copy(BUGGY, flat / "bob.ipynb")
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
    kinds = {"alice": "correct", "bob": "buggy", "carol": "broken", "dave": "correct",
             "erin": "buggy", "frank": "correct", "grace": "broken", "heidi": "buggy",
             "ivan": "correct", "judy": "broken", "kim": "broken"}
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
    print(f"\nbatch of {len(scores)}: {seconds:.1f} s, {seconds / len(scores):.2f} s per "
          "submission (start-up included)")
    return root, inputs, scores, output, proc


def results_of(output):
    return {p.parent.name: json.loads(p.read_text()) for p in Path(output).glob("*/results.json")}


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
    assert set(ids([tmp_path / "students" / "heidi" / "hw.ipynb",
                    tmp_path / "students" / "ivan" / "hw.ipynb"])) == {"heidi", "ivan"}
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
    assert "ignored: " in proc.stderr and "README.txt" in proc.stderr
    assert "submission/s" in proc.stderr or "%" in proc.stderr  # the progress bar
    assert "is not a readable Jupyter notebook" in results["carol"]["output"]
    assert "not a readable zip file" in results["grace"]["output"]
    assert "is not a notebook" in results["judy"]["output"]
    assert "no notebook (.ipynb), Python file (.py) or zip, only: hw.pdf" in results["kim"]["output"]
    for broken in ("carol", "grace", "judy", "kim"):
        assert all(t["score"] == 0 and t["output"] for t in results[broken]["tests"])
    assert not list(output.glob("**/*.tmp"))


def test_results_json_is_what_grade_json_prints(graded, grade):
    root, inputs, scores, output, proc = graded
    for name, path in (("alice", root / "flat" / "alice.ipynb"),
                       ("frank", root / "zips" / "frank.zip")):
        assert json.loads((output / name / "results.json").read_text()) == grade(path, ASSIGNMENT)


def test_gradebook_columns_and_values(graded):
    root, inputs, scores, output, proc = graded
    rows = list(csv.reader(open(output / "grades.csv", newline="")))
    questions = ["step", "perceptron_output", "perceptron_update", "train_perceptron",
                 "accuracy"]
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
        assert test["name"] in bob and test["output"] in bob
    assert results["bob"]["output"] and results["bob"]["output"].strip() in bob
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
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs),
                             "--assignment", ASSIGNMENT, "--output", str(out), "--jobs", "2"],
                            cwd=course.REPO_ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
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
        {f"s{i}": "correct" if i % 2 else "buggy" for i in range(6)})


CRASHING_BATCH = """
import os, signal, sys, time
from autograder import batch
real = batch.grade_submission
def grade(submission, assignment, limits=None):
    if submission.id == "bob":
        os.kill(os.getpid(), signal.SIGKILL)
    if submission.id == "carol":
        time.sleep(600)
    return real(submission, assignment, limits)
batch.grade_submission = grade
subs = batch.discover([sys.argv[1]], "01_perceptron")
report = batch.grade_batch(subs, "01_perceptron", sys.argv[2], jobs=2, timeout=3,
                           progress=False)
print(sorted(report.graded), sorted(report.failed))
"""


def test_a_dying_or_hanging_grading_process_costs_only_its_submission(tmp_path):
    subs = tmp_path / "subs"
    for name in ("alice", "bob", "carol"):
        copy(CORRECT, subs / f"{name}.ipynb")
    out = tmp_path / "graded"
    proc = subprocess.run([sys.executable, "-c", CRASHING_BATCH, str(subs), str(out)],
                          capture_output=True, text=True, timeout=300, cwd=course.REPO_ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "['alice'] ['bob', 'carol']"
    results = results_of(out)
    full = reference()[0]
    assert results["alice"]["score"] == full
    assert "killed by SIGKILL" in results["bob"]["output"]
    assert "longer than 3 s" in results["carol"]["output"]
    for name in ("bob", "carol"):
        assert results[name]["score"] == 0 and results[name]["max_score"] == full
        assert all(t["output"] == results[name]["output"] for t in results[name]["tests"])
        assert (out / name / "feedback.md").is_file()
    assert [r.split(",")[:2] for r in (out / "grades.csv").read_text().split()[1:]] == [
        ["alice", points(full)], ["bob", "0"], ["carol", "0"]]
    assert sorted(p.parent.name for p in out.glob("*/.grading-failed")) == ["bob", "carol"]
    # a plain second run keeps them; --retry-failed grades those two again, and only them
    assert "graded 0, skipped 3" in grade_into(out, subs).stdout
    again = grade_into(out, subs, extra=["--retry-failed"])
    assert again.returncode == 0 and "graded 2, skipped 1" in again.stdout
    assert {k: v["score"] for k, v in results_of(out).items()} == dict.fromkeys(
        ("alice", "bob", "carol"), full)
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
        assert ((merged / name / "feedback.md").read_text()
                == (output / name / "feedback.md").read_text())


def test_merge_refuses_overlapping_shards_that_disagree(tmp_path):
    for name, score in (("a", 1.0), ("b", 2.0)):
        batch.write_outputs(tmp_path / name / "x", "x", ASSIGNMENT,
                            {"score": score, "max_score": 2.0, "output": "", "tests": []})
    with pytest.raises(ValueError, match="graded differently"):
        batch.merge([tmp_path / "a", tmp_path / "b"], tmp_path / "m")


def test_an_output_folder_holds_one_assignment(tmp_path):
    batch.claim_output(tmp_path, ASSIGNMENT)
    with pytest.raises(ValueError, match="holds grades for 01_perceptron"):
        batch.claim_output(tmp_path, "06_training")


def test_several_submissions_without_output_print_the_table(tmp_path):
    copy(CORRECT, tmp_path / "alice.ipynb")
    copy(BUGGY, tmp_path / "bob.ipynb")
    proc = cli("grade", tmp_path / "alice.ipynb", tmp_path / "bob.ipynb", "--assignment",
               ASSIGNMENT, "--jobs", 2)
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
    code = ("import os, sys\nfrom autograder import batch\n"
            "batch.grade_submission = lambda s, a, l=None: {'score': float(os.getpid()), "
            "'max_score': 1.0, 'output': '', 'tests': []}\n"
            "subs = [batch.Submission(n, batch.Path(n), n) for n in ('a', 'b')]\n"
            "batch.grade_batch(subs, '01_perceptron', sys.argv[1], jobs=2, progress=False)\n"
            "print(os.getpid())")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, cwd=course.REPO_ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    pids = {r["score"] for r in results_of(tmp_path).values()}
    assert len(pids) == 2 and float(proc.stdout.strip()) not in pids


def test_signals_stop_the_batch_cleanly(tmp_path):
    subs = tmp_path / "subs"
    for i in range(4):
        copy(BUGGY, subs / f"s{i}.ipynb")
    out = tmp_path / "graded"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs),
                             "--assignment", ASSIGNMENT, "--output", str(out), "--jobs", "2"],
                            cwd=course.REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
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
