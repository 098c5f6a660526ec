# Two set-up commands (see README): `make demo` and `make test`.
# Needs only Python 3.11 on the machine; everything else is installed into .venv,
# pinned by constraints.txt so a fresh machine installs what the tests ran with.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.zonekit-installed

.PHONY: demo test install sample bench system-deps clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/zonekit demo --out out

test: $(STAMP)
	# two workers (pytest-xdist): the suite keeps to its 10 minutes on a 2-core machine
	$(BIN)/python -m pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run --demo --readme --budget-for nx_ego=1500 --product

sample: $(STAMP)
	$(BIN)/python -m zonekit.data.generate_sample

# Optional system packages: Chromium (browser tests) and a CJK font (static maps).
# Tests that need them skip with a message when they are absent; CI installs them.
system-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends chromium fonts-noto-cjk

clean:
	rm -rf out .pytest_cache
