"""Reading choices: where the Japanese text can be read two ways, the contract names the alternatives and the
reading it takes (`choice C-6 第33条 NAME "…" { a "…"; b "…"; default a; }`).

A choice is a value like an enumeration parameter: rules and expressions test it (`when NAME == b`), and a
scenario may pick another reading under `params:`. Every ledger shows the reading in force (a `state` entry
per choice), and every entry of a rule whose condition tests a choice names it in `also` and in its
explanation, so no figure depends on a reading silently.
"""
from __future__ import annotations

from interpreter.check.model import Tables
from interpreter.check.scope import every_name
from interpreter.diagnostics import Note, did_you_mean
from interpreter.run.ledger import Entry
from interpreter.syntax import nodes as n


class ChoiceChecks:
    """Checks of reading choices (a mixin of the checker)."""

    def _choice_tables(self, d: n.ChoiceDecl, choices: dict, enums: dict, params: dict) -> None:
        """A choice is an enumeration of its readings and a parameter of that type whose default is the
        reading the contract takes: both are entered in the tables, so expressions and scenarios use them
        as they use any enumeration parameter."""
        for table, what in ((choices, "reading choice"), (enums, "enumeration"), (params, "parameter")):
            if d.name in table:
                self._dup(what)(d.name, d.span, table[d.name].span)
        choices[d.name] = d
        enums[d.name] = n.EnumDecl(d.name, d.label, tuple(n.EnumCase(a.name, a.label, span=a.span)
                                                          for a in d.alternatives), span=d.span)
        default = n.Name(d.default, span=d.default_span) if d.default else None
        params[d.name] = n.ParamDecl(d.name, n.TypeRef(d.name, span=d.span), default, d.label, span=d.span)

    def _check_choice(self, d: n.ChoiceDecl, tables: Tables) -> None:
        seen: dict[str, n.ChoiceAlt] = {}
        for alt in d.alternatives:
            if alt.name in seen:
                self._dup("reading")(alt.name, alt.span, seen[alt.name].span)
            seen[alt.name] = alt
            if not alt.label:
                self.error("W503", f"reading `{alt.name}` of choice {d.id} does not say what it means", alt.span,
                           f'write the reading after the name: `{alt.name} "…";`')
        if len(d.alternatives) < 2:
            self.error("E404", f"choice {d.id} needs at least two readings", d.span,
                       "a choice names each way the text can be read: `a \"…\"; b \"…\";`")
        if d.default is None:
            self.error("E404", f"choice {d.id} does not say which reading the contract takes", d.span,
                       f"add `default {d.alternatives[0].name if d.alternatives else 'NAME'};`")
        elif d.default not in seen:
            self.error("E201", f"`{d.default}` is not a reading of choice {d.id}", d.default_span,
                       did_you_mean(d.default, seen) or f"its readings are: {', '.join(seen) or 'none'}")
        if d.id in tables.rules:
            self.error("E203", f"{d.id} names both a rule and a reading choice", d.span,
                       "give the choice an id of its own, such as C-6",
                       (Note(tables.rules[d.id].id_span, "the rule is here"),))

    def _policy_choice(self, name: str, policies: tuple[str, ...], where: str, span, tables: Tables) -> bool:
        """Whether `name`, written where a policy stands (`last month NAME`, `partial month NAME`, …), is a reading
        choice; its readings must then all be policies of that place (E409), as the reading taken is the policy."""
        choice = tables.choices.get(name)
        if choice is None:
            return False
        readings = [a.name for a in choice.alternatives]
        others = [r for r in readings if r not in policies]
        if others:
            self.error("E409", f"the readings of `{name}` ({', '.join(readings)}) are not all policies of "
                       f"`{where}`", span, f"name each reading after the policy it takes: one of "
                       f"{', '.join(policies)} (not {', '.join(others)})", (Note(choice.span, "the choice is here"),))
        return True

    @staticmethod
    def _policies_named(name: str | None, tables: Tables) -> set[str]:
        """The policies a policy position can take: the one written, or each reading of the choice it names."""
        choice = tables.choices.get(name) if name else None
        return {a.name for a in choice.alternatives} if choice is not None else {name} - {None}


class ChoiceEvaluation:
    """Reading choices in the ledger (a mixin of the evaluation)."""

    def _reading_choices(self) -> None:
        """One `state` entry per choice: the reading in force for this customer, and whether it is the
        contract's default."""
        if not self.events:
            return
        first = self.events[0].date
        for choice in self.version(first).tables.choices.values():
            value = self.params.get(choice.name)
            taken = value.value if value is not None else choice.default
            # the words of the entry depend only on the choice and the reading taken: made once per contract
            words = self.compiled.choice_entries.get((id(choice), taken))
            if words is None:
                words = self.compiled.choice_entries[(id(choice), taken)] = self._choice_words(choice, taken)
            self.entries.append(Entry(kind="state", rule=choice.id, source=choice.span, date=first, value=taken,
                                      **words))

    @staticmethod
    def _choice_words(choice: n.ChoiceDecl, taken: str) -> dict[str, str | None]:
        """The label, citation and note of the entry that records the reading taken of a choice."""
        reading = next((a for a in choice.alternatives if a.name == taken), None)
        how = "the contract's default" if taken == choice.default else "chosen for this customer"
        return {"label": f"reading choice {choice.id}: {choice.label or choice.name}",
                "clause": ", ".join(choice.articles) or None,
                "note": f"{taken}: {reading.label if reading and reading.label else taken} ({how})"}

    def _reading_taken(self, name: str) -> str:
        """A policy as written, or, where it names a reading choice (`last month CHOICE`), the reading taken for
        this customer: the choice's readings are named after the policies."""
        choice = self.model.base.tables.choices.get(name)
        if choice is None:
            return name
        taken = self.params.get(choice.name)
        return taken.value if taken is not None else choice.default

    def _choices_of(self, rule: n.RuleDecl | None) -> tuple[n.ChoiceDecl, ...]:
        """The reading choices a rule's condition tests, one of its statements reads (a fee's `from`, an interest's
        days) or one of its statements names where a policy stands (`partial month CHOICE`, `last month CHOICE`,
        `prorate CHOICE`), found once per rule for every customer."""
        if rule is None:
            return ()
        cached = self.compiled.rule_choices.get(id(rule))
        if cached is None:
            choices = self.model.base.tables.choices
            named = {x.name for x in every_name(rule.condition.expr)} if rule.condition is not None else set()
            named |= {x.name for x in every_name(getattr(rule, "statements", ()))}
            for s in getattr(rule, "statements", ()):
                if isinstance(s, n.Settle):
                    named.add(s.partial_month)
                elif isinstance(s, n.Fee):
                    named |= {s.first_month, s.last_month, s.on_change, s.days_basis}
            cached = tuple(c for name, c in choices.items() if name in named)
            if isinstance(rule, n.RuleDecl):  # kept for the contract's life; a stand-in (Declared) is made per run
                self.compiled.rule_choices[id(rule)] = cached
        return cached
