"""Rendering a `compare.Comparison`: text for a terminal, Markdown for a pull-request comment, and a
standalone HTML page laid out as a Japanese 新旧対照表 (現行 | 改定後 side by side, changes underlined)."""
from __future__ import annotations

import html
import re

from interpreter.tools.compare import Comparison, EntryChange, Row, ScenarioDiff, Seg

SECTIONS = (("items", "別表（サービス品目）"), ("rules", "規定（rule）"), ("params", "パラメータ"))
STATUS = {"changed": "変更", "added": "追加", "removed": "削除", "moved": "日付の移動"}
KIND = {"charge": "料金", "credit": "減額", "obligation": "義務", "finding": "指摘", "state": "状態", "invoice": "請求"}
FIELD = {"amount": "金額", "tax": "税", "value": "値", "status": "状態", "due": "期日", "date": "日付",
         "period": "期間", "window": "請求期間"}
TOTALS = (("charge", "料金合計"), ("credit", "減額合計"), ("tax", "消費税（請求書）"))
FIELD_ORDER = tuple(FIELD)
EQUAL_TEXT = "違いはありません（no differences）"


def _heading(c: Comparison) -> list[tuple[str, str]]:
    rows = []
    if c.mode == "versions":
        rows.append(("契約", c.new.path))
        rows.append(("現行", c.old.title))
        rows.append(("改定後", c.new.title))
    else:
        rows.append(("現行", f"{c.old.path} — {c.old.title}"))
        rows.append(("改定後", f"{c.new.path} — {c.new.title}"))
    if c.new.version.effective is not None and c.new.version is not c.old.version:
        rows.append(("改定日（適用日）", c.new.version.effective.isoformat()))
    for note in c.notes:
        rows.append(("改定の趣旨", note))
    return rows


def _shown_fields(ch: EntryChange, side: dict | None) -> list[str]:
    if side is None:
        return []
    if ch.status in ("changed", "moved"):
        keys = [k for k in FIELD_ORDER if k in ch.changed_fields]
        if "amount" in side and "amount" not in keys:
            keys.insert(0, "amount")
        return [k for k in keys if k in side]
    main = [k for k in ("amount", "value", "status") if k in side]
    return main or [k for k in ("due", "date") if k in side]


# ------------------------------------------------------------------ text


def _text_line(segs: tuple[Seg, ...], open_: str, close: str) -> str:
    return "".join(f"{open_}{s.text}{close}" if s.changed else s.text for s in segs)


def _text_rows(rows: tuple[Row, ...]) -> list[str]:
    out = []
    for r in rows:
        if r.tag == "equal":
            out.append("    " + r.old_text)
            continue
        if r.old is not None:
            out.append("  - " + _text_line(r.old, "[-", "-]") if r.tag == "change" else "  - " + r.old_text)
        if r.new is not None:
            out.append("  + " + _text_line(r.new, "{+", "+}") if r.tag == "change" else "  + " + r.new_text)
    return out


def _entry_text(ch: EntryChange) -> str:
    def side(d):
        if d is None:
            return "—"
        return ", ".join(f"{FIELD[k]} {d[k]}" for k in _shown_fields(ch, d)) or "—"

    head = f"{STATUS[ch.status]} {KIND.get(ch.kind, ch.kind)} {ch.rule or ''} {ch.when} {ch.label}".replace("  ", " ")
    return f"  {head}: {side(ch.old)} → {side(ch.new)}"


def render_text(c: Comparison) -> str:
    out = ["新旧対照表"]
    out += [f"{k}: {v}" for k, v in _heading(c)]
    if not c.changes:
        out += ["", "条文・別表: " + EQUAL_TEXT]
    for key, title in SECTIONS:
        changes = c.section(key)
        if not changes:
            continue
        out += ["", f"■ {title}"]
        for ch in changes:
            out.append(f"【{STATUS[ch.status]}】{ch.title}  [{ch.name}]")
            out += _text_rows(ch.rows)
    if c.scenarios or c.skipped:
        out += ["", "■ シナリオ（台帳の変化）"]
    for s in c.scenarios:
        out.append(f"{s.path}:")
        out += _scenario_problems_text(s)
        if s.old_ledger is not None and s.new_ledger is not None:
            if not s.changes:
                out.append("  台帳に変化なし")
            out += [_entry_text(ch) for ch in s.changes]
            ot, nt = s.totals("old"), s.totals("new")
            out.append("  合計: " + ", ".join(f"{label} {ot[k]} → {nt[k]}" for k, label in TOTALS))
    if c.skipped:
        out.append(f"（別の契約のシナリオ {len(c.skipped)} 件は対象外）")
    return "\n".join(out)


