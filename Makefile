# planpress: `make build` sets everything up and builds every document; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test test-all bench setup system-deps check clean reference-docx

build: setup
	$(BIN)/planpress build

# The everyday run leaves out the tests marked slow; test-all (what CI runs) runs every test.
test: setup
	$(BIN)/pytest -q -m "not slow"

test-all: setup
	$(BIN)/pytest -q

# The benchmark against WeasyPrint in one pass and headless Chromium; writes its figures into
# bench/README.md. BENCH_ARGS="--runs 5 --sizes 1,4" to change it (bench/bench.py --help).
bench: setup
	@sh tools/system-deps.sh
	$(BIN)/python bench/bench.py --readme bench/README.md $(BENCH_ARGS)

check: setup
	$(BIN)/planpress check

# The last lines write WeasyPrint's precompiled C declarations into the user's cache
# (render/pdf/_weasy_ffi.py), so that the first build does not have to, and planpress's own
# bytecode (where PYTHONDONTWRITEBYTECODE is set, Python reads .pyc files but never writes them:
# every run would compile planpress's modules again, ~0.1 s).
setup: system-deps $(STAMP)
	@$(BIN)/python -c "from planpress.render.pdf import weasy" || true
	@$(BIN)/python -m compileall -q src/planpress > /dev/null || true

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
