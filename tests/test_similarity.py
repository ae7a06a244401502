"""Similarity on classes with known answers: the reference solution of 02 and of 07, copies of
it disguised the ways students disguise copies, and solutions written independently from the
contract (tests/report_data/independent_NN_*.py, each by a separate author). Every copy is
paired with its original, no independent solution with anything, and the result is the same
whatever Python's hash seed."""

import ast
import io
import json
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from autograder import course
from autograder.course import master
from autograder.report.data import Graded
from autograder.report.similarity import compare

HERE = Path(__file__).resolve().parent
ASSIGNMENTS = ("02_activations", "07_digits")
RESULTS = {"score": 1.0, "max_score": 1.0, "output": "", "tests": []}


def reference_code(assignment):
    """The reference as a code.py: one `# %%` cell per given and exercise cell."""
    return "".join(
        f"# %%\n{master.remove_markers(c.source).strip()}\n\n"
        for c in master.read_master(assignment)
        if c.role in ("given", "exercise")
    )


def _names_a_student_chose(code, keep):
    """Parameters and local variables of the functions (the contract's names kept)."""
    chosen = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.arg):
            chosen.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            chosen.add(node.id)
    return chosen - set(keep) - {"self"}


def renamed(code, assignment):
    """Every parameter and local variable renamed (the way a copier hides a copy)."""
    chosen = sorted(_names_a_student_chose(code, master.checks(assignment)))
    mapping = {name: f"my_{name[::-1]}_{n}" for n, name in enumerate(chosen)}
    out, previous = [], ""
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        text = tok.string
        if tok.type == tokenize.NAME and previous != "." and text in mapping:
            text = mapping[text]
        out.append((tok.type, text))
        previous = tok.string
    return tokenize.untokenize(out)


def stripped(code):
    """Comments and docstrings gone, the layout made anew (ast.unparse), cell by cell."""
    cells = []
    for cell in re.split(r"(?m)^# %%$\n?", code):
        if not cell.strip():
            continue
        tree = ast.parse(cell)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (
                isinstance(body, list)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body.pop(0)
                if not body:
                    body.append(ast.Pass())
        cells.append(f"# %%\n{ast.unparse(tree)}\n\n")
    return "".join(cells)


def parenthesised(code):
    """Every `np.` written `(np).`: one sed that fooled a raw-text comparison."""
    return re.sub(r"\bnp\.", "(np).", code)


def reordered(code):
    """The cells in reverse order."""
    cells = [c for c in re.split(r"(?m)^# %%$\n?", code) if c.strip()]
    return "".join(f"# %%\n{c.strip()}\n\n" for c in reversed(cells))


DISGUISES = {
    "renamed": lambda code, a: renamed(code, a),
    "stripped": lambda code, a: stripped(code),
    "parenthesised": lambda code, a: parenthesised(code),
    "reordered": lambda code, a: reordered(code),
    "everything": lambda code, a: reordered(parenthesised(stripped(renamed(code, a)))),
}


def independent(assignment):
    return {
        path.stem.rsplit("_", 1)[1]: path.read_text(encoding="utf-8")
        for path in sorted((HERE / "report_data").glob(f"independent_{assignment[:2]}_*.py"))
    }


def known_class(assignment):
    """[Graded]: the original, its disguised copies, and the independent solutions."""
    original = reference_code(assignment)
    codes = {"original": original}
    codes |= {
        f"copy-{name}": disguise(original, assignment) for name, disguise in DISGUISES.items()
    }
    codes |= {f"independent-{author}": code for author, code in independent(assignment).items()}
    return [Graded(sid, RESULTS, "", code) for sid, code in codes.items()]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_disguised_copy_is_paired_and_no_independent_work(assignment):
    authors = independent(assignment)
    assert len(authors) >= 3, f"fewer than 3 independent solutions of {assignment}"
    found = compare(known_class(assignment), assignment)
    pairs = {frozenset((p.a, p.b)): p for p in found.pairs}
    for name in DISGUISES:
        assert frozenset(("original", f"copy-{name}")) in pairs, (
            f"the copy {name} is not paired with its original: {sorted(map(sorted, pairs))}"
        )
    wrongly = [sorted(pair) for pair in pairs if any(s.startswith("independent") for s in pair)]
    assert not wrongly, f"independent work listed as similar: {wrongly}"
    for pair in found.pairs:  # what the page shows is what was computed
        assert pair.shared_tokens >= 120 and "share" in pair.why
    assert found.compared == len(known_class(assignment)) * (len(known_class(assignment)) - 1) // 2


PRINT_PAIRS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from test_similarity import known_class
from autograder.report.similarity import compare
found = compare(known_class(sys.argv[2]), sys.argv[2])
print(json.dumps([[p.a, p.b, p.similarity_a, p.similarity_b, p.shared_tokens]
                  for p in found.pairs]))
"""


def test_the_same_class_gives_the_same_pairs_whatever_the_hash_seed():
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", PRINT_PAIRS, str(HERE), "02_activations"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=course.REPO_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1] and runs[0]
