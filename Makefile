# Two commands set everything up on a fresh clone with nothing but python3:
#   make run    evaluates a bundled contract over a bundled scenario and prints the ledger
#   make test   runs the whole test suite
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

RUN_CONTRACT := contracts/itscom-hosting.ctr
RUN_SCENARIO := contracts/scenarios/itscom-hosting/cancel-inside-minimum-term.yaml

.PHONY: run test check clean bench bench-itscom bench-batch bench-cold fuzz

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/yakkan run $(RUN_CONTRACT) --scenario $(RUN_SCENARIO)

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/yakkan check contracts

bench: $(STAMP)
	$(BIN)/python bench/bench.py

bench-itscom: $(STAMP)
	$(BIN)/python bench/compare_itscom.py --customers 10000

bench-batch: $(STAMP)
	$(BIN)/python bench/batch_bench.py

bench-cold: $(STAMP)
	$(BIN)/python bench/cold_start.py

fuzz: $(STAMP)
	$(BIN)/python bench/fuzz.py --contracts 100000 --scenarios 20000

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
