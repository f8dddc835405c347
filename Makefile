# Two commands on a fresh machine: `make demo` renders the default job, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "gdviz needs Python 3.10 or newer")'
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "python3 -m venv failed: on Debian/Ubuntu install it with: sudo apt-get install python3-venv"; exit 1; }

# The system packages, gdviz with its extras, and reveal.js from npm for `gdviz slides` (inlined into every deck;
# scenes/slides.py finds it beside the venv's Python).
$(STAMP): pyproject.toml scripts/system-deps.sh | $(BIN)/python
	bash scripts/system-deps.sh $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,manim,dask]'
	npm install --prefix $(VENV)/reveal --no-audit --no-fund --silent reveal.js@6
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gdviz regimes
	$(BIN)/gdviz render --lr 0.8
	$(BIN)/gdviz render --regime good
	$(BIN)/gdviz figures

test: $(STAMP)
	$(BIN)/ruff check gdcore scenes tests benchmarks
	$(BIN)/python -m pytest -p no:cacheprovider  # warnings are errors: see pyproject.toml

bench: $(STAMP)
	$(BIN)/python benchmarks/core.py
	$(BIN)/python benchmarks/encoder.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/data.py
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
