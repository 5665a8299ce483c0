"""`yakkan run --format html`: one customer's ledger as a self-contained page a billing clerk can read.

The page has no external resource (CSS, script and the SVG timeline are inline), so it can be mailed or
archived as one file. At the top, the totals; then a timeline with a lane for the contract, one per item
(its lifecycle and quantity changes), notices and obligations (from the event that started them to their
deadline, coloured by status), outages, invoices and credits; then the same things as tables. Every mark
and row links to the ledger entry, every entry to its rule, and every rule shows its article, title and
the `.ctr` line it is written at. Everything from the contract or scenario is escaped.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape

from interpreter.check.model import Model
from interpreter.diagnostics import display_width
from interpreter.render.text import yen
from interpreter.run.events import Event
from interpreter.run.ledger import Entry, Ledger
from interpreter.run.lifecycles import Lifecycle, Timeline
from interpreter.syntax import nodes as n
from interpreter.time.timestamps import JST

# Statuses, as the clerk reads them: done, waiting, too late.
_STATUS_CLASS = {"met": "ok", "claimed": "ok", "open": "wait", "missed": "late", "lapsed": "late"}
_LANE_HEIGHT = 26
_LABEL_WIDTH = 230
_CHART_WIDTH = 900


def _esc(value) -> str:
    return escape(str(value), quote=True)


def _status(e: Entry) -> str:
    if not e.status:
        return ""
    return f'<span class="status {_STATUS_CLASS.get(e.status, "")}">{_esc(e.status)}</span>'


def _rule_link(e: Entry) -> str:
    if not e.rule:
        return ""
    return f'<a class="rule" href="#rule-{_esc(e.rule)}">{_esc(e.rule)}</a> {_esc(e.clause or "")}'


def _entry_link(entry_id: str) -> str:
    return f'<a href="#{_esc(entry_id)}">{_esc(entry_id)}</a>'


class _Scale:
    """Days to x coordinates over the span the page shows."""

    def __init__(self, first: date, last: date):
        self.first = first
        self.days = max(1, (last - first).days + 1)

    def x(self, d: date | datetime) -> float:
        if isinstance(d, datetime):
            local = d.astimezone(JST)
            days = (local.date() - self.first).days + (local.hour * 60 + local.minute) / 1440
        else:
            days = (d - self.first).days
        return round(_LABEL_WIDTH + max(0.0, min(days, self.days)) / self.days * _CHART_WIDTH, 1)

    def months(self):
        d = date(self.first.year, self.first.month, 1)
        last = self.first + timedelta(days=self.days)
        while d <= last:
            if d >= self.first:
                yield d
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)


class _Customer:
    """One customer's ledger, events and items, and what the page needs to know about them."""

    def __init__(self, ledger: Ledger, model: Model, events: tuple[Event, ...], timeline: Timeline,
                 scenario_name: str):
        self.ledger = ledger
        self.model = model
        self.events = sorted(events, key=lambda e: (e.instant, e.index))
        self.timeline = timeline
        self.scenario_name = scenario_name
        self.tables = model.version_on(ledger.as_of).tables
        self.by_kind: dict[str, list[Entry]] = {}
        for e in ledger.entries:
            self.by_kind.setdefault(e.kind, []).append(e)
        self.outages = [e for e in self.events if self._is_interval(e)]

    def _is_interval(self, event: Event) -> bool:
        decl = self.model.version_on(event.date).tables.events.get(event.name)
        return bool(decl and decl.interval and event.until is not None)

    def _item_label(self, item: str) -> str:
        decl = self.tables.items.get(item)
        return decl.label if decl is not None and decl.label else item

    def _event_label(self, event: Event) -> str:
        return event.label or event.name

    def _is_notice(self, e: Entry) -> bool:
        """Whether an obligation is a notice's deadline (rather than a duty such as paying an invoice)."""
        rule = self.model.version_on(e.due or self.ledger.as_of).tables.rules.get(e.rule or "")
        return rule is not None and e.source is not None and any(
            isinstance(s, n.Notice) and s.span is not None and s.span.line == e.source.line for s in rule.statements)


