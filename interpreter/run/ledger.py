"""Ledger entries with provenance, their canonical order and ids, and their JSON form.

An entry records what the terms make true for one customer: a charge, a credit, an obligation, a finding,
a derived state, or an invoice grouping charges and credits. Each carries the rule and article it came
from, the `.ctr` position of the statement, the events it used and the arithmetic that produced it.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from interpreter import records
from interpreter.run.decimal_texts import kept_texts

from interpreter.syntax.source import Span

KINDS = ("charge", "credit", "obligation", "finding", "state", "invoice")
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

# The fields of the JSON form (entry_json) an entry of each kind can have; a scenario's `expect:` items are
# checked against them, so that an expectation naming a field no such entry has is an error, not a pass.
# `also` is common: an entry of any kind from a rule whose condition tests a reading choice names the choice there.
_COMMON = ("id", "kind", "label", "rule", "clause", "note", "events", "source", "also")
_MONEY = ("date", "period", "amount", "tax", "currency")
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    "charge": _COMMON + _MONEY + ("status", "window"),
    "credit": _COMMON + _MONEY + ("status", "window"),
    "obligation": _COMMON + ("date", "party", "due", "status"),
    "finding": _COMMON + ("date",),
    "state": _COMMON + ("date", "period", "value"),  # a period: the span an effect covers (a suspension, a waiver)
    "invoice": _COMMON + _MONEY + ("due", "lines"),
}
ENTRY_FIELDS = tuple(dict.fromkeys(f for fields in FIELDS_BY_KIND.values() for f in fields))
STATUSES = ("met", "missed", "open", "lapsed", "claimed", "paid out", "to be deducted", "waived")
PARTIES = ("customer", "provider", "either")  # grammar/yakkan.lark, `party`
# The note on an invoice's payment duty that the surplus of an earlier invoice's credits settled (no payment did).
CREDIT_SETTLED = "settled by the credits of an earlier invoice"


_entry_ids: list[str] = []  # "E1", "E2", …: the same texts for every ledger


def entry_ids(count: int) -> list[str]:
    """The ids of a ledger of `count` entries, in order. (A longer list replaces the kept one whole, never grows
    in place: evaluations in several threads read it.)"""
    global _entry_ids
    ids = _entry_ids
    if len(ids) < count:
        ids = _entry_ids = [f"E{i}" for i in range(1, max(count, 2 * len(ids)) + 1)]
    return ids[:count]


def number_entry(entry: "Entry", entry_id: str, lines: tuple[str, ...] = ()) -> None:
    """Give an entry its id (and an invoice the ids of its lines). Ids are known only once the ledger is
    sorted; the evaluation that made the entries numbers them once, before the ledger leaves it, so the
    entries are frozen for everyone else. (Copying each entry to set two fields cost a tenth of the time.)"""
    _set_id(entry, entry_id)
    if lines:
        _set_lines(entry, lines)


@records.frozen
class Entry:
    kind: str
    label: str
    rule: str | None
    clause: str | None
    source: Span | None
    date: date | None = None
    period: tuple[date, date] | None = None
    amount: Decimal | None = None
    tax: Decimal | None = None
    party: str | None = None
    due: date | None = None
    status: str | None = None
    value: object = None
    events: tuple[int, ...] = ()
    lines: tuple[str, ...] = ()
    note: str | None = None
    window: tuple[date, date] | None = None
    tax_rate: Decimal | None = None  # percent, for charges and credits; None when exempt
    tax_included: bool = False  # the amount includes its tax, worked out once per invoice
    explanation: tuple[str, ...] = ()
    conventions: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other rules that shaped the figure (rounding, tax, a claim window)
    id: str = ""
    key: str = ""  # a stable identity before ids are assigned (for invoice lines)

    @property
    def sort_date(self) -> date:
        return (self.due if self.kind == "obligation" else self.date) or self.due or date.min

    @property
    def counts(self) -> bool:
        """Whether a charge or credit is owed now (a credit still open or lapsed, a charge waived, a refund still
        to be deducted are shown, not owed). A refund paid out is owed, outside any invoice."""
        return self.status in (None, "claimed", "paid out")


# The slots' own setters, past the refusal to assign (number_entry: ids are given once, before the ledger leaves
# the evaluation).
_set_id = Entry.id.__set__
_set_lines = Entry.lines.__set__


def sort_entries(entries: list[Entry], rank: dict[int, int] | None = None) -> list[Entry]:
    """Entries by date (due for obligations), then by source position; the rest only breaks ties.

    `rank` maps an event's position in the file to its position in the sorted timeline, so that the order
    (and so the ids) does not depend on the order the scenario file lists its events in.

    The order is that of the whole key (`_head` then `_tail`), stable: entries are sorted by the head, which
    tells nearly every two apart, and only a run of entries with the same head is sorted again by the tail (a
    stable sort of each run gives the order of a stable sort by head and tail). The tail, which formats values
    and amounts, is so built for the few entries that need it."""
    rank = rank or {}
    heads = [_head(e) for e in entries]
    order = sorted(range(len(entries)), key=heads.__getitem__)
    ordered = [entries[i] for i in order]
    in_order = [heads[i] for i in order]
    # the positions whose head is the one before's: most ledgers have a few such runs, many none
    tied = [i for i in range(1, len(in_order)) if in_order[i] == in_order[i - 1]]
    k = 0
    while k < len(tied):
        start, end = tied[k] - 1, tied[k] + 1
        while k + 1 < len(tied) and tied[k + 1] == end:  # the run goes on
            k, end = k + 1, end + 1
        ordered[start:end] = sorted(ordered[start:end], key=lambda e: _tail(e, rank))
        k += 1
    return ordered


def _head(e: Entry) -> tuple:
    """What orders entries first: the day, the statement's place in the source, the kind and the label."""
    source = e.source
    if source is None:
        return e.sort_date, 1 << 30, 0, _KIND_ORDER[e.kind], e.label
    return e.sort_date, source.line, source.column, _KIND_ORDER[e.kind], e.label


