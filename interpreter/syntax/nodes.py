"""The abstract syntax tree: frozen classes (`interpreter.records`), one per construct of grammar/yakkan.lark.

Every node carries the span it was written at; spans are kept out of equality so that two files that
say the same thing in different layouts have equal trees (the formatter relies on it).
Nodes only record what was written: names are resolved and units checked later, in `checker`.
`fields(type(node))` lists a node's fields; `is_node(x)` tells a node from any other value.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Union

from interpreter.records import field as _field
from interpreter.records import fields, frozen  # noqa: F401 (fields: for the walks over the tree)
from interpreter.syntax.source import Span


def _span():
    return _field(default=None, eq=False, repr=False, kw_only=True)


class _Node:
    """What every node shares (the base by which `is_node` knows them)."""

    __slots__ = ()


def node(cls):
    """A frozen class (slots, equality and hash from every field but the span), a `_Node`."""
    return frozen(cls, base=_Node)


def is_node(value) -> bool:
    """Whether a value is a node of the syntax tree."""
    return isinstance(value, _Node)

# ------------------------------------------------------------------ expressions


@node
class Num:
    """A number with an optional unit word as written: `10,000 yen`, `3 months`, `14.6%`, `10 GB`."""

    value: Decimal
    unit: str | None
    span: Span = _span()


@node
class Str:
    value: str
    span: Span = _span()


@node
class DateLit:
    value: date
    span: Span = _span()


@node
class DateTimeLit:
    value: datetime
    span: Span = _span()


@node
class Bool:
    value: bool
    span: Span = _span()


@node
class Name:
    name: str
    span: Span = _span()


@node
class Attr:
    obj: "Expr"
    name: str
    span: Span = _span()


@node
class Call:
    func: str
    args: tuple["Expr", ...]
    span: Span = _span()
    excluding: tuple[str, ...] = ()  # `monthly_fee(d, ITEMS, excluding MIN-9)`: the rules whose fees are left out


@node
class Unary:
    op: str  # "-" or "not"
    operand: "Expr"
    span: Span = _span()


@node
class Binary:
    op: str  # + - * / and or
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@node
class Compare:
    """A comparison, possibly chained as the terms write tiers: `99.0% <= a < 99.9%`."""

    operands: tuple["Expr", ...]
    ops: tuple[str, ...]
    span: Span = _span()


@node
class In:
    item: "Expr"
    collection: "Expr"
    negated: bool
    span: Span = _span()


@node
class ListExpr:
    items: tuple["Expr", ...]
    span: Span = _span()


@node
class IfExpr:
    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span = _span()


@node
class Aggregate:
    """`sum EXPR for each EVENT in PERIOD where COND`, and count/maximum/minimum."""

    kind: str
    expr: "Expr | None"
    var: str
    period: "Expr"
    where: "Expr | None"
    span: Span = _span()


@node
class TierRow:
    cond: "Expr | None"  # None for `otherwise`
    value: "Expr"
    span: Span = _span()


@node
class Tier:
    subject: "Expr"
    rows: tuple[TierRow, ...]
    graduated: bool = False  # each band of the subject at its own row's rate, summed (段階料金)
    span: Span = _span()


@node
class MonthPoint:
    """`end of month before X`, `start of month after X`, `day 20 of month 2 months before X`.

    which: "end", "start" or "day"; offset: months from the month of `base` (0 = of, -1 = before …).
    """

    which: str
    day: int | None
    offset: int
    base: "Expr"
    span: Span = _span()


@node
class Expiry:
    """`expiry of 3 months after X` (民法140: the first day is not counted) or `counting from X`."""

    amount: Num
    first_day_counts: bool
    base: "Expr"
    span: Span = _span()


@node
class ClearBefore:
    """`7 clear days before X` (「7日前までに」): N whole days (weeks, months, years) lie between the day and X,
    neither counted, so the day is X − N units − 1 day; months are counted from X (clamped)."""

    amount: Num
    base: "Expr"
    span: Span = _span()


@node
class NthBusinessDay:
    n: int
    base: "Expr"
    span: Span = _span()


@node
class BusinessDay:
    """`business day on or before X` / `on or after X`."""

    direction: str
    base: "Expr"
    span: Span = _span()


@node
class Extreme:
    """`later of (A, B)` / `earlier of (A, B)`: dates that do not exist (an event not yet seen) are skipped."""

    kind: str  # "later" or "earlier"
    items: tuple["Expr", ...]
    span: Span = _span()


@node
class DaysThrough:
    """`days from A through B`: the number of days from A to B, both counted."""

    start: "Expr"
    end: "Expr"
    span: Span = _span()


@node
class NextEvent:
    """`next EVENT`: inside a statement run on an event, EVENT's first occurrence at or after that event;
    `(next EVENT where COND)`: its first such occurrence for which COND holds (COND names it EVENT);
    `(last EVENT where COND)` (`backward`): its latest occurrence at or before that event for which COND holds."""

    event: str
    where: "Expr | None" = None
    backward: bool = False
    span: Span = _span()


Expr = Union[
    Num, Str, DateLit, DateTimeLit, Bool, Name, Attr, Call, Unary, Binary, Compare, In, ListExpr, IfExpr,
    Aggregate, Tier, MonthPoint, Expiry, NthBusinessDay, BusinessDay, Extreme, DaysThrough, ClearBefore,
    NextEvent,
]

# ------------------------------------------------------------------ declarations


@node
class TypeRef:
    name: str
    per: str | None = None
    span: Span = _span()


@node
class Contract:
    name: str
    label: str | None
    provider: str | None
    document: str | None
    revised: date | None
    currency: str | None
    version: "BaseVersion | None"
    span: Span = _span()


@node
class BaseVersion:
    name: str
    label: str | None
    effective: date | None
    span: Span = _span()


@node
class Convention:
    name: str
    values: tuple[str, ...]
    span: Span = _span()


@node
class Conventions:
    items: tuple[Convention, ...]
    span: Span = _span()


@node
class Closed:
    start: date
    end: date
    label: str | None
    span: Span = _span()


@node
class ClosedYearly:
    start: tuple[int, int]
    end: tuple[int, int]
    label: str | None
    span: Span = _span()


@node
class Calendar:
    name: str
    label: str | None
    holidays: str | None
    weekend: tuple[str, ...] | None
    closed: tuple[Closed, ...]
    closed_yearly: tuple[ClosedYearly, ...]
    span: Span = _span()


@node
class UnitDecl:
    name: str
    label: str | None
    span: Span = _span()


@node
class EnumCase:
    name: str
    label: str | None
    span: Span = _span()


@node
class EnumDecl:
    name: str
    label: str | None
    cases: tuple[EnumCase, ...]
    span: Span = _span()


@node
class ChoiceAlt:
    name: str
    label: str | None
    span: Span = _span()


@node
class ChoiceDecl:
    """A reading choice: the alternatives of an ambiguous passage, the default taken, the articles concerned."""

    id: str
    articles: tuple[str, ...]
    name: str
    label: str | None
    alternatives: tuple[ChoiceAlt, ...]
    default: str | None
    span: Span = _span()
    default_span: Span | None = _span()


@node
class ParamDecl:
    name: str
    type: TypeRef
    default: Expr | None
    label: str | None
    span: Span = _span()


@node
class ItemDecl:
    kind: str  # plan, option, item, feature
    name: str
    label: str | None
    includes: tuple[Expr, ...]
    measured_in: str | None
    texts: tuple[str, ...]
    children: tuple["ItemDecl", ...]
    span: Span = _span()
    # `section "別表第１号" "別表第１号　サービス内容";`: the part of the document that prints this item (its 名称)
    # and the heading under which it is printed (the start of its 該当箇所), for the 新旧対照表
    section: tuple[str, str] | None = None


@node
class FieldDecl:
    name: str
    type: TypeRef
    default: Expr | None
    label: str | None
    span: Span = _span()
    optional: bool = False  # `NAME: optional TYPE`: a scenario may leave it out; it then has no value


@node
class StartContract:
    span: Span = _span()


@node
class EndContract:
    span: Span = _span()


@node
class StartItem:
    """`starts X [quantity N] [billing from D]`: X is held from the effect's date; its fees run from D."""
    item: Expr
    quantity: Expr | None
    billing_from: Expr | None = None
    span: Span = _span()


