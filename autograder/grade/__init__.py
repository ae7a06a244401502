"""Grading one submission: reading it, the ``student`` handle the hidden suites call, the
suite API, running a suite and scoring it, and the bridge for otter and nbgrader."""
