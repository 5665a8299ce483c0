"""The late interest and the payments that settle it are worked out in rounds until nothing changes (`_invoices`);
a later round keeps what an earlier one worked out from the very same invoice and figures (`made`). Whatever it
keeps, a customer's ledger must be the one the full fixed point gives, every round worked out from nothing: which
invoice a payment goes to (民法第488条), interest first (第489条), what each part owes and bears.

The reference here is the same evaluation with `made` emptied at the start of each round, so that every invoice,
every settlement and every part's interest is worked out again."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from unittest import mock

from hypothesis import HealthCheck, example, given, settings, strategies as st

from interpreter.api import Contract, Timeline
from interpreter.run.evaluate import Evaluation
from interpreter.run.ledger import entry_json
from tests.small_contract import HEADER

CONTRACT = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event order "追加注文" { price: money; }
event payment { amount: money; applied_to: optional date; }
event termination_for_cause "解除";
rule T-1 第1条 "料金、充当と遅延損害金" {
  invoice due DUE paid by payment;
  payments settle payment.applied_to first;
  refund overpayments deducted from later fees, else paid out;
  monthly fee 11,000 yen for base;
  occurrence fee order.price on order;
  tax consumption 10% from 2019-10-01;
  interest 14.6% per year {
    days from due + 1 day through paid - 1 day;
    year of 365 days;PER_INVOICE
  }
  rounding floor to 1 yen;
}
rule T-2 第2条 "期限の利益の喪失" {
  effect "解除と期限の利益の喪失" on termination_for_cause { ends contract; accelerates debts; }
}
"""

# Due after the month (the interest of a payment lands on a later invoice than the one paid late) or on the
# month's first day (billed in advance: interest can land on the very invoice it arises on, paid first there).
DUES = ("end of month after closing", "closing + 10 days", "period.start")
CONTRACTS = {(due, per_invoice): Contract.from_text(CONTRACT.replace("DUE", due).replace(
    "PER_INVOICE", "\n    rounded once per invoice;" if per_invoice else ""), "t.ctr")
    for due in DUES for per_invoice in (False, True)}
START = date(2025, 4, 1)


@contextmanager
def every_round_from_nothing():
    """Evaluations in which each round of the late interest forgets what earlier rounds worked out."""
    period_invoices = Evaluation._period_invoices

    def forgetting(self, lines, interest, due_stmt, made):
        made.clear()
        return period_invoices(self, lines, interest, due_stmt, made)

    with mock.patch.object(Evaluation, "_period_invoices", forgetting):
        yield


def seen(contract: Contract, timeline: Timeline) -> list:
    """The ledger as compared here: every entry as the JSON shows it, with its explanation (or the diagnostics)."""
    result = contract.evaluate(timeline)
    if result.ledger is None:
        return [(d.code, d.message) for d in result.diagnostics]
    return [(entry_json(e), e.explanation) for e in result.ledger.entries]


payment = st.tuples(st.integers(0, 300), st.integers(1, 40).map(lambda k: k * 550),
                    st.one_of(st.none(), st.integers(0, 10)))
timelines = st.fixed_dictionaries({
    "payments": st.lists(payment, max_size=9),
    "orders": st.lists(st.tuples(st.integers(0, 300), st.integers(1, 30).map(lambda k: k * 1_000)), max_size=3),
    "terminated": st.one_of(st.none(), st.integers(60, 300)),
    "due": st.sampled_from(DUES),
    "per_invoice": st.booleans(),
})


def timeline(drawn: dict) -> Timeline:
    """Service from 04-01; payments on day offsets, some designating a month (`applied_to`); orders; perhaps a
    termination for cause that accelerates every debt; as of a year on."""
    events = [{"at": START.isoformat(), "event": "service_start"}]
    for day, amount, month in drawn["payments"]:
        event = {"at": (START + timedelta(days=day)).isoformat(), "event": "payment", "amount": str(amount)}
        if month is not None:
            event["applied_to"] = date(2025 + (3 + month) // 12, (3 + month) % 12 + 1, 15).isoformat()
        events.append(event)
    for day, price in drawn["orders"]:
        events.append({"at": (START + timedelta(days=day)).isoformat(), "event": "order", "price": str(price)})
    if drawn["terminated"] is not None:
        events.append({"at": (START + timedelta(days=drawn["terminated"])).isoformat(),
                       "event": "termination_for_cause"})
    return Timeline("c", sorted(events, key=lambda e: e["at"]), {}, as_of="2026-04-30")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines)
# billed in advance, April's 12,100 due 04-01 and 2,750 paid 04-03: the interest arises in April and lands on April's
# invoice, which the same part then pays first; the part is the same in both rounds, the invoice is not
@example({"payments": [(2, 2750, None)], "orders": [], "terminated": None, "due": "period.start", "per_invoice": False})
def test_the_ledger_is_the_one_every_round_worked_out_from_nothing_gives(drawn):
    contract = CONTRACTS[(drawn["due"], drawn["per_invoice"])]
    customer = timeline(drawn)
    kept = seen(contract, customer)
    with every_round_from_nothing():
        assert seen(contract, customer) == kept


def test_late_payments_take_several_rounds_and_give_the_same_ledger():
    """A customer who pays every month's invoice a month late: each payment pays the interest the last one gave rise
    to before its fees (第489条), so its interest moves the next one's, and the rounds run on (four here: none, the
    interest of the plain settlement, corrected, the same again). The law above then has real rounds to compare."""
    contract = CONTRACTS[("end of month after closing", False)]
    payments = [((date(2025, 6 + k, 15) if k < 7 else date(2026, k - 6, 15)).isoformat(), "12100") for k in range(9)]
    customer = Timeline("c", [{"at": "2025-04-01", "event": "service_start"}]
                        + [{"at": day, "event": "payment", "amount": amount} for day, amount in payments],
                        {}, as_of="2026-04-30")
    rounds = []
    period_invoices = Evaluation._period_invoices

    def counting(self, lines, interest, due_stmt, made):
        rounds.append(len(interest))
        return period_invoices(self, lines, interest, due_stmt, made)

    with mock.patch.object(Evaluation, "_period_invoices", counting):
        kept = seen(contract, customer)
    assert len(rounds) >= 3 and rounds[0] == 0 and rounds[-1] > 0
    with every_round_from_nothing():
        assert seen(contract, customer) == kept
