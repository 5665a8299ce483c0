"""Billing start, invoices per month with tax, their due dates and the payments that meet them.

The checks run in `check`, the evaluation in `run`; both are mixins composed by
interpreter/statements/__init__.py."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from interpreter.check.types import DATE
from interpreter.run.events import Event
from interpreter.run.expressions import Month, Value, as_date, evaluate, format_decimal
from interpreter.run.ledger import Entry
from interpreter.syntax import nodes as n

INVOICE_NAMES = {"closing": DATE}


class BillingChecks:
    """Checks of billing statements (a mixin of the checker)."""

    def _stmt_BillingFrom(self, s: n.BillingFrom, tables, scope) -> None:
        self._expect(s.start, "date", scope, tables, "the start of billing")
        self._not_from_itself(s.start, "billing_start", "billing from")

    def _stmt_InvoiceDue(self, s: n.InvoiceDue, tables, scope) -> None:
        self._expect(s.due, "date", scope.child(INVOICE_NAMES), tables, "an invoice's due date")
        if s.paid_by:
            decl = self._event_name(s.paid_by, s.span, tables)
            if decl is not None and not any(f.name == "amount" and f.type.name == "money" for f in decl.fields):
                self.error("E404", f"payment event `{s.paid_by}` needs an `amount: money;` field", s.span)


class BillingEvaluation:
    """Evaluation of billing statements (a mixin of the evaluation)."""

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
        lines: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        for e in self.entries:
            if e.kind in ("charge", "credit") and e.counts and e.date is not None:
                lines[(e.date.year, e.date.month)].append(e)
        invoices = []
        for (year, month), items in sorted(lines.items()):
            invoice = self._invoice(Month(year, month), items, due_stmt)
            invoices.append(invoice)
        if due_stmt is None:
            return
        rule, stmt = due_stmt
        interest_found = next(iter(self.statements(d, n.Interest)), None)
        payments = sorted(self._payments(), key=lambda e: (e.instant, e.index))
        remaining = [(inv, inv.amount + (inv.tax or 0)) for inv in invoices]
        paid_on: dict[str, Event | None] = {}
        pay_iter = iter(payments)
        credit = Decimal(0)
        current_payment: Event | None = None
        for inv, owed in remaining:
            while credit < owed:
                current_payment = next(pay_iter, None)
                if current_payment is None:
                    break
                credit += current_payment.fields["amount"].value
            if credit >= owed and current_payment is not None:
                credit -= owed
                paid_on[inv.key] = current_payment
            else:
                paid_on[inv.key] = None
        self.settled_invoices = [(inv, owed, paid_on[inv.key]) for inv, owed in remaining]
        extra_lines: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        for inv, owed in remaining:
            if owed <= 0:
                continue
            payment = paid_on[inv.key]
            status = ("met" if payment.date <= inv.due else "missed") if payment else (
                "missed" if self.as_of > inv.due else "open")
            self.add(rule, stmt, "obligation", f"payment of the invoice for {inv.period[0]:%Y-%m}",
                     party="customer", due=inv.due, status=status,
                     events=(payment.index,) if payment else (), date=inv.date,
                     note=f"paid {payment.date}" if payment else None)
            if payment and payment.date > inv.due and interest_found is not None:
                irule, istmt = interest_found
                entry = self._interest(irule, istmt, inv, owed, payment)
                if entry is not None:
                    extra_lines[(entry.date.year, entry.date.month)].append(entry)
        for key, entries in extra_lines.items():
            self.entries = [e for e in self.entries if not (e.kind == "invoice" and e.key == f"invoice:{key}")]
            all_lines = lines.get(key, []) + entries
            self._invoice(Month(*key), all_lines, due_stmt)

    def _invoice(self, month: Month, items: list[Entry], due_stmt) -> Entry:
        by_rate: dict[Decimal | None, Decimal] = defaultdict(Decimal)
        total = Decimal(0)
        steps = []
        for e in items:
            sign = 1 if e.kind == "charge" else -1
            total += sign * e.amount
            by_rate[e.tax_rate] += sign * e.amount
        tax = Decimal(0)
        for rate, base in sorted(by_rate.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            if rate is None:
                steps.append(f"not taxed: {format_decimal(base)} yen")
                continue
            t = (base * rate / 100).to_integral_value(rounding=ROUND_FLOOR)
            steps.append(f"tax at {format_decimal(rate)}% on {format_decimal(base)} yen = {format_decimal(t)} yen "
                         f"(rounded down once per rate)")
            tax += t
        due = None
        rule = stmt = None
        if due_stmt is not None:
            rule, stmt = due_stmt
            due = as_date(evaluate(stmt.due, self.env(month.end, {"closing": Value("date", month.end)})))
        _, tax_rule = self._tax_rate(month.end)
        also = (tax_rule.id,) if tax_rule is not None and tax_rule is not rule else ()
        entry = self.add(rule, stmt, "invoice", f"invoice for {month}", date=month.end, period=(month.start, month.end),
                         amount=total, tax=tax, due=due, also=also,
                         explanation=tuple(steps), key=f"invoice:{(month.year, month.month)}")
        # Line ids are only known once the ledger is sorted; remember the entries themselves.
        self._invoice_lines[entry.key] = items
        return entry

    def _fees_paid(self, start: Value, end: Value) -> Value:
        lo, hi = as_date(start), as_date(end)
        total = Decimal(0)
        for ev in self._payments():
            if lo <= ev.date < hi:
                total += ev.fields["amount"].value
        return Value("money", total)