class _TimelineChart(_Customer):
    """The SVG timeline: a lane for the contract, one per item, then notices, obligations, outages,
    invoices, credits and events; every mark links to its entry or row further down the page."""

    # ------------------------------------------------------------- the timeline

    def _span(self) -> tuple[date, date]:
        days = [self.ledger.as_of] + [e.date for e in self.events]
        for e in self.ledger.entries:
            days += [d for d in (e.date, e.due) if d] + (list(e.period) if e.period else [])
        days += [d for c in self.timeline.lifecycles for d in (c.start, c.end) if d]
        return min(days), max(days)

    def _chart(self) -> str:
        first, last = self._span()
        scale = _Scale(first, last)
        lanes = [("契約 contract", self._contract_lane(scale, last))]
        lanes += [(self._item_label(c.item), self._lifecycle_lane(scale, c, i, last))
                  for i, c in enumerate(self.timeline.lifecycles, 1)]
        notices = [e for e in self.by_kind.get("obligation", []) if self._is_notice(e)]
        duties = [e for e in self.by_kind.get("obligation", []) if not self._is_notice(e)]
        lanes += [("通知 notices", self._obligation_lane(scale, notices)),
                  ("義務 obligations", self._obligation_lane(scale, duties)),
                  ("障害 outages", self._outage_lane(scale)),
                  ("請求 invoices", self._invoice_lane(scale)),
                  ("減額 credits", self._credit_lane(scale)),
                  ("イベント events", self._event_lane(scale))]
        height = 30 + _LANE_HEIGHT * len(lanes)
        grid = []
        for m in scale.months():
            x = scale.x(m)
            grid.append(f'<line class="grid" x1="{x}" y1="18" x2="{x}" y2="{height}"/>')
            if (m.month in (1, 4, 7, 10) or scale.days < 400) and x < _LABEL_WIDTH + _CHART_WIDTH - 40:
                grid.append(f'<text class="month" x="{x + 2}" y="12">{m:%Y-%m}</text>')
        today = scale.x(self.ledger.as_of)
        rows = []
        for i, (label, marks) in enumerate(lanes):
            y = 22 + i * _LANE_HEIGHT
            rows.append(f'<g class="lane" transform="translate(0 {y})"><rect class="band" x="0" y="0" '
                        f'width="{_LABEL_WIDTH + _CHART_WIDTH}" height="{_LANE_HEIGHT - 2}"/>'
                        f'<text class="lane-label" x="6" y="16">{_esc(_clip(label, 36))}<title>{_esc(label)}</title>'
                        f'</text>{marks}</g>')
        return (f'<section id="timeline"><h2>タイムライン timeline</h2>'
                f'<svg id="chart" viewBox="0 0 {_LABEL_WIDTH + _CHART_WIDTH + 10} {height + 4}" '
                f'role="img" aria-label="timeline from {first} to {last}">{"".join(grid)}{"".join(rows)}'
                f'<line class="today" x1="{today}" y1="16" x2="{today}" y2="{height}"/>'
                f'<text class="month today-label" x="{today - 2}" y="{height + 2}" text-anchor="end">'
                f'as of {self.ledger.as_of}</text>'
                f'</svg>{_LEGEND}</section>')

    def _contract_lane(self, scale: _Scale, last: date) -> str:
        start, end = self.timeline.contract_start, self.timeline.contract_end
        if start is None:
            return ""
        ends = [e for e in self.by_kind.get("state", []) if e.label == "contract ends"]
        href = f"#{ends[0].id}" if ends else "#items"
        title = f"contract {start} – {end or 'continues'}"
        return _bar(scale.x(start), scale.x(end or last), "contract", title, href, open_end=end is None)

    def _lifecycle_lane(self, scale: _Scale, c: Lifecycle, number: int, last: date) -> str:
        title = f"{self._item_label(c.item)} ({c.item}) {c.start} – {c.end or 'continues'}" + (
            f", {c.end_reason}" if c.end_reason else "")
        out = _bar(scale.x(c.start), scale.x(c.end or last), "item", title, f"#item-{number}", open_end=c.end is None)
        for day, quantity in c.quantities[1:]:
            x = scale.x(day)
            out += (f'<a href="#item-{number}"><path class="qty" d="M{x} 4 l4 -4 h-8 z"/>'
                    f'<title>{_esc(f"{day}: quantity {quantity}")}</title></a>')
        return out

    def _obligation_lane(self, scale: _Scale, entries: list[Entry]) -> str:
        out = []
        event_days = {e.index: e.date for e in self.events}
        for e in entries:
            cls = _STATUS_CLASS.get(e.status or "", "")
            x = scale.x(e.due)
            title = f"{e.id} {e.label}: due {e.due}, {e.status}" + (f" — {e.note}" if e.note else "")
            # From the event that gave rise to it (a notice that arrived, late or not) to its deadline.
            starts = [event_days[i] for i in e.events if i in event_days]
            line = (f'<line class="span {cls}" x1="{scale.x(min(starts))}" y1="12" x2="{x}" y2="12"/>'
                    f'<circle class="from {cls}" cx="{scale.x(min(starts))}" cy="12" r="2.5"/>'
                    if starts and min(starts) != e.due else "")
            out.append(f'<a class="mark obligation" href="#{_esc(e.id)}">{line}'
                       f'<circle class="{cls}" cx="{x}" cy="12" r="5"/><title>{_esc(title)}</title></a>')
        return "".join(out)

    def _outage_lane(self, scale: _Scale) -> str:
        return "".join(_period_mark("outage", f"#event-{e.index}", scale.x(e.instant), scale.x(e.until),
                                    f"{self._event_label(e)} #{e.index}: {_when(e.instant)} – {_when(e.until)}")
                       for e in self.outages)

    def _invoice_lane(self, scale: _Scale) -> str:
        return "".join(_period_mark("invoice", f"#{e.id}", scale.x(e.period[0]) + 0.5,
                                    scale.x(e.period[1] + timedelta(days=1)) - 0.5,
                                    f"{e.id} invoice {e.period[0]:%Y-%m}: {yen(e.amount + (e.tax or 0))} 円 incl. tax"
                                    + (f", due {e.due}" if e.due else ""))
                       for e in self.by_kind.get("invoice", []))

    def _credit_lane(self, scale: _Scale) -> str:
        out = []
        for e in self.by_kind.get("credit", []):
            d = e.date or (e.window[0] if e.window else None)
            if d is None:
                continue
            x = scale.x(d)
            cls = _STATUS_CLASS.get(e.status or "claimed", "ok")
            title = f"{e.id} {e.label}: {yen(e.amount)} 円" + (f", {e.status}" if e.status else "")
            out.append(f'<a class="mark credit" href="#{_esc(e.id)}"><path class="{cls}" '
                       f'd="M{x} 4 l7 8 l-7 8 l-7 -8 z"/><title>{_esc(title)}</title></a>')
        return "".join(out)

    def _event_lane(self, scale: _Scale) -> str:
        return "".join(f'<a class="mark event" href="#event-{e.index}"><line x1="{scale.x(e.instant)}" y1="4" '
                       f'x2="{scale.x(e.instant)}" y2="20"/><title>{_esc(f"{_when(e.instant)} {self._event_label(e)}")}'
                       f'</title></a>' for e in self.events)


