"""A generated portfolio of iTSCOM サーバホスティング customers (contracts/itscom-hosting.ctr), the same for a given
seed on every machine: the input of bench/compare_itscom.py, and meant to be written out as rows for portfolio
runs (`event_records`, `param_records`).

Each customer has about a year of life from a service start in 2025: a plan (WWW, Mail (セキュア MX) or パック
(セキュア MX)); options ordered in time and late (第17条1), quantities changed, options cancelled in time and late
(第17条2), orders the terms refuse (withdrawn items, missing prerequisites, reducing the extra disk); mailing-list
counts reported at times of day, some on the 1st; changes of service type on a 1st; domain and DNS work; outages
caused by iTSCOM or not, claimed in time, too late or never (第37条); a few evasions (第34条), suspensions and
maintenance notices; cancellations inside and after the minimum term, with notices in time and late (第25条1), some
followed by a change of service type before the end, and 解除 by 第25条2. Payments follow what the terms bill
(invoices worked out by bench/handwritten_itscom.py before any payment): most on time, some late, some held back
and paid together with the next invoice, some rounded to the thousand yen (so that part of an invoice is paid
early or late), some never.

A customer is plain data (`Customer`: params and `Row`s with Python values: str, int, date, datetime in Japan
time); `project_inputs` turns one into the typed params and events the project's evaluator takes, converting
every value from its text through the project's own scenario conversion, as a scenario file or a table would.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from bench.handwritten_itscom import evaluate, month_end, month_start_after

JST = timezone(timedelta(hours=9))
DEFAULT_SEED = 20250401
ONE_DAY = timedelta(days=1)

WWW_OPTIONS = (  # (option, probability, (least, most) quantity or None)
    ("ssl", 0.25, None), ("extra_www_disk", 0.08, (1, 3)), ("extra_ftp", 0.2, (1, 5)),
    ("access_log", 0.15, None), ("ips", 0.08, (1, 2)), ("isdn", 0.04, None))
MAIL_OPTIONS = (
    ("extra_account", 0.4, (1, 20)), ("extra_disk", 0.3, (10, 50)), ("mailing_list", 0.3, (1, 5)),
    ("private_relay", 0.1, None))
DNS_OPTIONS = ("dns_monthly", "dns_monthly", "dns_yearly_attribute", "dns_yearly_generic", "dns_yearly_gtld")
DOMAIN_WORK = ("registration", "name_change", "manager_transfer", "registrar_transfer", "transfer_express",
               "transfer", "abolish_at_renewal", "abolish_early", "record_change", "renewal", "host_name",
               "host_name_both", "dns_setting")
TLDS = ("jprs_attribute", "jprs_generic", "gtld")


@dataclass(frozen=True)
class Row:
    """One event of a customer's timeline: when, which event, and its fields as plain values."""

    at: datetime
    event: str
    fields: dict


@dataclass(frozen=True)
class Customer:
    id: str
    params: dict
    rows: tuple[Row, ...]
    as_of: date


# ------------------------------------------------------------------ dates


def _at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), JST)


# ------------------------------------------------------------------ one customer


