# planpress: `make build` sets everything up and builds every document; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test setup system-deps check clean reference-docx

build: setup
	$(BIN)/planpress build

test: setup
	$(BIN)/pytest -q

check: setup
	$(BIN)/planpress check

setup: system-deps $(STAMP)

system-deps:
	@sh tools/system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

reference-docx: setup
	$(BIN)/python tools/make_reference_docx.py layouts/reference.docx

clean:
	rm -rf output .planpress-cache