class HtmlReport(_TimelineChart):
    """The page: totals, the timeline, then the same things as tables."""

    # ------------------------------------------------------------- the page

    def page(self) -> str:
        title = f"{self.ledger.contract_name} — {self.scenario_name}"
        body = "\n".join([self._header(), self._chart(), self._items(), self._obligations(), self._outages(),
                          self._invoices(), self._other_entries(), self._events(), self._rules()])
        return (f'<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
                f"<script>{_SCRIPT}</script>\n</body>\n</html>\n")

    def _header(self) -> str:
        totals = self.ledger.totals()
        billed = sum((e.amount + (e.tax or 0) for e in self.by_kind.get("invoice", ())), Decimal(0))
        obligations = self.by_kind.get("obligation", [])
        counts = {s: sum(e.status == s for e in obligations) for s in ("open", "missed")}
        version = f", version {self.ledger.version}" if self.ledger.version else ""
        cards = [("請求額（税込） billed", f"{yen(billed)} 円"), ("料金 charges", f"{yen(totals['charge'])} 円"),
                 ("減額 credits", f"{yen(totals['credit'])} 円"), ("消費税 tax", f"{yen(totals['tax'])} 円"),
                 ("未了の義務 open", str(counts["open"])), ("期限切れ missed", str(counts["missed"]))]
        shown = "".join(f'<div class="card"><div class="k">{_esc(k)}</div><div class="v">{_esc(v)}</div></div>'
                        for k, v in cards)
        return (f'<header><h1>{_esc(self.ledger.contract_name)}</h1>'
                f'<p class="meta">customer <b>{_esc(self.scenario_name)}</b> · contract {_esc(self.ledger.contract_file)}'
                f'{_esc(version)} · as of <b>{self.ledger.as_of}</b></p>'
                f'<div class="cards" id="totals">{shown}</div>'
                f'<p class="filter"><label>絞り込み filter <input id="filter" type="search" '
                f'placeholder="E12, ITS-18, 解約…"></label></p></header>')

    # ------------------------------------------------------------- tables

    def _items(self) -> str:
        rows = []
        for i, c in enumerate(self.timeline.lifecycles, 1):
            quantities = ", ".join(f"{d}: {q}" for d, q in c.quantities)
            events = ", ".join(f'<a href="#event-{x}">#{x}</a>' for x in c.events)
            rows.append(f'<tr id="item-{i}"><td>{_esc(self._item_label(c.item))} <code>{_esc(c.item)}</code></td>'
                        f'<td>{c.start}</td><td>{c.billing_start or c.start}</td><td>{c.end or "—"}</td>'
                        f'<td>{_esc(c.end_reason or "")}</td><td>{_esc(quantities)}</td><td>{events}</td></tr>')
        return _table("items", "品目と期間 items and their lifecycles",
                      ["item", "from", "billing from", "until", "ended because", "quantity", "events"], rows)

    def _entry_rows(self, entries: list[Entry], cells) -> list[str]:
        return [f'<tr id="{_esc(e.id)}" class="entry {e.kind}"><td>{_esc(e.id)}</td>{cells(e)}'
                f'<td>{_rule_link(e)}</td></tr>' for e in entries]

    def _obligations(self) -> str:
        """Notices (with the day each arrived) and the other obligations, in two tables."""
        arrived = {e.index: _when(e.instant) for e in self.events}
        all_obligations = self.by_kind.get("obligation", [])

        def cells(e: Entry, with_arrival: bool) -> str:
            note = f'<div class="note">{_esc(e.note)}</div>' if e.note else ""
            when = ", ".join(arrived[i] for i in e.events if i in arrived) if with_arrival else None
            return (f'<td>{_esc(e.party or "")}</td><td>{_esc(e.label)}{note}</td>'
                    + (f"<td>{_esc(when or '—')}</td>" if with_arrival else "")
                    + f"<td>{e.due}</td><td>{_status(e)}</td>")

        notices = self._entry_rows([e for e in all_obligations if self._is_notice(e)], lambda e: cells(e, True))
        duties = self._entry_rows([e for e in all_obligations if not self._is_notice(e)], lambda e: cells(e, False))
        return (_table("notices", "通知 notices", ["entry", "party", "what", "given", "due", "status", "rule"],
                       notices)
                + _table("obligations", "義務 obligations", ["entry", "party", "what", "due", "status", "rule"],
                         duties))

    def _outages(self) -> str:
        credits = self.by_kind.get("credit", [])
        rows = []
        for e in self.outages:
            linked = ", ".join(_entry_link(c.id) for c in credits if e.index in c.events) or "—"
            rows.append(f'<tr id="event-{e.index}-outage"><td><a href="#event-{e.index}">#{e.index}</a></td>'
                        f'<td>{_esc(_when(e.instant))}</td><td>{_esc(_when(e.until))}</td>'
                        f"<td>{_hours(e.until - e.instant)}</td><td>{linked}</td></tr>")
        return _table("outages", "障害 outages", ["event", "from", "until", "duration", "credits"], rows)

    def _invoices(self) -> str:
        by_id = {e.id: e for e in self.ledger.entries}
        blocks = []
        for inv in self.by_kind.get("invoice", []):
            lines = "".join(
                f'<tr id="{_esc(x.id)}" class="entry {x.kind}"><td>{_esc(x.id)}</td><td>{_esc(x.label)}</td>'
                f'<td class="num">{"-" if x.kind == "credit" else ""}{yen(x.amount)}</td><td>{_rule_link(x)}</td></tr>'
                for x in (by_id[i] for i in inv.lines))
            total = inv.amount + (inv.tax or 0)
            blocks.append(
                f'<details class="invoice" id="{_esc(inv.id)}"><summary><b>{inv.period[0]:%Y-%m}</b> '
                f'{_esc(inv.id)} · <span class="num">{yen(total)} 円</span> (tax {yen(inv.tax)})'
                f'{f" · due {inv.due}" if inv.due else ""}'
                f' {_rule_link(inv)}</summary><table><tbody>{lines}'
                f'<tr class="sum"><td></td><td>小計 subtotal</td><td class="num">{yen(inv.amount)}</td><td></td></tr>'
                f'<tr class="sum"><td></td><td>消費税 tax</td><td class="num">{yen(inv.tax)}</td><td></td></tr>'
                f'<tr class="sum"><td></td><td>合計 total</td><td class="num">{yen(total)}</td><td></td></tr>'
                f"</tbody></table></details>")
        return (f'<section id="invoices"><h2>請求 invoices</h2>{"".join(blocks) or "<p>none</p>"}</section>')

    def _other_entries(self) -> str:
        invoiced = {i for inv in self.by_kind.get("invoice", []) for i in inv.lines}
        pending = [e for e in self.ledger.entries if e.kind in ("charge", "credit") and e.id not in invoiced]
        rows = self._entry_rows(pending, lambda e: (
            f"<td>{_esc(e.kind)}</td><td>{_esc(e.label)}</td><td class=\"num\">{yen(e.amount)}</td>"
            f"<td>{_status(e)}" + (f" window {e.window[0]} – {e.window[1]}" if e.window else "") + "</td>"))
        rows += self._entry_rows(self.by_kind.get("finding", []) + self.by_kind.get("state", []), lambda e: (
            f"<td>{_esc(e.kind)}</td><td>{_esc(e.label)}</td><td>{_esc(_value(e))}</td><td>{e.date or ''}</td>"))
        return _table("other", "その他 credits not yet owed, findings, derived facts",
                      ["entry", "kind", "what", "amount / value", "status / date", "rule"], rows)

    def _events(self) -> str:
        rows = []
        for e in self.events:
            fields = ", ".join(f"{k}: {_field(v)}" for k, v in e.fields.items())
            rows.append(f'<tr id="event-{e.index}"><td>#{e.index}</td><td>{_esc(_when(e.instant))}</td>'
                        f"<td>{_esc(self._event_label(e))} <code>{_esc(e.name)}</code></td><td>{_esc(fields)}</td></tr>")
        return _table("events", "イベント the customer's events", ["#", "when", "event", "fields"], rows)

    def _rules(self) -> str:
        cited = dict.fromkeys(e.rule for e in self.ledger.entries if e.rule)
        rows = []
        for rule_id in cited:
            rule = next((v.tables.rules[rule_id] for v in self.model.versions if rule_id in v.tables.rules), None)
            if rule is None:  # a reading choice's entries cite the choice
                rule = next((c for v in self.model.versions for c in v.tables.choices.values() if c.id == rule_id),
                            None)
            if rule is not None:
                span, articles, title = rule.span, ", ".join(rule.articles), rule.label or ""
            else:  # a declaration in place of a rule (a convention, an event's effects, an amendment)
                first = next(e for e in self.ledger.entries if e.rule == rule_id)
                span, articles, title = first.source, first.clause or "", "declaration"
            where = f"{span.file}:{span.line}" if span else ""
            line = self.model.source.line_text(span.line).strip() if span and span.file == self.model.file else ""
            used = ", ".join(_entry_link(e.id) for e in self.ledger.entries if e.rule == rule_id)
            rows.append(f'<tr id="rule-{_esc(rule_id)}"><td>{_esc(rule_id)}</td><td>{_esc(articles)}</td>'
                        f'<td>{_esc(title)}</td><td><code>{_esc(where)}</code><div class="src">'
                        f"{_esc(line)}</div></td><td>{used}</td></tr>")
        return _table("rules", "条項 rules and articles", ["rule", "article", "title", "written at", "entries"],
                      rows)


