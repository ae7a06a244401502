"""The sandbox: the trusted half of the boundary. It starts a worker through the launcher
(``autograder/inside/launcher``), limits it, talks to it over the channel, and kills it with
everything it started.

- ``limits``    what a worker may use, the isolation modes, and how a hit limit is told;
- ``runtime``   the runtime folder (the copy of ``autograder.inside`` a worker imports), paths
                and environment;
- ``templates`` the template processes workers are forked from;
- ``worker``    ``Worker``: one worker process, started, asked, and stopped.

The names below are the sandbox's API for the other stages.
"""

from autograder.sandbox.limits import (
    FORK_MODES,
    MODES,
    UID_BASE,
    Limits,
    SandboxError,
    WorkerLost,
    describe_exit,
    describe_limit,
)
from autograder.sandbox.runtime import STALE_SECONDS, remove_stale_dirs, runtime_dir
from autograder.sandbox.templates import (
    start_templates,
    stop_templates,
    template_kind,
    uses_templates,
)
from autograder.sandbox.worker import Worker

__all__ = [
    "FORK_MODES",
    "MODES",
    "STALE_SECONDS",
    "UID_BASE",
    "Limits",
    "SandboxError",
    "Worker",
    "WorkerLost",
    "describe_exit",
    "describe_limit",
    "remove_stale_dirs",
    "runtime_dir",
    "start_templates",
    "stop_templates",
    "template_kind",
    "uses_templates",
]
