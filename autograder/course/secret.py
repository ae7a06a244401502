"""The course secret, and the salt that makes a submission's hidden inputs its own.

Every random hidden input of a suite is drawn from ``suite.rng(seed)``, whose stream depends
on a *salt*: a hash of the course secret and of the submission's code fingerprint
(``submission.fingerprint``). So:

- the same file regraded gets the same inputs, so the same grade, on every path (our grader,
  ``otter run``, nbgrader: each computes the fingerprint from the same code cells);
- changed code sees new inputs, so answers learned from one round of feedback (a failure
  message shows an expected value) do not carry to the next;
- without the secret, nobody can compute the inputs a given file will see, even with the
  grader's source.

Where the secret lives (the first that exists wins):

1. ``AUTOGRADER_SECRET`` in the environment (CI and tests set it; any text);
2. ``autograder/course_secret.txt``, written once by ``python -m autograder build`` where it
   is missing (``git``-ignored: keep it with the instructor's outputs, and back it up, since
   a new secret gives every submission new hidden inputs). The otter, Gradescope and nbgrader
   bundles carry a copy, because their graders need it; nothing a student receives does
   (the student notebooks and public checks never include the package).
3. none: the salt then comes from the code alone, which anyone with the grader's source can
   reproduce. Grading still works and stays repeatable; ``grade`` says so in a note on stderr.

Under otter and nbgrader the suite runs inside the student's kernel, where student code can
read the bundled secret: those tools' trust model, not ours (see the README).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from typing import TYPE_CHECKING

from autograder import course

if TYPE_CHECKING:
    from pathlib import Path

ENV_VAR = "AUTOGRADER_SECRET"
SECRET_FILE = course.PACKAGE_DIR / "course_secret.txt"
NO_SECRET = "no course secret"  # what stands in for one (the salt then follows the code alone)


def course_secret() -> str | None:
    """The course secret as text, or None where there is none (see the module docstring)."""
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return from_env
    try:
        text = SECRET_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def ensure_secret() -> Path:
    """Create ``course_secret.txt`` if there is none (``build`` calls this); its path."""
    if not SECRET_FILE.exists() or not SECRET_FILE.read_text(encoding="utf-8").strip():
        SECRET_FILE.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        os.chmod(SECRET_FILE, 0o600)
    return SECRET_FILE


def salt(fingerprint: str, secret: str | None = None) -> tuple[int, ...]:
    """Eight 32-bit words from the secret and the fingerprint: ``numpy`` seed entropy."""
    secret = course_secret() if secret is None else secret
    digest = hashlib.sha256(f"{secret or NO_SECRET}\0{fingerprint}".encode()).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4))