class _Timeline:
    """The events of one customer before payments, drawn from `rng`."""

    def __init__(self, rng: random.Random, start: date, last_activity: date) -> None:
        self.rng, self.start, self.last = rng, start, last_activity
        self.rows: list[Row] = []

    def add(self, at: datetime, event: str, **fields) -> None:
        self.rows.append(Row(at, event, fields))

    def day(self, earliest: date, latest: date) -> date | None:
        if latest < earliest:
            return None
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def option(self, option: str, quantity: tuple[int, int] | None) -> None:
        rng = self.rng
        ordered = self.day(self.start, self.start + timedelta(days=200))
        if ordered is None or ordered > self.last - timedelta(days=50):
            return
        kind = rng.random()
        if kind < 0.55:
            desired = month_start_after(ordered, rng.choice((1, 1, 2)))  # usually in time (D − 15), sometimes not
        elif kind < 0.8:
            desired = ordered + timedelta(days=rng.randint(16, 40))  # in time, mid-month
        else:
            desired = ordered + timedelta(days=rng.randint(1, 14))  # late (the extra disk needs no lead time)
        qty = rng.randint(*quantity) if quantity else 1
        self.add(_at(ordered, 11, rng.randint(0, 59)), "option_order", option=option, quantity=qty, desired=desired)
        effective = max(desired, ordered if option == "extra_disk" else ordered + timedelta(days=15))
        changes_until = self.last - timedelta(days=20)
        if option == "mailing_list":
            self.list_counts(effective, changes_until, qty)
        elif option in ("extra_account", "extra_disk", "extra_ftp") and rng.random() < 0.35:
            when = self.day(effective + timedelta(days=5), changes_until)
            if when is not None:
                if option == "extra_disk":  # raised at once; a reduction is refused (注2)
                    new = qty + 10 if rng.random() < 0.8 else max(0, qty - 10)
                    self.add(_at(when, 15), "option_order", option=option, quantity=new, desired=when)
                else:
                    new = max(1, qty + rng.randint(-3, 5))
                    self.add(_at(when, 15), "option_order", option=option, quantity=new,
                             desired=month_start_after(when, 1 if when.day <= 10 else 2))
        if rng.random() < 0.2 or (option == "extra_disk" and rng.random() < 0.1):
            self.cancel_option(option, effective)

    def list_counts(self, effective: date, until: date, lists: int) -> None:
        """Mailing-list counts as the customer's administrator changes them, some first thing on a 1st."""
        rng = self.rng
        day = effective
        for _ in range(rng.randint(2, 8)):
            day = day + timedelta(days=rng.randint(5, 60))
            if rng.random() < 0.3:
                day = month_start_after(day, 1)
            if day > until:
                return
            lists = max(0, lists + rng.randint(-3, 4))
            self.add(_at(day, rng.randint(9, 17), rng.randint(0, 59)), "usage", option="mailing_list",
                     quantity=lists)

    def cancel_option(self, option: str, effective: date) -> None:
        rng = self.rng
        asked = self.day(effective + timedelta(days=20), self.last - timedelta(days=5))
        if asked is None:
            return
        kind = rng.random()
        if kind < 0.6:
            desired = month_start_after(asked, rng.choice((2, 3)))  # in time (前々月末日)
        elif kind < 0.85:
            desired = month_start_after(asked, 1)  # late: moves to the next 1st it meets
        else:
            desired = month_start_after(asked, 2) + timedelta(days=rng.randint(1, 20))  # not a 1st
        self.add(_at(asked, 16), "option_cancel", option=option, desired=desired)

    def outage(self) -> None:
        rng = self.rng
        day = self.day(self.start + ONE_DAY, self.last - timedelta(days=10))
        if day is None:
            return
        at = _at(day, rng.randint(0, 23), rng.choice((0, 0, 15, 30, 45)))
        if rng.random() < 0.05:
            at = _at(day, 0)  # the 24-hour mark at exactly 00:00 counts its first day (民法140条)
        until = at + timedelta(minutes=rng.randint(60, 100 * 60))
        cause = "provider" if rng.random() < 0.85 else "customer"
        self.add(at, "outage", until=until, cause=cause)
        mark = at + timedelta(hours=24)
        kind = rng.random()
        if kind < 0.6:
            claim = mark + timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 5))
        elif kind < 0.75:
            claim = mark + timedelta(days=rng.randint(93, 120))  # after the 3 months (lapsed)
        elif kind < 0.8:
            claim = at + timedelta(hours=rng.randint(1, 20))  # before the right exists
        else:
            return
        if claim.date() <= self.last:
            self.add(claim, "reduction_claim")


