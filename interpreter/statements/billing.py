"""Billing start, invoices per billing period with tax, their issue and due dates and the payments that meet them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from collections import defaultdict, deque
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from interpreter.check.types import MONTH, DATE
from interpreter.run.expressions import Value, as_date, evaluate, format_decimal
from interpreter.run.ledger import Entry
from interpreter.syntax import nodes as n
from interpreter.time.billing_periods import Period, period_name
from interpreter.run.state import Declared

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event

INVOICE_NAMES = {"closing": DATE, "period": MONTH}  # the billing period the invoice is for
DUE_NAMES = {**INVOICE_NAMES, "issued": DATE}


class BillingChecks:
    """Checks of billing statements (a mixin of the checker)."""

    def _stmt_BillingFrom(self, s: n.BillingFrom, tables, scope) -> None:
        self._expect(s.start, "date", scope, tables, "the start of billing")
        self._not_from_itself(s.start, "billing_start", "billing from")

    def _stmt_InvoiceDue(self, s: n.InvoiceDue, tables, scope) -> None:
        if s.issued is not None:
            self._expect(s.issued, "date", scope.child(INVOICE_NAMES), tables, "an invoice's issue day")
        self._expect(s.due, "date", scope.child(DUE_NAMES), tables, "an invoice's due date")
        if s.paid_by:
            decl = self._event_name(s.paid_by, s.span, tables)
            if decl is not None and not any(f.name == "amount" and f.type.name == "money" for f in decl.fields):
                self.error("E404", f"payment event `{s.paid_by}` needs an `amount: money;` field", s.span)


# The names an invoice's issue and due dates see besides the contract's (grammar: `invoice issued … due …`).
PERIOD_NAMES = frozenset({"closing", "period", "issued"})


class BillingEvaluation:
    """Evaluation of billing statements (a mixin of the evaluation)."""

    def _declared_convention(self, name: str):
        """The `conventions { NAME …; }` entry, as the provenance of what it governs: (a stand-in for the rule,
        the convention's node), or (None, None) when it is not declared. Looked up once per evaluation."""
        found = self.__dict__.setdefault("_declared_conventions", {})
        if name not in found:
            found[name] = next(((Declared(f"conventions: {name} {' '.join(c.values)}", ("conventions",)), c)
                                for decl in self.model.program.decls if isinstance(decl, n.Conventions)
                                for c in decl.items if c.name == name), (None, None))
        return found[name]

    def _billing_start(self) -> date | None:
        d = self.contract_start or self.as_of
        for rule, s in self.statements(d, n.BillingFrom):
            v = evaluate(s.start, self.env(d))
            return as_date(v) if v.kind != "absent" else None
        return self.contract_start

    def _payments(self) -> list[Event]:
        """The payment events (`invoice due … paid by EVENT`), whether or not that rule applies to this
        customer: a payment is a payment even where no invoice rule of these terms governs it."""
        d = self.contract_start or self.as_of
        for rule in self.version(d).tables.rules.values():
            for s in rule.statements:
                if isinstance(s, n.InvoiceDue) and s.paid_by:
                    return [e for e in self.seen.get(s.paid_by, []) if e.index not in self.rejected]
        return []

    def _invoices(self) -> None:
        d = self.contract_start or self.as_of
        due_stmt = next(iter(self.statements(d, n.InvoiceDue)), None)
        self._apply_waivers()
        self._apply_refunds()
        lines: dict[Period, list[Entry]] = defaultdict(list)
        for e in self.entries:
            if e.kind in ("charge", "credit") and e.counts and e.status != "paid out" and e.date is not None:
                lines[self._period_of(e.date)].append(e)
        invoices = []
        for period, items in sorted(lines.items(), key=lambda kv: kv[0].start):
            invoice = self._invoice(period, items, due_stmt)
            invoices.append(invoice)
        if due_stmt is None:
            return
        rule, stmt = due_stmt
        interest_found = next(iter(self.statements(d, n.Interest)), None)
        payments = sorted(self._payments(), key=lambda e: (e.instant, e.index))
        remaining = [(inv, inv.amount + (inv.tax or 0)) for inv in invoices]
        paid_on, parts = self._apply_payments(remaining, payments)
        self.settled_invoices = [(inv, owed, paid_on[inv.key]) for inv, owed in remaining]
        extra_lines: dict[Period, list[Entry]] = defaultdict(list)
        for inv, owed in remaining:
            if owed <= 0:
                continue
            payment = paid_on[inv.key]
            status = ("met" if payment.date <= inv.due else "missed") if payment else (
                "missed" if self.as_of > inv.due else "open")
            self.add(rule, stmt, "obligation", f"payment of the invoice for {period_name(*inv.period)}",
                     party="customer", due=inv.due, status=status,
                     events=(payment.index,) if payment else (), date=inv.date,
                     note=f"paid {payment.date}" if payment else None)
            if payment and payment.date > inv.due and interest_found is not None:
                irule, istmt = interest_found
                entry = self._interest(irule, istmt, inv, parts[inv.key], payment)
                if entry is not None:
                    extra_lines[self._period_of(entry.date)].append(entry)
        for period, entries in extra_lines.items():
            self.entries = [e for e in self.entries if not (e.kind == "invoice" and e.key == f"invoice:{period}")]
            # Interest that arises (on its payment day) after the period's debts were accelerated is a debt of its
            # own: not one the customer had when the benefit of time was lost, so it keeps the period's own due date.
            accelerated = self._invoice_accelerations.get(f"invoice:{period}")
            later = [e for e in entries if accelerated is not None and e.date > accelerated.day]
            self._invoice(period, lines.get(period, []) + [e for e in entries if e not in later], due_stmt)
            if later:
                self._invoice(period, later, due_stmt, arose_after=accelerated.day)

    @staticmethod
    def _apply_payments(remaining: list[tuple[Entry, Decimal]], payments: list[Event]):
        """Payments applied to the invoices in order (民法第488条第4項: the one due first): for each invoice, the
        payment that completed it (None while unpaid) and the parts it was paid in, each with its payment (None for
        the surplus of an invoice whose credits exceed its charges, which pays the next ones from the start)."""
        paid_on: dict[str, Event | None] = {}
        parts: dict[str, list[tuple[Decimal, Event | None]]] = {}
        available: deque[list] = deque()  # [amount, payment]: money received and not yet applied
        pay_iter = iter(payments)
        last_payment: Event | None = None
        for inv, owed in remaining:
            taken, need = [], owed
            while need > 0:
                if not available:
                    last_payment = next(pay_iter, None)
                    if last_payment is None:
                        break
                    available.append([last_payment.fields["amount"].value, last_payment])
                amount, payment = available[0]
                take = min(amount, need)
                taken.append((take, payment))
                need -= take
                if take == amount:
                    available.popleft()
                else:
                    available[0][0] -= take
            if need < 0:
                available.appendleft([-need, None])
            completed = taken[-1][1] if taken and taken[-1][1] is not None else last_payment
            paid_on[inv.key] = completed if need <= 0 else None
            parts[inv.key] = taken
        return paid_on, parts

    def _invoice_tax(self, items: list[Entry], steps: list[str]) -> tuple[Decimal, Decimal]:
        """(amount without tax, tax) of an invoice: tax added once per rate on prices without tax, or the tax
        contained in the total of prices that include it, worked out once (floor(total × rate ÷ (100 + rate)))."""
        by_rate: dict[tuple[Decimal | None, bool], Decimal] = defaultdict(Decimal)
        total = Decimal(0)
        for e in items:
            sign = 1 if e.kind == "charge" else -1
            total += sign * e.amount
            by_rate[(e.tax_rate, e.tax_included)] += sign * e.amount
        tax = Decimal(0)
        for (rate, included), base in sorted(by_rate.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or 0)):
            if rate is None:
                steps.append(f"not taxed: {format_decimal(base)} yen")
                continue
            if included:
                t = (base * rate / (100 + rate)).to_integral_value(rounding=ROUND_FLOOR)
                total -= t
                steps.append(f"tax at {format_decimal(rate)}% contained in {format_decimal(base)} yen = "
                             f"floor({format_decimal(base)} × {format_decimal(rate)} ÷ {format_decimal(100 + rate)}) = "
                             f"{format_decimal(t)} yen (worked out once per invoice); without it "
                             f"{format_decimal(base - t)} yen")
            else:
                t = (base * rate / 100).to_integral_value(rounding=ROUND_FLOOR)
                steps.append(f"tax at {format_decimal(rate)}% on {format_decimal(base)} yen = {format_decimal(t)} yen "
                             f"(rounded down once per rate)")
            tax += t
        return total, tax

    def _invoice(self, month: Period, items: list[Entry], due_stmt, arose_after: date | None = None) -> Entry:
        """The invoice of one billing period. `arose_after`: an invoice of the period's debts that arose after an
        acceleration on that day, which they are not part of (late interest paid later)."""
        steps: list[str] = []
        total, tax = self._invoice_tax(items, steps)
        due = None
        issued = month.end
        if due_stmt is not None:
            rule, stmt = due_stmt
            issued, due = self._invoice_dates(stmt, month)
            if stmt.issued is not None:
                steps.append(f"issued {issued}")
        else:
            rule, stmt = self._declared_convention("invoices")
        key, note, accelerated_by = f"invoice:{month}", None, None
        acceleration = self._acceleration(month.start, due) if arose_after is None else None
        if acceleration is not None:
            self._invoice_accelerations[key] = acceleration
            accelerated_by = acceleration.rule
            note = f"due {due} moved to {acceleration.due}: every debt falls due at once ({acceleration.rule.id})"
            due = acceleration.due
        elif arose_after is not None:
            key = f"{key}:after {arose_after}"
            note = f"arose after the debts fell due on {arose_after}: not accelerated, due {due}"
        _, tax_rule, _ = self._tax_rate(month.end)
        also = tuple(dict.fromkeys(r.id for r in (tax_rule, self._period_rule(), accelerated_by)
                                   if r is not None and r is not rule))
        entry = self.add(rule, stmt, "invoice", f"invoice for {month}", date=issued, period=(month.start, month.end),
                         amount=total, tax=tax, due=due, also=also, note=note,
                         explanation=tuple(steps), key=key)
        # Line ids are only known once the ledger is sorted; remember the entries themselves.
        self._invoice_lines[entry.key] = items
        return entry

    def _invoice_dates(self, stmt: n.InvoiceDue, month: Period) -> tuple[date, date]:
        """(issued, due) of the invoice for a period. Dates that read only the period (`closing`, `period`,
        `issued`) are the same for every customer: worked out once per period."""
        shared = all(self.compiled.reads_only(e, PERIOD_NAMES) for e in (stmt.issued, stmt.due) if e is not None)
        key = (id(stmt), month.start, month.end)
        found = self.compiled.invoice_dates.get(key) if shared else None
        if found is None:
            closing = {"closing": Value("date", month.end), "period": Value("month", month)}
            issued = month.end
            if stmt.issued is not None:
                issued = as_date(evaluate(stmt.issued, self.env(month.end, closing)))
            due = as_date(evaluate(stmt.due, self.env(month.end, {**closing, "issued": Value("date", issued)})))
            found = (issued, due)
            if shared:
                self.compiled.invoice_dates[key] = found
        return found

    def _fees_paid(self, start: Value, end: Value) -> Value:
        lo, hi = as_date(start), as_date(end)
        total = Decimal(0)
        for ev in self._payments():
            if lo <= ev.date < hi:
                total += ev.fields["amount"].value
        return Value("money", total)
