"""The effect vocabulary (`effect`, `accelerates debts`, `suspends service`, `waives fees`, `refund`, `next`,
`when … where`) on tests/good/effects.ctr: monthly fee 10,000 yen, 加入料 3,000, invoices due at the end of the
month after, interest 14.6 % a year from the day after the due date to the day before payment, no tax."""
from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from small_contract import ledger_of

CONTRACT = Path(__file__).parent / "good" / "effects.ctr"


@pytest.fixture
def run(tmp_path):
    text = CONTRACT.read_text(encoding="utf-8")
    return lambda events, as_of: ledger_of(tmp_path, text, f"as_of: {as_of}\nevents:\n"
                                           + textwrap.indent(events.strip(), "  ") + "\n")


def entries(ledger, kind: str, rule: str | None = None) -> list:
    return [e for e in ledger.entries if e.kind == kind and (rule is None or e.rule == rule)]


def terminated(run, event: str, day: str, paid: str, as_of: str):
    """April's 13,000 paid on its due date 05-31; terminated by EVENT on DAY; 20,000 paid on PAID."""
    return run(f"""
- {{at: 2025-04-01, event: service_start}}
- {{at: 2025-05-31, event: payment, amount: 13000}}
- {{at: {day}, event: {event}}}
- {{at: {paid}, event: payment, amount: 20000}}
""", as_of)


def test_accelerated_debts_fall_due_on_the_day_and_interest_runs_from_the_next(run):
    # April 13,000 paid on its due date 05-31. Terminated Tue 06-10: May (due 06-30) and June (due 07-31) fall due
    # 06-10. 20,000 paid 06-20 → each invoice of 10,000 bears 06-11 … 06-19 = 9 days:
    # 10,000 × 14.6 % × 9 ÷ 365 = 13,140 ÷ 365 = 36 yen. Without the acceleration neither would bear any.
    # The 72 yen of interest arise on 06-20, after the debts fell due: a June invoice of their own, due 07-31 (the
    # June invoice's own due date), not on the June invoice accelerated to 06-10 before they existed.
    ledger = terminated(run, "default_termination", "2025-06-10", "2025-06-20", "2025-07-31")
    invoices = sorted((e.period[0], e.due, e.amount) for e in entries(ledger, "invoice"))
    assert invoices == [(date(2025, 4, 1), date(2025, 5, 31), 13000), (date(2025, 5, 1), date(2025, 6, 10), 10000),
                        (date(2025, 6, 1), date(2025, 6, 10), 10000), (date(2025, 6, 1), date(2025, 7, 31), 72)]
    interest = [e for e in entries(ledger, "charge") if e.label == "料金" and e.period[0] == date(2025, 6, 11)]
    assert [(e.amount, e.period) for e in interest] == [(36, (date(2025, 6, 11), date(2025, 6, 19)))] * 2
    fell_due = entries(ledger, "state", "FX-2")
    assert sorted((e.label, e.value) for e in fell_due) == [("contract ends", date(2025, 6, 10)),
                                                             ("debts fall due", date(2025, 6, 10))]
    assert all(e.source is not None and e.source.line > 0 for e in fell_due)


def test_debts_accelerated_to_a_later_day_fall_due_then_and_no_due_date_is_postponed(run):
    # April 13,000 paid on time. Terminated Wed 06-25, everything payable by 06-25 + 10 days = 07-05. May's invoice
    # (due 06-30) keeps its date: an acceleration never postpones. June's (due 07-31) falls due 07-05. 20,000 paid
    # 07-10: May bears 07-01 … 07-09 = 9 days: 10,000 × 14.6 % × 9 ÷ 365 = 13,140 ÷ 365 = 36 yen; June bears
    # 07-06 … 07-09 = 4 days: 5,840 ÷ 365 = 16 yen. The interest is billed in July, a month begun after the
    # termination: its invoice keeps its own due date 08-31 (with the debts' day 07-05 as the cut-off it would move).
    ledger = terminated(run, "termination_with_grace", "2025-06-25", "2025-07-10", "2025-08-31")
    invoices = {e.period[0].month: (e.due, "FX-8" in e.also) for e in entries(ledger, "invoice")}
    assert invoices == {4: (date(2025, 5, 31), False), 5: (date(2025, 6, 30), False),
                        6: (date(2025, 7, 5), True), 7: (date(2025, 8, 31), False)}
    interest = sorted((e.period, e.amount) for e in entries(ledger, "charge", "FX-1") if e.label == "料金"
                      and e.period[1] == date(2025, 7, 9))
    assert interest == [((date(2025, 7, 1), date(2025, 7, 9)), 36), ((date(2025, 7, 6), date(2025, 7, 9)), 16)]
    [fell_due] = [e for e in entries(ledger, "state", "FX-8") if e.label == "debts fall due"]
    assert (fell_due.date, fell_due.value) == (date(2025, 6, 25), date(2025, 7, 5))


