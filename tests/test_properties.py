"""Laws the interpreter must always keep, checked over generated timelines (hypothesis)."""
from __future__ import annotations

from collections import defaultdict

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from hypothesis import example, given, settings, strategies as st

from interpreter.run.evaluate import run
from interpreter.run.events import Event
from interpreter.run.expressions import ABSENT, Value
from interpreter.run.ledger import entry_json
from interpreter.loader import load_contract
from interpreter.time.timestamps import JST

SETTINGS = settings(max_examples=60, deadline=None)


@lru_cache(maxsize=None)
def model(name: str):
    m, diagnostics, _ = load_contract(f"contracts/{name}.ctr")
    assert m is not None, diagnostics
    return m


def at(d: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=JST)


def ev(index: int, name: str, when: datetime, **fields) -> Event:
    return Event(index, name, when, fields)


START = date(2025, 1, 6)
days = st.integers(min_value=1, max_value=700)


@st.composite
def itscom_timelines(draw):
    """A WWW customer with options, outages, claims, payments and perhaps a cancellation, at distinct instants."""
    events = [("service_start", at(START), {"plan": Value("item", "www")})]
    used = {events[0][1]}

    def instant():
        while True:
            d = START + timedelta(days=draw(days))
            t = at(d, draw(st.integers(0, 23)), draw(st.integers(0, 59)))
            if t not in used:
                used.add(t)
                return t

    for _ in range(draw(st.integers(0, 3))):
        t = instant()
        hours = draw(st.integers(1, 100))
        events.append(("outage", t, {"until": Value("datetime", t + timedelta(hours=hours)),
                                     "cause": Value("enum", "provider")}))
    for _ in range(draw(st.integers(0, 2))):
        events.append(("reduction_claim", instant(), {}))
    for _ in range(draw(st.integers(0, 3))):
        events.append(("payment", instant(), {"amount": Value("money", Decimal(draw(st.integers(1, 40)) * 1000))}))
    if draw(st.booleans()):
        t = instant()
        desired = START + timedelta(days=draw(days))
        events.append(("cancel_notice", t, {"desired_end": Value("date", desired)}))
    if draw(st.booleans()):
        t = instant()
        events.append(("option_order", t, {"option": Value("item", "extra_ftp"),
                                           "quantity": Value("count", Decimal(draw(st.integers(1, 5)))),
                                           "desired": Value("date", t.date() + timedelta(days=draw(st.integers(0, 40))))}))
    return events


def build(timeline, order: list[int]) -> list[Event]:
    return [ev(pos, *timeline[i][:2], **timeline[i][2]) for pos, i in enumerate(order)]


def normalized(ledger, events: list[Event]) -> list[dict]:
    """The ledger with event positions replaced by the events themselves, so two files can be compared."""
    by_index = {e.index: (e.name, e.instant.isoformat()) for e in events}
    out = []
    for entry in ledger.entries:
        j = entry_json(entry)
        j["events"] = [by_index[i] for i in j["events"]]
        out.append(j)
    return out


@SETTINGS
@given(itscom_timelines(), st.randoms(use_true_random=False))
def test_ledger_does_not_depend_on_the_order_of_events_in_the_file(timeline, rnd: random.Random):
    m = model("itscom-hosting")
    as_of = date(2027, 1, 31)
    first = build(timeline, list(range(len(timeline))))
    order = list(range(len(timeline)))
    rnd.shuffle(order)
    second = build(timeline, order)
    a = normalized(run(m, {}, first, as_of), first)
    b = normalized(run(m, {}, second, as_of), second)
    assert a == b  # same entries, same ids, same order


def _jst(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=JST)


# Found by this law: one payment paid two parts of April's invoice late (the interest first, then fees), each part
# bore interest under the same key, and only one of the two lines reached May's invoice.
_TWO_PARTS_ONE_PAYMENT = [
    ("service_start", _jst(2025, 1, 6), {"plan": Value("item", "www")}),
    ("payment", _jst(2025, 1, 7), {"amount": Value("money", Decimal(1000))}),
    ("payment", _jst(2025, 3, 13), {"amount": Value("money", Decimal(33000))}),
    ("payment", _jst(2025, 5, 23), {"amount": Value("money", Decimal(1000))}),
]


@SETTINGS
@given(itscom_timelines())
@example(timeline=_TWO_PARTS_ONE_PAYMENT)
def test_invoice_totals_equal_the_sum_of_their_lines(timeline):
    ledger = run(model("itscom-hosting"), {}, build(timeline, list(range(len(timeline)))), date(2027, 1, 31))
    by_id = {e.id: e for e in ledger.entries}
    invoiced = set()
    for inv in (e for e in ledger.entries if e.kind == "invoice"):
        total = sum((by_id[i].amount if by_id[i].kind == "charge" else -by_id[i].amount) for i in inv.lines)
        assert inv.amount == total
        invoiced |= set(inv.lines)
    # every charge or credit that is owed appears on exactly one invoice
    owed = {e.id for e in ledger.entries if e.kind in ("charge", "credit") and e.counts}
    assert owed == invoiced
    totals = ledger.totals()
    assert totals["charge"] - totals["credit"] == sum(e.amount for e in ledger.entries if e.kind == "invoice")


