"""The README's commands work as written: each tool they call is found where `make venv` puts
it, each folder they write into exists, and its two main commands are the Makefile's and CI's."""

import re

from autograder import course

README = (course.REPO_ROOT / "README.md").read_text(encoding="utf-8")
VENV_TOOLS = ("otter", "nbgrader", "jupyter", "pytest")  # installed in .venv, not on PATH


def _shell_blocks(text):
    return re.findall(r"```(?:bash|sh|console)\n(.*?)```", text, flags=re.S)


def test_tools_of_the_virtualenv_are_called_from_it():
    wrong = []
    for block in _shell_blocks(README):
        active = False
        for line in block.splitlines():
            command = line.split("#")[0].strip()
            if command.startswith(("source .venv/bin/activate", ". .venv/bin/activate")):
                active = True
            elif command.split(" ")[0] in VENV_TOOLS and not active:
                wrong.append(command)
    assert not wrong, (
        f"called without activating .venv (command not found on a fresh machine): {wrong}"
    )


def test_a_folder_a_command_writes_into_is_made_first():
    """otter writes results into -o DIR and fails when DIR does not exist."""
    missing = []
    for block in _shell_blocks(README):
        made = set()
        for line in block.splitlines():
            command = line.split("#")[0].strip()
            made |= set(re.findall(r"mkdir -p (\S+)", command))
            if command.startswith("otter "):
                for folder in re.findall(r"-o (\S+)", command):
                    if folder.rstrip("/") not in {m.rstrip("/") for m in made}:
                        missing.append(command)
    assert not missing, missing


def test_the_two_main_commands_are_the_makefiles_and_ci_runs_the_tests():
    makefile = (course.REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("grade-examples", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    ci = (course.REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M)
