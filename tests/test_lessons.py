"""What the lessons say holds: every claim a short computation can show is computed here
against the reference (``autograder.master.load_reference``) or directly, so that the text
and the numbers cannot drift apart; and the student notebooks, run before any exercise is
done, print "finish the exercises above" instead of drawing empty figures.

All in-process and cheap (seconds): no grader, no worker, no notebook kernel.
"""

import contextlib
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from autograder import build, course, master  # noqa: E402
from autograder.master import load_reference  # noqa: E402

NUMPY_ASSIGNMENTS = ["01_perceptron", "02_activations", "03_forward", "04_backprop",
                     "05_optimizers"]


def markdown(assignment):
    """The master's lesson text, all markdown cells joined."""
    return "\n".join(c.source for c in master.read_master(assignment) if c.kind == "markdown")


def lesson_cell(assignment, contains):
    """The source of the one untagged code cell of the master that contains ``contains``."""
    found = [c.source for c in master.read_master(assignment)
             if c.kind == "code" and c.role == "lesson" and contains in c.source]
    assert len(found) == 1, f"{assignment}: {len(found)} lesson cells contain {contains!r}"
    return found[0]


def run_lesson_cell(assignment, contains, namespace=None):
    """Run a lesson cell in a copy of the reference's namespace; (namespace, printed text)."""
    ns = dict(vars(load_reference(assignment)) if namespace is None else namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), _shows_close_figures():
        exec(compile(lesson_cell(assignment, contains), f"<{assignment} lesson>", "exec"), ns)
    return ns, out.getvalue()


@contextlib.contextmanager
def _shows_close_figures():
    """plt.show() closes what it shows, as Jupyter's inline backend does."""
    original = plt.show
    plt.show = lambda *a, **k: plt.close("all")
    try:
        yield
    finally:
        plt.show = original
        plt.close("all")


# ---- the student notebooks, untouched -----------------------------------------------------

def _student_code_cells(assignment):
    """(position among all cells, source) of the student notebook's code cells that run
    without otter: everything but the set-up cell and the grader.check cells."""
    nb = build.student_notebook(assignment)
    return [(i, c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "otter" not in c.source
            and not c.source.startswith("grader.check(")]


@pytest.mark.parametrize("assignment", course.assignment_names())
def test_untouched_notebook_draws_no_empty_figure(assignment):
    """Run top to bottom with every stub in place: each plot cell either shows its figure or
    prints why not, and leaves no figure behind (Jupyter would draw it empty)."""
    ns = {"__name__": "__main__"}
    with _shows_close_figures():
        for position, source in _student_code_cells(assignment):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(source, f"<{assignment} cell {position}>", "exec"), ns)
            left = plt.get_fignums()
            first = source.strip().splitlines()[0]
            assert not left, (f"{assignment}, cell {position} ({first!r}) leaves {len(left)} "
                              "figure(s) open with the stubs in place: compute before plotting")


# ---- the input conventions ------------------------------------------------------------------

def _exercise_texts(assignment):
    """{function: (its exercise's markdown, its public check)}: the markdown since the last
    "### Exercise" heading, for every function an exercise cell defines."""
    texts, heading = {}, ""
    for cell in master.read_master(assignment):
        if cell.kind == "markdown" and "### Exercise" in cell.source:
            heading = cell.source[cell.source.index("### Exercise"):]
        elif cell.role == "exercise":
            for name in re.findall(r"^(?:def|class) (\w+)", cell.source, re.M):
                texts[name] = (heading, "")
        elif cell.role == "check" and cell.question in texts:
            texts[cell.question] = (texts[cell.question][0], cell.source)
    return texts


def _hidden_list_tests(assignment):
    """{function: docstring} of the hidden tests that pass lists where arrays are expected."""
    import ast
    tree = ast.parse((course.PACKAGE_DIR / "suites" / f"test_{assignment}.py").read_text())
    found = {}
    for node in tree.body:
        is_test = isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        doc = ast.get_docstring(node) if is_test else None
        doc = doc and doc.splitlines()[0]  # the test's public name: "function: what it checks"
        if doc and re.search(r"\blists?\b", doc) and not re.search(r"params list|-layer list", doc):
            found.setdefault(doc.split(":")[0], doc)
    return found


@pytest.mark.parametrize("assignment", NUMPY_ASSIGNMENTS)
def test_conventions_are_stated_at_the_top(assignment):
    """Before the first exercise: inputs may be numbers or lists, and none is modified."""
    intro = markdown(assignment).split("### Exercise")[0]
    block = re.search(r"\*\*(?:Conventions|Rules) for every function here\*\*.*?(?=\n#?\s*\n|\Z)",
                      intro, re.S)
    assert block, f"{assignment}: no 'Conventions for every function here' paragraph before Exercise 1"
    text = " ".join(block.group(0).split())
    assert "Python number" in text and "list" in text, text
    assert re.search(r"modif(y|ies) (its|the) input", text), text


@pytest.mark.parametrize("assignment", NUMPY_ASSIGNMENTS)
def test_exercises_graded_with_lists_say_so(assignment):
    """Where a hidden test passes lists, the exercise's own text or public check does too."""
    def says_so(name):
        text, check = _exercise_texts(assignment)[name]
        return bool(re.search(r"\blists?\b", text)
                    or re.search(rf"\b{name}\(\s*\[|\b{name}\([^\n]*\.tolist\(\)", check))

    silent = [f"{name} ({doc})" for name, doc in _hidden_list_tests(assignment).items()
              if not says_so(name)]
    assert not silent, f"{assignment}: exercises graded with list inputs that never mention lists: {silent}"
