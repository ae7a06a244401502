"""Every catalogued bug loses points on a test named for the function it breaks."""

import pytest

from bug_catalog import catalog, write_variant

CASES = [(a, bug) for a, bugs in catalog().items() for bug in bugs]


@pytest.mark.parametrize("assignment,bug", CASES, ids=[f"{a}-{b.name}" for a, b in CASES])
def test_bug_loses_points_on_its_function(assignment, bug, tmp_path, grade):
    result = grade(write_variant(assignment, bug, tmp_path), assignment)
    # a CUDA case is worth 0 points everywhere, so there a failure is what counts
    lost = [t for t in result["tests"]
            if t["name"].startswith(bug.function + ":") and (
                t["score"] < t["max_score"]
                or (t["max_score"] == 0 and t["output"] and not t["output"].startswith("skipped")))]
    assert lost, (f"{bug.name} ({bug.why}) lost no points on a '{bug.function}:' test; "
                  f"score {result['score']}/{result['max_score']}")
    assert all(t["output"] for t in lost), "a failed test must say what went wrong"


@pytest.mark.parametrize("assignment", sorted(catalog()))
def test_catalog_has_at_least_eight_bugs(assignment):
    assert len(catalog()[assignment]) >= 8
