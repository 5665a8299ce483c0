"""Late-payment interest by the day (`interest … per year`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from decimal import Decimal

from interpreter.check.types import DATE, MONEY
from interpreter.run.compiled import NOT_SEEN, keep, value_key
from interpreter.run.expressions import Value, as_date, evaluate, format_decimal
from interpreter.run.ledger import Entry
from interpreter.run.state import Trace
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event

INTEREST_NAMES = {"due": DATE, "paid": DATE, "overdue": MONEY}


def interest_key(invoice: Entry, payment: Event) -> str:
    """The key of the interest line a payment gives rise to by paying part of an invoice late."""
    return f"interest:{invoice.key}:{payment.index}"


def arisen_before_part(line: Entry, invoice: Entry, payment: Event | None) -> bool:
    """Whether a late interest line an invoice carries had arisen when a part of that invoice was paid, so that the
    part pays it first (民法第489条): one that arose on an earlier day, or on the same day by another payment or by
    this payment paying an older invoice; not the one this part itself gives rise to (solved for with the part,
    `_interest_on_part`). Every line has arisen before the surplus of a credit (`payment` None)."""
    return payment is None or line.date < payment.date or (
        line.date == payment.date and line.key != interest_key(invoice, payment))


class InterestChecks:
    """Checks of interest statements (a mixin of the checker)."""

    def _stmt_Interest(self, s: n.Interest, tables, scope) -> None:
        self._expect(s.rate, "rate", scope, tables, "an interest rate")
        inner = scope.child(INTEREST_NAMES)
        if s.days_from is None:
            self.error("E404", "late interest does not say which days it counts", s.span,
                       "add `days from due + 1 day through paid - 1 day;`")
        else:
            self._expect(s.days_from, "date", inner, tables, "the first day counted")
            self._expect(s.days_through, "date", inner, tables, "the last day counted")
        if s.year is None and "interest_year" not in self.conventions:
            self.error("W501", "late interest does not say how many days a year has", s.span,
                       "add `year of 365 days;`")
        elif s.year is not None:
            self._expect(s.year, "duration", inner, tables, "a year's length")


class InterestEvaluation:
    """Evaluation of interest statements (a mixin of the evaluation)."""

    def _interest(self, rule, s: n.Interest, inv: Entry, parts: list, interest_lines: list[Entry],
                  made: dict) -> list[Entry]:
        """The interest on an invoice: on each part paid after the due date ("遅延期間につき", "その未払の額について"), for
        that part's own days (`paid` and `overdue` are the part's), arising on the day of the payment that paid it.
        Each part is cut to the yen on its own, or, with `rounded once per invoice` (「請求書ごとに…切り捨て」), once for
        the invoice: each part bears the rounded total of the parts so far less what the earlier parts bore, so the
        parts add up to the invoice's total cut once (12.71 + 26.38 = 39.09 → 39, not 12 + 26). A part paid by the
        due date bears none, nor does an invoice never paid (nothing has arisen yet). `interest_lines`: the late interest the invoice itself
        carries, which a part pays before the fees once it has arisen — by an earlier payment, or with the part's
        own payment (民法第489条: 利息 before 元本; the part's own interest is solved for, `_interest_on_part`) — and
        which bears no interest. `made`: what earlier rounds of the invoices worked out (`_invoices`); a part
        with the same figures bears the same interest line."""
        if not interest_lines and all(paid_by is None or paid_by.date <= inv.due for _, paid_by in parts):
            # nothing to pay first and no part late: the loop below would take nothing and make no line
            self._interest_paid[inv.key] = Decimal(0)
            return []
        # The interest of an invoice that is this very object in an earlier round (`_made_invoice` gives one back
        # only when its lines are the very objects it was made of; `made` holds it, so its id is no other's), paid
        # in parts equal to that round's, is that round's: what is worked out below reads only the invoice (its
        # key, due date, total, and the interest lines picked out of its lines when it was made), the parts (their
        # amounts, the payments' index and day) and `made`, whose entries are never replaced; and it writes only
        # the lines it returns (appended to the ledger) and what the parts paid of interest first, by invoice and by
        # payment. Those are kept and written again, in the same order. (Amounts are compared by value, as the
        # parts' interest in `made` is kept by them.)
        earlier = made.get(("interest on", id(inv)))
        if earlier is not None and earlier[0] == parts:
            entries, absorbed, counted = earlier[1]
            self.entries.extend(entries)
        else:
            entries, absorbed, counted = self._interest_on_parts(rule, s, inv, parts, interest_lines, made)
            made[("interest on", id(inv))] = (parts, (entries, absorbed, counted))
        for paid_by, amount in counted:
            self._count_interest_paid(paid_by, amount)
        self._interest_paid[inv.key] = absorbed  # for `owed`: what of the invoice's interest its parts paid first
        return entries

    def _interest_on_parts(self, rule, s: n.Interest, inv: Entry, parts: list, interest_lines: list[Entry],
                           made: dict) -> tuple[list[Entry], Decimal, list]:
        """`_interest` worked out: (the interest lines, what of the invoice's interest its parts paid first, what
        each part paid of it first — (payment, amount) in the order paid)."""
        entries, absorbed, raw_so_far, counted = [], Decimal(0), Decimal(0), []
        fees = inv.amount + (inv.tax or 0) - sum((e.amount for e in interest_lines), Decimal(0))  # what bears it
        for position, (overdue, paid_by) in enumerate(parts):
            own_key = interest_key(inv, paid_by) if paid_by is not None else None
            arisen = sum((e.amount for e in interest_lines if arisen_before_part(e, inv, paid_by)), Decimal(0))
            taken = min(max(arisen - absorbed, Decimal(0)), overdue)
            absorbed, overdue = absorbed + taken, overdue - taken
            counted.append((paid_by, taken))
            part, overdue = overdue, min(overdue, max(fees, Decimal(0)))
            if overdue > 0 and paid_by is not None and paid_by.date > inv.due:
                # interest billed on this same invoice is paid first there, by the part it arises with too
                own = any(e.key == own_key for e in interest_lines)
                key = ("interest", id(s), inv.key, inv.due, position, overdue, paid_by.index, part if own else None,
                       raw_so_far)
                if key not in made:
                    made[key] = self._interest_on_part(rule, s, inv, overdue, paid_by, part if own else None,
                                                       raw_so_far)
                elif made[key][0] is not None:
                    self.entries.append(made[key][0])  # as when it was made
                entry, raw_so_far = made[key]
                if entry is not None:
                    entries.append(entry)
                    if own:
                        overdue = min(overdue, part - entry.amount)  # the fees it paid after the interest
                        absorbed += entry.amount
                        counted.append((paid_by, entry.amount))
            fees -= overdue
        return entries, absorbed, counted

    def _count_interest_paid(self, payment: Event | None, amount: Decimal) -> None:
        """Keep what a payment paid of late interest (for `paid_fees`: payments less the interest they paid)."""
        if payment is not None and amount:
            paid = self._interest_paid_by_payment
            paid[payment.index] = paid.get(payment.index, Decimal(0)) + amount

    def _interest_on_part(self, rule, s: n.Interest, inv: Entry, overdue: Decimal, paid_by: Event,
                          part: Decimal | None, raw_before: Decimal) -> tuple[Entry | None, Decimal]:
        """The interest on `overdue` of the fees paid late. When the interest is billed on the invoice it arises
        on, `part` is what the payment brought to that invoice, and it pays the interest before the fees (民法第489条,
        interest first within an invoice): when it cannot pay both, the fees it paid are the amount x with
        x + interest(x) = part, and the interest is counted on x. `raw_before`: the interest of the invoice's earlier
        parts before rounding, whose rounded total they bore when the statement is `rounded once per invoice`; with
        it, what this part brings to that total."""
        steps = Trace()
        first, last = self._days_counted(s, inv.due, paid_by.date, overdue)
        days = max(0, (last - first).days + 1)
        if days == 0:
            return None, raw_before
        constant = self.compiled.constant  # `14.6%`, `365 days`: worked out once per contract

        def env():  # the part's environment, for a rate or a year that is not a constant
            return self.env(paid_by.date, self._part_names(inv.due, paid_by.date, overdue))
        rate = (constant(s.rate) or evaluate(s.rate, env())).value
        year = None if s.year is None else constant(s.year) or evaluate(s.year, env())
        year_days = Decimal(365) if year is None else year.value / Decimal(1440)
        factor = rate / 100 * days / year_days
        if part is not None and overdue + self.money(overdue * factor, paid_by.date, []) > part:
            fees_paid = self._fees_paid_with_interest(part, factor, paid_by.date)
            steps.append(f"of the {format_decimal(part)} yen paid, the interest arising with it is paid first "
                         f"(民法第489条): fees paid {format_decimal(fees_paid)} yen")
            overdue = fees_paid
        raw = overdue * factor
        steps.append(f"days = {first} … {last} = {days}")
        steps.append(f"{format_decimal(overdue)} yen × {format_decimal(rate)}% × {days} ÷ "
                     f"{format_decimal(year_days)} = {format_decimal(raw)} yen")
        if raw_before and s.per_invoice:
            total = raw_before + raw
            steps.append(f"cut once per invoice: with the earlier parts {format_decimal(raw_before)} + "
                         f"{format_decimal(raw)} = {format_decimal(total)} yen")
            borne = self.money(raw_before, paid_by.date, Trace())
            amount = self.money(total, paid_by.date, steps) - borne
            steps.append(f"less the {format_decimal(borne)} yen the earlier parts bore = {format_decimal(amount)} yen")
        else:
            amount = self.money(raw, paid_by.date, steps)
        if amount <= 0:
            return None, raw_before + raw
        return self._charge(rule, s, rule.label or "late payment interest", paid_by.date, (first, last), amount,
                            (paid_by.index,), steps, exempt=True,
                            key=interest_key(inv, paid_by)), raw_before + raw

    @staticmethod
    def _part_names(due, paid, overdue: Decimal) -> dict:
        """The names of a part's interest statement (`due`, `paid`, `overdue`)."""
        return {"due": Value("date", due), "paid": Value("date", paid), "overdue": Value("money", overdue)}

    def _days_counted(self, s: n.Interest, due, paid, overdue: Decimal) -> tuple:
        """(the first, the last day) a part's interest counts (`days from … through …`), on the payment day. When
        the statement reads names only, they are kept for every customer by the values of the names it reads
        (run/compiled.py, `names_read`), the day's and the part's, which are all the environment would give it. An
        amount is told apart by its digits too (1,000.0 is not 1,000 to a text); a statement whose names have a
        value that cannot be a key is not kept, nor is one that fails (evaluated again, it fails where it stands)."""
        read = self.compiled.names_read(s)
        if read is None:
            return self._days_evaluated(s, paid, self._part_names(due, paid, overdue))
        names = self._names(self.version(paid))
        part = {"due": due, "paid": paid, "overdue": (overdue, str(overdue))}
        key = (id(s), *[part[name] if name in part else value_key(names.get(name, NOT_SEEN)) for name in read])
        try:
            found = self.compiled.values_by_names.get(key)
        except TypeError:  # a value that has no hash (a list)
            return self._days_evaluated(s, paid, self._part_names(due, paid, overdue))
        if found is None:
            found = keep(self.compiled.values_by_names, key,
                         self._days_evaluated(s, paid, self._part_names(due, paid, overdue)))
        return found

    def _days_evaluated(self, s: n.Interest, paid, part: dict) -> tuple:
        env = self.env(paid, part)
        return as_date(evaluate(s.days_from, env)), as_date(evaluate(s.days_through, env))

    def _fees_paid_with_interest(self, part: Decimal, factor: Decimal, day) -> Decimal:
        """The fees x a part of a payment pays when it also pays the interest on x first: x + interest(x) = part,
        the interest rounded as the contract says. x = part − interest(x) is stepped from part ÷ (1 + factor) to
        where the interest no longer moves; should rounding leave no exact split, the larger interest is taken
        (the fees paid are then at most part − interest(x))."""
        fees = part / (1 + factor)
        interest = self.money(fees * factor, day, [])
        for _ in range(8):  # the interest moves by a unit of rounding at most each step
            fees = part - interest
            again = self.money(fees * factor, day, [])
            if again == interest:
                return fees
            interest = max(interest, again)
        return part - interest
