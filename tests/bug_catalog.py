"""The bug catalog: realistic wrong submissions, each a small edit of a reference master.

Each ``bugs_NN_name.py`` beside this file defines ``BUGS``, a list of ``Bug``. A bug names
the function it breaks and replaces text that occurs exactly once in the master
(``solutions/NN_name.py``). ``test_bug_catalog.py`` grades each variant and asserts that it
loses points on a test named for that function, and that the reference loses none.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOLUTIONS = HERE.parent / "solutions"


@dataclass(frozen=True)
class Bug:
    name: str  # a short id, e.g. "step_strict_inequality"
    function: str  # the contract name whose tests must lose points
    old: str  # text in the master, exactly once
    new: str  # what a student wrote instead
    why: str = ""  # the misconception, for a reader of the catalog

    def apply(self, master_text):
        count = master_text.count(self.old)
        if count != 1:
            raise ValueError(f"bug {self.name}: the text to replace occurs {count} times")
        return master_text.replace(self.old, self.new)


def catalog():
    """{assignment: [Bug, ...]} for every bugs_*.py file."""
    found = {}
    for path in sorted(HERE.glob("bugs_*.py")):
        assignment = path.stem[len("bugs_") :]
        found[assignment] = importlib.import_module(path.stem).BUGS
    return found


def write_variant(assignment, bug, folder):
    text = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
    path = Path(folder) / f"{assignment}__{bug.name}.py"
    path.write_text(bug.apply(text), encoding="utf-8")
    return path
