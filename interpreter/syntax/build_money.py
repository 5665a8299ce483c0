"""Parse tree -> AST for the statements about money: fees, settlements, billing, invoices, periods, interest, refunds (a mixin of the builder)."""
from __future__ import annotations
from interpreter.syntax.tokens import with_meta
from interpreter.syntax import nodes as n


class MoneySyntax:
    """Parse tree -> AST for the statements about money: fees, settlements, billing, invoices, periods, interest, refunds (a mixin of the builder)."""

    def fee_kind(self, children):
        return str(children[0])

    def per_unit(self, children):
        if len(children) == 2:
            return ("per", (self._number(children[0]), str(children[1])))
        return ("per", (None, str(children[0])))

    @with_meta
    def fee_stmt(self, meta, children):
        kind, amount = children[0], children[1]
        opts = dict(per=(None, None), items=(), on=(None, None), first_month=None,
                    last_month=None, start=None, tax_exempt=False, settled=True, until=None, periods=None,
                    label=None, on_change=None, days_basis=None)
        for c in children[2:]:
            parts = c if isinstance(c, tuple) and c and isinstance(c[0], tuple) else (c,)
            for part in parts:
                if isinstance(part, tuple) and part and isinstance(part[0], str) and part[0] in opts:
                    opts[part[0]] = part[1]
                else:
                    opts["items"] = part
        return n.Fee(kind, amount, opts["per"][0], opts["per"][1], tuple(opts["items"]), opts["on"][0],
                     opts["on"][1], opts["first_month"], opts["last_month"],
                     opts["start"], opts["tax_exempt"], opts["settled"], opts["until"], opts["periods"],
                     opts["label"], opts["on_change"], span=self._span(meta), days_basis=opts["days_basis"])

    def fee_on(self, children):
        return ("on", (str(children[0]), children[1] if len(children) > 1 else None))

    def first_month(self, children):
        return ("first_month", str(children[0]))

    def last_month(self, children):
        return ("last_month", str(children[0]))

    def fee_from(self, children):
        if len(children) > 1:  # `from X for N periods`: the fee_stmt reads both parts
            return ("start", children[0]), ("periods", int(self._number(children[1])))
        return ("start", children[0])

    def fee_until(self, children):
        return ("until", children[0])

    def fee_on_change(self, children):
        return ("on_change", str(children[0]))

    def fee_days_basis(self, children):
        return ("days_basis", str(children[0]))

    def fee_label(self, children):
        return ("label", self._text(children[0]))

    def fee_tax_exempt(self, children):
        return ("tax_exempt", True)

    def fee_not_settled(self, children):
        return ("settled", False)

    @with_meta
    def settle_stmt(self, meta, children):
        label = None
        items: tuple = ()
        opts = dict(partial_month=None, unless_ended_by=())
        for c in children:
            if isinstance(c, tuple) and c and isinstance(c[0], str) and c[0] in opts:
                opts[c[0]] = c[1]
            elif isinstance(c, tuple):
                items = c
            else:
                label = c
        ended = opts["unless_ended_by"]  # (event, condition or None) pairs
        return n.Settle(label, items, opts["partial_month"], tuple(name for name, _ in ended), span=self._span(meta),
                        ended_where=tuple((name, cond) for name, cond in ended if cond is not None))

    def partial_month(self, children):
        return ("partial_month", str(children[0]))

    def unless_ended_by(self, children):
        return ("unless_ended_by", tuple(children))

    def ended_by(self, children):
        return (str(children[0]), children[1] if len(children) > 1 else None)

    @with_meta
    def refund_stmt(self, meta, children):
        way = [str(c) for c in children[1]]
        return n.Refund(str(children[0]), "deducted" in way, "paid" in way, renewal="renewal" in way,
                        next_term="next" in way, span=self._span(meta))

    def refund_way(self, children):
        return list(children)

    @with_meta
    def billing_from(self, meta, children):
        return n.BillingFrom(children[0], span=self._span(meta))

    @with_meta
    def invoice_due(self, meta, children):
        issued = None
        if isinstance(children[0], tuple) and children[0] and children[0][0] == "issued":
            issued = children.pop(0)[1]
        paid_by = str(children[1]) if len(children) > 1 else None
        return n.InvoiceDue(children[0], paid_by, issued, span=self._span(meta))

    @with_meta
    def payments_settle(self, meta, children):
        return n.PaymentsSettle(children[0], span=self._span(meta))

    def invoice_issued(self, children):
        return ("issued", children[0])

    @with_meta
    def billing_period(self, meta, children):
        label = children[0] if len(children) > 1 else None
        anchor, closing = children[-1]
        return n.BillingPeriod(label, anchor, closing, span=self._span(meta))

    def anchored_months(self, children):
        return children[0], None

    def calendar_months(self, children):
        return None, int(self._number(children[0])) if children else None

    @with_meta
    def interest_stmt(self, meta, children):
        parts = dict(days=(None, None), year=None, per_invoice=False)
        for tag, value in children[1:]:
            parts[tag] = value
        return n.Interest(children[0], parts["days"][0], parts["days"][1], parts["year"], parts["per_invoice"],
                          span=self._span(meta))

    def interest_days(self, children):
        return ("days", (children[0], children[1]))

    def interest_year(self, children):
        return ("year", children[0])

    def interest_per_invoice(self, children):
        return ("per_invoice", True)
