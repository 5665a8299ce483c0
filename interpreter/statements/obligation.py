"""Obligations: a duty that arises on an event or at the contract's end, due by a date, met by an event."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date, timedelta

from interpreter import records

from interpreter.check.types import DATE
from interpreter.run.expressions import Env, Value, as_date, evaluate, truthy
from interpreter.run.compiled import obligation_trigger
from interpreter.run.state import occurrence
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event


@records.define
class PendingObligation:
    rule: n.RuleDecl
    stmt: n.Obligation
    trigger: Event | None
    due: date
    met: Event | None = None
    day: date | None = None  # the day a daily duty arose on


class ObligationChecks:
    """Checks of obligation statements (a mixin of the checker)."""

    def _stmt_Obligation(self, s: n.Obligation, tables, scope) -> None:
        inner = scope
        if s.trigger == "each day":
            inner = scope.child({"today": DATE})  # `when each day where COND`: COND and `due` read `today`
        elif s.trigger and s.trigger != "contract ends":
            self._event_name(s.trigger, s.span, tables)
            inner = self._event_scope(scope, s.trigger, tables)
        if s.where is not None:
            self._expect(s.where, "bool", inner, tables, "a condition")
        if s.due is None:
            self.error("E404", f"obligation `{s.name}` has no `due` date", s.span)
        else:
            self._expect(s.due, "date", inner, tables, "a deadline")
        if s.met_by and self._event_name(s.met_by, s.span, tables) is not None and s.met_where is not None:
            self._expect(s.met_where, "bool", self._event_scope(scope, s.met_by, tables), tables,
                         "the condition on what meets an obligation")
        if s.trigger is None:
            self.error("E404", f"obligation `{s.name}` does not say when it arises", s.span,
                       "add `when EVENT;`, `when contract ends;` or `when each day;`")


class ObligationEvaluation:
    """Evaluation of obligation statements (a mixin of the evaluation)."""

    def _obligations_on(self, ev: Event, env: Env) -> None:
        """An event may raise obligations (where their condition holds), and may meet the first open one it
        answers. Runs after the entries on the event, so that a duty can use a state derived from it."""
        for rule, stmt in self.statements_by(ev.date, n.Obligation, obligation_trigger).get(ev.name, ()):
            if stmt.where is None or truthy(evaluate(stmt.where, env), stmt.where):
                due = as_date(evaluate(stmt.due, env), stmt.due)
                self.pending.append(PendingObligation(rule, stmt, ev, due))
        for p in self.pending:
            if p.met is None and p.stmt.met_by == ev.name and (p.trigger is None or p.trigger.instant <= ev.instant) \
                    and p.stmt.met_where is None:  # a condition on what meets it is judged once billing is known
                p.met = ev
                break

    def _obligations_at_contract_end(self) -> None:
        d = self.contract_end
        for rule, s in self.statements(d, n.Obligation):
            if s.trigger == "contract ends":
                due = as_date(evaluate(s.due, self.env(d)), s.due)
                pending = PendingObligation(rule, s, None, due)
                met = [e for e in self.seen.get(s.met_by or "", []) if e.date >= d and e.index not in self.rejected]
                pending.met = met[0] if met else None
                self.pending.append(pending)

    def _close_obligations_met_where(self) -> None:
        """`met by EVENT where COND`: the first occurrence in time for which COND holds meets the duty. Judged after
        the invoices, so that COND may ask what the payments left owed (`owed`, `unpaid`) of this very timeline."""
        self.invoices_made = True
        conditional = [p for p in self.pending if p.stmt.met_where is not None]
        for p in conditional:
            p.met = next((e for e in self.seen.get(p.stmt.met_by or "", [])
                          if e.index not in self.rejected and self._may_meet(p, e)
                          and truthy(evaluate(p.stmt.met_where, self.event_env(e)), p.stmt.met_where)), None)
        self._close(conditional)

    def _may_meet(self, p: PendingObligation, e: Event) -> bool:
        """Whether an occurrence comes at a time it could meet the duty: after its trigger, on or after its day
        (a daily duty: by its due date too), or on or after the contract's end."""
        if p.trigger is not None:
            return p.trigger.instant <= e.instant
        if p.day is not None:
            return p.day <= e.date <= p.due
        return self.contract_end is not None and e.date >= self.contract_end

    @staticmethod
    def _performance_note(p: PendingObligation, status: str) -> str | None:
        """What performed the duty: "met by …" only when it came in time; a late performance leaves the duty
        missed, and the note says it came late rather than that it met the duty."""
        if p.met is None:
            return None
        if status == "met":
            return f"met by {occurrence(p.met)}"
        return f"performed late by {occurrence(p.met)}, after the due date {p.due}"

    def _daily_obligations(self) -> None:
        """`when each day`: one duty per calendar day from the contract's start through its end (or as_of),
        met by a `met by` event on or after that day and by its due date; a day nothing met is `missed`."""
        if self.contract_start is None or not any(
                s.trigger == "each day" for v in self.model.versions for r in v.tables.rules.values()
                for s in r.statements if isinstance(s, n.Obligation)):
            return
        last = min(self.contract_end or self.as_of, self.as_of)
        day = self.contract_start
        while day <= last:
            for rule, s in self.statements_by(day, n.Obligation, obligation_trigger).get("each day", ()):
                env = self.env(day, {"today": Value("date", day)})
                if s.where is not None and not truthy(evaluate(s.where, env), s.where):
                    continue
                due = as_date(evaluate(s.due, env), s.due)
                met = next((e for e in self.seen.get(s.met_by or "", [])
                            if e.index not in self.rejected and day <= e.date <= due), None)
                self.pending.append(PendingObligation(rule, s, None, due, met, day=day))
            day += timedelta(days=1)

    def _close_obligations(self) -> None:
        self._close([p for p in self.pending if p.stmt.met_where is None])

    def _close(self, pending: list[PendingObligation]) -> None:
        for p in pending:
            label = p.stmt.label or p.rule.label or p.stmt.name
            events = tuple(x.index for x in (p.trigger, p.met) if x is not None)
            if p.met is not None:
                status = "met" if p.met.date <= p.due else "missed"
            elif p.trigger is not None and self.contract_end is not None and self.contract_end < p.due \
                    and p.trigger.index not in self.contract_end_events:
                # the contract ended before the duty fell due, and nothing met it (a duty the end itself gives rise
                # to, such as paying what is owed at once, does not lapse)
                status = "lapsed"
            else:
                status = "missed" if self.as_of > p.due else "open"
            self.add(p.rule, p.stmt, "obligation", label, party=p.stmt.party, due=p.due, status=status,
                     events=events, date=p.trigger.date if p.trigger else p.day,
                     note=self._performance_note(p, status))
            if status == "missed" and p.stmt.grants:
                self.add(p.rule, p.stmt, "state", p.stmt.grants, date=p.due + timedelta(days=1),
                         value=p.due + timedelta(days=1), events=events)
