"""Deadline idioms written as words: clear days (「N日前までに」) and claim windows that open before the right
arises (「翌月15日までに」 sets only an end). Figures worked by hand in the comments."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from small_contract import HEADER, ledger_of

from interpreter.run.expressions import Env, evaluate
from interpreter.syntax import nodes as n
from interpreter.time.calendar import BusinessCalendar


def clear_before(count: int, unit: str, day: date) -> date:
    node = n.ClearBefore(n.Num(Decimal(count), unit), n.DateLit(day))
    return evaluate(node, Env(names={}, calendar=BusinessCalendar())).value


@pytest.mark.parametrize("count, unit, day, expected", [
    # 「7日前までに」 for 06-10: seven whole days 06-03…06-09 lie between, so the notice is due 06-02
    (7, "days", date(2025, 6, 10), date(2025, 6, 2)),
    # two clear weeks before 06-01: 05-18…05-31 between → 05-17
    (2, "weeks", date(2025, 6, 1), date(2025, 5, 17)),
    # three clear months before 06-30: 03-30…06-29 between → 03-29
    (3, "months", date(2025, 6, 30), date(2025, 3, 29)),
    # counted from the day itself, clamped: 03-31 − 1 month = 02-28 (no 02-31), the day before is 02-27
    (1, "months", date(2025, 3, 31), date(2025, 2, 27)),
    # a leap year: 2024-03-31 − 1 month = 2024-02-29, the day before is 02-28
    (1, "months", date(2024, 3, 31), date(2024, 2, 28)),
    (1, "years", date(2025, 3, 1), date(2024, 2, 29)),
])
def test_clear_periods(count, unit, day, expected):
    assert clear_before(count, unit, day) == expected


CONTRACT = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event maintenance_notice { scheduled: date; }
event sla_claim "返金の申請";
event outage interval { until: datetime; }
rule T-1 第1条 "料金" { monthly fee 10,000 yen for base; }
rule T-2 第2条 "保守の通知" {
  notice maintenance by provider on maintenance_notice {
    effective maintenance_notice.scheduled;
    due 7 clear days before effective;
  }
}
rule T-3 第3条 "返金" {
  credit refund "返金" per month {
    require (count for each outage in month) > 0;
    amount 1,000 yen;
    claim from month.start by day 15 of month after month.end via sla_claim;
  }
}
"""


@pytest.fixture
def run(tmp_path):
    def evaluate_events(events: str):
        return ledger_of(tmp_path, CONTRACT, "as_of: 2025-12-31\nevents:\n  - {at: 2025-04-01, event: service_start}\n"
                         + events)

    return evaluate_events


@pytest.mark.parametrize("sent, status", [("2025-06-02", "met"), ("2025-06-03", "missed")])
def test_a_notice_due_seven_clear_days_before(run, sent, status):
    # maintenance on 06-10: due 06-02 (06-03…06-09 are the seven clear days)
    ledger = run(f"  - {{at: {sent}, event: maintenance_notice, scheduled: 2025-06-10}}\n")
    (duty,) = [e for e in ledger.entries if e.kind == "obligation" and e.rule == "T-2"]
    assert (duty.due, duty.status) == (date(2025, 6, 2), status)


# The effective date given as a day, or as the moment the notice arrives (a date and time: the notice takes
# effect on its day). The deadline is 7 clear days before: 06-10 → 06-02 (06-03…06-09 between).
NOTICE_AT = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event maintenance_notice { scheduled: date; }
rule T-2 第2条 "保守の通知" {
  notice maintenance by provider on maintenance_notice {
    effective EFFECTIVE;
    due 7 clear days before effective;
    if late stands;
  }
}
"""


@pytest.mark.parametrize("effective, steps", [
    # a date: its value is the result, written once
    ("maintenance_notice.scheduled", ["effective = maintenance_notice.scheduled = 2025-06-10",
                                      "due = 7 clear days before effective = 2025-06-02"]),
    # a date and time (JST): the value written as evaluated, then the day it stands for
    ("maintenance_notice.at", ["effective = maintenance_notice.at = 2025-06-10T09:30 = 2025-06-10",
                               "due = 7 clear days before effective = 2025-06-02"]),
])
def test_a_notice_explains_its_effective_date_and_deadline(tmp_path, effective, steps):
    ledger = ledger_of(tmp_path, NOTICE_AT.replace("EFFECTIVE", effective),
                       "as_of: 2025-12-31\nevents:\n  - {at: 2025-04-01, event: service_start}\n"
                       "  - {at: \"2025-06-10T09:30\", event: maintenance_notice, scheduled: 2025-06-10}\n")
    (duty,) = [e for e in ledger.entries if e.kind == "obligation" and e.rule == "T-2"]
    # sent on 06-10, after the 06-02 deadline
    assert (duty.due, duty.status) == (date(2025, 6, 2), "missed")
    assert list(duty.explanation) == steps + ["notice received 2025-06-10"]


OUTAGE = "  - {at: \"2025-06-10T10:00\", event: outage, until: \"2025-06-10T12:00\"}\n"


@pytest.mark.parametrize("claimed, status", [
    ("2025-06-20", "claimed"),   # during the month concerned: in time, the window opens on 06-01
    ("2025-07-15", "claimed"),   # the 15th of the next month: the last day
    ("2025-07-16", "lapsed"),    # one day late
])
def test_a_claim_window_that_opens_before_the_right_arises(run, claimed, status):
    # June's refund arises at the month's end (06-30); the window runs 06-01…07-15
    ledger = run(OUTAGE + f"  - {{at: {claimed}, event: sla_claim}}\n")
    (refund,) = [e for e in ledger.entries if e.kind == "credit"]
    assert refund.window == (date(2025, 6, 1), date(2025, 7, 15))
    assert refund.status == status and refund.amount == Decimal(1000)


# The same refund with a window that opens only when the right arises, at the month's end (06-30…07-15).
CLAIM_FROM_THE_DAY_IT_ARISES = CONTRACT.replace("claim from month.start by", "claim by")


@pytest.mark.parametrize("claims, status, early", [
    (["2025-06-20"], "lapsed", [date(2025, 6, 20)]),   # in the month concerned, before 06-30: claims nothing
    (["2025-06-20", "2025-07-01"], "claimed", []),     # a claim inside the window follows: nothing to report
    (["2025-06-30"], "claimed", []),                   # the first day of the window
    (["2025-05-20"], "lapsed", []),                    # before June began: not a claim for June's refund
])
def test_a_claim_before_the_window_opens_is_a_finding(tmp_path, claims, status, early):
    events = "".join(f"  - {{at: {c}, event: sla_claim}}\n" for c in claims)
    ledger = ledger_of(tmp_path, CLAIM_FROM_THE_DAY_IT_ARISES,
                       "as_of: 2025-12-31\nevents:\n  - {at: 2025-04-01, event: service_start}\n" + OUTAGE + events)
    (refund,) = [e for e in ledger.entries if e.kind == "credit"]
    assert refund.window == (date(2025, 6, 30), date(2025, 7, 15)) and refund.status == status
    findings = [e for e in ledger.entries if e.kind == "finding"]
    assert [f.date for f in findings] == early
    assert all(f.label == "claim before the window opened: 返金" and f.rule == "T-3" and f.source for f in findings)