def test_an_effect_on_another_day_and_no_fee_after_it(run):
    # Abolished from 2025-08-01: the contract's last day is 07-31; August is not billed.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-20, event: closure, effective: 2025-08-01}
""", "2025-09-30")
    assert [(e.label, e.value) for e in entries(ledger, "state", "FX-3")] == [("contract ends", date(2025, 7, 31))]
    months = [e.period[0].month for e in entries(ledger, "charge") if e.period]
    assert months == [4, 5, 6, 7]


def test_a_suspension_is_recorded_with_its_span_and_fees_keep_running(run):
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-06-05, event: suspension_notice, begins: 2025-06-10, until: 2025-06-30}
""", "2025-06-30")
    [state] = entries(ledger, "state", "FX-4")
    assert (state.label, state.value, state.period) == ("service suspended", date(2025, 6, 10),
                                                        (date(2025, 6, 10), date(2025, 6, 30)))
    assert [e.amount for e in entries(ledger, "charge") if e.period == (date(2025, 6, 1), date(2025, 6, 30))] == [
        Decimal(10000)]


def test_a_suspension_whose_condition_fails_does_nothing(run):
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-06-05, event: suspension_notice, begins: 2025-06-10, until: 2025-06-01}
""", "2025-06-30")
    assert entries(ledger, "state", "FX-4") == []


def test_waived_fees_stay_in_the_ledger_and_are_not_owed(run):
    # 初期契約解除 on 04-05: the 加入料 3,000 and April's 10,000 arise inside 04-01 … 04-05 → waived.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-05, event: cooling_off}
""", "2025-05-31")
    charges = entries(ledger, "charge")
    assert sorted(e.amount for e in charges) == [3000, 10000]
    assert {e.status for e in charges} == {"waived"} and all("FX-5" in e.also for e in charges)
    assert entries(ledger, "invoice") == []
    assert ledger.totals()["charge"] == 0


def test_a_refund_is_deducted_from_the_fees_of_its_month_and_after(run):
    # May: 90 minutes down → 10 % of 10,000 = 1,000, claimed 05-25 (during May, before the window's end 06-15):
    # the May invoice is 10,000 − 1,000 = 9,000.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: "2025-05-20T10:00", event: outage, until: "2025-05-20T11:30"}
- {at: 2025-05-25, event: claim}
""", "2025-06-30")
    [credit] = entries(ledger, "credit")
    assert (credit.amount, credit.status, credit.window) == (1000, "claimed", (date(2025, 5, 20), date(2025, 6, 15)))
    may = [e for e in entries(ledger, "invoice") if e.period[0] == date(2025, 5, 1)]
    assert [e.amount for e in may] == [Decimal(9000)]


# Started 04-01, closed from 06-01 (the contract's last day is 05-31), 90 minutes down on 05-20.
CLOSED_AFTER_A_MAY_OUTAGE = """
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-10, event: closure, effective: 2025-06-01}
- {at: "2025-05-20T10:00", event: outage, until: "2025-05-20T11:30"}
"""


def test_a_refund_after_the_contract_ended_is_paid_out_never_a_negative_invoice(run):
    # The contract's last day is 05-31; May's 1,000 is claimed 06-05: no later fee to deduct it from → paid out.
    ledger = run(CLOSED_AFTER_A_MAY_OUTAGE + "- {at: 2025-06-05, event: claim}\n", "2025-06-30")
    [credit] = entries(ledger, "credit")
    assert (credit.amount, credit.status, credit.date) == (1000, "paid out", date(2025, 6, 5))
    assert "FX-6" in credit.note or "paid" in credit.note
    assert all(e.amount >= 0 for e in entries(ledger, "invoice"))
    assert [e.period[0].month for e in entries(ledger, "invoice")] == [4, 5]
    assert ledger.totals()["credit"] == 1000


def renewal_reading(tmp_path, events: str, as_of: str, fees: str = "renewal fees"):
    """effects.ctr with a 6-month term counted from the start that renews for 6 months, and the refund deducted only
    from renewed terms' fees (`fees`): the first term runs 2025-04-01 … 09-30, the renewals from 2025-10-01 and
    2026-04-01."""
    text = CONTRACT.read_text(encoding="utf-8").replace(
        "refund outage_refund deducted from later fees, else paid out;",
        "term 6 months counting from service_start renews for 6 months;\n"
        f"  refund outage_refund deducted from {fees}, else paid out;")
    assert fees in text
    return ledger_of(tmp_path, text, f"as_of: {as_of}\nevents:\n" + textwrap.indent(events.strip(), "  ") + "\n")


def test_a_refund_from_renewal_fees_waits_for_the_renewed_term(tmp_path):
    # May: 90 minutes down → 10 % of 10,000 = 1,000, claimed 05-25. May … September belong to the first term and
    # stay 10,000 each (April 10,000 + 加入料 3,000); October, the renewed term's first month, is 10,000 − 1,000.
    events = """
