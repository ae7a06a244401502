"""The class report (``python -m autograder report``): every figure agrees with the results.

One batch of 01_perceptron for the module, graded through the command line as an instructor
does: the bundled examples, an untouched notebook, an unreadable file, a near-identical copy
of the correct one, a second copy, and a correct submission written independently.
"""

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course, report
from autograder.grade.grading import Submission
from autograder.grade.results import misconception
from autograder.grade.submission import submission_code

HERE = Path(__file__).resolve().parent
EXAMPLES = course.EXAMPLES_DIR / "01_perceptron"


def cli(*args):
    env = {**os.environ, "PYTHONPATH": str(course.REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def _near_copy(code):
    """The correct code with names changed and comments added: what copying looks like."""
    return (
        code.replace("count", "n_wrong")
        .replace("mistakes", "errors_per_epoch")
        .replace("# %%\n", "# %%\n# my own work\n")
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    subs.mkdir()
    for path in EXAMPLES.iterdir():
        shutil.copy(path, subs / path.name)
    shutil.copy(EXAMPLES / "correct.ipynb", subs / "dana.ipynb")
    shutil.copy(
        course.ASSIGNMENTS_DIR / "01_perceptron" / "01_perceptron.ipynb", subs / "untouched.ipynb"
    )
    shutil.copy(HERE / "report_data" / "independent_01.py", subs / "independent.py")
    correct = submission_code(Submission("c", EXAMPLES / "correct.ipynb", ""))
    (subs / "copied.py").write_text(_near_copy(correct), encoding="utf-8")
    (subs / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    out = root / "graded"
    done = cli(
        "grade",
        subs,
        "--assignment",
        "01_perceptron",
        "--output",
        out,
        "--no-progress",
        "--jobs",
        "2",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "class report:" in done.stdout
    return out


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _results(graded):
    return {
        p.name: json.loads((p / "results.json").read_text())
        for p in sorted(graded.iterdir())
        if (p / "results.json").exists()
    }


def test_batch_keeps_the_code_and_the_misconceptions(graded):
    code = (graded / "correct" / "code.py").read_text()
    assert "def step(z):" in code and "np.where(z >= 0" in code
    assert (graded / "broken" / "code.py").read_text() == ""  # unreadable: nothing ran
    buggy = json.loads((graded / "buggy" / "results.json").read_text())
    labels = [t["extra_data"]["misconception"] for t in buggy["tests"] if "extra_data" in t]
    assert "z > 0 instead of z >= 0" in labels
    for test in buggy["tests"]:
        if "extra_data" in test:
            assert test["score"] < test["max_score"]
            assert f"This looks like: {test['extra_data']['misconception']}" in test["output"]


def test_misconception_labels_are_parsed_from_messages():
    assert (
        misconception("... got 0.0. This looks like: z > 0 instead of z >= 0")
        == "z > 0 instead of z >= 0"
    )
    assert (
        misconception(
            "off by h. This looks like: forward differences instead "
            "of central ((f(x + h) - f(x - h)) / (2 h) ...)."
        )
        == "forward differences instead of central"
    )
    assert (
        misconception("This looks like: draws from U(0, k) instead of U(-k, k)")
        == "draws from U(0, k) instead of U(-k, k)"
    )
    assert (
        misconception("never changed. This looks like: the arrays were rebound. Keep them")
        == "the arrays were rebound"
    )
    assert misconception("expected 1.0, got 0.0.") == ""


def test_score_summary_and_histogram_match_the_gradebook(graded):
    rows = _csv(graded / "grades.csv")
    scores = [float(r["score"]) for r in rows]
    top = max(float(r["max_score"]) for r in rows)
    summary = {r["statistic"]: float(r["value"]) for r in _csv(graded / "report" / "summary.csv")}
    assert summary["submissions"] == len(rows) == 8
    assert summary["mean"] == pytest.approx(statistics.fmean(scores), rel=1e-5)
    assert summary["median"] == pytest.approx(statistics.median(scores), rel=1e-5)
    assert summary["full_marks"] == sum(s == top for s in scores) >= 3
    assert summary["zeros"] == sum(s == 0 for s in scores) >= 2  # untouched and broken
    bins = _csv(graded / "report" / "histogram.csv")
    assert float(bins[0]["low"]) == 0 and float(bins[-1]["high"]) == pytest.approx(top)
    for n, b in enumerate(bins):
        low, high = float(b["low"]), float(b["high"])
        inside = [s for s in scores if low <= s < high or (n == len(bins) - 1 and s == high)]
        assert int(b["submissions"]) == len(inside), b
    assert sum(int(b["submissions"]) for b in bins) == len(scores)


def test_pass_rates_and_flags_match_the_results(graded):
    results = _results(graded)
    failed = {sid for sid in results if (graded / sid / ".grading-failed").exists()}
    tests = _csv(graded / "report" / "tests.csv")
    assert len(tests) == len(
        {t["name"] for r in results.values() for t in r["tests"] if t["max_score"]}
    )
    for row in tests:
        outcomes = [
            t["score"] >= t["max_score"]
            for sid, r in results.items()
            if sid not in failed
            for t in r["tests"]
            if t["name"] == row["name"]
        ]
        assert int(row["attempts"]) == len(outcomes)
        assert int(row["passed"]) == sum(outcomes)
        assert float(row["pass_rate"]) == pytest.approx(sum(outcomes) / len(outcomes), abs=1e-4)
        rate = sum(outcomes) / len(outcomes)
        want = (
            "unclear instructions or a test to review"
            if rate <= report.HARD
            else "not discriminating"
            if all(outcomes)
            else ""
        )
        assert row["flag"] == want
    rates = [float(r["pass_rate"]) for r in tests]
    assert rates == sorted(rates)  # hardest first
    questions = {r["name"]: r for r in _csv(graded / "report" / "questions.csv")}
    grades = _csv(graded / "grades.csv")
    for name, row in questions.items():
        full = float(row["points"])
        passed = sum(float(g[name]) >= full for g in grades if g["submission"] not in failed)
        assert int(row["passed"]) == passed


def test_misconception_counts_match_the_results(graded):
    results = _results(graded)
    expected = {}
    for sid, r in results.items():
        for t in r["tests"]:
            label = (t.get("extra_data") or {}).get("misconception")
            if label:
                expected.setdefault(label, set()).add(sid)
    rows = _csv(graded / "report" / "misconceptions.csv")
    assert expected and {r["misconception"]: set(r["ids"].split()) for r in rows} == expected
    for row in rows:
        assert int(row["submissions"]) == len(row["ids"].split())
    assert "buggy" in expected["z > 0 instead of z >= 0"]


def test_problems_name_each_troubled_submission_with_its_reason(graded):
    rows = {
        (r["submission"], r["kind"]): r["reason"] for r in _csv(graded / "report" / "problems.csv")
    }
    assert "still running after" in rows[("hostile", "limit")]  # hostile.py loops forever
    assert "not a readable Jupyter notebook" in rows[("broken", "unreadable")]
    assert not any(sid in ("correct", "independent", "dana") for sid, _ in rows)


def test_problems_list_tampering_and_failed_grading():
    results = {
        "score": 0,
        "max_score": 1,
        "output": "",
        "extra_data": {"tampered": "the submission modified the grader: step rebound"},
        "tests": [{"name": "step: x", "score": 0, "max_score": 1, "output": ""}],
    }
    graded = [
        report.Graded("mallory", results),
        report.Graded(
            "slow",
            {**results, "extra_data": {}},
            failed="grading this submission took longer than 30 s, the grader's limit",
        ),
    ]
    found = report.problems(graded)
    assert ("mallory", "tampering", "the submission modified the grader: step rebound") in found
    assert found[-1][:2] == ("slow", "timed out")


def test_similar_pairs_find_the_copy_and_not_the_independent_work(graded):
    pairs = {(r["first"], r["second"]): r for r in _csv(graded / "report" / "similar.csv")}
    together = lambda a, b: (a, b) in pairs or (b, a) in pairs  # noqa: E731
    assert together("copied", "correct") and together("correct", "dana")
    assert not together("correct", "independent")
    assert not any("independent" in pair or "untouched" in pair for pair in pairs)
    page = (graded / "report" / "index.html").read_text()
    assert "a reason to look, not a verdict" in page
    assert "<mark>" in page  # the side-by-side view marks the matching parts


def test_report_links_every_submission_to_its_feedback(graded):
    page = (graded / "report" / "index.html").read_text()
    for sid in _results(graded):
        assert f'href="../{sid}/feedback.md"' in page
        assert (graded / sid / "feedback.md").is_file()
    assert "http://" not in page and "https://" not in page  # nothing to fetch: opens offline
    for image in ("histogram.png", "questions.png", "tests.png", "misconceptions.png"):
        assert f'src="{image}"' in page
        assert (graded / "report" / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_escapes_what_students_control(tmp_path):
    folder = tmp_path / "g"
    sub = folder / "x"
    sub.mkdir(parents=True)
    evil = "<script>alert(1)</script>"
    (sub / "results.json").write_text(
        json.dumps(
            {
                "score": 0,
                "max_score": 1,
                "output": "",
                "tests": [
                    {
                        "name": "step: x",
                        "score": 0,
                        "max_score": 1,
                        "output": f"bad. This looks like: {evil}",
                    }
                ],
            }
        )
    )
    (sub / "code.py").write_text(f"# {evil}\n")
    (folder / "grades.csv").write_text("submission,score,max_score\nx,0,1\n")
    page = report.write_report(folder, "01_perceptron").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_merge_writes_the_report_of_the_merged_folder(graded, tmp_path):
    parts = [tmp_path / "a", tmp_path / "b"]
    for n, sub in enumerate(sorted(p for p in graded.iterdir() if (p / "results.json").exists())):
        shutil.copytree(sub, parts[n % 2] / sub.name)
    shutil.copy(graded / ".autograder-batch.json", parts[0])
    done = cli("merge", *parts, "--output", tmp_path / "m")
    assert done.returncode == 0, done.stderr
    assert _csv(tmp_path / "m" / "report" / "summary.csv") == _csv(
        graded / "report" / "summary.csv"
    )


# ---- in a browser -----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def _browser():
    try:
        from selenium import webdriver
    except ImportError:
        pytest.skip("selenium is not installed: pip install -r requirements.txt -c constraints.txt")
    if not (CHROMIUM and DRIVER):
        pytest.skip(
            "Chromium and its driver are not installed: apt-get install -y chromium "
            "chromium-driver (Debian/Ubuntu; .ci/run does this)"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(flag)
    return webdriver, options, Service(executable_path=DRIVER)


def test_report_opens_in_a_browser_with_the_gradebook_numbers(graded, tmp_path):
    webdriver, options, service = _browser()
    from selenium.webdriver.common.by import By

    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=service)  # the local driver: no download
    try:
        driver.get((graded / "report" / "index.html").as_uri())
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        images = driver.find_elements(By.TAG_NAME, "img")
        assert len(images) == 4
        for image in images:
            assert (
                driver.execute_script(
                    "return arguments[0].complete && arguments[0].naturalWidth", image
                )
                > 0
            )
        rows = _csv(graded / "grades.csv")
        scores = [float(r["score"]) for r in rows]
        top = max(float(r["max_score"]) for r in rows)
        shown = lambda i: driver.find_element(By.ID, i).text  # noqa: E731
        assert int(shown("stat-submissions")) == len(rows)
        assert shown("stat-mean") == f"{statistics.fmean(scores):.2f}"
        assert shown("stat-median") == f"{statistics.median(scores):.2f}"
        assert int(shown("stat-full")) == sum(s == top for s in scores)
        assert int(shown("stat-zeros")) == sum(s == 0 for s in scores)
        bins = [int(e.text) for e in driver.find_elements(By.CLASS_NAME, "bin")]
        assert sum(bins) == len(rows)
        assert bins == [int(b["submissions"]) for b in _csv(graded / "report" / "histogram.csv")]
    finally:
        driver.quit()
