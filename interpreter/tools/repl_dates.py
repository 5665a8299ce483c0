"""REPL commands about the contract's dates: its versions and notice deadlines worked back from an effective date (a mixin of the REPL session)."""
from __future__ import annotations
from datetime import date, timedelta
from interpreter.syntax import nodes as n
from interpreter.time import periods
from interpreter.time.calendar import BusinessCalendar
from interpreter.diagnostics import Diagnostic, did_you_mean
from interpreter.run.expressions import Env, Value, evaluate
from interpreter.time.timestamps import JST
from interpreter.tools.repl_base import (_WEEKDAYS, Problem)


class DateCommands:
    """REPL commands about the contract's dates: its versions and notice deadlines worked back from an effective date (a mixin of the REPL session)."""

    def cmd_version(self, args, line) -> None:
        model = self._need_model()
        day = self._date_argument(args, line, True, ":version")
        version = model.version_on(day)
        label = f" 「{version.label}」" if version.label else ""
        since = f"in force from {version.effective}" if version.effective else (
            f"in force from {model.contract.version.effective}" if model.contract and model.contract.version
            and model.contract.version.effective else "the base text")
        later = [v for v in model.versions if v.effective and v.effective > day]
        self.say(f"{day}: version {version.name}{label}, {since}")
        for note in version.notes:
            self.say(f"  note: {note}")
        if later:
            self.say(f"  next: version {later[0].name} from {later[0].effective}")

    def cmd_deadline(self, args, line) -> None:
        model = self._need_model()
        if not args:
            raise self.error("E404", ":deadline needs a notice and a date", len(line) + 1,
                             hint="for example `:deadline cancellation 2025-12-31`")
        day = self._date_argument(args[1:], line, True, ":deadline " + args[0].text)
        tables = model.version_on(day).tables
        notices = [(rule, s) for rule in tables.rules.values() for s in rule.statements if isinstance(s, n.Notice)]
        word = args[0]
        found = [(r, s) for r, s in notices if word.text in (s.name, s.event, r.id)]
        if not found:
            names = [s.name for _, s in notices]
            raise self.error("E201", f"the contract has no notice `{word.text}`", word.column, len(word.text),
                             hint=did_you_mean(word.text, names) or (f"its notices are: {', '.join(names)}"
                                                                      if names else "it declares no notices"))
        rule, notice = found[0]
        calendar = model.calendar
        label = f" 「{notice.label}」" if notice.label else ""
        self.say(f"notice {notice.name}{label} by {notice.party} on {notice.event} ({rule.id} {', '.join(rule.articles)})")
        effective = self._first_allowed(notice, day)
        if effective is None:
            raise Problem(Diagnostic("E406", f"no allowed date ({notice.allowed}) is known on or after {day}",
                                     None, hint="`term_end` needs the contract's term: add its events first"))
        if effective != day:
            self.say(f"{day} is not an allowed date ({notice.allowed}): the first allowed date on or after it "
                     f"is {effective}")
        else:
            allowed = f" (allowed: {notice.allowed})" if notice.allowed else ""
            self.say(f"effective {effective}{allowed}")
        if notice.due is None:
            self.say("the notice has no deadline (`due`)")
            return
        env = self._env(day).child({"effective": Value("date", effective)})
        due_value = evaluate(notice.due, env)
        if due_value.kind == "absent":
            self.say("the deadline depends on events that have not happened")
            return
        due = due_value.value.astimezone(JST).date() if due_value.kind == "datetime" else due_value.value
        self.say(f"due {model.source.snippet(notice.due.span)}")
        steps = self._business_steps(notice.due, env, calendar)
        for step in steps:
            self.say(f"  {step}")
        if not steps:
            reason = calendar.closure_reason(due)
            self.say("  no business-day adjustment" + (f" (the deadline falls on a {reason})" if reason else ""))
        self.say(f"deadline: {due} ({_WEEKDAYS[due.weekday()]}), {(effective - due).days} days before {effective}")

    def _first_allowed(self, notice: n.Notice, day: date) -> date | None:
        if notice.allowed == "month_end":
            return periods.end_of_month(day)
        if notice.allowed == "month_start":
            return day if day.day == 1 else periods.shift_month(day.replace(day=1), 1)
        if notice.allowed == "term_end":
            evaluation = self._evaluation()
            if evaluation is None:
                return None
            ends = [t for t in evaluation._term_ends(day + timedelta(days=400 * 5)) if t >= day]
            return ends[0] if ends else None
        return day

    def _business_steps(self, expr, env: Env, calendar: BusinessCalendar) -> list[str]:
        """The business-day moves inside a deadline, innermost first, with the closed days they skipped."""
        steps: list[str] = []
        source = self.model.source

        def visit(e) -> None:
            if n.is_node(e):
                for field in n.fields(type(e)):
                    child = getattr(e, field.name)
                    for c in (child if isinstance(child, tuple) else (child,)):
                        if n.is_node(c):
                            visit(c)
            if isinstance(e, (n.BusinessDay, n.NthBusinessDay)):
                base = evaluate(e.base, env)
                result = evaluate(e, env)
                if base.kind == "absent" or result.kind == "absent":
                    return
                start = base.value.astimezone(JST).date() if base.kind == "datetime" else base.value
                if base.kind == "event":
                    start = base.value.date
                end = result.value
                written = source.snippet(e.base.span) or "it"
                closed = calendar.closure_reason(start)
                state = f"{closed}: not a business day" if closed else "a business day"
                steps.append(f"{written} = {start} ({_WEEKDAYS[start.weekday()]}, {state})")
                lo, hi = min(start, end), max(start, end)
                skipped = []
                d = lo
                while d <= hi:
                    reason = calendar.closure_reason(d)
                    if reason:
                        skipped.append(f"{d} {reason}")
                    d += timedelta(days=1)
                what = (f"business day on or {e.direction} {start}" if isinstance(e, n.BusinessDay)
                        else f"{source.snippet(e.span).split(' ')[0]} business day counting from {start}")
                tail = f"; closed: {', '.join(skipped)}" if skipped and end != start else ""
                steps.append(f"{what} = {end} ({_WEEKDAYS[end.weekday()]}){tail}")

        visit(expr)
        return steps
