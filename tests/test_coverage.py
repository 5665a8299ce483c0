"""Every rule of shared/spec/clauses.md is encoded, cited and proven by at least one scenario expectation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from interpreter.loader import load_contract
from interpreter.run.scenario import SeqValue, load_scenario

ROOT = Path(__file__).resolve().parent.parent
CLAUSES = ROOT.parent / "shared" / "spec" / "clauses.md"
CONTRACTS = {"ITS": "itscom-hosting", "IIJ": "iij-secure-mx", "HEN": "hennge-cmc", "AIR": "airnet-allinone",
             "MIN": "minato-mobile"}


def clause_ids() -> list[str]:
    if not CLAUSES.exists():
        pytest.skip("shared/spec/clauses.md is not beside this checkout")
    prefixes = "|".join(CONTRACTS)
    # MIN-A2 names 附則2: a rule id may number a supplementary provision (A…) as well as an article.
    return re.findall(rf"^\| ((?:{prefixes})-A?\d+) \|", CLAUSES.read_text(encoding="utf-8"), re.M)


def base(rule_id: str) -> str:
    """ITS-3a is a part of ITS-3."""
    return re.sub(r"[a-z]$", "", rule_id)


def cited(contract: str) -> set[str]:
    model, diagnostics, _ = load_contract(str(ROOT / "contracts" / f"{contract}.ctr"))
    assert model is not None, diagnostics
    return {base(rule_id) for version in model.versions for rule_id in version.tables.rules}


def proven(contract: str) -> set[str]:
    ids: set[str] = set()
    for path in (ROOT / "contracts" / "scenarios" / contract).rglob("*.yaml"):
        scenario, _ = load_scenario(str(path))
        for item in scenario.expect:
            if str(getattr(item.get("absent"), "raw", "false")).lower() == "true":
                continue  # an absence proves a rule did not apply, not that it computes right
            for key in ("rule", "also"):
                value = item.get(key)
                values = value.items if isinstance(value, SeqValue) else [value] if value is not None else []
                ids |= {base(v.raw) for v in values}
    return ids


def test_the_rules_of_the_fifth_contract_are_read():
    assert len([i for i in clause_ids() if i.startswith("MIN-")]) == 17  # MIN-2 … MIN-18, MIN-A2


def test_the_list_of_rules_is_read():
    assert len([i for i in clause_ids() if not i.startswith("MIN-")]) == 27 + 15 + 22 + 3


@pytest.mark.parametrize("prefix", sorted(CONTRACTS))
def test_every_rule_is_cited_by_its_contract(prefix):
    wanted = {i for i in clause_ids() if i.startswith(prefix)}
    assert wanted - cited(CONTRACTS[prefix]) == set()


@pytest.mark.parametrize("prefix", sorted(CONTRACTS))
def test_every_rule_is_proven_by_an_expectation(prefix):
    wanted = {i for i in clause_ids() if i.startswith(prefix)}
    assert wanted - proven(CONTRACTS[prefix]) == set()