@node
class EndItem:
    """`ends X`: the effective date is X's last day. `stops X`: X is no longer provided from that date."""

    item: Expr
    stops: bool = False
    span: Span = _span()


@node
class SetQuantity:
    item: Expr
    value: Expr
    span: Span = _span()


@node
class ChangeItem:
    item: Expr
    to: Expr
    span: Span = _span()


@node
class AccelerateDebts:
    """`accelerates debts [through LAST] [to DATE]`: every unpaid amount of a month begun by the effect's date (or
    by LAST: 「満了日までの未払いの利用料金」) falls due on DATE, or on the effect's date without one (期限の利益喪失)."""

    to: Expr | None = None
    through: Expr | None = None
    span: Span = _span()


@node
class SuspendService:
    """`suspends service [until DATE]`: the service is suspended from the effect's date; fees keep running."""

    until: Expr | None
    span: Span = _span()


@node
class WaiveFees:
    """`waives fees [of KIND, …] [for ITEMS] from A through B`: those fees arising in the span are not owed."""

    kinds: tuple[str, ...]
    items: tuple[Expr, ...]
    start: Expr
    end: Expr
    span: Span = _span()


Action = Union[StartContract, EndContract, StartItem, EndItem, SetQuantity, ChangeItem, AccelerateDebts,
               SuspendService, WaiveFees]