def _bar(x1: float, x2: float, cls: str, title: str, href: str, open_end: bool) -> str:
    width = max(2.0, round(x2 - x1, 1))
    arrow = f'<path class="{cls}" d="M{x1 + width} 4 l8 8 l-8 8 z"/>' if open_end else ""
    return (f'<a class="mark {cls}" href="{_esc(href)}"><rect class="{cls}" x="{x1}" y="4" width="{width}" '
            f'height="16" rx="3"/>{arrow}<title>{_esc(title)}</title></a>')


def _period_mark(cls: str, href: str, x1: float, x2: float, title: str) -> str:
    """A span of time on a lane (an outage, an invoice's month), at least 2 units wide to stay visible."""
    return (f'<a class="mark {cls}" href="{_esc(href)}"><rect x="{x1}" y="4" width="{max(2.0, round(x2 - x1, 1))}" '
            f'height="16"/><title>{_esc(title)}</title></a>')


def _table(anchor: str, title: str, heads: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in heads)
    body = "".join(rows) or f'<tr><td colspan="{len(heads)}">none</td></tr>'
    return f'<section id="{anchor}"><h2>{_esc(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'


def _clip(text: str, width: int) -> str:
    """Cut to a display width (a full-width character takes two columns) with …."""
    if display_width(text) <= width:
        return text
    while display_width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _when(instant: datetime) -> str:
    local = instant.astimezone(JST)
    return f"{local:%Y-%m-%d}" if (local.hour, local.minute) == (0, 0) else f"{local:%Y-%m-%d %H:%M}"


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _field(value) -> str:
    shown = getattr(value, "value", value)
    return yen(shown) if isinstance(shown, Decimal) else _when(shown) if isinstance(shown, datetime) else str(shown)


