"""Workers forked from the template (autograder.inside.launcher.template) against workers exec'd
fresh.

A worker from the template must be indistinguishable, for the submission and for the hidden
suite, from one started the exec way: same environment, fds, privileges, paths and limits,
fresh random state, nothing left by an earlier worker, no torch it did not import; and the
grader must fall back to the exec way wherever the template cannot serve.
"""

import os
import signal

import pytest

from autograder import sandbox
from autograder.grade.student import RemoteStudent
from autograder.sandbox import templates
from autograder.sandbox.limits import Limits
from autograder.sandbox.templates import ForkedLauncher

FACTS = r"""
import os, random, resource, sys, tempfile
import numpy as np


def facts():
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    configdir = __import__("matplotlib").get_configdir()
    return {
        "fds": len(os.listdir("/proc/self/fd")),
        "argv": [os.path.basename(sys.argv[0]), sys.argv[1].isdigit()],
        "path0_is_cwd": sys.path[0] == os.getcwd(),
        "path": sys.path[1:],
        "env": sorted(k for k in os.environ),
        "home_is_cwd": os.environ["HOME"] == os.getcwd(),
        "tempdir_is_cwd": tempfile.gettempdir() == os.getcwd(),
        "mpl_dir_is_cwd": configdir == os.getcwd(),
        "uid_not_root": os.getuid() != 0 and os.geteuid() != 0,
        "ppid": os.getppid(),
        "threads": len(os.listdir("/proc/self/task")),
        "caps": [status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")],
        "no_new_privs": status["NoNewPrivs"].strip(),
        "limits": [resource.getrlimit(getattr(resource, n)) for n in
                   ("RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_CORE")],
        "stdin": os.readlink("/proc/self/fd/0"),
        "main": sys.modules["__main__"].__name__,
        "flags": str(sys.flags),
    }


def draw():
    return [random.random(), float(np.random.rand())]
"""


def start(cells, way, **limits):
    student = RemoteStudent(cells, Limits(worker_start=way, **limits))
    assert student.ensure_loaded() is None, student._load_failure
    return student


@pytest.fixture(scope="module")
def template_works():
    student = start(["x = 1"], "template")
    try:
        if not isinstance(student._worker.proc, ForkedLauncher):
            pytest.skip("no template here (isolation none, or it could not start)")
    finally:
        student.close()


def test_same_process_as_an_exec_worker(template_works):
    found = {}
    for way in ("exec", "template"):
        student = start([FACTS], way)
        try:
            assert isinstance(student._worker.proc, ForkedLauncher) == (way == "template")
            found[way] = student.facts()
        finally:
            student.close()
    assert found["template"] == found["exec"]
    assert found["template"]["fds"] == 5  # stdin, stdout, stderr, the channel, listdir's


def test_every_worker_is_a_fresh_fork(template_works):
    first = start(
        [
            "import numpy as np, sys\nnp.LEFT_BEHIND = 1\n"
            "sys.modules['json'].LEFT_BEHIND = 1\nnp.random.seed(0)\n"
            "def draw():\n    return float(np.random.rand())"
        ],
        "template",
    )
    try:
        assert first.draw() == pytest.approx(0.5488135039273248)  # seed 0: its own state
    finally:
        first.close()
    draws = []
    for _ in range(2):
        student = start(
            [
                FACTS + "\nimport json\ndef left():\n"
                "    return [hasattr(np, 'LEFT_BEHIND'), hasattr(json, 'LEFT_BEHIND')]"
            ],
            "template",
        )
        try:
            assert student.left() == [False, False]
            draws.append(student.draw())
        finally:
            student.close()
    # reseeded from OS entropy in each worker, as a fresh interpreter seeds itself
    assert draws[0][0] != draws[1][0] and draws[0][1] != draws[1][1]
    assert 0.5488135039273248 not in (draws[0][1], draws[1][1])


def test_no_torch_unless_the_submission_imports_it(template_works):
    assert sandbox.template_kind(["# torch would be nice\nx = 'import torch'"]) == "basic"
    student = start(["import numpy as np\nimport matplotlib.pyplot as plt"], "template")
    try:
        assert student.probe("common.loaded_modules", ["torch", "scipy", "sklearn", "jax"]) == []
    finally:
        student.close()


@pytest.mark.skipif(
    sandbox.template_kind(["import torch"]) != "torch", reason="torch is not installed"
)
def test_torch_template(template_works):
    assert sandbox.template_kind(["from torch import nn"]) == "torch"
    source = (
        "import torch\n\ndef draw():\n    return float(torch.rand(1))\n\n"
        "def threads():\n    return [torch.get_num_threads(), torch.initial_seed() > 0]"
    )
    draws = []
    for _ in range(2):
        student = start([source], "template")
        try:
            assert student._worker.proc.__class__ is ForkedLauncher
            assert student.threads() == [1, True]
            draws.append(student.draw())
        finally:
            student.close()
    assert draws[0] != draws[1]  # torch's generator reseeded, as at a fresh start


def test_a_dead_template_is_replaced(template_works):
    template = templates._templates["basic"]
    os.kill(template.proc.pid, signal.SIGKILL)
    template.proc.wait()
    student = start(["def f():\n    return 42"], "template")
    try:
        assert student.f() == 42
    finally:
        student.close()


def test_isolation_none_is_exec_d(template_works):
    student = start(["def f():\n    return 42"], "template", isolation="none")
    try:
        assert not isinstance(student._worker.proc, ForkedLauncher)
        assert student.f() == 42
    finally:
        student.close()
