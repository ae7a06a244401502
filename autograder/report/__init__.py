"""The class report of a graded folder: its data (``data``), similar submissions
(``similarity``), and the page with its figures and tables (``page``).

The names below are the report's API for the command line.
"""

from autograder.report.data import HARD, Graded, problems, read_graded
from autograder.report.page import timed_report, write_report
from autograder.report.similarity import similar_pairs

__all__ = [
    "HARD",
    "Graded",
    "problems",
    "read_graded",
    "similar_pairs",
    "timed_report",
    "write_report",
]
