# The two commands of the README:
#   make grade-examples   set up .venv, build the course, grade the bundled example submissions
#   make test             set up .venv, run the repository's whole test suite
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: venv build grade-examples test bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "Python 3.11 (any 3.11.x) is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# bytecode on every core (pip compiles file by file: half of its time here); a file that
	@# does not compile under 3.11 (torch ships one for 3.12) is skipped, as pip skips it
	$(PY) -c 'import compileall, sysconfig; compileall.compile_dir(sysconfig.get_path("purelib"), quiet=2, workers=0)'
	touch $@

build: venv
	$(PY) -m autograder build

grade-examples: build
	$(PY) -m autograder grade-examples

# one pytest-xdist worker more than there are cores: many tests spend part of their time
# waiting on other programs (pip, Jupyter kernels, a grading process)
test: venv
	$(PY) -m pytest -n $$($(PY) -c 'import os; print((os.cpu_count() or 1) + 1)') --dist loadscope --no-loadscope-reorder

bench: build
	$(PY) bench/grading_speed.py
	$(PY) bench/report_speed.py

clean:
	rm -rf dist graded
