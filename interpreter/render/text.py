"""Rendering a ledger for people: invoices with their lines and totals, then obligations, findings and
derived facts; and `explain`, which shows how each entry was derived."""
from __future__ import annotations

import json
from decimal import Decimal

from interpreter.check.model import Model
from interpreter.diagnostics import display_width
from interpreter.render.wording import Wording, language_of
from interpreter.run.ledger import Entry, Ledger
from interpreter.time.billing_periods import period_name


CONTINUATIONS = ("= ", "× ", "÷ ", "+ ", "- ")  # explanation steps that start with their own operator

def yen(d: Decimal | None) -> str:
    if d is None:
        return ""
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,.2f}"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _cite(e: Entry) -> str:
    return f"{e.rule} {e.clause}" if e.rule else ""


def render_json(ledger: Ledger) -> str:
    return json.dumps(ledger.as_json(), ensure_ascii=False, indent=2)


def _fit(text: str, width: int) -> str:
    """Pad to a display width, cutting with … when the text is wider."""
    if display_width(text) <= width:
        return _pad(text, width)
    cut = ""
    for ch in text:
        if display_width(cut + ch) > width - 1:
            break
        cut += ch
    return _pad(cut + "…", width)


def render_text(ledger: Ledger, lang: str | None = None) -> str:
    """The ledger for people, in `lang` ('ja' or 'en'; by default the contract's language)."""
    w = Wording(lang or language_of(ledger.contract_name))
    money_rows = [e for e in ledger.entries if e.kind in ("charge", "credit")]
    width = min(60, max([display_width(e.label) for e in money_rows] + [24]))
    version = f", {w('version', version=ledger.version)}" if ledger.version else ""
    out = [f"{ledger.contract_name}  ({ledger.contract_file}{version})  {w('as_of', date=ledger.as_of)}", ""]
    by_id = {e.id: e for e in ledger.entries}
    in_invoice = set()
    invoices = [e for e in ledger.entries if e.kind == "invoice"]
    for inv in invoices:
        due = w("invoice_due", date=inv.due) if inv.due else ""
        name = period_name(*inv.period)
        out.append(f"{w('invoice', month=w.month(inv.period[0]) if len(name) == 7 else name)} ({inv.id}{due})")
        for line_id in inv.lines:
            line = by_id[line_id]
            in_invoice.add(line_id)
            sign = "-" if line.kind == "credit" else ""
            out.append(f"  {_pad(line.id, 5)}{_fit(line.label, width)} {sign + yen(line.amount):>12}  {_cite(line)}")
        out.append(f"  {'':5}{_pad(w('subtotal'), width)} {yen(inv.amount):>12}")
        out.append(f"  {'':5}{_pad(w('tax'), width)} {yen(inv.tax):>12}")
        out.append(f"  {'':5}{_pad(w('total'), width)} {yen(inv.amount + (inv.tax or 0)):>12}")
        out.append("")
    outside = [e for e in ledger.entries if e.kind in ("charge", "credit") and e.id not in in_invoice]
    for title, group in (("paid_out", [e for e in outside if e.status == "paid out"]),
                         ("pending", [e for e in outside if e.status != "paid out"])):
        if not group:
            continue
        out.append(w(title))
        for e in group:
            window = w("window", start=e.window[0], end=e.window[1]) if e.window else ""
            out.append(f"  {_pad(e.id, 5)}{_fit(w.label(e.label), width)} {yen(e.amount):>12}  "
                       f"{w.status(e.status, e.kind)}{window}  {_cite(e)}")
        out.append("")
    sections = (
        ("obligations", "obligation", lambda e: obligation_lines(e, w)),
        ("findings", "finding", lambda e: [f"  {_pad(e.id, 5)}{e.date}  {w.label(e.label)}  {_cite(e)}"]),
        ("states", "state",
         lambda e: [f"  {_pad(e.id, 5)}{_pad(w.label(e.label), 44)} {_value(e.value)}  {_cite(e)}"]),
    )
    for title, kind, lines in sections:
        chosen = [e for e in ledger.entries if e.kind == kind]
        if chosen:
            out.append(w(title))
            for e in chosen:
                out += lines(e)
            out.append("")
    totals = ledger.totals()
    # a refund paid out is money returned, not a reduction of the fees: shown apart from the credits
    paid_out = sum((e.amount for e in ledger.entries if e.kind == "credit" and e.status == "paid out"), Decimal(0))
    line = w("totals", charge=yen(totals["charge"]), credit=yen(totals["credit"] - paid_out), tax=yen(totals["tax"]))
    out.append(line + (w("totals_paid_out", amount=yen(paid_out)) if paid_out else ""))
    return "\n".join(out)


def obligation_lines(e: Entry, w: Wording = Wording("en")) -> list[str]:
    """One obligation: who, what, by when, its status and article; then its note, if any."""
    lines = [f"  {_pad(e.id, 5)}{_pad(w.party(e.party), 9)}{_pad(w.label(e.label), 40)} "
             f"{w('due', date=e.due)}  {_pad(w.status(e.status, e.kind), 7)} {_cite(e)}"]
    if e.note:
        lines.append(f"  {'':14}{w.note(e.note)}")
    return lines


def _value(v) -> str:
    if isinstance(v, Decimal):
        return yen(v)
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v)
    return str(v)


def explain_entry(e: Entry, model: Model, events_text: dict[int, str]) -> str:
    head = f"{e.id} {e.kind}: {e.label}"
    if e.amount is not None:
        head += f" — {yen(e.amount)} yen" + (f" (+ tax {yen(e.tax)})" if e.tax else "")
    if e.kind == "obligation":
        head += f" — {e.party}, due {e.due}, {e.status}"
    if e.kind == "state":
        head += f" — {_value(e.value)}"
    out = [head]
    if e.rule:
        out.append(f"  rule     {e.rule} ({e.clause})")
    if e.source:
        line = model.source.line_text(e.source.line).strip() if e.source.file == model.file else ""
        out.append(f"  source   {e.source.file}:{e.source.line}: {line}")
    for i in e.events:
        out.append(f"  event    {events_text.get(i, f'#{i}')}")
    if e.period:
        out.append(f"  period   {e.period[0]} – {e.period[1]}")
    for c in e.conventions:
        out.append(f"  counting {c}")
    for step in e.explanation:
        # a step that continues the one before (`× 19 days ÷ 31 days`, `= 3,677 yen`) carries its own operator
        out.append(f"    {step}" if step.startswith(CONTINUATIONS) else f"  = {step}")
    if e.note:
        out.append(f"  note     {e.note}")
    if e.lines:
        out.append(f"  lines    {', '.join(e.lines)}")
    return "\n".join(out)
