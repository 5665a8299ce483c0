"""Notices: when a notice takes effect, by when it is due, what it does, and what happens if late."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date, timedelta

from interpreter.check.types import DATE
from interpreter.run.expressions import Env, EvalError, Value, as_date, evaluate, truthy
from interpreter.syntax import nodes as n
from interpreter.time import periods
from interpreter.run.compiled import statement_event
from interpreter.time.calendar import BusinessCalendar

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event

ALLOWED_DATES = ("any_day", "month_end", "month_start", "term_end")
IF_LATE = ("next_allowed", "rejected", "stands")
SEARCH_LIMIT = 1200  # candidate effective dates tried for a late notice (over three years of days)


class NoticeChecks:
    """Checks of notice statements (a mixin of the checker)."""

    def _stmt_Notice(self, s: n.Notice, tables, scope) -> None:
        decl = self._event_name(s.event, s.span, tables)
        inner = self._event_scope(scope, s.event, tables).child({"effective": DATE})
        if s.where is not None:
            self._expect(s.where, "bool", self._event_scope(scope, s.event, tables), tables, "the notice's condition")
        if s.effective is not None:
            self._expect(s.effective, "date", inner, tables, "the effective date")
        if s.allowed is not None and s.allowed not in ALLOWED_DATES:
            self.error("E406", f"`allowed {s.allowed}` is not a kind of date", s.span,
                       f"write one of: {', '.join(ALLOWED_DATES)}")
        if s.if_late is not None and s.if_late not in IF_LATE:
            self.error("E406", f"`if late {s.if_late}` is not a policy", s.span, f"write one of: {', '.join(IF_LATE)}")
        if s.due is not None:
            found = self.problems_found
            self._expect(s.due, "date", inner, tables, "a deadline")
            if self.problems_found == found:  # only a deadline that checked can be probed
                self._deadline_after_effect(s)
        if s.effective is None and decl is not None:
            self.error("E404", f"notice `{s.name}` does not say when it takes effect", s.span,
                       f"add `effective {s.event}.FIELD;` or a date computed from `{s.event}.at`")
        for action in s.effects:
            self._check_action(action, inner, tables)

    def _deadline_after_effect(self, s: n.Notice) -> None:
        """A deadline must not fall after the effect it announces: probe a spread of effective dates."""
        from interpreter.run.expressions import (  # the evaluator's date arithmetic, on sample dates
            Env,
            as_date,
            evaluate,
        )

        probe = date(2025, 1, 1)
        calendar = BusinessCalendar()
        samples = [probe + timedelta(days=offset) for offset in range(0, 730, 3)]
        if s.allowed == "month_end":
            samples = [d for d in samples if (d + timedelta(days=1)).day == 1]
        elif s.allowed == "month_start":
            samples = [d for d in samples if d.day == 1]
        for effective in samples:
            env = Env(names={"effective": effective}, calendar=calendar, conventions=self.conventions)
            try:
                due = as_date(evaluate(s.due, env))  # a deadline with a time of day is due on that day
            except EvalError:
                return  # the deadline depends on the customer's events; the evaluator checks it per event
            if due > effective:
                self.error("E402", f"the deadline falls after the effect it announces "
                                   f"(effective {effective} → due {due})", s.due.span,
                           "a notice is due on or before its effective date: count back with `before`")
                return


class NoticeEvaluation:
    """Evaluation of notice statements (a mixin of the evaluation)."""

    def _calendar_note(self) -> tuple[str, ...]:
        """What counts as a business day, as a deadline's entry says it (the same for the whole contract)."""
        found = self.model.cache.get("calendar_note")
        if found is None:
            found = self.model.cache["calendar_note"] = self._calendar_wording()
        return found

    def _calendar_wording(self) -> tuple[str, ...]:
        cal = self.model.calendar
        parts = ["business days: weekdays"]
        if cal.national_holidays:
            parts.append("not Japanese national holidays (振替休日 and 国民の休日 included)")
        if cal.closed_yearly or cal.closed_dates:
            parts.append("not the provider's closed days")
        return (", ".join(parts),)

    def _notices_on(self, ev: Event, env: Env) -> None:
        for rule, stmt in self.statements_by(ev.date, n.Notice, statement_event).get(ev.name, ()):
            self._notice(rule, stmt, ev, env)

    def _candidates(self, desired: date, allowed: str | None):
        d = desired
        for _ in range(SEARCH_LIMIT):
            if allowed == "month_end":
                d = periods.end_of_month(d)
            elif allowed == "month_start":
                if d.day != 1:
                    d = periods.shift_month(d, 1)
            elif allowed == "term_end":
                ends = [t for t in self._term_ends(d + timedelta(days=400 * 5)) if t >= d]
                if not ends:
                    return
                d = ends[0]
            yield d
            d = d + timedelta(days=1)

    def _date_step(self, name: str, expr, env: Env, value: Value, day: date) -> str:
        """The step of a date the notice just evaluated (`value`, in `env`, read as `day`). A plain date is
        written as the value itself, so the step shows it without evaluating the expression again; a date
        with a time of day is written as its day, the expression shown as evaluated afresh."""
        if value.kind == "date":  # format_value writes a date as its isoformat, as str(day) does
            return self.step(name, expr, env, value, evaluated=True)
        return self.step(name, expr, env, str(day))

    def _notice(self, rule: n.RuleDecl, s: n.Notice, ev: Event, env: Env) -> None:
        if s.where is not None and not truthy(evaluate(s.where, env), s.where):
            return  # `on EVENT where COND`: this event is not such a notice
        written = evaluate(s.effective, env)
        desired = as_date(written, s.effective)
        label = s.label or rule.label or s.name
        steps = [self._date_step("effective", s.effective, env, written, desired)]
        effective = None
        due_for_desired = None
        moved = False
        for candidate in self._candidates(desired, s.allowed):
            if s.due is None:
                effective = candidate
                break
            inner = env.child({"effective": Value("date", candidate)})
            written = evaluate(s.due, inner)
            due = as_date(written, s.due)
            if due_for_desired is None:
                due_for_desired = due
                steps.append(self._date_step("due", s.due, inner, written, due))
                if candidate != desired:
                    steps.append(f"{desired} is not an allowed date ({s.allowed}): the first allowed is {candidate}")
            if ev.date <= due:
                effective = candidate
                break
            if s.if_late == "rejected":
                break
            if s.if_late == "stands":
                effective = candidate
                break
            moved = True
        late = due_for_desired is not None and ev.date > due_for_desired
        if s.due is not None:
            note = None
            if late and effective is not None and moved:
                note = f"notice arrived {ev.date}, after {due_for_desired}: the effect moves to {effective}"
                steps.append(note)
            elif late and effective is not None and s.if_late == "stands":
                note = f"notice arrived {ev.date}, after {due_for_desired}: late; it takes effect on {effective} as notified"
            elif late and effective is None:
                note = f"notice arrived {ev.date}, after {due_for_desired}: it has no effect"
            self.add(rule, s, "obligation", label, party=s.party, due=due_for_desired,
                     status="missed" if late else "met", events=(ev.index,), note=note,
                     date=ev.date, explanation=tuple(steps + [f"notice received {ev.date}"]),
                     conventions=self._calendar_note())
        if effective is None:
            return
        for action in s.effects:
            self._apply(action, effective, env, ev, rule)
            self._effect_entry(rule, s, action, effective, env, (ev.index,), steps, dated=ev.date)
