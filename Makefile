# The two commands of the README:
#   make grade-examples   set up .venv, build the course, grade the bundled example submissions
#   make test             set up .venv, run `make lint`, then the repository's whole test suite
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: venv build grade-examples lint test bench clean

venv: $(VENV)/.installed

# uv installs the pins: the whole venv takes 57 s on a fresh 2-core machine here, where pip
# took 2 min 20 s to 2 min 36 s (the same versions and files). uv reads no pip settings, so
# the wheel folders pip is pointed at (find-links, from PIP_FIND_LINKS or pip's config: where
# some machines keep the CPU build of torch) are passed on to it.
UV_VERSION := 0.13.9

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "Python 3.11 (any 3.11.x) is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	links="$${PIP_FIND_LINKS:-$$($(PY) -m pip config get global.find-links 2>/dev/null)}"; \
	set --; for link in $$links; do set -- "$$@" --find-links "$$link"; done; \
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode "$$@" \
		-r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

build: venv
	$(PY) -m autograder build

grade-examples: build
	$(PY) -m autograder grade-examples

# ruff (lint, then format) and mypy, at the versions requirements.txt pins; make test runs
# them first. Settings in pyproject.toml.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# one pytest-xdist worker more than there are cores: many tests spend part of their time
# waiting on other programs (pip, Jupyter kernels, a grading process)
test: venv lint
	$(PY) -m pytest -n $$($(PY) -c 'import os; print((os.cpu_count() or 1) + 1)') --dist loadscope --no-loadscope-reorder

bench: build
	$(PY) bench/grading_speed.py
	$(PY) bench/report_speed.py

clean:
	rm -rf dist graded
