"""Fuzzing with a bounded budget: mutated bundled contracts and scenarios, and text derived from the grammar,
must each end in a ledger or in diagnostics, never in an exception. bench/fuzz.py runs the same for 10^5
inputs; every crash either finds becomes a regression test in tests/test_limits.py."""
from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing

CONTRACTS = fuzzing.contracts_text()
SCENARIOS = fuzzing.scenarios_by_contract()
# Derandomized: the suite runs the same inputs every time, so a CI run cannot fail on a crash that a different
# draw happened to find; exploring new inputs is bench/fuzz.py's job (`make fuzz`), whose finds become tests.
BUDGET = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@settings(BUDGET, max_examples=100)
@given(fuzzing.mutated(CONTRACTS), st.randoms(use_true_random=False))
def test_mutated_contracts_check_and_run_without_exceptions(case, rng):
    name, _, text = case
    scenarios = SCENARIOS.get(name, [])
    fuzzing.exercise(text, [rng.choice(scenarios)[1]] if scenarios else [], name)


_SCENARIO_CASES = {f"{c}/{s}": (c, text) for c, items in SCENARIOS.items() for s, text in items}


@settings(BUDGET, max_examples=100)
@given(st.sampled_from(sorted(_SCENARIO_CASES)), st.randoms(use_true_random=False), st.integers(1, 3))
def test_mutated_scenarios_run_without_exceptions(key, rng, rounds):
    contract, text = _SCENARIO_CASES[key]
    fuzzing.exercise_scenario(contract, CONTRACTS[contract], fuzzing.mutate(text, rng, rounds))


@settings(BUDGET, max_examples=50)
@given(fuzzing.from_grammar())
def test_text_derived_from_the_grammar_checks_without_exceptions(text):
    fuzzing.exercise(text, [])


def test_mutations_are_reproducible_and_change_the_text():
    text = CONTRACTS["itscom-hosting.ctr"]
    first = [fuzzing.mutate(text, random.Random(seed)) for seed in range(20)]
    assert first == [fuzzing.mutate(text, random.Random(seed)) for seed in range(20)]
    assert sum(m != text for m in first) >= 15
    assert "".join(fuzzing.tokens(text)) == text  # tokens cover the text: a mutation loses nothing else
