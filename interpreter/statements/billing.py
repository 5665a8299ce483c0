"""Billing start, invoices per billing period with tax, their issue and due dates, and the late interest payments give
rise to, worked out until payments and interest settle (how payments settle invoices: statements/payments.py)."""
from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date
from decimal import ROUND_DOWN, Decimal

from interpreter import records
from interpreter.check.types import MONTH, DATE
from interpreter.run.compiled import keep
from interpreter.run.expressions import EvalError, Value, as_date, evaluate, format_decimal
from interpreter.run.ledger import CREDIT_SETTLED, Entry
from interpreter.syntax import nodes as n
from interpreter.time.billing_periods import Period, period_name
from interpreter.run.state import Declared


@functools.lru_cache(maxsize=4096)
def tax_step(rate: Decimal, included: bool, base: Decimal, tax: Decimal) -> str:
    """How an invoice's tax at one rate was worked out, as its explanation says. Each figure is written by its value
    (format_decimal), so figures equal as numbers give the same text, which is kept for every customer: month after
    month, and from one customer to the next, invoices have the same bases."""
    if included:
        return (f"tax at {format_decimal(rate)}% contained in {format_decimal(base)} yen = "
                f"floor({format_decimal(base)} × {format_decimal(rate)} ÷ {format_decimal(100 + rate)}) = "
                f"{format_decimal(tax)} yen (worked out once per invoice); without it {format_decimal(base - tax)} yen")
    return (f"tax at {format_decimal(rate)}% on {format_decimal(base)} yen = {format_decimal(tax)} yen "
            f"(rounded down once per rate)")


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


