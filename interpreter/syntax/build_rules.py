"""Parse tree -> AST for rules and the statements they hold (a mixin of the builder)."""
from __future__ import annotations


from interpreter.syntax.tokens import Token, with_meta

from interpreter.syntax import nodes as n


class RuleSyntax:
    """Builds `rule` declarations and every statement kind's node."""

    @with_meta
    def rule_decl(self, meta, children):
        rule_id = children[0]
        articles = children[1]
        label = None
        condition = None
        statements = []
        for c in children[2:]:
            if isinstance(c, n.Condition):
                condition = c
            elif isinstance(c, str) and not isinstance(c, Token):
                label = c
            else:
                statements.append(c)
        return n.RuleDecl(str(rule_id), articles, label, condition, tuple(statements),
                          span=self._span(meta), id_span=self._tspan(rule_id))

    def citation(self, children):
        return tuple(self._text(c) if c.type in ("STRING", "JSTRING") else str(c) for c in children)

    @with_meta
    def applies_when(self, meta, children):
        return n.Condition(children[0], False, span=self._span(meta))

    @with_meta
    def applies_unless(self, meta, children):
        return n.Condition(children[0], True, span=self._span(meta))

    @with_meta
    def rounding(self, meta, children):
        return n.Rounding(str(children[0]), children[1], span=self._span(meta))

    @with_meta
    def tax(self, meta, children):
        rates = tuple(c for c in children[1:] if isinstance(c, n.TaxRate))
        included = "included" in children
        outside = next((c[1] for c in children if isinstance(c, tuple) and c and c[0] == "outside"), ())
        return n.Tax(str(children[0]), rates, included, outside, span=self._span(meta))

    @with_meta
    def tax_included_only(self, meta, children):
        outside = children[1][1] if len(children) > 1 else ()
        return n.Tax(str(children[0]), (), True, outside, span=self._span(meta))

    def tax_included(self, children):
        return "included"

    def tax_outside(self, children):
        return ("outside", tuple(str(getattr(x, "name", x)) for x in children[0]))

    @with_meta
    def tax_rate(self, meta, children):
        return n.TaxRate(children[0], children[1], span=self._span(meta))

    @with_meta
    def counting_from(self, meta, children):
        return n.PeriodAnchor(True, children[0], span=self._span(meta))

    @with_meta
    def after(self, meta, children):
        return n.PeriodAnchor(False, children[0], span=self._span(meta))

    def name_list(self, children):
        return tuple(children)

    @with_meta
    def minimum_term(self, meta, children):
        items = children[2] if len(children) > 2 else ()
        return n.MinimumTerm(children[0], children[1], items, span=self._span(meta))

    @with_meta
    def fixed_term(self, meta, children):
        renews = children[2] if len(children) > 2 else None
        return n.FixedTerm(children[0], children[1], renews, span=self._span(meta))

    def party(self, children):
        return str(children[0])

    @with_meta
    def notice_stmt(self, meta, children):
        name = str(children[0])
        rest = list(children[1:])
        label = rest.pop(0) if isinstance(rest[0], str) and rest[0] not in ("customer", "provider", "either") or (
            len(rest) > 1 and isinstance(rest[1], str) and rest[1] in ("customer", "provider", "either")
            and isinstance(rest[0], str)) else None
        party, event = rest[0], str(rest[1])
        parts = dict(effective=None, allowed=None, due=None, effect=(), if_late=None, where=None)
        for tag, value in rest[2:]:
            parts[tag] = value
        return n.Notice(name, label, party, event, parts["effective"], parts["allowed"], parts["due"],
                        tuple(parts["effect"]), parts["if_late"], span=self._span(meta), where=parts["where"])

    def notice_where(self, children):
        return ("where", children[0])

    def effective(self, children):
        return ("effective", children[0])

    def allowed(self, children):
        return ("allowed", str(children[0]))

    def due(self, children):
        return ("due", children[0])

    def effect(self, children):
        return ("effect", tuple(children))

    def if_late(self, children):
        return ("if_late", str(children[0]))

    @with_meta
    def obligation_stmt(self, meta, children):
        name = str(children[0])
        rest = list(children[1:])
        label = None
        if len(rest) > 1 and rest[1] in ("customer", "provider", "either"):
            label = rest.pop(0)
        party = rest[0]
        parts = dict(trigger=None, due=None, met_by=None, grants=None, where=None, met_where=None)
        for tag, value in rest[1:]:
            if tag == "trigger":
                parts["trigger"], parts["where"] = value
            elif tag == "met_by":
                parts["met_by"], parts["met_where"] = value
            else:
                parts[tag] = value
        return n.Obligation(name, label, party, parts["trigger"], parts["due"], parts["met_by"], parts["grants"],
                            parts["where"], parts["met_where"], span=self._span(meta))

    def trigger(self, children):
        return ("trigger", (children[0], children[1] if len(children) > 1 else None))

    def on_event(self, children):
        return str(children[0])

    def on_contract_end(self, children):
        return "contract ends"

    def on_each_day(self, children):
        return "each day"

    def met_by(self, children):
        return ("met_by", (str(children[0]), children[1] if len(children) > 1 else None))

    def grants(self, children):
        return ("grants", self._text(children[0]))

    @with_meta
    def effect_stmt(self, meta, children):
        rest = list(children)
        label = rest.pop(0) if isinstance(rest[0], str) and not isinstance(rest[0], Token) else None
        trigger = rest.pop(0)
        event, on_date = (str(trigger), None) if isinstance(trigger, Token) else (None, trigger)
        parts = [c for c in rest if isinstance(c, tuple) and c[:1] in (("effect_date",), ("effect_action",))]
        where = next((c for c in rest if not isinstance(c, tuple)), None)
        when = next((value for tag, value in parts if tag == "effect_date"), None)
        actions = tuple(value for tag, value in parts if tag == "effect_action")
        return n.Effect(label, event, where, when, actions, span=self._span(meta), on_date=on_date)

    def effect_date(self, children):
        return ("effect_date", children[0])

    def effect_action(self, children):
        return ("effect_action", children[0])

    def emit_kind(self, children):
        return str(children[0])

    @with_meta
    def each_event(self, meta, children):
        return n.Iteration("event", str(children[0]), span=self._span(meta))

    @with_meta
    def each_month(self, meta, children):
        return n.Iteration("month", span=self._span(meta))

    @with_meta
    def at_contract_end(self, meta, children):
        return n.Iteration("contract_end", span=self._span(meta))

    @with_meta
    def emit_stmt(self, meta, children):
        kind = children[0]
        name = label = iteration = where = None
        parts: list = []
        for c in children[1:]:
            if isinstance(c, Token) and c.type == "NAME":
                name = str(c)
            elif isinstance(c, str) and not isinstance(c, Token):
                label = c
            elif isinstance(c, n.Iteration):
                iteration = c
            elif isinstance(c, list):
                parts = c
            else:
                where = c
        lets, requires = [], []
        fields = dict(amount=None, value=None, date=None, claim=None, tax_exempt=False)
        for tag, value in parts:
            if tag == "let":
                lets.append(value)
            elif tag == "require":
                requires.append(value)
            elif tag == "short":
                fields["amount" if kind in ("charge", "credit") else "value"] = value
            else:
                fields[tag] = value
        return n.Emit(kind, name, label, iteration, where, tuple(lets), tuple(requires), fields["amount"],
                      fields["value"], fields["date"], fields["claim"], fields["tax_exempt"], span=self._span(meta))

    def short_body(self, children):
        return [("short", children[0])]

    def long_body(self, children):
        return list(children)

    @with_meta
    def let(self, meta, children):
        return ("let", n.Let(str(children[0]), children[1], span=self._span(meta)))

    def require(self, children):
        return ("require", children[0])

    def amount(self, children):
        return ("amount", children[0])

    def value(self, children):
        return ("value", children[0])

    def date_part(self, children):
        return ("date", children[0])

    @with_meta
    def claim(self, meta, children):
        start = children[0] if len(children) == 3 else None
        by, via = children[-2], children[-1]
        return ("claim", n.Claim(by, str(via), span=self._span(meta), start=start))

    def tax_exempt(self, children):
        return ("tax_exempt", True)

    @with_meta
    def requires(self, meta, children):
        return n.Requires(children[0], children[1], span=self._span(meta))

    @with_meta
    def ends_with(self, meta, children):
        return n.EndsWith(children[0], tuple(children[1]), span=self._span(meta))

    def _labelled(self, children):
        if len(children) == 3:
            return children[0], str(children[1]), children[2]
        return None, str(children[0]), children[1]

    @with_meta
    def limit(self, meta, children):
        return n.Limit(*self._labelled(children), span=self._span(meta))

    @with_meta
    def reject(self, meta, children):
        return n.Reject(*self._labelled(children), span=self._span(meta))

    @with_meta
    def claim_window(self, meta, children):
        # NAME [from START] by DATE via EVENT [where COND]: the event's name is the last token
        via = max(i for i, c in enumerate(children) if isinstance(c, Token))
        start = children[1] if via == 3 else None
        where = children[via + 1] if len(children) > via + 1 else None
        return n.ClaimWindow(str(children[0]), children[via - 1], str(children[via]), span=self._span(meta),
                             start=start, where=where)
