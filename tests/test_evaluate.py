"""The evaluator's semantics on a small purpose-built contract, one behaviour a test."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from interpreter.run.runner import evaluate_files
from small_contract import HEADER

CONTRACT = HEADER + """calendar business { holidays japan; }
plan base "基本";
option a "前提オプション";
option b "依存オプション";
event service_start { starts contract, starts base; }
event order { option: option; starts option; }
event stop { option: option; }
event cancel { desired: date; }
event inheritance { started: date; }
event heir_notice;
event outage interval { until: datetime; }
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  monthly fee 0 yen for a;
  monthly fee 500 yen for b;
}
rule T-2 第2条 "解約" {
  notice cancellation by customer on cancel { effective cancel.desired; allowed month_end;
    due end of month before effective; effect ends contract; if late next_allowed; }
  notice option_stop by customer on stop { effective end of month of stop.date; effect ends stop.option; }
  b ends with a;
}
rule T-3 第3条 "届出" {
  obligation heir "相続の届出" by customer { when inheritance; due expiry of 2 weeks after inheritance.started;
    met by heir_notice; }
}
rule T-4 第4条 "停止時間" {
  state downtime "停止時間" per month = sum outage.duration for each outage in month;
  credit "ゼロの返金" per month { amount 0 yen; }
}
"""


@pytest.fixture
def run(timeline):
    return lambda events, as_of: timeline(CONTRACT, events, as_of)


def charges(ledger, label_part: str) -> list:
    return [e for e in ledger.entries if e.kind == "charge" and label_part in e.label]


def test_an_item_started_after_the_contract_end_is_fixed_ends_with_the_contract(run):
    # The contract will end 2025-06-30 (notice 05-10 for 06-30, due 05-31: met); option a starts 06-10.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-05-10, event: cancel, desired: 2025-06-30}
- {at: 2025-06-10, event: order, option: a}
""", "2025-12-31")
    # a is billed for June only (0 yen), never after the contract's end
    assert [e.period for e in charges(ledger, "前提")] == [(date(2025, 6, 10), date(2025, 6, 30))]


def test_a_dependent_started_after_its_prerequisite_end_is_fixed_ends_with_it(run):
    # a ends 2025-08-31 (stop notice 08-05); b, which ends with a, starts 08-20: b's last day is 08-31.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-01, event: order, option: a}
- {at: 2025-08-05, event: stop, option: a}
- {at: 2025-08-20, event: order, option: b}
""", "2025-12-31")
    assert [e.period for e in charges(ledger, "依存")] == [(date(2025, 8, 20), date(2025, 8, 31))]


def test_an_obligation_lapses_when_the_contract_ends_before_it_is_due(run):
    # Inheritance starts 2025-06-25: due 2025-07-09 (2 weeks after, 民法140). The contract ends 06-30.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-05-10, event: cancel, desired: 2025-06-30}
- {at: 2025-06-26, event: inheritance, started: 2025-06-25}
""", "2025-12-31")
    heir = [e for e in ledger.entries if e.kind == "obligation" and e.rule == "T-3"]
    assert [(h.due, h.status) for h in heir] == [(date(2025, 7, 9), "lapsed")]


def test_an_obligation_performed_late_is_missed_and_never_noted_as_met(run):
    # Inheritance 2025-06-25: due 2025-07-09 (2 weeks after, 民法140). The notice of 07-09 meets it; one of 07-10,
    # a day late, leaves it missed, and its note says it came late, not "met by".
    on_time, late = ("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-06-26, event: inheritance, started: 2025-06-25}
- {at: %s, event: heir_notice}
""" % day for day in ("2025-07-09", "2025-07-10"))
    [met] = [e for e in run(on_time, "2025-07-31").entries if e.rule == "T-3"]
    assert (met.status, met.note) == ("met", "met by heir_notice (2025-07-09 00:00)")
    [missed] = [e for e in run(late, "2025-07-31").entries if e.rule == "T-3"]
    assert missed.status == "missed" and "met by" not in missed.note
    assert missed.note == "performed late by heir_notice (2025-07-10 00:00), after the due date 2025-07-09"


def test_an_obligation_is_open_until_due_and_missed_after(run):
    events = """
- {at: 2025-04-01, event: service_start}
- {at: 2025-06-26, event: inheritance, started: 2025-06-25}
"""
    assert [e.status for e in run(events, "2025-07-09").entries if e.rule == "T-3"] == ["open"]
    assert [e.status for e in run(events, "2025-07-10").entries if e.rule == "T-3"] == ["missed"]


def test_outage_durations_keep_their_seconds_until_a_rule_cuts_them(run):
    # two outages of 45 seconds: 1.5 minutes in the month, not 0
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: "2025-05-01T10:00:00", event: outage, until: "2025-05-01T10:00:45"}
- {at: "2025-05-02T10:00:00", event: outage, until: "2025-05-02T10:00:45"}
""", "2025-05-31")
    may = [e for e in ledger.entries if e.kind == "state" and e.label == "停止時間" and e.date == date(2025, 5, 31)]
    assert may and may[0].value == "1.5 minutes"


