# Set-up and everyday tasks. `make run` and `make test` work on a fresh clone (they install first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: install run test model lint bench clean-out

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

## run: clean the bundled examples/ into out/ and show what was removed
run: $(STAMP)
	$(BIN)/stripper clean examples -o out --show-removed

## test: the whole test suite (includes the quality gate)
test: $(STAMP)
	$(BIN)/python -m pytest -q

## model: rebuild the packaged model from training_data/ (prints grouped cross-validation figures)
model: $(STAMP)
	$(BIN)/stripper train training_data -o stripper/models

lint: $(STAMP)
	$(BIN)/ruff check stripper tests benchmarks

## bench: quality and speed against peers on ../shared/eval; writes benchmarks/RESULTS.md and charts
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

clean-out:
	rm -rf out
