"""Probes: functions ``probe(namespace, *plain_args) -> plain data`` that a hidden suite runs
next to the student code (``student.probe("module.probe", ...)``), and next to the reference
solution in a worker of its own (``reference.probe(...)``), for objects that cannot cross the
process boundary themselves (an nn.Module, an optimizer, a training loop). The grading
process names them and never imports them."""

import importlib
import os
import sys


def module_names():
    """The full names of the probe modules: every public .py file of this folder."""
    folder = os.path.dirname(__file__)
    return [f"{__name__}.{name[:-3]}" for name in sorted(os.listdir(folder))
            if name.endswith(".py") and not name.startswith("_")]


class _NotTorch:
    """Refuses torch: a worker that has not loaded it does not pay its import for a probe."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "torch":
            raise ImportError("torch is not loaded in this worker")
        return None


def load_all():
    """Import the probe modules before the submission runs, so that a probe module the
    submission finds loaded is ours, watched by the tamper evidence from the start
    (``integrity``). Those this worker cannot load stay out: a banned library's, and, where
    torch is not loaded yet (a worker started afresh, not from a torch template), torch's;
    they load at their first use."""
    refuse = None if "torch" in sys.modules else _NotTorch()
    if refuse:
        sys.meta_path.insert(0, refuse)
    try:
        for name in module_names():
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    finally:
        if refuse:
            sys.meta_path.remove(refuse)