def test_a_zero_credit_makes_no_entry_but_a_zero_fee_does(run):
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-01, event: order, option: a}
""", "2025-04-30")
    assert not [e for e in ledger.entries if e.kind == "credit"]
    assert [e.amount for e in charges(ledger, "前提")] == [Decimal(0)]


def test_a_late_notice_moves_to_the_first_allowed_date_whose_deadline_it_meets(run):
    # desired 2025-06-30 is due 05-31; a notice on 06-02 is late, so the end moves to 07-31 (due 06-30).
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-06-02, event: cancel, desired: 2025-06-30}
""", "2025-12-31")
    notice = [e for e in ledger.entries if e.kind == "obligation" and e.rule == "T-2"][0]
    assert (notice.due, notice.status) == (date(2025, 5, 31), "missed")
    assert "2025-07-31" in notice.note
    ends = [e.value for e in ledger.entries if e.kind == "state" and e.label == "contract ends"]
    assert ends == [date(2025, 7, 31)]


def test_months_from_counts_calendar_months_between_the_months_of_two_dates():
    from interpreter.time.calendar import BusinessCalendar
    from interpreter.run.expressions import Env, evaluate
    from interpreter.syntax.nodes import Call, DateLit

    env = Env(names={}, calendar=BusinessCalendar())

    def months(a: date, b: date) -> Decimal:
        return evaluate(Call("months_from", (DateLit(a), DateLit(b))), env).value

    assert months(date(2025, 5, 31), date(2025, 7, 14)) == 2  # May → July
    assert months(date(2025, 5, 1), date(2025, 5, 31)) == 0   # the same month
    assert months(date(2025, 11, 30), date(2026, 2, 28)) == 3  # across the year end
    assert months(date(2026, 2, 1), date(2025, 12, 1)) == -2  # backwards is negative


ITEM_SETTLEMENT = """
contract s "テスト" {
  provider "例示株式会社";
  document "テスト約款" revised 2025-04-01;
  currency JPY;
}
conventions { periods civil_code; month_end clamp; prorate actual_days; first_month full; last_month full; }
calendar business { holidays japan; }
unit account;
plan base "基本";
option x "オプション" { measured in account; }
event service_start { starts contract, starts base; }
event order { quantity: account; starts x quantity quantity; }
event stop { last_day: date; }
event counted { quantity: account; sets quantity of x to quantity; }
rule S-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  monthly fee 3,100 yen for x last month prorated not settled;     # a fixed part, prorated, never settled
  monthly fee 100 yen per account for x last month prorated;       # the account part
}
rule S-2 第2条 "最低利用期間" {
  minimum term 3 months counting from x.start for x;
  notice stop_x by customer on stop { effective stop.last_day; effect ends x; }
}
rule S-3 第3条 "清算" {
  settle "残余期間の料金" remaining minimum term as monthly fees for x partial month POLICY;
}
"""


@pytest.mark.parametrize("policy, july", [("full", Decimal(3100)), ("prorated", Decimal(900)), ("none", Decimal(0))])
def test_an_item_ending_inside_its_own_minimum_term_settles_its_own_fees(tmp_path, policy, july):
    contract = tmp_path / "s.ctr"
    contract.write_text(ITEM_SETTLEMENT.replace("POLICY", policy), encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("contract: s.ctr\nas_of: 2025-12-31\nevents:\n"
                        "  - {at: 2025-04-01, event: service_start}\n"
                        "  - {at: 2025-04-10, event: order, quantity: 20}\n"
                        "  - {at: 2025-05-05, event: counted, quantity: 31}\n"
                        "  - {at: 2025-05-06, event: stop, last_day: 2025-05-20}\n", encoding="utf-8")
    outcome = evaluate_files(None, str(scenario))
    assert outcome.ok, outcome.diagnostics
    settlement = [e for e in outcome.ledger.entries if e.rule == "S-3"]
    # x started 2025-04-10: 3 months counting from that day end 2025-07-09 (民法143). It ended 2025-05-20.
    # Account part at the count on the last day, 31 × 100 = 3,100 a month:
    #   May 21–31, prorated as its last month is: 3,100 × 11 ÷ 31 = 1,100;
    #   June in full: 3,100;
    #   July 1–9 as `partial month` says: full 3,100, prorated 3,100 × 9 ÷ 31 = 900, none 0.
    # The fixed 3,100 is `not settled`.
    assert [(e.amount, e.date, e.period) for e in settlement] == [
        (Decimal(1100 + 3100) + july, date(2025, 5, 20), (date(2025, 5, 21), date(2025, 7, 9)))]
    assert "オプション" in settlement[0].label


def test_the_difference_of_two_instants_keeps_its_seconds():
    # 2025-05-01 10:00:00 → 10:01:30 is 1.5 minutes; cutting to whole minutes is a rule's job (truncate)
    from interpreter.time.calendar import BusinessCalendar
    from interpreter.run.expressions import Env, evaluate
    from interpreter.syntax.nodes import Binary, DateTimeLit
    from interpreter.time.timestamps import parse_instant

    env = Env(names={}, calendar=BusinessCalendar())
    later, earlier = parse_instant("2025-05-01T10:01:30"), parse_instant("2025-05-01T10:00:00")
    value = evaluate(Binary("-", DateTimeLit(later), DateTimeLit(earlier)), env)
    assert (value.kind, value.value) == ("exact", Decimal("1.5"))