def _value(e: Entry) -> str:
    if isinstance(e.value, (list, tuple)):
        return ", ".join(map(str, e.value))
    return yen(e.value) if isinstance(e.value, Decimal) else str(e.value if e.value is not None else "")


def render_html(ledger: Ledger, model: Model, events: tuple[Event, ...], timeline: Timeline, scenario_name: str) -> str:
    return HtmlReport(ledger, model, events, timeline, scenario_name).page()


_LEGEND = ('<p class="legend"><span class="status ok">met / claimed</span> <span class="status wait">open</span> '
           '<span class="status late">missed / lapsed</span> ▸ continues past the page · hover a mark for its '
           'details, click it for its entry</p>')

_CSS = """
body{font-family:"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif;margin:0 auto;max-width:1180px;
padding:16px 24px;color:#1d2430;background:#fff;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid #d8dee8;padding-bottom:4px}
.meta{color:#556;margin:0 0 12px}.cards{display:flex;gap:10px;flex-wrap:wrap}
.card{border:1px solid #d8dee8;border-radius:6px;padding:8px 12px;min-width:130px;background:#f7f9fc}
.card .k{font-size:12px;color:#556}.card .v{font-size:18px;font-weight:bold;font-variant-numeric:tabular-nums}
.filter input{font-size:14px;padding:3px 6px;width:260px}
svg{width:100%;height:auto;display:block}.band{fill:#f7f9fc}.lane:nth-child(even) .band{fill:#fff}
.lane-label{font-size:12px;fill:#334}.month{font-size:10px;fill:#667}.grid{stroke:#e3e7ee;stroke-width:1}
.today{stroke:#7a4dd8;stroke-width:1.5;stroke-dasharray:4 3}.today-label{fill:#7a4dd8}
rect.contract,path.contract{fill:#9fb4d3}rect.item,path.item{fill:#5b8bd0}.qty{fill:#1d2430}
.outage rect{fill:#e0703a}.invoice rect{fill:#c9d6ea}.event line{stroke:#556;stroke-width:1.5}
circle.ok,path.ok{fill:#2f9e57}circle.wait,path.wait{fill:#e0a400}circle.late,path.late{fill:#d23c3c}
line.span{stroke-width:2;opacity:.45}line.ok{stroke:#2f9e57}line.wait{stroke:#e0a400}line.late{stroke:#d23c3c}
a.mark:hover rect,a.mark:hover circle,a.mark:hover path{stroke:#1d2430;stroke-width:1.5}
table{border-collapse:collapse;width:100%;margin:4px 0}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #e3e7ee;vertical-align:top}th{background:#f1f4f9;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.sum td{border:none;padding:2px 8px}
tr.sum:last-child td{font-weight:bold}.status{border-radius:10px;padding:1px 8px;font-size:12px;color:#fff;background:#889}
.status.ok{background:#2f9e57}.status.wait{background:#c08a00}.status.late{background:#d23c3c}
.note{color:#556;font-size:12px}.src{color:#556;font-family:monospace;font-size:12px}code{font-size:12px;color:#556}
details.invoice{border:1px solid #e3e7ee;border-radius:6px;margin:6px 0;padding:4px 10px}summary{cursor:pointer}
a{color:#2457a6;text-decoration:none}a:hover{text-decoration:underline}.legend{color:#556;font-size:12px}
:target,tr.flash{background:#fff4c2 !important;outline:2px solid #e0a400}tr.hidden,details.hidden{display:none}
@media print{.filter{display:none}details.invoice{break-inside:avoid}}
"""

# Filter every row and invoice by the text typed; open an invoice a link points into.
_SCRIPT = """
(function () {
  "use strict";
  var input = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("section table tbody tr, details.invoice"));
  input.addEventListener("input", function () {
    var words = input.value.trim().toLowerCase();
    rows.forEach(function (row) {
      var hidden = words !== "" && row.textContent.toLowerCase().indexOf(words) < 0;
      row.classList.toggle("hidden", hidden);
    });
  });
  function reveal() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) { return; }
    var invoice = target.closest("details");
    if (invoice) { invoice.open = true; }
    target.classList.remove("hidden");
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  document.body.setAttribute("data-ready", "yes");
})();
"""