def _cancellation(rng: random.Random, start: date) -> tuple[str, date, date | None] | None:
    """How the customer's contract ends, if it does: (event, the day the notice arrives, desired end)."""
    kind = rng.random()
    if kind < 0.08:  # inside the minimum term
        desired = month_end(month_start_after(start, rng.choice((1, 2))))
    elif kind < 0.22:
        desired = month_end(month_start_after(start, rng.randint(3, 10)))
        if rng.random() < 0.15:
            desired = desired.replace(day=15)  # not a month end: the month's end is meant
    elif kind < 0.25:
        return "interruption_termination", start + timedelta(days=rng.randint(20, 300)), None
    else:
        return None
    deadline = month_start_after(desired, 0) - ONE_DAY  # 前月末日 (a closed day moves it earlier; some notices miss it)
    if rng.random() < 0.75:
        sent = deadline - timedelta(days=rng.randint(0, 25))
    else:
        sent = deadline + timedelta(days=rng.randint(1, 12))
    return "cancel_notice", max(sent, start + ONE_DAY), desired


def _customer_without_payments(index: int, seed: int) -> Customer:
    rng = random.Random(f"{seed}/{index}")
    start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 364))
    as_of = month_end(month_start_after(start, 13))
    plan = rng.choices(("www", "mail_secure_mx", "pack_secure_mx"), (35, 40, 25))[0]
    ending = _cancellation(rng, start)
    last_activity = ending[1] - ONE_DAY if ending else start + timedelta(days=365)
    t = _Timeline(rng, start, last_activity)
    t.add(_at(start, 10), "service_start", plan=plan)
    if plan != "www" and rng.random() < 0.5:
        t.add(_at(start, 10, 5), "mailbox_plus_start")
    options = (WWW_OPTIONS if plan != "mail_secure_mx" else ()) + (MAIL_OPTIONS if plan != "www" else ())
    for option, chance, quantity in options:
        if rng.random() < chance:
            if option == "ssl" and plan == "pack_secure_mx" and rng.random() < 0.7:
                continue  # only a few try: SSL is refused for パック（セキュア MX）(第6条2, C-18)
            t.option(option, quantity)
    if rng.random() < 0.3:
        t.option(rng.choice(DNS_OPTIONS), None)
    if rng.random() < 0.02:
        t.option("ml_standard", None)  # withdrawn (※11): refused
    if plan != "www" and rng.random() < 0.05:
        day = t.day(start, last_activity - timedelta(days=60))
        if day is not None:
            t.add(_at(day, 9), "external_contract", service="iij_id_service")
            t.option("iij_id_link", None)
    has_ssl = any(r.fields.get("option") == "ssl" for r in t.rows)
    if plan != "pack_secure_mx" and not has_ssl and rng.random() < 0.08:
        change = month_start_after(start, rng.randint(2, 8))
        if change < last_activity:
            t.add(_at(change, 9), "plan_change", **{"from": plan, "to": "pack_secure_mx"})
    for _ in range(rng.choices((0, 1, 2, 3), (55, 30, 12, 3))[0]):
        t.outage()
    for _ in range(rng.choices((0, 1, 2, 3), (60, 25, 10, 5))[0]):
        day = t.day(start, last_activity)
        if day is not None:
            t.add(_at(day, 13), "domain_request", work=rng.choice(DOMAIN_WORK), tld=rng.choice(TLDS))
    for event, chance in (("evasion", 0.01), ("spam_scan_setting", 0.01), ("suspension", 0.02),
                          ("maintenance_notice", 0.05)):
        day = t.day(start + timedelta(days=30), last_activity) if rng.random() < chance else None
        if day is None:
            continue
        if event == "evasion":
            t.add(_at(day, 12), event, amount=1_000 * rng.randint(3, 12))
        elif event == "maintenance_notice":
            t.add(_at(day, 12), event, scheduled=day + timedelta(days=rng.randint(3, 20)))
        else:
            t.add(_at(day, 12), event)
    if ending is not None:
        event, sent, desired = ending
        if event == "cancel_notice":
            t.add(_at(sent, 17), event, desired_end=desired)
            change = month_start_after(sent, 1)
            if plan != "pack_secure_mx" and not has_ssl and change <= desired and rng.random() < 0.1:
                # a change of service type after giving notice, before the contract ends
                t.add(_at(change, 9), "plan_change", **{"from": plan, "to": "pack_secure_mx"})
        else:
            t.add(_at(sent, 17), event)
    params = {"mailing_list_rate": rng.choice((0, 100, 150, 200)),
              "digital_id_fee": rng.choice((0, 5_000, 8_000)),
              "settle_after_purpose_failure": rng.random() < 0.2}
    rows = tuple(sorted(t.rows, key=lambda r: r.at))
    return Customer(f"C{index:06d}", params, rows, as_of)


