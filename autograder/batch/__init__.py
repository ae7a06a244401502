"""Grading a class: finding the submissions (``discover``), grading each in a process of its
own (``run``), and the output folder it fills (``output``): results, feedback, the gradebook,
merging shards.

The names below are the batch's API for the command line and the report.
"""

from autograder.batch.discover import discover, in_shard, parse_shard
from autograder.batch.output import (
    CODE,
    FAILED,
    FEEDBACK,
    GRADEBOOK,
    MARKER,
    RESERVED,
    RESULTS,
    claim_output,
    feedback_markdown,
    merge,
    output_id,
    read_results,
    write_atomic,
    write_gradebook,
    write_outputs,
)
from autograder.batch.run import DEFAULT_TIMEOUT, BatchReport, grade_batch

__all__ = [
    "CODE",
    "DEFAULT_TIMEOUT",
    "FAILED",
    "FEEDBACK",
    "GRADEBOOK",
    "MARKER",
    "RESERVED",
    "RESULTS",
    "BatchReport",
    "claim_output",
    "discover",
    "feedback_markdown",
    "grade_batch",
    "in_shard",
    "merge",
    "output_id",
    "parse_shard",
    "read_results",
    "write_atomic",
    "write_gradebook",
    "write_outputs",
]
