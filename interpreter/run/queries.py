"""Queries on a customer's timeline, for conditions such as "two consecutive billing periods unpaid".

Each query looks at the timeline as it stood at the start of a day: the ledger of the events before that day,
evaluated as of the day before. That is what the parties knew then, so a condition on an event never depends
on what came after it, and a query from inside an event cannot see that event itself.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from interpreter.run.expressions import EvalError, Value, as_date

MAX_NESTING = 4  # a query inside a timeline that is itself a query's prefix, and so on


class TimelineQueries:
    """The functions `unpaid`, `unpaid_periods`, `paid_fees` and `occurrences` (a mixin of the evaluation)."""

    def _prefix(self, day: date):
        """The evaluation of the events before `day`, as of the day before (cached per day)."""
        cache = self.__dict__.setdefault("_prefix_cache", {})
        found = cache.get(day)
        if found is None:
            depth = getattr(self, "query_depth", 0) + 1
            if depth > MAX_NESTING:
                raise EvalError("timeline queries nest too deep: a query's own timeline queries again and again")
            before = [e for e in self.events if e.date < day]
            found = type(self)(self.model, self.params, before, day - timedelta(days=1))
            found.query_depth = depth
            found.run()
            cache[day] = found
        return found

    def _prefix_before(self, event) -> TimelineQueries:
        """The evaluation of the events before `event` in the timeline (those of its own day listed before it
        included), as of its day (cached per event; the cache is shared with the prefixes themselves, whose own
        queries before an event are the same evaluations, so a query on every event of a kind does not nest)."""
        cache = self.__dict__.setdefault("_event_prefix_cache", {})
        found = cache.get(event.index)
        if found is None:
            depth = getattr(self, "query_depth", 0) + 1
            if depth > MAX_NESTING:
                raise EvalError("timeline queries nest too deep: a query's own timeline queries again and again")
            position = self.rank[event.index]
            found = type(self)(self.model, self.params, self.events[:position], event.date)
            found.query_depth = depth
            found._event_prefix_cache = cache
            found.run()
            cache[event.index] = found
        return found

    def _query_unpaid(self, day: Value) -> Value:
        """What the invoices due before the day still owe at its start (payments settled as the contract says:
        the invoice the payer designated, then the oldest first)."""
        d = as_date(day)
        prefix = self._prefix(d)
        owed = sum((left for inv, o, _, left in prefix.settled_invoices if left > 0 and inv.due and inv.due < d),
                   Decimal(0))
        return Value("money", owed)

    def _query_owed(self, day: Value, arisen_by: Value) -> Value:
        """What the invoices still owe at the start of the day, due or not, of what arose on or before `arisen_by`
        (「…までに生じた料金等で未払のもの」): lines that arose later (late interest on a later payment, a fee dated after it
        and before the contract ended: one dated after the end arose by the end) are left out with their tax.
        Payments pay an invoice's interest first, as the invoices are settled (民法第489条), so what it still owes is
        its unpaid interest and then its fees; the fees it still owes are counted against the later fees first."""
        d, by = as_date(day), as_date(arisen_by)
        # Asked once the invoices are made (`met by … where`), about a day after every event: this timeline itself.
        complete = self.invoices_made and all(e.date < d for e in self.events)
        prefix = self if complete else self._prefix(d)
        owed = Decimal(0)
        for inv, _, _, left in prefix.settled_invoices:
            if left <= 0:
                continue
            lines = prefix._invoice_lines.get(inv.key, ())
            interest = [e.amount for e in lines if e.key.startswith("interest:")]
            # Payments pay the interest first (民法第489条, as the invoices are settled: `_interest`): what is left
            # unpaid of it is the latest interest, so the interest that arose after `by` is counted against it first.
            paid_first = prefix._interest_paid.get(inv.key, 0)
            interest_left = min(left, max(Decimal(0), sum(interest, Decimal(0)) - paid_first))
            interest_later = sum((e.amount for e in lines if e.key.startswith("interest:") and e.date > by), Decimal(0))
            # A fee dated after the contract ended arose by its end (the 料金月 in progress at a 解除 is charged in
            # full: one of the debts the customer had then, though the line is dated at the period's end).
            end = prefix.contract_end or date.max
            later_fees = sum(((e.amount + (e.tax or 0)) * (1 if e.kind == "charge" else -1)  # with the tax they add
                              for e in lines if not e.key.startswith("interest:") and min(e.date, end) > by),
                             Decimal(0))
            owed += interest_left - min(interest_later, interest_left)
            owed += max(Decimal(0), left - interest_left - max(later_fees, Decimal(0)))
        return Value("money", owed)

    def _query_unpaid_periods(self, day: Value) -> Value:
        """The longest run of consecutive billing periods whose invoices, due before the day, are all still unpaid
        (when payments settle the oldest first, the run that ends with the latest invoice due)."""
        d = as_date(day)
        prefix = self._prefix(d)
        due_before = [paid for inv, o, paid, _ in prefix.settled_invoices if o > 0 and inv.due and inv.due < d]
        longest = run = 0
        for paid in due_before:
            run = run + 1 if paid is None else 0
            longest = max(longest, run)
        return Value("number", Decimal(longest))

    def _query_paid_fees(self, start: Value, end: Value) -> Value:
        """Payments received from `start` up to (not including) `end`, less the late interest they paid (a payment
        pays the interest its invoices carry before their fees, 民法第489条: 費用、利息、元本の順); interest a payment
        gave rise to and left unpaid is not subtracted. When `end` is an event, up to that event: the payments of
        its own day that come before it in the timeline count."""
        lo = as_date(start)
        if end.kind == "event":
            prefix = self._prefix_before(end.value)
            payments = {p.index: p for p in prefix._payments() if lo <= p.date}
        else:
            hi = as_date(end)
            prefix = self._prefix(hi)
            payments = {p.index: p for p in prefix._payments() if lo <= p.date < hi}
        total = sum((p.fields["amount"].value for p in payments.values()), Decimal(0))
        interest = sum((prefix._interest_paid_by_payment.get(index, Decimal(0)) for index in payments), Decimal(0))
        return Value("money", max(Decimal(0), total - interest))

    def _query_occurrences(self, event: str, start: Value, end: Value) -> Value:
        """Events of a kind, not rejected, dated from `start` through `end`."""
        lo, hi = as_date(start), as_date(end)
        prefix = self._prefix(hi + timedelta(days=1))
        found = [e for e in prefix.seen.get(event, []) if e.index not in prefix.rejected and lo <= e.date <= hi]
        return Value("number", Decimal(len(found)))

    def _query_functions(self) -> dict:
        return {"unpaid": self._query_unpaid, "owed": self._query_owed, "unpaid_periods": self._query_unpaid_periods,
                "paid_fees": self._query_paid_fees, "occurrences": self._query_occurrences}