@node
class EventDecl:
    name: str
    label: str | None
    interval: bool
    fields: tuple[FieldDecl, ...]
    effects: tuple[Action, ...]
    span: Span = _span()


# ------------------------------------------------------------------ statements inside rules


@node
class Rounding:
    mode: str
    to: Expr
    span: Span = _span()


@node
class TaxRate:
    rate: Expr
    start: date
    span: Span = _span()


@node
class Tax:
    name: str
    rates: tuple[TaxRate, ...]
    included: bool = False  # the terms' amounts already include the tax
    outside: tuple[str, ...] = ()  # kinds of amounts outside tax: named charges, `interest`
    span: Span = _span()


@node
class PeriodAnchor:
    first_day_counts: bool  # `counting from X` (起算日 X) vs `after X` (民法140)
    base: Expr
    span: Span = _span()


@node
class MinimumTerm:
    length: Expr
    anchor: PeriodAnchor
    items: tuple[Expr, ...]
    span: Span = _span()


@node
class FixedTerm:
    length: Expr
    anchor: PeriodAnchor
    renews: Expr | None
    span: Span = _span()


@node
class Notice:
    name: str
    label: str | None
    party: str
    event: str
    effective: Expr | None
    allowed: str | None
    due: Expr | None
    effects: tuple[Action, ...]
    if_late: str | None
    span: Span = _span()
    where: Expr | None = None  # `on EVENT where COND`: an event for which COND is false is no such notice


@node
class Obligation:
    name: str
    label: str | None
    party: str
    trigger: str | None  # an event name, "contract ends", or "each day" (a duty every calendar day; `today` in scope)
    due: Expr | None
    met_by: str | None
    grants: str | None
    where: Expr | None = None  # `when EVENT where COND`: only the occurrences for which COND holds
    met_where: Expr | None = None  # `met by EVENT where COND`: only an occurrence for which COND holds meets it
    span: Span = _span()


@node
class Fee:
    kind: str  # initial, monthly, yearly, occurrence
    amount: Expr
    per_size: Decimal | None
    per_unit: str | None
    items: tuple[Expr, ...]
    on_event: str | None
    where: Expr | None
    first_month: str | None
    last_month: str | None
    start: Expr | None
    tax_exempt: bool
    settled: bool = True  # `not settled`: left out of a settlement of the remaining minimum term
    until: Expr | None = None  # charged for the periods that begin on or before this day
    periods: int | None = None  # `from X for N periods`: only N periods
    label: str | None = None  # `as "割引"`: the fee's own label in the ledger (else the rule's title)
    on_change: str | None = None  # `when quantity changes prorated|daily_rate`: each quantity for its days
    span: Span = _span()
    days_basis: str | None = None  # `prorate actual_days|thirty_days`: this fee's daily basis (else the conventions')


@node
class Settle:
    label: str | None
    items: tuple[Expr, ...]
    partial_month: str | None
    unless_ended_by: tuple[str, ...]
    span: Span = _span()
    ended_where: tuple[tuple[str, Expr], ...] = ()  # `unless ended by EVENT where COND`: the condition on that event


@node
class BillingFrom:
    start: Expr
    span: Span = _span()


@node
class InvoiceDue:
    due: Expr
    paid_by: str | None = None  # the event that records a payment
    issued: Expr | None = None  # the issue day (`closing` in scope); `issued` in `due`
    span: Span = _span()