def _scenario_problems_text(s: ScenarioDiff) -> list[str]:
    out = []
    for side, problems in (("現行", s.old_problems), ("改定後", s.new_problems)):
        if problems:
            out.append(f"  {side}ではシナリオが評価できません:")
            out += ["    " + p for p in problems]
    return out


# ------------------------------------------------------------------ Markdown

def md(text: str) -> str:
    """Text safe inside a GitHub Markdown table cell: Markdown and HTML characters neutralised."""
    text = html.escape(text, quote=False)  # &, <, > become entities first, so the escapes below stay intact
    return re.sub(r"([\\`*_\[\]|~#!{}])", r"\\\1", text)


def _md_segs(segs: tuple[Seg, ...] | None, tag: str) -> str:
    if segs is None:
        return ""
    return "".join(f"<{tag}>{md(s.text)}</{tag}>" if s.changed else md(s.text) for s in segs)


def _md_table(rows: tuple[Row, ...]) -> list[str]:
    out = ["| 現行 | 改定後 |", "|---|---|"]
    for r in rows:
        out.append(f"| {_md_segs(r.old, 'del')} | {_md_segs(r.new, 'ins')} |")
    return out


def _md_side(ch: EntryChange, side: dict | None) -> str:
    if side is None:
        return "—"
    parts = []
    for k in _shown_fields(ch, side):
        value = md(side[k])
        parts.append(f"{FIELD[k]} **{value}**" if k in ch.changed_fields else f"{FIELD[k]} {value}")
    return ", ".join(parts) or "—"


def render_markdown(c: Comparison) -> str:
    out = [f"## 新旧対照表: {md(c.new.path)}", "", "| | |", "|---|---|"]
    out += [f"| {md(k)} | {md(v)} |" for k, v in _heading(c)]
    if not c.changes:
        out += ["", "条文・別表: " + md(EQUAL_TEXT)]
    for key, title in SECTIONS:
        changes = c.section(key)
        if not changes:
            continue
        out += ["", f"### {md(title)}"]
        for ch in changes:
            out += ["", f"**{md(ch.title)}** ({md(ch.name)}, {STATUS[ch.status]})", ""]
            out += _md_table(ch.rows)
    if c.scenarios or c.skipped:
        out += ["", "### シナリオ（台帳の変化）"]
        if c.mode == "versions":
            out += ["", md("同じ契約の二つの版: 各シナリオを、現行の版がすべての日に適用された場合と、"
                          "改定後の版がすべての日に適用された場合とで評価して比べています。")]
    quiet = []
    for s in c.scenarios:
        if not s.differs:
            quiet.append(s.path)
            continue
        out += ["", f"#### {md(s.path)}", ""]
        for line in _scenario_problems_text(s):
            out.append("- " + md(line.strip()) if not line.startswith("    ") else "  - " + md(line.strip()))
        if s.old_ledger is None or s.new_ledger is None:
            continue
        out += ["| | 区分 | 規定 | 項目 | 期間・期日 | 現行 | 改定後 |", "|---|---|---|---|---|---|---|"]
        for ch in s.changes:
            out.append(f"| {STATUS[ch.status]} | {KIND.get(ch.kind, ch.kind)} | {md(ch.rule or '')} | {md(ch.label)} "
                       f"| {md(ch.when)} | {_md_side(ch, ch.old)} | {_md_side(ch, ch.new)} |")
        ot, nt = s.totals("old"), s.totals("new")
        out += ["", "| 合計 | 現行 | 改定後 |", "|---|---:|---:|"]
        for k, label in TOTALS:
            new = f"**{nt[k]}**" if ot[k] != nt[k] else nt[k]
            out.append(f"| {label} | {ot[k]} | {new} |")
    if quiet:
        out += ["", f"<details><summary>台帳に変化のないシナリオ（{len(quiet)}）</summary>", ""]
        out += [f"- {md(p)}" for p in quiet]
        out += ["", "</details>"]
    if c.skipped:
        out += ["", f"別の契約を指すシナリオ {len(c.skipped)} 件は対象外です。"]
    return "\n".join(out)


# ------------------------------------------------------------------ HTML

_CSS = """
body { font-family: "Hiragino Mincho ProN", "Yu Mincho", "Noto Serif JP", serif; margin: 2em; }
h1 { font-size: 1.4em; text-align: center; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2em; }
th, td { border: 1px solid #333; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #eee; text-align: center; }
td.old, td.new { width: 32%; }
.chg { text-decoration: underline; font-weight: bold; }
td.new .chg { color: #0645ad; }
td.old .chg { color: #a00; }
.rule-src { font-family: monospace; white-space: pre-wrap; }
dl.meta dt { float: left; clear: left; width: 9em; font-weight: bold; }
dl.meta dd { margin-left: 10em; }
"""


