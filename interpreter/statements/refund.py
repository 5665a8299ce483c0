"""Refunds: `refund CREDIT deducted from later fees[, else paid out];` and `refund CREDIT paid out;`.

A refunded credit is not netted wherever it arises: it is deducted from the charges of the invoice of its own
month, then of the following months of the contract, never taking an invoice below zero; what no invoice of the
contract can absorb is paid out to the customer (status `paid out`, outside every invoice), or, without
`else paid out`, waits for a later invoice (status `to be deducted`). The checks run in `check`, the evaluation in
`run`; both are mixins composed by interpreter/statements/__init__.py."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import attrs

from interpreter.diagnostics import did_you_mean
from interpreter.run.expressions import format_decimal
from interpreter.run.ledger import Entry
from interpreter.syntax import nodes as n


class RefundChecks:
    """Checks of refund statements (a mixin of the checker)."""

    def _stmt_Refund(self, s: n.Refund, tables, scope) -> None:
        credits = {e.name for r in tables.rules.values() for e in r.statements
                   if isinstance(e, n.Emit) and e.kind == "credit" and e.name}
        if s.credit not in credits:
            self.error("E201", f"no credit is named `{s.credit}`", s.span,
                       did_you_mean(s.credit, credits) or "name the credit: `credit NAME \"label\" …`")


class RefundEvaluation:
    """Evaluation of refund statements (a mixin of the evaluation), before invoices are made."""

    def _apply_refunds(self) -> None:
        d = self.contract_start or self.as_of
        refunds = {s.credit: (rule, s) for rule, s in self.statements(d, n.Refund)}
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
        also = tuple(dict.fromkeys(e.also + (rule.id,)))
        remaining, pieces = e.amount, []
        later = sorted((p for p in room if p.start >= own.start and (last is None or p.start <= last)),
                       key=lambda p: p.start)
        for period in later if s.deducted else ():
            take = min(remaining, max(room[period], Decimal(0)))
            if take <= 0:
                continue
            room[period] -= take
            remaining -= take
            pieces.append(attrs.evolve(e, date=max(e.date, period.start), amount=take, also=also,
                                       tax=None if e.tax is None else e.tax * take / e.amount,
                                       note=f"deducted from the fees of {period} ({rule.id})"))
            if remaining == 0:
                return pieces
        if remaining > 0 and s.paid_out and (self.contract_end is not None or not s.deducted):
            day = max(e.date, self.contract_end) if self.contract_end else e.date
            pieces.append(attrs.evolve(e, date=day, amount=remaining, status="paid out", also=also, tax=None,
                                       note=f"{format_decimal(remaining)} yen paid to the customer's account ({rule.id})"))
        elif remaining > 0:
            pieces.append(attrs.evolve(e, amount=remaining, status="to be deducted", also=also, tax=None,
                                       note=f"{format_decimal(remaining)} yen to be deducted from later fees ({rule.id})"))
        return pieces