@records.frozen
class InvoiceFrame:
    """What the invoice of a billing period reads besides its lines, the same for every round of the late interest
    (kept by the period in `made`, `_period_invoices`): its rule and statement, its dates, which read the period
    and the customer's names, and the acceleration that moves its due date, made by the events."""
    rule: object
    stmt: object
    issued: date
    due: date | None
    issued_step: tuple[str, ...]  # the explanation's step saying the issue day, when the statement sets one
    name: str
    acceleration: object


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

    def _invoices(self) -> None:
        """Invoices per billing period, the payments that settle them and the late interest they give rise to.
        Interest is billed on the invoice of its payment's period and owed there like any fee, so later payments
        settle it and it can leave that invoice short: the interest is worked out again with the invoices that
        carry it until nothing changes (interest arises on a payment day and lands on that day's period or later,
        so each round settles the earlier invoices for good)."""
        d = self.contract_start or self.as_of
        due_stmt = next(iter(self.statements(d, n.InvoiceDue)), None)
        self._apply_waivers()
        self._apply_refunds()
        lines: dict[Period, list[Entry]] = defaultdict(list)
        period_of = self._billing_periods().containing  # `_period_of` for every line: the periods are the customer's
        for e in self.entries:
            if e.kind in ("charge", "credit") and e.counts and e.status != "paid out" and e.date is not None:
                lines[period_of(e.date)].append(e)
        if due_stmt is None:
            for period, items in sorted(lines.items(), key=lambda kv: kv[0].start):
                self._invoice(period, items, self._invoice_frame(None, period))
            return
        interest_found = next(iter(self.statements(d, n.Interest)), None)
        payments = sorted(self._payments(), key=lambda e: (e.instant, e.index))
        mark, interest, made = len(self.entries), {}, {}
        for _ in range(len(lines) + len(payments) + 2):
            del self.entries[mark:]
            self._invoice_lines.clear()
            self._invoice_interest_lines.clear()
            self._invoice_accelerations.clear()
            self._interest_paid.clear()
            self._interest_paid_by_payment.clear()
            self.entries.extend(interest.values())
            invoices = self._period_invoices(lines, list(interest.values()), due_stmt, made)
            paid_on, balance, parts, over = self._settle(invoices, payments)
            found, tail = {}, len(self.entries)
            for inv in invoices if interest_found is not None else ():
                for entry in self._interest(*interest_found, inv, parts[inv.key], self._invoice_interest(inv), made):
                    # two parts of one invoice paid by one payment each bear their own interest: both are kept
                    key, repeat = entry.key, 2
                    while key in found:
                        key, repeat = f"{entry.key}#{repeat}", repeat + 1
                    found[key] = entry
            if found == interest:  # the same figures: keep the lines the invoices were made with
                del self.entries[tail:]
                break
            # a line with the figures of the last round stays that line, so its invoice need not be made again
            interest = {key: kept if (kept := interest.get(key)) is e or kept == e else e for key, e in found.items()}
        else:
            raise EvalError("late interest and the payments that settle it do not settle down", due_stmt[1], "E611")
        self._invoice_obligations(due_stmt, invoices, paid_on, balance, parts)
        self._refund_overpayment(over)

    def _period_invoices(self, lines: dict, interest: list[Entry], due_stmt, made: dict) -> list[Entry]:
        """The invoice of each billing period with its interest lines. Interest that arises (on its payment day)
        after the period's debts were accelerated is a debt of its own: not one the customer had when the benefit
        of time was lost, so it is a separate invoice that keeps the period's own due date. `made`: the invoices
        of earlier rounds by their lines; an invoice whose lines did not change is the same (`_made_invoice`)."""
        # a period's own lines are shared, not copied each round: only a period that carries interest gets a new list
        with_interest: dict[Period, list[Entry]] = dict(lines)
        for e in interest:
            period = self._period_of(e.date)
            items = with_interest.get(period)
            if items is None or items is lines.get(period):
                items = with_interest[period] = list(items or ())
            items.append(e)
        invoices = []
        for period, items in sorted(with_interest.items(), key=lambda kv: kv[0].start):
            # what a period's invoice reads besides its lines is kept in `made` by the period (`_invoice_frame`):
            # no round of the interest changes it
            frame = made.get(("period", period))
            if frame is None:
                frame = made[("period", period)] = self._invoice_frame(due_stmt, period)
            accelerated = frame.acceleration
            if accelerated is None:  # every line is the period's own debt
                invoices.append(self._made_invoice(period, items, frame, None, made))
                continue
            later = [e for e in items if e.key.startswith("interest:") and e.date > accelerated.day]
            invoices.append(self._made_invoice(period, [e for e in items if e not in later], frame, None, made))
            if later:
                invoices.append(self._made_invoice(period, later, frame, accelerated.day, made))
        return invoices

    def _made_invoice(self, period: Period, items: list[Entry], frame: InvoiceFrame, arose_after: date | None,
                      made: dict) -> Entry:
        """`_invoice`, or the invoice an earlier round made of the very same lines, put back in the ledger (the
        accelerations and due dates it read do not change between rounds)."""
        key = (period.start, period.end, arose_after, tuple(map(id, items)))
        found = made.get(key)
        if found is None:
            entry = self._invoice(period, items, frame, arose_after)
            # the items kept: ids stay theirs; with the interest lines picked out of them
            made[key] = (entry, self._invoice_accelerations.get(entry.key), items, self._invoice_interest(entry))
            return entry
        entry, acceleration, _, interest = found
        self.entries.append(entry)
        self._keep_lines(entry, items, interest)
        if acceleration is not None:
            self._invoice_accelerations[entry.key] = acceleration
        return entry

    def _invoice_interest(self, inv: Entry) -> list[Entry]:
        """The late interest lines an invoice carries (interest bears no interest of its own)."""
        return self._invoice_interest_lines.get(inv.key, [])

    def _keep_lines(self, invoice: Entry, items: list[Entry], interest: list[Entry] | None = None) -> None:
        """Remember an invoice's lines (their ids are known only once the ledger is sorted), its interest apart
        (`interest`: those lines when already picked out of the items)."""
        self._invoice_lines[invoice.key] = items
        if interest is None:
            interest = [e for e in items if e.key.startswith("interest:")]
        if interest:
            self._invoice_interest_lines[invoice.key] = interest

    def _invoice_obligations(self, due_stmt, invoices: list[Entry], paid_on: dict, balance: dict, parts: dict) -> None:
        """The customer's duty to pay each invoice that owes something, met or missed by the payment that
        completed it; what each still owes is kept for the timeline queries (`unpaid`, `unpaid_periods`). A duty
        a designated payment went to names the rule of the designation."""
        rule, stmt = due_stmt
        designation = next(iter(self.statements(self.contract_start or self.as_of, n.PaymentsSettle)), None)
        remaining = [(inv, inv.amount + (inv.tax or 0)) for inv in invoices]
        self.settled_invoices = [(inv, owed, paid_on[inv.key], balance[inv.key]) for inv, owed in remaining]
        for inv, owed in remaining:
            if owed <= 0:
                continue
            payment = paid_on[inv.key]
            by_credit = payment is None and balance[inv.key] <= 0  # the surplus of an earlier invoice's credits
            status = ("met" if payment.date <= inv.due else "missed") if payment else (
                "met" if by_credit else "missed" if self.as_of > inv.due else "open")
            designated = designation is not None and any(
                p is not None and p.index in self._designated_payments for _, p in parts[inv.key])
            self.add(rule, stmt, "obligation", f"payment of the invoice for {period_name(*inv.period)}",
                     party="customer", due=inv.due, status=status, also=(designation[0].id,) if designated else (),
                     events=(payment.index,) if payment else (), date=inv.date,
                     note=f"paid {payment.date}" if payment else
                     CREDIT_SETTLED if by_credit else None)

    def _invoice_tax(self, items: list[Entry]) -> tuple[Decimal, Decimal, tuple[str, ...]]:
        """(amount without tax, tax, the steps) of an invoice (`_invoice_tax_worked_out`). What it reads of the lines
        is their kind, amount, tax rate and whether the amount includes the tax: it is kept for every customer by
        those, in order (customers on the same plans have invoices of the same lines month after month). Each
        figure is taken by its text, which tells its digits exactly: a sum keeps the digits of its terms (5,500.0 is
        5,500 but not the same text), and the text of None is no figure's."""
        key = tuple([(e.kind == "charge", str(e.amount), str(e.tax_rate), e.tax_included) for e in items])
        found = self.compiled.invoice_taxes.get(key)
        if found is None:  # (as many as a large portfolio's plans and months need: beyond, worked out again)
            steps: list[str] = []
            found = keep(self.compiled.invoice_taxes, key, (*self._invoice_tax_worked_out(items, steps), tuple(steps)))
        return found

    @staticmethod
    def _invoice_tax_worked_out(items: list[Entry], steps: list[str]) -> tuple[Decimal, Decimal]:
        """(amount without tax, tax) of an invoice: tax added once per rate on prices without tax, or the tax
        contained in the total of prices that include it, worked out once (total × rate ÷ (100 + rate), cut).
        The fraction of a yen is cut off (切り捨て): toward zero, so an invoice whose credits exceed its charges
        gets back no more tax than its credits carried (−1,333.3 → −1,333)."""
        by_rate: dict[tuple[Decimal | None, bool], Decimal] = defaultdict(Decimal)
        total = Decimal(0)
        for e in items:
            signed = (1 if e.kind == "charge" else -1) * e.amount
            total += signed
            by_rate[(e.tax_rate, e.tax_included)] += signed
        tax = Decimal(0)
        bases = list(by_rate.items())
        if len(bases) > 1:
            bases.sort(key=lambda kv: (kv[0][0] is None, kv[0][0] or 0))
        for (rate, included), base in bases:
            if rate is None:
                steps.append(f"not taxed: {format_decimal(base)} yen")
                continue
            if included:
                t = (base * rate / (100 + rate)).to_integral_value(rounding=ROUND_DOWN)
                total -= t
            else:
                t = (base * rate / 100).to_integral_value(rounding=ROUND_DOWN)
            steps.append(tax_step(rate, included, base, t))
            tax += t
        return total, tax

    def _invoice_frame(self, due_stmt, month: Period) -> InvoiceFrame:
        """What the invoice of a period reads besides its lines (`InvoiceFrame`), with `invoice … due …` (or
        without it: the convention, no due date)."""
        issued, due, issued_step = month.end, None, ()
        if due_stmt is not None:
            rule, stmt = due_stmt
            key = (id(stmt), month.start, month.end, month.number)
            if not self.accelerations:  # then the frame is the dates' alone: shared as they are (_invoice_dates)
                found = self.compiled.invoice_frames.get(key)
                if found is not None:
                    return found
            issued, due = self._invoice_dates(stmt, month)
            if stmt.issued is not None:
                issued_step = (f"issued {issued}",)
            frame = InvoiceFrame(rule, stmt, issued, due, issued_step, str(month), self._acceleration(month.start, due))
            if frame.acceleration is None and key in self.compiled.invoice_dates:
                keep(self.compiled.invoice_frames, key, frame)
            return frame
        rule, stmt = self._declared_convention("invoices")
        return InvoiceFrame(rule, stmt, issued, due, issued_step, str(month), self._acceleration(month.start, due))

    def _invoice(self, month: Period, items: list[Entry], frame: InvoiceFrame, arose_after: date | None = None) -> Entry:
        """The invoice of one billing period. `arose_after`: an invoice of the period's debts that arose after an
        acceleration on that day, which they are not part of (late interest paid later)."""
        total, tax, tax_steps = self._invoice_tax(items)
        rule, due, name = frame.rule, frame.due, frame.name
        key, note, accelerated_by = f"invoice:{name}", None, None
        acceleration = frame.acceleration if arose_after is None else None
        if acceleration is not None:
            self._invoice_accelerations[key] = acceleration
            accelerated_by = acceleration.rule
            note = f"due {due} moved to {acceleration.due}: every debt falls due at once ({acceleration.rule.id})"
            due = acceleration.due
        elif arose_after is not None:
            key = f"{key}:after {arose_after}"
            note = f"arose after the debts fell due on {arose_after}: not accelerated, due {due}"
        entry = self.add(rule, frame.stmt, "invoice", f"invoice for {name}", date=frame.issued,
                         period=(month.start, month.end), amount=total, tax=tax, due=due,
                         also=self._invoice_also(rule, month.end, accelerated_by), note=note,
                         explanation=tax_steps + frame.issued_step, key=key)
        self._keep_lines(entry, items)
        return entry

    def _invoice_also(self, rule, closing: date, accelerated_by) -> tuple[str, ...]:
        """The rules besides the invoice's own that shaped it: the tax in force on the closing day, the billing
        periods', the acceleration's with the readings it rests on."""
        _, tax_rule, _ = self._tax_rate(closing)
        period_rule = self._period_rule()
        key = (id(rule), id(tax_rule), id(period_rule), id(accelerated_by))  # rules: the model holds them
        found = self.compiled.invoice_also.get(key)
        if found is None:
            found = self.compiled.invoice_also[key] = tuple(dict.fromkeys(
                [r.id for r in (tax_rule, period_rule, accelerated_by) if r is not None and r is not rule]
                + ([c.id for c in self._choices_of(accelerated_by)] if accelerated_by else [])))
        return found

    def _invoice_dates(self, stmt: n.InvoiceDue, month: Period) -> tuple[date, date]:
        """(issued, due) of the invoice for a period. Dates that read only the period (`closing`, `period`,
        `issued`) are the same for every customer: worked out once per period, by its days and its number, which
        they may read too (the same days are one customer's first period and another's second)."""
        key = (id(stmt), month.start, month.end, month.number)
        found = self.compiled.invoice_dates.get(key)  # kept only for a statement whose dates are shared
        if found is None:
            shared = all(self.compiled.reads_only(e, PERIOD_NAMES) for e in (stmt.issued, stmt.due) if e is not None)
            closing = {"closing": Value("date", month.end), "period": Value("month", month)}
            issued = month.end
            if stmt.issued is not None:
                issued = as_date(evaluate(stmt.issued, self.env(month.end, closing)))
            due = as_date(evaluate(stmt.due, self.env(month.end, {**closing, "issued": Value("date", issued)})))
            found = (issued, due)
            if shared:  # (periods counted from each customer's own anchor are many: the table is bounded)
                keep(self.compiled.invoice_dates, key, found)
        return found

