"""Every catalogued bug loses points on a test named for the function it breaks, and the
reference loses none, under two course secrets (the hidden inputs differ between them:
autograder/course/secret.py), and no honest habit of the masters trips the tamper evidence.

The reference is graded whole, and so is a copy of it with a line more (other code, so
other hidden inputs); each variant is graded on its function's tests alone (the assertions
read nothing else). All of an assignment's gradings, under both secrets, run in one process
(grade_by_question.py: what `grade FILE --json [--question NAME]` prints, without a start-up
per file). Our grader leaves the lessons' demo cells out by itself (autograder/course/demos.py).

One class per assignment, so that pytest-xdist (``--dist loadscope``: conftest.py) spreads the
assignments over its workers while each worker grades an assignment once.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from bug_catalog import HERE, SOLUTIONS, catalog, write_variant
from conftest import with_last_cell

SECRETS = ("catalog-secret-one", "catalog-secret-two")
# Assignments whose buggy example is graded here too, under both secrets and as a copy with a
# line more: a bug must not pass a test by the luck of the draw (07's examples train
# networks, ~20 s a grading; its tests draw nothing a bug could match by chance).
CHANCE_CHECKED = (
    "01_perceptron",
    "02_activations",
    "03_forward",
    "04_backprop",
    "05_optimizers",
    "06_training",
)
_graded = {}


def buggy_example_and_copy(assignment, folder):
    """examples/<assignment>/buggy.ipynb, and a copy of it with a last cell more."""
    source = HERE.parent / "examples" / assignment / "buggy.ipynb"
    return [source, with_last_cell(source, folder / "buggy-copy.ipynb", "_copy = 1")]


def graded(assignment, tmp_path_factory, secret):
    """{submission id: results.json} under ``secret`` for the reference, a copy of it with
    a line more and every variant of ``assignment``."""
    if assignment not in _graded:
        folder = tmp_path_factory.mktemp(f"catalog-{assignment}")
        shutil.copy(SOLUTIONS / f"{assignment}.py", folder / "reference.py")
        text = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
        (folder / "reference-copy.py").write_text(f"{text}\n\n# %%\n_copy = 1\n", encoding="utf-8")
        files = [folder / "reference.py", folder / "reference-copy.py"]
        if assignment in CHANCE_CHECKED:
            files += buggy_example_and_copy(assignment, folder)
        files += [
            f"{write_variant(assignment, bug, folder)}={bug.function}"
            for bug in catalog()[assignment]
        ]
        out = folder / "results.json"
        done = subprocess.run(
            [
                sys.executable,
                HERE / "grade_by_question.py",
                assignment,
                out,
                ",".join(SECRETS),
                *files,
            ],
            capture_output=True,
            text=True,
            timeout=900,
            env=dict(os.environ),
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        _graded[assignment] = json.loads(out.read_text(encoding="utf-8"))
    return _graded[assignment][secret]


def pytest_generate_tests(metafunc):
    """Each class's bugs are its own assignment's."""
    if "bug" in metafunc.fixturenames:
        bugs = catalog()[metafunc.cls.assignment]
        metafunc.parametrize("bug", bugs, ids=[b.name for b in bugs])


class CatalogOf:
    assignment = None  # set by each subclass below

    @pytest.mark.parametrize("secret", SECRETS)
    def test_reference_loses_no_points(self, secret, tmp_path_factory):
        """On the hidden inputs of 2 secrets x 2 versions of the code: no test is flaky."""
        results = graded(self.assignment, tmp_path_factory, secret)
        for name in ("reference", "reference-copy"):
            failed = [
                (t["name"], t["output"][:300])
                for t in results[name]["tests"]
                if t["score"] < t["max_score"]
            ]
            assert results[name]["score"] == results[name]["max_score"] and not failed, (
                name,
                failed,
            )

    def test_a_bug_passes_no_test_by_chance(self, tmp_path_factory):
        """The buggy example passes the same tests on the hidden inputs of 2 secrets x 2
        versions of its code: a test that a bug passes on some draws grades luck (one did:
        01's one-example test, where a forgotten bias passed on about 1 draw in 3)."""
        if self.assignment not in CHANCE_CHECKED:
            pytest.skip("07's examples are not graded here (see CHANCE_CHECKED)")
        passed = {
            (secret, name): [
                t["name"]
                for t in graded(self.assignment, tmp_path_factory, secret)[name]["tests"]
                if t["score"] == t["max_score"]
            ]
            for secret in SECRETS
            for name in ("buggy", "buggy-copy")
        }
        first = next(iter(passed.values()))
        differ = {
            key: sorted(set(first) ^ set(names)) for key, names in passed.items() if names != first
        }
        assert not differ, differ

    @pytest.mark.parametrize("secret", SECRETS)
    def test_no_variant_is_flagged_for_tampering(self, secret, tmp_path_factory):
        flagged = [
            name
            for name, result in graded(self.assignment, tmp_path_factory, secret).items()
            if "extra_data" in result or "modified the grader" in result["output"]
        ]
        assert not flagged, flagged

    @pytest.mark.parametrize("secret", SECRETS)
    def test_bug_loses_points_on_its_function(self, bug, secret, tmp_path_factory):
        result = graded(self.assignment, tmp_path_factory, secret)[f"{self.assignment}__{bug.name}"]
        # a CUDA case is worth 0 points everywhere, so there a failure is what counts
        lost = [
            t
            for t in result["tests"]
            if t["name"].startswith(bug.function + ":")
            and (
                t["score"] < t["max_score"]
                or (t["max_score"] == 0 and t["output"] and not t["output"].startswith("skipped"))
            )
        ]
        assert lost, (
            f"{bug.name} ({bug.why}) lost no points on a '{bug.function}:' test; "
            f"score {result['score']}/{result['max_score']}"
        )
        assert all(t["output"] for t in lost), "a failed test must say what went wrong"

    def test_catalog_has_at_least_eight_bugs(self):
        assert len(catalog()[self.assignment]) >= 8


for _assignment in sorted(catalog()):
    _name = f"TestCatalog_{_assignment}"
    globals()[_name] = type(_name, (CatalogOf,), {"assignment": _assignment})
