"""Grade files in this one process, each on all its tests or on one question, under each of
several course secrets: the bug catalog's reference and variants.

    python tests/grade_by_question.py ASSIGNMENT OUT.json SECRET,SECRET... FILE[=QUESTION] ...

Writes {secret: {file name without its suffix: results.json}} to OUT.json. Each result is
what ``grade FILE --json`` (with ``--question QUESTION``) prints under that secret
(``grading.grade_file``); one process for them all spares the start-up of one per file
(Python, the suite's torch, the worker templates), and a variant needs only the tests of the
function its bug breaks: the rest of a heavy suite (07's trains networks) would only cost
time.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import course, sandbox  # noqa: E402
from autograder.course import secret
from autograder.grade.grading import grade_file  # noqa: E402


def main(assignment, out, secrets, *files):
    sandbox.start_templates(banned=course.banned_imports(assignment))  # once, as a batch does
    results = {}
    for course_secret in secrets.split(","):
        os.environ[secret.ENV_VAR] = course_secret  # read at each grading (secret.salt)
        results[course_secret] = {}
        for item in files:
            path, _, question = item.partition("=")
            results[course_secret][Path(path).stem] = grade_file(
                path, assignment, question=question or None
            )
    Path(out).write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
