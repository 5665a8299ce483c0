"""The Python API (docs/api.md runs its examples; these are the edges) and what each command imports."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from interpreter.api import Contract, ContractError, Timeline

ROOT = Path(__file__).resolve().parent.parent
ITS = str(ROOT / "contracts" / "itscom-hosting.ctr")


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.load(ITS)


def test_a_missing_contract_is_a_contract_error(tmp_path):
    with pytest.raises(ContractError) as error:
        Contract.load(str(tmp_path / "nothing.ctr"))
    assert [d.code for d in error.value.diagnostics] == ["E100"]


def test_evaluate_many_is_lazy_and_a_rejected_timeline_changes_nothing(contract):
    good = Timeline("A", [{"at": "2025-05-12", "event": "service_start", "plan": "www"}], as_of="2025-05-31")
    bad = Timeline("B", [{"at": "2025-05-32", "event": "service_start", "plan": "www"}])
    alone = contract.evaluate(good)
    results = contract.evaluate_many(iter([bad, good]))
    first = next(results)  # evaluated one at a time
    assert (first.customer, first.ok, first.diagnostics[0].code) == ("B", False, "E606")
    second = next(results)
    assert second.rows() == alone.rows()
    # as of 2025-05-31 only WWW's initial fee (加入料, 別表①) of 20,000 yen is charged: monthly fees are billed
    # from the month after the service start (ITS-6, C-4: 提供開始月の翌月分から)
    assert second.ledger.totals()["charge"] == Decimal(20000)


def test_a_float_is_read_by_its_shortest_text(contract):
    """A payment of 11000.0 is the text "11000.0", read as the decimal 11000.0, never as a float."""
    events = [{"at": "2025-05-12", "event": "service_start", "plan": "www"},
              {"at": "2025-05-12", "event": "payment", "amount": 22000.0}]
    as_text = [dict(events[0]), dict(events[1], amount="22000")]
    assert contract.evaluate(Timeline("A", events)).rows() == contract.evaluate(Timeline("A", as_text)).rows()


def test_check_imports_neither_the_tools_nor_pyarrow():
    """A command imports what it needs: `yakkan check` not the REPL, the differ, the formatter, pyarrow or Dask."""
    code = ("import sys; from interpreter.cli import main; main(['check', 'contracts/itscom-hosting.ctr']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyarrow', 'dask', 'tqdm', 'prompt_toolkit') "
            "or m.startswith(('interpreter.tools.', 'interpreter.batch.'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_an_event_after_the_as_of_day_is_not_known_and_is_left_out(contract):
    # A ledger as of 2025-12-31 knows nothing of a payment of 2026-02-28: W601 says so, and the ledger is the one
    # of the timeline without it (here: the September invoice, 11,000 due 10-31, stays unpaid and missed).
    events = [{"at": "2025-04-01", "event": "service_start", "plan": "www"},
              {"at": "2026-02-28", "event": "payment", "amount": 11000}]
    result = contract.evaluate(Timeline("A", events, as_of="2025-12-31"))
    assert result.ok
    assert [d.code for d in result.diagnostics] == ["W601"]
    assert "2026-02-28 is after the as-of day 2025-12-31" in result.diagnostics[0].message
    without = contract.evaluate(Timeline("A", events[:1], as_of="2025-12-31"))
    assert result.rows() == without.rows()
    assert not any(e.date and e.date > result.ledger.as_of for e in result.ledger.entries if e.kind == "invoice")
    # as of the payment's day it is known: it pays April's 22,000 (due 05-31) late
    known = contract.evaluate(Timeline("A", events, as_of="2026-02-28"))
    assert [d.code for d in known.diagnostics] == []
    assert any(e.kind == "charge" and e.rule == "ITS-16" for e in known.ledger.entries)


def test_an_outage_running_past_the_as_of_day_counts_to_its_end(contract):
    # unusable from 10-22 00:00 "until" 12-18 08:00, as of 11-30: known for 40 days (960 hours) → 40 × 10,000 ÷ 30 =
    # 13,333; W601 says the rest is not counted; as of 12-31 the whole 57 days 8 hours → 57 × 10,000 ÷ 30 = 19,000
    events = [{"at": "2025-05-28T09:00", "event": "service_start", "plan": "www"},
              {"at": "2025-10-22T00:00", "event": "outage", "until": "2025-12-18T08:00", "cause": "provider"},
              {"at": "2025-11-16T00:00", "event": "reduction_claim"}]

    def credit(as_of: str):
        result = contract.evaluate(Timeline("A", events, as_of=as_of))
        return [d.code for d in result.diagnostics], [e.amount for e in result.ledger.entries if e.kind == "credit"]

    assert credit("2025-11-30") == (["W601"], [Decimal(13333)])
    assert credit("2025-12-31") == ([], [Decimal(19000)])
