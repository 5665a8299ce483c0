"""How payments settle invoices: in order of due date, or the one the payer designates first (`payments settle EXPR
first`, 民法第488条), each part paying the late interest its invoice carries before the fees (民法第489条)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from collections import defaultdict
from datetime import date
from decimal import Decimal

from interpreter.run.expressions import as_date, evaluate
from interpreter.run.ledger import Entry
from interpreter.statements.interest import arisen_before_part
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event


class PaymentsChecks:
    """Checks of `payments settle … first` (a mixin of the checker)."""

    def _stmt_PaymentsSettle(self, s: n.PaymentsSettle, tables, scope) -> None:
        paid_by = next((x.paid_by for r in tables.rules.values() for x in r.statements
                        if isinstance(x, n.InvoiceDue) and x.paid_by), None)
        if paid_by is None:
            self.error("E404", "`payments settle … first` needs the payment event: `invoice … paid by EVENT;`", s.span,
                       "name the event that records a payment in the invoice statement")
            return
        self._expect(s.first, "date", self._event_scope(scope, paid_by, tables), tables,
                     "the day whose billing period's invoice a payment settles first")


class PaymentsEvaluation:
    """The payments of a timeline and how they settle the invoices (a mixin of the evaluation)."""

    def _payments(self) -> list[Event]:
        """The payment events (`invoice due … paid by EVENT`), whether or not that rule applies to this
        customer: a payment is a payment even where no invoice rule of these terms governs it."""
        d = self.contract_start or self.as_of
        for rule in self.version(d).tables.rules.values():
            for s in rule.statements:
                if isinstance(s, n.InvoiceDue) and s.paid_by:
                    return [e for e in self.seen.get(s.paid_by, []) if e.index not in self.rejected]
        return []

    def _settle(self, invoices: list[Entry], payments: list[Event]):
        """(the payment that completed each invoice or None, what each still owes, the parts each was paid in —
        (amount, payment), the payment None for the surplus of an invoice whose credits exceed its charges —, the
        payments' excess over every invoice with the payments that left it). Each payment settles first the invoice
        its payer designated (`payments settle EXPR first`, 民法第488条第1項), then the others oldest first (民法第488条
        第4項: the one due first); an invoice whose credits exceed its charges settles the invoices after it."""
        balance = {inv.key: inv.amount + (inv.tax or 0) for inv in invoices}
        paid_on: dict[str, Event | None] = {inv.key: None for inv in invoices}
        parts: dict[str, list[tuple[Decimal, Event | None]]] = {inv.key: [] for inv in invoices}
        interest_paid: dict[str, Decimal] = defaultdict(Decimal)
        for i, inv in enumerate(invoices):
            if balance[inv.key] < 0:
                self._pay(invoices[i + 1:], -balance[inv.key], balance, paid_on, parts, None,
                          self._interest_paid_by(None, interest_paid))
        designation = next(iter(self.statements(self.contract_start or self.as_of, n.PaymentsSettle)), None)
        self._designated_payments: set[int] = set()
        over, over_by = Decimal(0), []
        # 民法第488条第4項: the one due first (an accelerated invoice before interest billed apart with a later due
        # date, whatever their periods); invoices due the same day in the order of their periods, a convention
        # (第4項第4号 would divide the payment between them in proportion to their amounts)
        by_due = sorted(invoices, key=lambda inv: (inv.due or date.max, inv.period[0]))
        carrying = self._carrying_interest(by_due)
        settled_first = 0  # by_due[:settled_first] owe nothing: a balance only falls, so they stay settled
        for payment in payments:
            order, carried = by_due, carrying
            if designation is not None:
                day = evaluate(designation[1].first, self.event_env(payment))
                if day.kind != "absent":
                    self._designated_payments.add(payment.index)
                    chosen = self._period_of(as_date(day)).start
                    order = sorted(by_due, key=lambda inv: inv.period[0] != chosen)  # stable: then the one due first
                    carried = self._carrying_interest(order)
            # what a part pays of interest is counted only when some invoice carries interest (`_interest_paid_by`)
            counted = self._interest_paid_by(payment, interest_paid) if self._invoice_interest_lines else None
            amount = self._pay_interest_first(carried, order is by_due, payment, balance, paid_on, parts,
                                              interest_paid, counted)
            if order is by_due:  # `_pay` would pass the settled invoices due first by
                while settled_first < len(by_due) and balance[by_due[settled_first].key] <= 0:
                    settled_first += 1
                order = by_due[settled_first:]
            left = self._pay(order, amount, balance, paid_on, parts, payment, counted)
            if left > 0:
                over, over_by = over + left, over_by + [payment]
        return paid_on, balance, parts, (over, over_by)

    def _carrying_interest(self, order: list[Entry]) -> list[Entry]:
        """The invoices in a payment's order that carry late interest and have a due date: the only ones it can pay
        interest of first (`_pay_interest_first`)."""
        lines = self._invoice_interest_lines
        return [inv for inv in order if inv.key in lines and inv.due is not None] if lines else []

    def _pay_interest_first(self, carried: list[Entry], due_first: bool, payment: Event, balance: dict, paid_on: dict,
                            parts: dict, interest_paid: dict, counted) -> Decimal:
        """Pay the late interest still unpaid on the invoices already due by the payment day, in the payment's
        order, before any fee (民法第489条第1項: 利息 before 元本, whatever the payer designates; 第2項 keeps the 第488条
        order within the interest). Interest billed on an invoice not yet due is not yet payable (第15条2): it is
        settled with that invoice, where it is paid first too (`_interest`). Whether the invoice's billing period is
        over on the as-of day does not matter: what a payment paid does not change with the day the ledger is
        drawn up. `carried`: the invoices of the payment's order that carry interest (`_carrying_interest`), due
        first when `due_first` (then the first not yet due ends the search). What is left of the payment."""
        amount = payment.fields["amount"].value
        for inv in carried:
            if inv.due > payment.date:
                if due_first:  # and so is every one after it
                    break
                continue
            arisen = sum((e.amount for e in self._invoice_interest(inv) if self._arose_before(e, payment)), Decimal(0))
            take = min(amount, arisen - interest_paid[inv.key], balance[inv.key])
            if take > 0:
                self._pay([inv], take, balance, paid_on, parts, payment, counted)
                amount -= take
        return amount

    @staticmethod
    def _arose_before(interest: Entry, payment: Event | None) -> bool:
        """Whether a late interest line had arisen when the payment was made (by an earlier payment: interest
        arises on the day of the payment that gave rise to it). Every line has arisen before a credit's surplus."""
        return payment is None or interest.date < payment.date or (
            interest.date == payment.date and payment.index not in interest.events)

    @staticmethod
    def _pay(order: list[Entry], amount: Decimal, balance: dict, paid_on: dict, parts: dict,
             payment: Event | None, on_part=None) -> Decimal:
        """Apply an amount to the invoices in order, recording each part it pays (and telling `on_part(invoice,
        amount)`); the payment completes those it brings to zero. What is left."""
        for inv in order:
            if amount <= 0:
                break
            owed = balance[inv.key]
            if owed <= 0:  # settled (or in credit): nothing to take
                continue
            take = min(amount, owed)
            balance[inv.key] -= take
            amount -= take
            parts[inv.key].append((take, payment))
            if on_part is not None:
                on_part(inv, take)
            if balance[inv.key] == 0:
                paid_on[inv.key] = payment
        return amount

    def _interest_paid_by(self, payment: Event | None, interest_paid: dict):
        """What counts, for each part a payment pays, the interest its invoice carries that it pays first: the
        interest that had arisen before that part and is not paid yet (民法第489条, `arisen_before_part`, as
        `_interest` counts it), so that no later payment pays that interest again."""
        def count(inv: Entry, take: Decimal) -> None:
            if inv.key in self._invoice_interest_lines:
                arisen = sum((e.amount for e in self._invoice_interest(inv) if arisen_before_part(e, inv, payment)),
                             Decimal(0))
                interest_paid[inv.key] += min(take, max(arisen - interest_paid[inv.key], Decimal(0)))
        return count
