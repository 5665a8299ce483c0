"""What an event sets off is looked up once per statement tables and event name (run/event_pass.py, `_written_on`): an amendment
that writes a fee, a limit, an entry or an effect on an event applies to the events of its days, and only to them."""
from __future__ import annotations

from decimal import Decimal

from tests.small_contract import HEADER, ledger_of, started_on_april_first

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


# A contract with one plan, started by `service_start`.
STARTED = HEADER + """
plan basic "基本プラン";
event service_start { starts contract, starts basic; }
"""

# An event on which nothing is written that reads an expression (no effect, fee, limit, notice, rejection or duty
# raised on it) is passed over without its environment (run/event_pass.py, `_event`): it must still meet a duty raised
# earlier, and an event with only a rejection written on it must still be judged by it.
DUTIES = STARTED + """
event request "改善の催告" { serious: bool; }
event remedy_taken "改善の措置";
event note "連絡";
rule EX-1 第1条 "改善の措置" {
  obligation remedy "改善の措置（催告から7日以内）" by provider {
    when request;
    due request.date + 7 days;
    met by remedy_taken;
  }
  reject "軽微な催告は受け付けない" on request where not request.serious;
}
"""


def test_an_event_nothing_reads_still_meets_a_duty_and_a_rejection_still_judges(tmp_path):
    ledger = started_on_april_first(tmp_path, DUTIES, "2025-05-31")("""
  - {at: 2025-04-10, event: request, serious: false}
  - {at: 2025-04-12, event: note}
  - {at: 2025-04-20, event: request, serious: true}
  - {at: 2025-04-25, event: note}
  - {at: 2025-04-26, event: remedy_taken}
""")
    # the request of 04-10 is rejected (not serious): it raises no duty; the remedy of 04-26 meets the duty of
    # 04-20, due 04-20 + 7 days = 04-27; the notes between change nothing
    findings = [(str(e.date), e.label) for e in ledger.entries if e.kind == "finding"]
    assert findings == [("2025-04-10", "軽微な催告は受け付けない")]
    duties = [(str(e.due), e.status, e.note) for e in ledger.entries if e.kind == "obligation"]
    assert duties == [("2025-04-27", "met", "met by remedy_taken (2025-04-26 00:00)")]


# An event's name, read on another event, stands for its first occurrence not rejected (environment.py,
# `_event_names`: every declared event absent, then those the timeline has).
FIRST_OCCURRENCE = STARTED + """
event order "注文" { qty: number; }
event confirm "確認";
event cancel "取消";
rule EX-1 第1条 "注文" {
  reject "6件以上の注文" on order where order.qty > 5;
  state ordered "確認時の注文数" on confirm = order.qty;
  state cancelled "確認時の取消" on confirm = if cancel.date > 2025-01-01 then 1 else 0;
}
"""


def test_an_event_name_stands_for_its_first_occurrence_not_rejected(tmp_path):
    ledger = started_on_april_first(tmp_path, FIRST_OCCURRENCE, "2025-05-31")("""
  - {at: 2025-04-02, event: order, qty: 9}
  - {at: 2025-04-03, event: order, qty: 4}
  - {at: 2025-04-05, event: confirm}
  - {at: 2025-04-06, event: order, qty: 2}
""")
    states = {e.label: e.value for e in ledger.entries if e.kind == "state" and e.rule == "EX-1"}
    # the order of 04-02 (9) is rejected: `order` is that of 04-03 (4), not the later one of 04-06 (2)
    assert states["確認時の注文数"] == Decimal(4)
    # no cancel in the timeline: `cancel.date` is not known, so the comparison is not true
    assert states["確認時の取消"] == Decimal(0)