@node
class PaymentsSettle:
    """`payments settle EXPR first;`: a payment settles first the invoice of the billing period that holds the day
    EXPR gives (the payer's designation, 民法第488条第1項), then the others oldest first."""

    first: Expr  # evaluated with the payment event in scope; no value: oldest first
    span: Span = _span()


@node
class BillingPeriod:
    """`billing period "料金月" months counting from X;` or `… calendar months [closing day N];`."""

    label: str | None
    anchor: Expr | None  # months counted from this day; None for calendar months
    closing_day: int | None = None  # calendar months closing on this day (None: the month's last day)
    span: Span = _span()


@node
class Interest:
    rate: Expr
    days_from: Expr | None
    days_through: Expr | None
    year: Expr | None
    per_invoice: bool = False  # `rounded once per invoice;`: the parts of an invoice are cut to the yen together
    span: Span = _span()


@node
class Iteration:
    kind: str  # "event", "month", "contract_end"
    event: str | None = None
    span: Span = _span()


@node
class Let:
    name: str
    expr: Expr
    span: Span = _span()


@node
class Claim:
    by: Expr
    via: str
    span: Span = _span()
    start: Expr | None = None  # the first day a claim is in time; the day the right arises when not written


@node
class Emit:
    """charge / credit / state / finding: an entry the rule makes, per event, per month or at the end."""

    kind: str
    name: str | None
    label: str | None
    iteration: Iteration | None
    where: Expr | None
    lets: tuple[Let, ...]
    requires: tuple[Expr, ...]
    amount: Expr | None
    value: Expr | None
    date: Expr | None
    claim: Claim | None
    tax_exempt: bool
    span: Span = _span()


@node
class Requires:
    item: Expr
    condition: Expr
    span: Span = _span()


@node
class EndsWith:
    item: Expr
    prerequisites: tuple[Expr, ...]
    span: Span = _span()


@node
class Limit:
    label: str | None
    event: str
    condition: Expr
    span: Span = _span()


@node
class Reject:
    label: str | None
    event: str
    condition: Expr
    span: Span = _span()


@node
class ClaimWindow:
    """`claims for CREDIT [from START] by DATE via EVENT [where COND];`: the window of a named credit, when another
    article sets it; COND (with the credit's `month` and the claim event in scope) says which claims are for it."""

    credit: str
    by: Expr
    via: str
    span: Span = _span()
    start: Expr | None = None
    where: Expr | None = None


@node
class Effect:
    """`effect "label" on EVENT [where COND] { [date DATE;] ACTION; … }`: actions applied when EVENT happens;
    `effect "label" on DATE [where COND] { … }`: applied on a date the terms name, to a contract in force then."""

    label: str | None
    event: str | None  # None for an effect on a date
    where: Expr | None
    date: Expr | None
    actions: tuple[Action, ...]
    span: Span = _span()
    on_date: date | None = None


@node
class Refund:
    """`refund CREDIT deducted from later|renewal|next renewal fees[, else paid out];` or `refund CREDIT paid out;`."""

    credit: str
    deducted: bool  # deducted from the fees of the invoices from the credit's month on
    paid_out: bool  # what is not deducted (or all of it) is paid to the customer
    renewal: bool = False  # deducted only from the fees of renewed terms, from the credit's month on
    next_term: bool = False  # with renewal: only from the term renewed after the credit's term
    span: Span = _span()


Statement = Union[
    Rounding, Tax, MinimumTerm, FixedTerm, Notice, Obligation, Fee, Settle, BillingFrom, InvoiceDue, BillingPeriod,
    Interest, Emit, Requires, EndsWith, Limit, Reject,
    ClaimWindow, Effect, Refund, PaymentsSettle,
]


@node
class Condition:
    expr: Expr
    negated: bool  # `unless` rather than `when`
    span: Span = _span()


@node
class RuleDecl:
    id: str
    articles: tuple[str, ...]
    label: str | None
    condition: Condition | None
    statements: tuple[Statement, ...]
    span: Span = _span()
    id_span: Span = _span()


@node
class Amendment:
    name: str
    label: str | None
    effective: date
    notes: tuple[str, ...]
    decls: tuple["Decl", ...]
    span: Span = _span()


Decl = Union[
    Contract, Conventions, Calendar, UnitDecl, EnumDecl, ParamDecl, ItemDecl, EventDecl, RuleDecl, Amendment,
    ChoiceDecl,
]


@node
class Program:
    file: str
    decls: tuple[Decl, ...]
    span: Span = _span()
