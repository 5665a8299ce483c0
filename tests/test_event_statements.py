"""What an event sets off is looked up once per version and event name (evaluate.py, `_written_on`): an amendment
that writes a fee, a limit, an entry or an effect on an event applies to the events of its days, and only to them."""
from __future__ import annotations

from decimal import Decimal

from tests.small_contract import HEADER, ledger_of

CONTRACT = HEADER.replace("currency JPY;", 'currency JPY;\n  version original "旧約款";') + """
plan basic "基本プラン";
event service_start { starts contract, starts basic; }
event request "申込" { count: number; }
rule EX-1 第1条 "申込" {
  occurrence fee 1,000 yen on request;
}
amendment revised "新約款" effective 2025-06-01 {
  note "申込の上限と手数料の改定";
  rule EX-1 第1条 "申込" {
    occurrence fee 2,000 yen on request;
    limit "申込は3件まで" on request: request.count <= 3;
    charge handling "取扱手数料" on request = 500 yen;
  }
  rule EX-2 第2条 "申込による解約" {
    effect "5件を超える申込" on request where request.count > 5 { ends contract; }
  }
}
"""


def test_an_amendment_sets_off_what_it_writes_on_an_event_from_its_effective_date(tmp_path):
    ledger = ledger_of(tmp_path, CONTRACT, """as_of: 2025-07-31
events:
  - {at: 2025-04-01, event: service_start}
  - {at: 2025-05-31, event: request, count: 9}
  - {at: 2025-06-01, event: request, count: 2}
  - {at: 2025-06-15, event: request, count: 4}
  - {at: 2025-07-01, event: request, count: 6}
""")
    charges = [(str(e.date), e.label, e.amount) for e in ledger.entries if e.kind == "charge"]
    # 2025-05-31, under the original terms: the 1,000 yen fee only (no limit, no handling charge, no end, count 9);
    # from 2025-06-01: the 2,000 yen fee and the 500 yen handling charge on each request
    assert [(d, a) for d, _, a in charges] == [
        ("2025-05-31", Decimal(1000)),
        ("2025-06-01", Decimal(2000)), ("2025-06-01", Decimal(500)),
        ("2025-06-15", Decimal(2000)), ("2025-06-15", Decimal(500)),
        ("2025-07-01", Decimal(2000)), ("2025-07-01", Decimal(500)),
    ]
    # the limit of 3 is exceeded by the requests of 06-15 (4) and 07-01 (6), not by that of 05-31 (9)
    assert [str(e.date) for e in ledger.entries if e.kind == "finding"] == ["2025-06-15", "2025-07-01"]
    # more than 5 ends the contract: the request of 07-01 (6), not that of 05-31 (9)
    assert [str(e.value) for e in ledger.entries if e.kind == "state" and e.label == "contract ends"] == ["2025-07-01"]
