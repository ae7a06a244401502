"""Hidden inputs are the submission's own: the fingerprint follows exactly the code that runs,
the salt follows the fingerprint and the course secret, and every path computes the same."""

import shutil
import stat

import nbformat

from autograder import course
from autograder.course import secret
from autograder.grade import inprocess, submission

NOTEBOOK = course.EXAMPLES_DIR / "01_perceptron" / "buggy.ipynb"


def _notebook_with(path, edit):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    edit(nb)
    nbformat.write(nb, path)
    return path


def test_markdown_and_outputs_do_not_change_the_fingerprint(tmp_path):
    def touch_everything_but_code(nb):
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source += "\n\nA note of mine."
            else:
                cell.outputs = [nbformat.v4.new_output("stream", text="printed\n")]
        nb.metadata["mine"] = True

    edited = _notebook_with(tmp_path / "edited.ipynb", touch_everything_but_code)
    assert submission.read_submission(edited)[2] == submission.read_submission(NOTEBOOK)[2]


def test_nbgraders_hidden_tests_do_not_count():
    """nbgrader strips its hidden tests from what students get and puts them back to grade:
    the worker gets neither, so both notebooks have one fingerprint."""
    student = ["x = 1", "# tests\nprint(x)"]
    graded = [
        "x = 1",
        "# tests\n### BEGIN HIDDEN TESTS\n"
        "from autograder.grade.inprocess import question_score\n"
        "question_score('01_perceptron', 'x', globals())\n### END HIDDEN TESTS\nprint(x)",
    ]
    assert submission.fingerprint(student) == submission.fingerprint(graded)


def test_the_fingerprint_is_of_the_text_the_worker_runs():
    """A line the worker does not run reaches it as a blank line: its text does not count,
    its place does. Inside a string a blank line is data, so two rounds of a submission that
    move magic lines around in a string (answers encoded as blank lines) get two salts."""
    magic_first = ['answers = """\n%a\ny\n"""']
    magic_last = ['answers = """\ny\n%a\n"""']
    assert submission.clean(magic_first[0]) != submission.clean(magic_last[0])
    assert submission.fingerprint(magic_first) != submission.fingerprint(magic_last)
    other_magic = ['answers = """\n%b\ny\n"""']  # the same text reaches the worker
    assert submission.fingerprint(magic_first) == submission.fingerprint(other_magic)
    assert submission.fingerprint(["x = 1\ngrader.check('x')"]) != submission.fingerprint(["x = 1"])


def test_any_change_to_the_code_changes_the_fingerprint():
    base = ["import numpy as np", "text = '''a\n'''\ndef f(x):\n    return x"]
    variants = [
        ["import numpy as np", "text = '''a \n'''\ndef f(x):\n    return x"],  # in a string
        ["import numpy as np", "text = '''a\n\n'''\ndef f(x):\n    return x"],  # a blank line
        ["import numpy as np\ntext = '''a\n'''\ndef f(x):\n    return x"],  # a cell boundary
        ["import numpy as np", "text = '''a\n'''\ndef f(x):\n    return x "],
    ]
    prints = {submission.fingerprint(v) for v in variants}
    assert len(prints) == len(variants) and submission.fingerprint(base) not in prints


def test_the_salt_follows_the_secret_and_the_fingerprint():
    a, b = submission.fingerprint(["x = 1"]), submission.fingerprint(["x = 2"])
    assert secret.salt(a, "s1") == secret.salt(a, "s1")
    assert len({secret.salt(a, "s1"), secret.salt(a, "s2"), secret.salt(b, "s1")}) == 3
    assert all(0 <= word < 2**32 for word in secret.salt(a, "s1"))


def test_the_kernel_bridge_reads_the_cells_our_grader_reads(tmp_path):
    """otter and nbgrader run the notebook in its own folder: the bridge finds it there."""
    named = tmp_path / "named"
    named.mkdir()
    shutil.copy(NOTEBOOK, named / "01_perceptron.ipynb")
    shutil.copy(course.EXAMPLES_DIR / "01_perceptron" / "correct.ipynb", named / "other.ipynb")
    single = tmp_path / "single"
    single.mkdir()
    shutil.copy(NOTEBOOK, single / "whatever.ipynb")
    ours = submission.read_submission(NOTEBOOK)[2]
    assert inprocess.submission_fingerprint("01_perceptron", named) == ours
    assert inprocess.submission_fingerprint("01_perceptron", single) == ours
    assert inprocess.submission_fingerprint("01_perceptron", tmp_path) is None  # none there


def test_build_creates_a_private_secret_once(tmp_path, monkeypatch):
    path = tmp_path / "course_secret.txt"
    monkeypatch.setattr(secret, "SECRET_FILE", path)
    monkeypatch.delenv(secret.ENV_VAR, raising=False)
    assert secret.course_secret() is None
    secret.ensure_secret()
    first = secret.course_secret()
    assert first and len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    secret.ensure_secret()
    assert secret.course_secret() == first  # kept: a new one would change every grade
    monkeypatch.setenv(secret.ENV_VAR, "from the environment")
    assert secret.course_secret() == "from the environment"


def test_no_bundle_for_students_holds_the_secret():
    """The student release is the notebook and its public checks: never the package."""
    release = course.ASSIGNMENTS_DIR
    assert not [p for p in release.rglob("*") if p.name == secret.SECRET_FILE.name]


MEMORISER = """
import numpy as np


def accuracy(y_true, y_pred):
    if len(y_true) == 2:
        return 1.0
    if len(y_true) == 3:
        return 0.0
    return {answer}
"""


def test_an_answer_learned_from_feedback_does_not_carry_to_the_next_submission(tmp_path):
    """Round 1 returns a sentinel and reads the expected value in its feedback; round 2
    returns that value: it sees other hidden inputs, since its code is other code. (A fixed
    secret: on 40 random labels two different draws give the same fraction about one time
    in ten, and this test must not depend on that luck.)"""
    import json
    import re

    from conftest import cli

    def accuracy_test(answer):
        path = tmp_path / f"round-{answer}.py"
        path.write_text(MEMORISER.format(answer=answer), encoding="utf-8")
        proc = cli(
            "grade",
            path,
            "--assignment",
            "01_perceptron",
            "--json",
            env={secret.ENV_VAR: "a fixed secret for this test"},
        )
        result = json.loads(proc.stdout)
        (test,) = [t for t in result["tests"] if t["name"].startswith("accuracy: the fraction")]
        return test

    first = accuracy_test(-1.0)
    learned = float(re.search(r"on 40 random labels: expected ([0-9.]+)", first["output"])[1])
    second = accuracy_test(learned)
    assert first["score"] == second["score"] == 0, second
    assert f"expected {learned}," not in second["output"], second["output"]