- {at: 2025-04-01, event: service_start}
- {at: "2025-05-20T10:00", event: outage, until: "2025-05-20T11:30"}
- {at: 2025-05-25, event: claim}
"""
    ledger = renewal_reading(tmp_path, events, "2025-10-31")
    [credit] = entries(ledger, "credit")
    assert (credit.amount, credit.status, credit.date) == (1000, "claimed", date(2025, 10, 1))
    assert "renewed term" in credit.note
    by_month = {e.period[0].month: e.amount for e in entries(ledger, "invoice")}
    assert by_month == {4: 13000, 5: 10000, 6: 10000, 7: 10000, 8: 10000, 9: 10000, 10: 9000}
    # the day before the renewal: nothing is deducted yet, the refund waits
    [waiting] = entries(renewal_reading(tmp_path, events, "2025-09-30"), "credit")
    assert (waiting.amount, waiting.status) == (1000, "to be deducted")


NOVEMBER_OUTAGE = """
- {at: 2025-04-01, event: service_start}
- {at: "2025-11-20T10:00", event: outage, until: "2025-11-20T11:30"}
- {at: 2025-11-25, event: claim}
"""


def test_a_refund_earned_inside_a_renewed_term_is_deducted_from_that_term(tmp_path):
    # November 2025 lies in the renewed term 2025-10-01 … 2026-03-31: its 1,000 comes off November's own invoice
    # (10,000 − 1,000 = 9,000); nothing waits for the renewal of 2026-04-01.
    ledger = renewal_reading(tmp_path, NOVEMBER_OUTAGE, "2026-04-30")
    by_month = {(e.period[0].year, e.period[0].month): e.amount for e in entries(ledger, "invoice")}
    assert (by_month[(2025, 11)], by_month[(2026, 4)]) == (9000, 10000)


def test_a_refund_from_next_renewal_fees_waits_for_the_term_after_the_credits_term(tmp_path):
    # `next renewal fees`: November 2025's 1,000 waits for the term that begins 2026-04-01 (10,000 − 1,000 = 9,000).
    ledger = renewal_reading(tmp_path, NOVEMBER_OUTAGE, "2026-04-30", "next renewal fees")
    by_month = {(e.period[0].year, e.period[0].month): e.amount for e in entries(ledger, "invoice")}
    assert (by_month[(2025, 11)], by_month[(2026, 3)], by_month[(2026, 4)]) == (10000, 10000, 9000)
    [waiting] = entries(renewal_reading(tmp_path, NOVEMBER_OUTAGE, "2026-03-31", "next renewal fees"), "credit")
    assert (waiting.amount, waiting.status) == (1000, "to be deducted")


def test_a_refund_from_renewal_fees_is_paid_out_when_the_contract_ends_before_the_renewal(tmp_path):
    # The contract's last day is 05-31 (closure effective 06-01), inside the first term: the 1,000 of May, claimed
    # 05-25, is never deducted (May's invoice stays 10,000) and is paid out on the last day, 05-31.
    ledger = renewal_reading(tmp_path, CLOSED_AFTER_A_MAY_OUTAGE + "- {at: 2025-05-25, event: claim}\n", "2025-06-30")
    [credit] = entries(ledger, "credit")
    assert (credit.amount, credit.status, credit.date) == (1000, "paid out", date(2025, 5, 31))
    assert [e.amount for e in entries(ledger, "invoice")] == [13000, 10000]  # April with the 加入料 3,000


def test_next_finds_the_answer_that_follows_each_order(run):
    ledger = run("""
- {at: 2025-04-01, event: order}
- {at: 2025-04-03, event: answer}
- {at: 2025-05-01, event: order}
""", "2025-05-31")
    assert [e.value for e in entries(ledger, "state", "FX-7")] == [date(2025, 4, 3), None]


def test_an_obligation_arises_only_where_its_condition_holds(run):
    # heirs 2 on 2025-05-02: due 2 weeks after (民法140) → 05-16.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-02, event: inheritance}
- {at: 2025-05-02, event: inheritance, heirs: 2}
""", "2025-05-31")
    assert [(e.due, e.status) for e in entries(ledger, "obligation", "FX-7")] == [(date(2025, 5, 16), "missed")]