def e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_segs(segs: tuple[Seg, ...] | None) -> str:
    if segs is None:
        return ""
    return "".join(f'<span class="chg">{e(s.text)}</span>' if s.changed else e(s.text) for s in segs)


def _html_changes(c: Comparison, key: str, title: str) -> list[str]:
    changes = c.section(key)
    if not changes:
        return []
    total = sum(max(1, len(ch.rows)) for ch in changes)
    date_text = c.new.version.effective.isoformat() if c.new.version.effective else ""
    notes = "<br>".join(e(x) for x in c.notes)
    code = ' class="rule-src"' if key == "rules" else ""
    out = [f"<h2>{e(title)}</h2>", f'<table class="taisho {e(key)}">',
           "<thead><tr><th>改定日<br>（適用日）</th><th>該当箇所</th><th>現行</th><th>改定後</th><th>備考</th></tr></thead>",
           "<tbody>"]
    first = True
    for ch in changes:
        rows = ch.rows or (Row("equal", (), ()),)
        for i, r in enumerate(rows):
            cells = []
            if first:
                cells.append(f'<td rowspan="{total}">{e(date_text)}</td>')
            if i == 0:
                cells.append(f'<td rowspan="{len(rows)}">{e(ch.title)}<br><small>{e(ch.name)}（{STATUS[ch.status]}）</small></td>')
            cells.append(f'<td class="old"><span{code}>{_html_segs(r.old)}</span></td>')
            cells.append(f'<td class="new"><span{code}>{_html_segs(r.new)}</span></td>')
            if first:
                cells.append(f'<td rowspan="{total}" class="note">{notes}</td>')
                first = False
            out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _html_side(ch: EntryChange, side: dict | None) -> str:
    if side is None:
        return "—"
    parts = []
    for k in _shown_fields(ch, side):
        value = e(side[k])
        parts.append(f'{FIELD[k]} <span class="chg">{value}</span>' if k in ch.changed_fields else f"{FIELD[k]} {value}")
    return ", ".join(parts) or "—"


def render_html(c: Comparison) -> str:
    out = ["<!DOCTYPE html>", '<html lang="ja">', "<head>", '<meta charset="utf-8">',
           f"<title>新旧対照表 — {e(c.new.path)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           "<h1>約款　新旧対照表</h1>", '<dl class="meta">']
    out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _heading(c)]
    out.append("</dl>")
    if not c.changes:
        out.append(f"<p>条文・別表: {e(EQUAL_TEXT)}</p>")
    for key, title in SECTIONS:
        out += _html_changes(c, key, title)
    if c.scenarios:
        out.append("<h2>シナリオ（台帳の変化）</h2>")
    for s in c.scenarios:
        out.append(f"<h3>{e(s.path)}</h3>")
        problems = _scenario_problems_text(s)
        if problems:
            out.append("<pre>" + e("\n".join(problems)) + "</pre>")
        if s.old_ledger is None or s.new_ledger is None:
            continue
        if not s.changes:
            out.append("<p>台帳に変化なし</p>")
        else:
            out.append('<table class="ledger"><thead><tr><th></th><th>区分</th><th>規定</th><th>項目</th>'
                       "<th>期間・期日</th><th>現行</th><th>改定後</th></tr></thead><tbody>")
            for ch in s.changes:
                out.append(f"<tr><td>{STATUS[ch.status]}</td><td>{e(KIND.get(ch.kind, ch.kind))}</td>"
                           f"<td>{e(ch.rule or '')}</td><td>{e(ch.label)}</td><td>{e(ch.when)}</td>"
                           f'<td class="old">{_html_side(ch, ch.old)}</td><td class="new">{_html_side(ch, ch.new)}</td></tr>')
            out.append("</tbody></table>")
        ot, nt = s.totals("old"), s.totals("new")
        out.append('<table class="totals"><thead><tr><th>合計</th><th>現行</th><th>改定後</th></tr></thead><tbody>')
        for k, label in TOTALS:
            new = f'<span class="chg">{e(nt[k])}</span>' if ot[k] != nt[k] else e(nt[k])
            out.append(f"<tr><td>{label}</td><td>{e(ot[k])}</td><td>{new}</td></tr>")
        out.append("</tbody></table>")
    if c.skipped:
        out.append(f"<p>別の契約を指すシナリオ {len(c.skipped)} 件は対象外です。</p>")
    out += ["</body>", "</html>"]
    return "\n".join(out)
