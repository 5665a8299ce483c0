"""The environment of expressions on a customer's timeline: names, attributes of events, items and the contract, events in a period (a mixin of the evaluation)."""
from __future__ import annotations
from datetime import date, datetime, time, timedelta
from interpreter import records
from interpreter.check.infer import ITEM_ATTRS
from interpreter.check.model import Version
from interpreter.run.events import Event
from interpreter.run.expressions import (
    ABSENT,
    Env,
    EvalError,
    Month,
    Value,
    evaluate,
    minutes_between,
)
from interpreter.time.timestamps import JST


class Environment:
    """The environment of expressions on a customer's timeline: names, attributes of events, items and the contract, events in a period (a mixin of the evaluation)."""

    def _event_names(self, version: Version) -> dict:
        """An event's name stands for its first occurrence in the whole timeline (the ledger is what is known
        as of `as_of`): a deemed date can look at an acceptance that came later in the file. Recomputed only
        when an event has been rejected since."""
        key = (version.name, len(self.rejected))
        cached = self._events_cache.get(key)
        if cached is None:
            # every declared event absent (made once per version), then those the timeline has: a customer's
            # timeline names a few of the tens of events a contract declares
            cached = dict(self.compiled.none_of_the_events(version))
            for name, occurrences in self.by_name.items():
                if name in cached:
                    first = next((e for e in occurrences if e.index not in self.rejected), None)
                    if first is not None:
                        cached[name] = Value("event", first)
            self._events_cache[key] = cached
        return cached

    def _names(self, version: Version) -> dict:
        """Every name an expression can use, but those of the moment (event fields, `let`s), in one dict:
        rebuilt only when a state is set or an event rejected."""
        key = (version.name, len(self.rejected), self.state_changes)
        found = self._names_cache.get(key)
        if found is None:
            found = {**self.compiled.static_names(version), **self._event_names(version), **self.params,
                     **self.states, "contract": self._contract_value}
            self._names_cache = {key: found}
        return found

    def value(self, expr, d: date) -> Value:
        """An expression's value on a day. A constant is computed once per contract (run/compiled.py). Any other
        is evaluated while watching what it reads: when that was only names, and item attributes that do not
        change with the day while the same holding is in force (its dates, the fields of the event that started
        it), the value stands for every day on which the names keep their values and each item read is the same
        holding with the same dates — a fee's `from start of month after X`, read for every billing period, is
        evaluated once. One that read a function of the timeline, a gathering of events, an item's quantity or
        the contract's attributes is evaluated for each day."""
        found = self.compiled.constant(expr)
        if found is not None:
            return found
        names = self._names(self.version(d))
        known = self._values.get(id(expr))
        if known is not None and known[0] is names and self._same_holdings(known[2], d):
            if known[1] is not None:
                return known[1]
            return evaluate(expr, self.env(d))  # it read the day last time: it is read for each day
        reads: list = []
        found = evaluate(expr, self._watched(self.env(d), d, reads))
        day_dependent = any(r is None for r in reads)
        self._values[id(expr)] = (names, None if day_dependent else found,
                                  () if day_dependent else tuple(dict.fromkeys(reads)))
        return found

    def _same_holdings(self, reads: tuple, d: date) -> bool:
        """Whether each item read (see _holding_read) is, on day d, the same holding with the same dates."""
        for read in reads:
            if self._holding_read(read[0], d) != read:
                return False
        return True

    def _watched(self, env: Env, today: date, reads: list) -> Env:
        """The same environment, noting in `reads` what an evaluation reads besides its names: None for what may
        depend on the day (the contract's attributes, an item's quantity or billing start, a function, events
        gathered over a period), the holding read for an item's other attributes. An event's attributes are its
        own, fixed."""
        def attribute(obj, name):
            if obj.kind == "item" and name not in ("quantity", "billing_start"):
                reads.append(self._holding_read(obj.value, today))
            elif obj.kind != "event":
                reads.append(None)
            return env.attribute(obj, name)

        def watch(fn):
            def watched(*args):
                reads.append(None)
                return fn(*args)
            return watched

        return Env(names=env.names, calendar=env.calendar, conventions=env.conventions,
                   functions={name: watch(fn) for name, fn in env.functions.items()},
                   events_in=watch(env.events_in) if env.events_in is not None else None,
                   attribute=attribute if env.attribute is not None else None)

    def set_state(self, name: str, value: Value) -> None:
        self.states[name] = value
        self.state_changes += 1

    def env(self, d: date, extra: dict | None = None) -> Env:
        """The environment of an expression evaluated for a day, with the names of the moment (`extra`)."""
        names = self._names(self.version(d))
        if extra:
            # one merged dict: its lookups cost less than a ChainMap's, and an expression reads many names
            return Env(names={**names, **extra}, calendar=self.model.calendar,
                       conventions=self.model.conventions, functions=self._functions, events_in=self._events_in,
                       attribute=lambda obj, name: self._attribute(obj, name, d))
        cached = self._env_cache.get(d)
        if cached is None or cached.names is not names:
            cached = Env(names=names, calendar=self.model.calendar, conventions=self.model.conventions,
                         functions=self._functions, events_in=self._events_in,
                         attribute=lambda obj, name: self._attribute(obj, name, d))
            self._env_cache[d] = cached
        return cached

    def _attribute(self, obj: Value, name: str, today: date) -> Value:
        if obj.kind == "event":
            ev: Event = obj.value
            if name in ev.fields:
                return ev.fields[name]
            if name == "at":
                return Value("datetime", ev.instant)
            if name == "date":
                return Value("date", ev.date)
            if name == "duration":  # exact, in minutes (seconds kept as a fraction); cut only where a rule says
                return Value("exact", minutes_between(ev.until, ev.instant))
            raise EvalError(f"event `{ev.name}` has no field `{name}`")
        if obj.kind == "contract":
            if name == "version":  # the label of the version of the terms in force on the day
                version = self.version(today)
                return Value("text", version.label or version.name)
            return self._contract_attribute(name)
        if obj.kind == "version":
            return self._version_attribute(obj.value, name, today)
        if obj.kind == "item":
            # An item's attributes are those of its subscription on the day the expression is evaluated for:
            # the one in force then, else the latest one before, else (like an event name) the first one.
            sub = self._holding_on(obj.value, today)
            if sub is None:
                return ABSENT
            if name == "quantity":
                return Value("count", sub.quantity_on(max(today, sub.start)))
            if name not in ITEM_ATTRS:  # a field of the event that started the holding
                return sub.fields.get(name, ABSENT)
            value = self._lifecycle_date(sub, name)
            return Value("date", value) if value else ABSENT
        raise EvalError(f"no attribute `{name}` here")

    def _version_attribute(self, version_name: str, name: str, today: date) -> Value:
        """`NAME.effective`: the day the version took effect (none for a base version without a date, or for a
        version this model does not hold); `NAME.in_force`: whether that version or a later one is in force on the
        day the expression is evaluated for."""
        names = [v.name for v in self.model.versions]
        held = self.model.versions[names.index(version_name)] if version_name in names else None
        if name == "effective":
            return Value("date", held.effective) if held is not None and held.effective else ABSENT
        if name == "in_force":
            return Value("bool", held is not None and names.index(self.version(today).name) >= names.index(held.name))
        raise EvalError(f"a version has no attribute `{name}`")

    def _holding_on(self, item: str, today: date):
        """The holding of an item whose attributes an expression for `today` reads: the one in force then, else
        the latest one before, else (like an event name) the first one; None when the item was never held."""
        subs = self.subs.get(item)
        if not subs:
            return None
        latest = None  # one pass: read for every period of every fee whose schedule names an item
        for x in subs:
            if x.start <= today:
                if x.end is None or today <= x.end:
                    return x
                latest = x
        return latest if latest is not None else subs[0]

    def _holding_read(self, item: str, today: date) -> tuple:
        """What an item attribute other than its quantity and billing start depends on, on a day: the holding
        chosen, and its dates (they are set as the timeline is read)."""
        sub = self._holding_on(item, today)
        return (item, None) if sub is None else (item, id(sub), sub.start, sub.end, sub.ordered, sub.stop_requested)

    def _contract_attribute(self, name: str) -> Value:
        """`contract.NAME`. billing_start and term_end are computed from statements whose expressions may
        read contract attributes themselves: one that comes back to itself is an error, not an endless loop."""
        computed = {"billing_start": self._billing_start, "term_end": self._first_term_end}
        if name in computed:
            if name in self._computing:
                raise EvalError(f"`contract.{name}` is computed from itself: the statement that defines it "
                                f"reads it (perhaps through another contract attribute)", self.current)
            self._computing.add(name)
            try:
                value = computed[name]()
            finally:
                self._computing.discard(name)
        else:
            value = {"start": self.contract_start, "end": self.contract_end, "formed": self.formed}.get(name)
        return Value("date", value) if value else ABSENT

    def _events_in(self, name: str, month: Month) -> list[Value]:
        """Events of one kind that touch a month; an interval is clipped to the month (Japan time)."""
        start = datetime.combine(month.start, time(0), JST)
        end = datetime.combine(month.end + timedelta(days=1), time(0), JST)
        out = []
        for ev in self.seen.get(name, []):
            if ev.index in self.rejected:
                continue
            if ev.until is not None:
                lo, hi = max(ev.instant, start), min(ev.until, end)
                if lo < hi:
                    fields = dict(ev.fields, until=Value("datetime", hi))
                    out.append(Value("event", records.evolve(ev, instant=lo, fields=fields)))
            elif start <= ev.instant < end:
                out.append(Value("event", ev))
        return out

    def event_env(self, ev: Event) -> Env:
        """The environment of the statements on an event: its name and fields, and `next EVENT` from it."""
        env = self.env(ev.date, {ev.name: Value("event", ev), **ev.fields})
        env.functions = {**env.functions, "next": lambda name, matches=None, backward=False:
                         self._next_event(name, ev, matches, backward)}
        return env

    def _next_event(self, name: str, current: Event, matches=None, backward: bool = False) -> Value:
        """`next NAME`: NAME's first occurrence, not rejected, at or after `current` in the timeline (and, given
        `matches`, for which it holds); `backward`: the latest at or before `current`."""
        position = self.rank[current.index]
        found = self.by_name.get(name, [])
        for ev in reversed(found) if backward else found:
            if (self.rank[ev.index] <= position if backward else self.rank[ev.index] >= position) \
                    and ev.index not in self.rejected:
                if matches is None or matches(Value("event", ev)):
                    return Value("event", ev)
        return ABSENT