BROKEN = {
    "effect on default_termination { }": ("E404", "the effect names no action"),
    "effect on cooling_off { waives fees of daily from contract.start through cooling_off.date; }":
        ("E102", "unexpected `daily`"),
    "refund sla paid out;": ("E201", "no credit is named `sla`"),
    "refund outage_refund deducted from renewal fees;": ("E404", "needs a term that renews"),
    "effect on order { accelerates debts to 3 yen; }": ("E302", "the day accelerated debts fall due must be a date"),
    "state s on order = (next reply).date;": ("E205", "unknown event `reply`"),
    "effect on closure { date closure.effective - 1 month; suspends service until 3 yen; }":
        ("E302", "the end of a suspension must be a date"),
    "obligation o by customer { when inheritance where inheritance.heirs; due 2025-01-01; }":
        ("E302", "a condition must be a bool"),
}


@pytest.mark.parametrize("statement", sorted(BROKEN))
def test_effect_statements_are_checked(statement):
    from interpreter.loader import compile_source
    from interpreter.syntax.source import SourceFile

    text = CONTRACT.read_text(encoding="utf-8") + f"\nrule FX-99 第99条 {{\n  {statement}\n}}\n"
    model, diagnostics = compile_source(SourceFile("fx.ctr", text))
    code, message = BROKEN[statement]
    assert model is None
    assert [(d.code, d.span.line) for d in diagnostics if message in d.message] == [(code, text.count("\n") - 1)]


def test_debts_through_a_later_day_include_the_months_begun_by_then(run):
    # April 13,000 paid on its due date 05-31. Notice Tue 06-10 that the contract's last day is 08-31, with every fee
    # through that day payable at once (`accelerates debts through cancellation.last`): May (due 06-30), June
    # (07-31), July (08-31) and August (09-30) all fall due 06-10 — July and August although their months begin
    # after the notice. Nothing is billed after August.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-05-31, event: payment, amount: 13000}
- {at: 2025-06-10, event: cancellation, last: 2025-08-31}
""", "2025-10-31")
    invoices = {e.period[0].month: e.due for e in entries(ledger, "invoice")}
    assert invoices == {4: date(2025, 5, 31), 5: date(2025, 6, 10), 6: date(2025, 6, 10), 7: date(2025, 6, 10),
                        8: date(2025, 6, 10)}
    assert [(e.label, e.value) for e in entries(ledger, "state", "FX-9")] == [
        ("debts fall due", date(2025, 6, 10)), ("contract ends", date(2025, 8, 31))]


def test_an_effect_dated_later_applies_to_what_is_held_on_its_day(run):
    # Notice Sun 04-20: the option is discontinued from 08-01. The option is taken on 05-01, after the notice: on
    # 07-31 it is held, so it stops on 08-01. Billed 2,000 for May, June and July; nothing from August.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-20, event: extra_closure, effective: 2025-08-01}
- {at: 2025-05-01, event: extra_start}
""", "2025-09-30")
    fees = [(e.period[0].month, e.amount) for e in entries(ledger, "charge", "FX-10")]
    assert fees == [(5, 2000), (6, 2000), (7, 2000)]
    [stop] = entries(ledger, "state", "FX-10")
    assert (stop.date, stop.value) == (date(2025, 8, 1), date(2025, 8, 1))


def test_an_option_not_held_on_the_day_before_is_not_stopped(run):
    # The same notice; the option is taken only on 08-05, after the 廃止日 (no effect finds it held on 07-31): the
    # effect's condition is false, nothing stops, and the option is billed from August.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-20, event: extra_closure, effective: 2025-08-01}
- {at: 2025-08-05, event: extra_start}
""", "2025-09-30")
    assert entries(ledger, "state", "FX-10") == []
    assert [e.period[0].month for e in entries(ledger, "charge", "FX-10")] == [8, 9]


def test_a_contract_ends_once(run):
    # Closure announced 04-20 from 10-01 (last day 09-30); then a cancellation with last day 06-30. The earlier end
    # stands: one "contract ends" entry, 06-30 (FX-9); the closure finds no contract to end. Billed April – June.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-20, event: closure, effective: 2025-10-01}
- {at: 2025-05-10, event: cancellation, last: 2025-06-30}
""", "2025-10-31")
    ends = [(e.rule, e.value) for e in ledger.entries if e.kind == "state" and e.label == "contract ends"]
    assert ends == [("FX-9", date(2025, 6, 30))]
    assert sorted({e.period[0].month for e in entries(ledger, "charge", "FX-1") if e.period}) == [4, 5, 6]


def test_an_effect_before_its_event_says_it_was_applied_after_the_fact(run):
    # Closure notified Thu 07-10 from 07-01: the contract's last day, 06-30, had passed; the entry says so.
    ledger = run("""
- {at: 2025-04-01, event: service_start}
- {at: 2025-07-10, event: closure, effective: 2025-07-01}
""", "2025-08-31")
    [end] = entries(ledger, "state", "FX-3")
    assert (end.value, end.note) == (date(2025, 6, 30), "applied after the fact: closure arrived 2025-07-10, after 2025-06-30")
