"""Refunds: `refund CREDIT deducted from later|renewal|next renewal fees[, else paid out];` and `refund CREDIT paid out;`.

A refunded credit is not netted wherever it arises: it is deducted from the charges of the invoice of its own
month, then of the following months of the contract (with `renewal fees`, only from the months of renewed terms — the
credit's own term when it is itself a renewed one, else the term after it; with `next renewal fees`, only from the
term that begins after the credit's term), never taking an invoice below zero; what no invoice of the
contract can absorb is paid out to the customer (status `paid out`, outside every invoice), or, without
`else paid out`, waits for a later invoice (status `to be deducted`). The checks run in `check`, the evaluation in
`run`; both are mixins composed by interpreter/statements/__init__.py."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from interpreter import records

from interpreter.diagnostics import did_you_mean
from interpreter.run.expressions import format_decimal
from interpreter.run.ledger import Entry
from interpreter.syntax import nodes as n


OVERPAYMENTS = "overpayments"  # `refund overpayments …`: what the payments leave once every invoice is settled


class RefundChecks:
    """Checks of refund statements (a mixin of the checker)."""

    def _stmt_Refund(self, s: n.Refund, tables, scope) -> None:
        credits = {e.name for r in tables.rules.values() for e in r.statements
                   if isinstance(e, n.Emit) and e.kind == "credit" and e.name}
        if s.credit == OVERPAYMENTS:
            if s.renewal:
                self.error("E404", "overpayments are deducted from `later fees` (or paid out), not renewal fees", s.span)
            return
        if s.credit not in credits:
            self.error("E201", f"no credit is named `{s.credit}`", s.span,
                       did_you_mean(s.credit, credits) or "name the credit: `credit NAME \"label\" …`")
        renewing = any(isinstance(t, n.FixedTerm) and t.renews is not None
                       for r in tables.rules.values() for t in r.statements)
        if s.renewal and not renewing:
            self.error("E404", f"`deducted from {'next ' if s.next_term else ''}renewal fees` needs a term that renews", s.span,
                       "declare the term, e.g. `term 1 year counting from service_start renews for 1 year;`, "
                       "or deduct from `later fees`")


class RefundEvaluation:
    """Evaluation of refund statements (a mixin of the evaluation), before invoices are made."""

    def _apply_refunds(self) -> None:
        d = self.contract_start or self.as_of
        refunds = {s.credit: (rule, s) for rule, s in self.statements(d, n.Refund) if s.credit != OVERPAYMENTS}
        if not refunds:
            return

        def refunded(e: Entry):
            return refunds.get(getattr(self._origin(e), "name", None)) if e.kind == "credit" and e.counts else None

        room: dict = defaultdict(Decimal)  # billing period -> what its invoice can still absorb
        for e in self.entries:
            if e.kind in ("charge", "credit") and e.counts and e.date is not None and not refunded(e):
                room[self._period_of(e.date)] += e.amount if e.kind == "charge" else -e.amount
        out = []
        for e in sorted(self.entries, key=lambda x: x.date or date.min):
            found = refunded(e)
            out.extend([e] if found is None else self._refund_pieces(e, *found, room))
        self.entries = out

    def _refund_pieces(self, e: Entry, rule, s: n.Refund, room) -> list[Entry]:
        """The credit as the invoices it is deducted from (its own billing period's, then the later ones of the
        contract, never below zero) and what is paid out or waits."""
        own = self._period_of(e.date)
        last = self._period_of(self.contract_end).start if self.contract_end else None
        # the refund rule, and the reading choices its condition tests, name every piece
        also = tuple(dict.fromkeys(e.also + (rule.id,) + tuple(c.id for c in self._choices_of(rule))))
        remaining, pieces = e.amount, []
        first = self._renewal_start(own.end, s.next_term) if s.renewal else own.start
        later = sorted((p for p in room if first is not None and p.start >= first
                        and (last is None or p.start <= last)), key=lambda p: p.start)
        for period in later if s.deducted else ():
            take = min(remaining, max(room[period], Decimal(0)))
            if take <= 0:
                continue
            room[period] -= take
            remaining -= take
            pieces.append(records.evolve(e, date=max(e.date, period.start), amount=take, also=also,
                                       tax=None if e.tax is None else e.tax * take / e.amount,
                                       note=f"deducted from the fees of {period}"
                                            f"{' (renewed term)' if s.renewal else ''} ({rule.id})"))
            if remaining == 0:
                return pieces
        if remaining > 0 and s.paid_out and (self.contract_end is not None or not s.deducted):
            day = max(e.date, self.contract_end) if self.contract_end else e.date
            pieces.append(records.evolve(e, date=day, amount=remaining, status="paid out", also=also, tax=None,
                                       note=f"{format_decimal(remaining)} yen paid to the customer's account ({rule.id})"))
        elif remaining > 0:
            pieces.append(records.evolve(e, amount=remaining, status="to be deducted", also=also, tax=None,
                                       note=f"{format_decimal(remaining)} yen to be deducted from "
                                            f"{'the renewed term' if s.renewal else 'later'} fees ({rule.id})"))
        return pieces

    def _renewal_start(self, day: date, next_term: bool) -> date | None:
        """The first day from which fees of a renewed term absorb a credit of `day`'s billing period: `day`'s own
        period's start when `day` already lies in a renewed term (unless `next_term`), else the first day of the
        renewed term that follows the term holding `day` (None without a renewing term)."""
        found = self._fixed_term()
        if found is None or found[1].renews is None:
            return None
        ends = self._term_ends(day)
        if not next_term and ends and day > ends[0]:
            return self._period_of(day).start
        later = [end for end in ends if end >= day]
        return later[0] + timedelta(days=1) if later else None

    def _refund_overpayment(self, over: tuple[Decimal, list]) -> None:
        """`refund overpayments …`: what the payments leave once every invoice of the timeline is settled (an invoice
        paid and later waived, a payment beyond what is owed) is a credit outside every invoice. It is paid out when
        the contract has ended (dated its last day, or the last payment that went beyond, whichever is later) or at
        once with `paid out` alone; otherwise it waits for later fees (`to be deducted`)."""
        amount, payments = over
        found = next(((r, s) for r, s in self.statements(self.contract_start or self.as_of, n.Refund)
                      if s.credit == OVERPAYMENTS), None)
        if amount <= 0 or found is None:
            return
        rule, s = found
        last = max(p.date for p in payments)
        paid_out = s.paid_out and (self.contract_end is not None or not s.deducted)
        day = max(last, self.contract_end) if paid_out and self.contract_end else last
        also = tuple(c.id for c in self._choices_of(rule))
        steps = (f"payments {format_decimal(sum(p.fields['amount'].value for p in self._payments()))} yen − what the "
                 f"invoices owe = {format_decimal(amount)} yen beyond every invoice",)
        self.add(rule, s, "credit", "overpayment refunded" if paid_out else "overpayment", date=day, amount=amount,
                 status="paid out" if paid_out else "to be deducted", also=also, explanation=steps,
                 events=tuple(p.index for p in payments), key="overpayment",
                 note=f"{format_decimal(amount)} yen " + (f"paid to the customer's account ({rule.id})" if paid_out
                                                         else f"to be deducted from later fees ({rule.id})"))

