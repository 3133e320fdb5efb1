# The two commands: `make run` (the whole system, foreground) and `make test`.
# Every target prepares what it needs first; see README.md.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:

PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: help venv services tools migrate prepare run start stop test lint typecheck deploy-check bench clean

help:
	@echo "make run        prepare, then run every process in the foreground (Ctrl-C stops)"
	@echo "make test       prepare, then lint, type check and the whole test suite"
	@echo "make start      like run, in the background (var/log, var/run); make stop"
	@echo "make bench      run the benchmarks"
	@echo "make prepare    .venv, PostgreSQL and RabbitMQ, databases and migrations"
	@echo "make deploy-check  promtool, compose and Kubernetes checks of deploy/"
	@echo "make lint | typecheck | migrate | clean"

venv:
	bash deploy/scripts/ensure-venv.sh

services: venv
	bash deploy/scripts/ensure-services.sh

# promtool and prometheus (Debian's prometheus package), for deploy-check and tests
tools:
	bash deploy/scripts/ensure-tools.sh

migrate: services
	$(PY) -m eventing migrate

prepare: venv services migrate

run: prepare
	bash deploy/scripts/run.sh

start: prepare
	bash deploy/scripts/start.sh

stop:
	bash deploy/scripts/stop.sh

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

deploy-check: venv tools
	bash deploy/scripts/check-deploy.sh

# What is checked, and how strictly, is in pyproject.toml ([tool.mypy]).
typecheck: venv
	.venv/bin/mypy

# Tests create their own databases and vhost, so no migrate here. pytest's exit code 5
# (no tests collected) fails like any other non-zero code.
test: venv services tools lint typecheck deploy-check
	@rc=0; $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; \
	exit $$rc

bench: venv services
	bash deploy/scripts/ensure-tools.sh wrk
	$(PY) -m benchmarks

clean: stop
	rm -rf var