@SETTINGS
@given(itscom_timelines(), st.integers(0, 400))
def test_a_later_as_of_never_changes_a_met_or_missed_status(timeline, extra_days):
    m = model("itscom-hosting")
    events = build(timeline, list(range(len(timeline))))
    early = date(2026, 1, 31)
    late = early + timedelta(days=extra_days)

    def decided(ledger):
        # a duty is the same duty whatever later payment completed it (an invoice missed on the early day and paid
        # late afterwards names that payment later on): its identity is its rule, label and due date
        found = defaultdict(list)
        for e in ledger.entries:
            if e.kind == "obligation" and e.status in ("met", "missed"):
                found[(e.rule, e.label, e.due)].append(e.status)
        return found

    before, after = decided(run(m, {}, events, early)), decided(run(m, {}, events, late))
    for key, statuses in before.items():
        assert sorted(after.get(key, [])) == sorted(statuses)


@SETTINGS
@given(itscom_timelines())
def test_a_notice_is_never_due_after_the_effect_it_announces(timeline):
    ledger = run(model("itscom-hosting"), {}, build(timeline, list(range(len(timeline)))), date(2027, 1, 31))
    effects = {(e.rule, e.events): e.value for e in ledger.entries if e.kind == "state" and isinstance(e.value, date)
               and e.rule in ("ITS-2", "ITS-9", "ITS-10")}
    for ob in (e for e in ledger.entries if e.kind == "obligation" and e.rule in ("ITS-2", "ITS-9", "ITS-10")):
        effective = effects.get((ob.rule, ob.events))
        if effective is not None:
            assert ob.due <= effective


@st.composite
def hennge_month(draw):
    """A month of outages of arbitrary lengths and causes for a HENNGE customer."""
    events = [("service_start", at(date(2025, 10, 1)), {})]
    month = date(2026, draw(st.integers(1, 12)), 1)
    for i in range(draw(st.integers(1, 6))):
        start = at(month + timedelta(days=draw(st.integers(0, 27))), draw(st.integers(0, 23)), draw(st.integers(0, 59)))
        start += timedelta(seconds=draw(st.integers(0, 59)) + i)
        length = timedelta(seconds=draw(st.integers(1, 6 * 24 * 3600)))
        cause = draw(st.sampled_from(["provider", "customer", "suspension", "interruption"]))
        events.append(("outage", start, {"until": Value("datetime", start + length), "cause": Value("enum", cause)}))
    events.append(("sla_claim", at(month + timedelta(days=40)), {"month": ABSENT}))  # a claim naming no month
    return events


@SETTINGS
@given(hennge_month(), st.integers(1_000, 2_000_000))
def test_an_sla_refund_never_exceeds_the_monthly_fee(timeline, fee):
    params = {"monthly_fee": Value("money", Decimal(fee)), "reseller": Value("bool", False),
              "quota": Value("count", Decimal(0)), "overage_rate": Value("money", Decimal(0))}
    ledger = run(model("hennge-cmc"), params, build(timeline, list(range(len(timeline)))), date(2027, 3, 31))
    for credit in (e for e in ledger.entries if e.kind == "credit"):
        assert 0 < credit.amount <= fee


@SETTINGS
@given(itscom_timelines())
def test_an_outage_reduction_never_exceeds_the_fees_of_the_days_it_covers(timeline):
    """第37条: floor(hours ÷ 24) × fee ÷ 30 is at most the fee for the whole days of the outage."""
    ledger = run(model("itscom-hosting"), {}, build(timeline, list(range(len(timeline)))), date(2027, 1, 31))
    outages = {i: t for i, t in enumerate(timeline) if t[0] == "outage"}
    for credit in (e for e in ledger.entries if e.kind == "credit" and e.rule == "ITS-18"):
        _, start, fields = outages[credit.events[0]]
        hours = (fields["until"].value - start).total_seconds() / 3600
        assert credit.amount * 30 <= Decimal(10_000) * int(hours // 24)


# The compiled contract keeps what is the same for every customer (a constant fee's charge for a month, tax rates,
# invoice dates, parameter defaults): a cache keyed too loosely would hand one customer's figure to the next. So a
# timeline evaluated by a contract that has just evaluated others must get the very ledger a freshly loaded
# contract gives it, explanations included.
@settings(max_examples=30, deadline=None)
@given(st.lists(itscom_timelines(), min_size=2, max_size=4), st.sampled_from([date(2025, 9, 30), date(2027, 1, 31)]))
def test_a_ledger_does_not_depend_on_the_timelines_evaluated_before_it(timelines, as_of):
    warm = model("itscom-hosting")
    for timeline in timelines[:-1]:
        run(warm, {}, build(timeline, list(range(len(timeline)))), as_of)
    last = build(timelines[-1], list(range(len(timelines[-1]))))
    fresh, diagnostics, _ = load_contract("contracts/itscom-hosting.ctr")
    assert fresh is not warm and not fresh.cache  # nothing computed yet
    seen_after_others = run(warm, {}, last, as_of)
    seen_first = run(fresh, {}, last, as_of)
    assert [(entry_json(e), e.explanation) for e in seen_after_others.entries] == \
        [(entry_json(e), e.explanation) for e in seen_first.entries]