def _payments(customer: Customer, rng: random.Random) -> list[Row]:
    """The customer pays what it is billed (the invoices before any payment), in the order billed."""
    habit = rng.choices(("punctual", "sometimes_late", "holds_back", "round_sums", "stops"), (68, 19, 5, 3, 5))[0]
    stop_after = rng.randint(1, 10) if habit == "stops" else None
    rows, held_back, last_paid = [], 0, None
    for n, invoice in enumerate(evaluate(customer)):
        if invoice.total <= 0:
            continue
        if stop_after is not None and n >= stop_after:
            break
        if habit == "holds_back" and rng.random() < 0.3:
            held_back += invoice.total  # paid together with the next invoice
            continue
        day = invoice.due - timedelta(days=rng.randint(0, 20))
        if habit == "sometimes_late" and rng.random() < 0.3:
            day = invoice.due + timedelta(days=rng.randint(1, 60))
        paid = _at(day, 14)
        if last_paid is not None and paid < last_paid:
            paid = last_paid  # a customer catching up pays its invoices in order
        if paid.date() > customer.as_of:
            break
        amount = invoice.total + held_back
        if habit == "round_sums":  # pays to the nearest thousand yen: part of a bill is paid early or late
            amount = max(1_000, (amount + 500) // 1_000 * 1_000)
        rows.append(Row(paid, "payment", {"amount": amount}))
        held_back, last_paid = 0, paid
    return rows


def customer(index: int, seed: int = DEFAULT_SEED) -> Customer:
    """Customer number `index` of the portfolio drawn with `seed`."""
    base = _customer_without_payments(index, seed)
    payments = _payments(base, random.Random(f"{seed}/{index}/payments"))
    rows = tuple(sorted(base.rows + tuple(payments), key=lambda r: r.at))
    return Customer(base.id, base.params, rows, base.as_of)


def portfolio(customers: int = 10_000, seed: int = DEFAULT_SEED) -> Iterator[Customer]:
    for index in range(customers):
        yield customer(index, seed)


# ------------------------------------------------------------------ other forms of the same data


def as_text(value) -> str:
    """A value as a scenario file or a table cell writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def event_records(c: Customer) -> Iterator[dict]:
    """The customer's events as table rows: customer, at, event and one text column per field."""
    for row in c.rows:
        yield {"customer": c.id, "at": as_text(row.at), "event": row.event,
               **{name: as_text(value) for name, value in row.fields.items()}}


def param_records(c: Customer) -> dict:
    return {"customer": c.id, "as_of": as_text(c.as_of), **{k: as_text(v) for k, v in c.params.items()}}


def project_inputs(model, c: Customer):
    """(params, events) as the project's evaluator takes them, each value converted from its text by the
    project's scenario conversion against the contract's declarations."""
    from interpreter.run.events import Event, convert
    from interpreter.run.scenario import Scalar

    base = model.base.tables
    params = {name: convert(Scalar(as_text(value), "bool" if isinstance(value, bool) else "str", None),
                            base.params[name].type, base)
              for name, value in c.params.items()}
    events = []
    for index, row in enumerate(c.rows):
        tables = model.version_on(row.at.date()).tables
        decl = tables.events[row.event]
        types = {f.name: f.type for f in decl.fields}
        fields = {name: convert(Scalar(as_text(value), "str", None), types[name], tables)
                  for name, value in row.fields.items()}
        events.append(Event(index, decl.name, row.at, fields, decl.label))
    return params, events