def _tail(e: Entry, rank: dict[int, int]) -> tuple:
    """What orders entries with the same head: the value, the events in timeline order, the amount, the key."""
    timeline = tuple([rank.get(i, i) for i in e.events]) if e.events else ()
    value, amount = e.value, e.amount
    return "None" if value is None else str(value), timeline, "None" if amount is None else str(amount), e.key


def assign_ids(entries: list[Entry]) -> list[Entry]:
    return [records.evolve(e, id=f"E{i}") for i, e in enumerate(entries, 1)]


def money_text(d: Decimal | None) -> str | None:
    """An amount as the JSON ledger and the batch tables write it: "4500", "12.5"."""
    return None if d is None else _money_text(d)


@kept_texts
def _money_text(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def value_json(v):
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return money_text(v)
    if isinstance(v, (list, tuple)):
        return [value_json(x) for x in v]
    return v


def entry_json(e: Entry) -> dict:
    out: dict = {"id": e.id, "kind": e.kind, "label": e.label}
    if e.rule:
        out["rule"] = e.rule
    if e.clause:
        out["clause"] = e.clause
    if e.also:
        out["also"] = list(e.also)
    if e.date:
        out["date"] = e.date.isoformat()
    if e.period:
        out["period"] = [e.period[0].isoformat(), e.period[1].isoformat()]
    if e.amount is not None:
        out["amount"] = money_text(e.amount)
        out["tax"] = money_text(e.tax if e.tax is not None else Decimal(0))
        out["currency"] = "JPY"
    if e.party:
        out["party"] = e.party
    if e.due:
        out["due"] = e.due.isoformat()
    if e.status:
        out["status"] = e.status
    if e.value is not None:
        out["value"] = value_json(e.value)
    if e.window:
        out["window"] = [e.window[0].isoformat(), e.window[1].isoformat()]
    if e.lines:
        out["lines"] = list(e.lines)
    if e.note:
        out["note"] = e.note
    out["events"] = list(e.events)
    if e.source:
        out["source"] = {"file": e.source.file, "line": e.source.line, "column": e.source.column}
    return out


@records.frozen
class Ledger:
    contract_name: str
    contract_file: str
    version: str | None
    as_of: date
    entries: tuple[Entry, ...]

    def totals(self) -> dict[str, Decimal]:
        charge = sum((e.amount for e in self.entries if e.kind == "charge" and e.counts), Decimal(0))
        credit = sum((e.amount for e in self.entries if e.kind == "credit" and e.counts), Decimal(0))
        tax = sum((e.tax or Decimal(0) for e in self.entries if e.kind == "invoice"), Decimal(0))
        return {"charge": charge, "credit": credit, "tax": tax}

    def as_json(self) -> dict:
        return {
            "contract": {"name": self.contract_name, "file": self.contract_file, "version": self.version},
            "as_of": self.as_of.isoformat(),
            "entries": [entry_json(e) for e in self.entries],
            "totals": {k: money_text(v) for k, v in self.totals().items()},
        }

    def find(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)
