"""Minimum terms and fixed terms with renewal (`minimum term`, `term … renews for`)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from interpreter.run.expressions import calendar_period, as_date, evaluate, format_decimal
from interpreter.run.state import event_indexes
from interpreter.syntax import nodes as n
from interpreter.time import periods


class TermsChecks:
    """Checks of terms statements (a mixin of the checker)."""

    def _check_anchor(self, anchor: n.PeriodAnchor, tables, scope) -> None:
        self._expect(anchor.base, "date", scope, tables, "the start of a period")

    def _stmt_MinimumTerm(self, s: n.MinimumTerm, tables, scope) -> None:
        self._period_length(s.length, scope, tables, "a minimum term")
        self._check_anchor(s.anchor, tables, scope)
        self._items(s.items, tables)

    def _stmt_FixedTerm(self, s: n.FixedTerm, tables, scope) -> None:
        self._period_length(s.length, scope, tables, "a term")
        if s.renews is not None:
            self._period_length(s.renews, scope, tables, "a renewal")
        self._check_anchor(s.anchor, tables, scope)
        self._not_from_itself(s.anchor.base, "term_end", "term")


class TermsEvaluation:
    """Evaluation of terms statements (a mixin of the evaluation)."""

    def _fixed_term(self):
        d = self.contract_start or self.as_of
        return next(iter(self.statements(d, n.FixedTerm)), None)

    def _term_ends(self, until: date) -> list[date]:
        found = self._fixed_term()
        if found is None:
            return []
        rule, s = found
        env = self.env(self.contract_start or self.as_of)
        anchor = evaluate(s.anchor.base, env)
        if anchor.kind == "absent":
            return []
        start = as_date(anchor)
        length = calendar_period(s.length)
        end = periods.civil_expiry(start, length[0], length[1], first_day_counts=s.anchor.first_day_counts)
        ends = [end]
        if s.renews is not None:
            renew = calendar_period(s.renews)
            while ends[-1] < until and len(ends) < 200:
                ends.append(periods.civil_expiry(ends[-1] + timedelta(days=1), renew[0], renew[1],
                                                 first_day_counts=True))
        return ends

    def _first_term_end(self) -> date | None:
        ends = self._term_ends(self.as_of)
        return ends[0] if ends else None

    def _terms(self) -> None:
        d = self.contract_start or self.as_of
        for rule, s in self.statements(d, n.MinimumTerm):
            for anchor_date, item, sub, events in self._anchors(s, d):
                length = calendar_period(s.length)
                end = periods.civil_expiry(anchor_date, length[0], length[1],
                                           first_day_counts=s.anchor.first_day_counts)
                self.minimums.append((item, sub, end))
                what = "minimum term ends" if item is None else f"minimum term of {item} ends"
                counting = "counting from" if s.anchor.first_day_counts else "after"
                self.add(rule, s, "state", what, date=anchor_date, value=end, events=events,
                         explanation=(f"{format_decimal(Decimal(length[0]))} {length[1]} {counting} {anchor_date} "
                                      f"→ expires {end}",),
                         conventions=("periods: 民法第140条〜第143条",))
        found = self._fixed_term()
        if found is not None:
            rule, s = found
            horizon = self.contract_end or self.as_of
            ends = self._term_ends(horizon)
            for i, end in enumerate(ends):
                if i > 0 and ends[i - 1] >= horizon:
                    break
                if self.contract_end is not None and end > self.contract_end:
                    break  # the contract ended inside this term: the term's end never comes
                renewed = self.contract_end is None or self.contract_end > end
                label = "term ends" if not renewed or s.renews is None else "term ends and renews"
                self.add(rule, s, "state", label, date=end, value=end,
                         conventions=("periods: 民法第140条〜第143条",))

    def _anchors(self, s: n.MinimumTerm, d: date):
        env = self.env(d)
        if not s.items:
            v = evaluate(s.anchor.base, env)
            if v.kind != "absent" and not (self.contract_end is not None and self.contract_end < as_date(v)):
                # a contract that ended before the day its term counts from (its billing start) had no term
                yield as_date(v), None, None, event_indexes(v)
            return
        for item_expr in s.items:
            item = evaluate(item_expr, env).value
            for sub in self.subs.get(item, []):
                if self._never_billed(sub):
                    continue  # a term counted from a billing start that never came does not run
                # read on the subscription's first day, so that `X.start` is this subscription's
                v = evaluate(s.anchor.base, self.env(sub.start))
                anchor = as_date(v) if v.kind != "absent" else sub.start
                yield anchor, item, sub, tuple(sub.events)
