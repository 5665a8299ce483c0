"""`yakkan diff`: the before/after comparison (新旧対照表) of two versions of a contract's terms.

Two sides are compared: two files (`yakkan diff OLD.ctr NEW.ctr`) or two versions of one file, the ones in
force on two dates (`yakkan diff C.ctr --at D1 --at D2`). Each side is one `Version` of a checked model;
its schedule (別表: plans, options, items, features) is read from `version.tables.items` and
`tables.item_parent` — never from `ItemDecl.children`, which still hold the declarations an amendment
replaced — and its rules from `version.tables.rules`, each statement as written in the source file.

Whether an item or rule changed is decided on the checked declarations (spans and comments are not part
of them, so a reformatted file compares equal); what changed is shown line by line, and within a changed
line word by word (a word is a run of one script: kanji, hiragana, katakana, Latin letters and digits).

With `--scenarios DIR`, every scenario file in DIR is run against both sides and the ledgers are compared
entry by entry (matched by kind, rule, label and period/due/date, never by id).
Rendering (text, Markdown, HTML) lives in `compare_render`.
"""
from __future__ import annotations

import difflib
import os
import re
import sys
from datetime import date
from pathlib import Path

import attrs
from interpreter import records

from interpreter.syntax import nodes as n
from interpreter.diagnostics import has_errors, render_diagnostics
from interpreter.run.ledger import Entry, Ledger, money_text
from interpreter.check.model import Model, Version
from interpreter.syntax.source import SourceFile, Span

# ------------------------------------------------------------------ word and line differences

_WORD = re.compile(
    r"\d+(?:[,.]\d+)*%?"                        # numbers as written: 1,000 / 14.6%
    r"|[A-Za-z0-9_.%+\-]+"                     # Latin words (100MB, over, SSL)
    r"|[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"  # full-width Latin
    r"|[\u3041-\u309f]+"                        # hiragana
    r"|[\u30a0-\u30ff\uff66-\uff9f]+"           # katakana (with ー)
    r"|[\u4e00-\u9fff\u3400-\u4dbf々〆ヶ]+"      # kanji
    r"|\s+"
    r"|.", re.S)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@attrs.frozen
class Seg:
    text: str
    changed: bool


@attrs.frozen
class Row:
    """One line of the comparison: `equal` (context), `change` (both sides, marked word by word),
    `delete` (only in 現行) or `insert` (only in 改定後)."""

    tag: str
    old: tuple[Seg, ...] | None
    new: tuple[Seg, ...] | None

    @property
    def old_text(self) -> str | None:
        return None if self.old is None else "".join(s.text for s in self.old)

    @property
    def new_text(self) -> str | None:
        return None if self.new is None else "".join(s.text for s in self.new)


def _merge(segs: list[Seg]) -> tuple[Seg, ...]:
    out: list[Seg] = []
    for s in segs:
        if not s.text:
            continue
        if out and out[-1].changed == s.changed:
            out[-1] = Seg(out[-1].text + s.text, s.changed)
        else:
            out.append(s)
    return tuple(out)


def word_diff(old: str, new: str) -> tuple[tuple[Seg, ...], tuple[Seg, ...]]:
    a, b = words(old), words(new)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left: list[Seg] = []
    right: list[Seg] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        same = tag == "equal"
        left.append(Seg("".join(a[i1:i2]), not same))
        right.append(Seg("".join(b[j1:j2]), not same))
    return _merge(left), _merge(right)


def line_diff(old: list[str], new: list[str], context: int = 0) -> list[Row]:
    """Rows for two lists of lines; unchanged lines are kept only within `context` lines of a change."""
    rows: list[Row] = []
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            rows += [Row("equal", (Seg(x, False),), (Seg(x, False),)) for x in old[i1:i2]]
            continue
        a, b = old[i1:i2], new[j1:j2]
        paired = min(len(a), len(b))
        for x, y in zip(a[:paired], b[:paired]):
            left, right = word_diff(x, y)
            rows.append(Row("change", left, right))
        rows += [Row("delete", (Seg(x, True),), None) for x in a[paired:]]
        rows += [Row("insert", None, (Seg(y, True),)) for y in b[paired:]]
    keep = [False] * len(rows)
    for i, r in enumerate(rows):
        if r.tag != "equal":
            for k in range(max(0, i - context), min(len(rows), i + context + 1)):
                keep[k] = True
    return [r for r, k in zip(rows, keep) if k]


# ------------------------------------------------------------------ a side of the comparison


@attrs.frozen
class Side:
    path: str
    model: Model
    version: Version
    pinned_day: date | None  # the --at date the version was chosen by, if any

    @property
    def source(self) -> SourceFile:
        return self.model.source

    @property
    def title(self) -> str:
        v = self.version
        name = v.label or v.name
        if v is self.model.base and not v.label and self.model.contract is not None:
            c = self.model.contract  # an unnamed base version: say which document it is
            name = (c.document or c.label or c.name) + (f"（{c.revised.isoformat()} 改定）" if c.revised else "")
        if self.pinned_day is not None:
            return f"{name}（{self.pinned_day.isoformat()} 時点）"
        if v.effective is not None:
            return f"{name}（{v.effective.isoformat()} 適用）"
        return name


def _strip_comment(line: str) -> str:
    """A source line without its `#` comment (a `#` inside "…" or 「…」 is text)."""
    quote = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                quote = None
        elif quote == "「":
            if c == "」":
                quote = None
        elif c in ('"', "「"):
            quote = c
        elif c == "#":
            return line[:i].rstrip()
        i += 1
    return line.rstrip()


def source_lines(source: SourceFile, span: Span | None) -> list[str]:
    """The text a span covers, as written, one entry per line; comments are dropped and continuation
    lines are indented by two spaces under the first."""
    if span is None or not span.end_line:
        return []
    lines = source.text.splitlines()[span.line - 1 : span.end_line]
    if not lines:
        return []
    if len(lines) == 1:
        lines = [lines[0][span.column - 1 : span.end_column - 1]]
    else:
        lines[0] = lines[0][span.column - 1 :]
        lines[-1] = lines[-1][: span.end_column - 1]
    out = []
    for i, line in enumerate(lines):
        text = _strip_comment(line).strip()
        if text:
            out.append(text if not out else "  " + text)
    return out


def item_path(tables, name: str) -> list[str]:
    """The labels from the top plan down to an item (by `item_parent`, not by `children`)."""
    path, seen = [], set()
    while name and name not in seen and name in tables.items:
        seen.add(name)
        decl = tables.items[name]
        path.append(decl.label or decl.name)
        name = tables.item_parent.get(name)
    return path[::-1]


def item_section(tables, name: str) -> tuple[str, str] | None:
    """The `section` (名称, heading) an item or the nearest item it is declared in gives, if any."""
    seen = set()
    while name and name not in seen and name in tables.items:
        seen.add(name)
        if tables.items[name].section is not None:
            return tables.items[name].section
        name = tables.item_parent.get(name)
    return None


def item_place(tables, name: str) -> str:
    """How the 新旧対照表 names an item: 〔名称〕 the part of the document, 〔該当箇所〕 its heading and the labels
    down to the item, as the document's own table does; without a `section`, the labels alone."""
    path = " › ".join(item_path(tables, name))
    section = item_section(tables, name)
    if section is None:
        return path
    return f"〔名称〕{section[0]}　〔該当箇所〕{section[1]} › {path}"


def item_lines(side: Side, name: str) -> list[str]:
    tables = side.version.tables
    decl: n.ItemDecl = tables.items[name]
    lines = [f"〔名称〕{decl.label or decl.name}"]
    lines += list(decl.texts)
    if decl.measured_in:
        lines.append(f"〔単位〕measured in {decl.measured_in}")
    for inc in decl.includes:
        lines.append("〔含む〕" + (" ".join(source_lines(side.source, inc.span)) or str(inc)))
    parent = tables.item_parent.get(name)
    if parent:
        lines.append("〔位置〕" + " › ".join(item_path(tables, parent)))
    return lines


def _item_key(tables, name: str):
    d = tables.items[name]
    return (d.kind, d.label, d.texts, d.includes, d.measured_in, tuple(item_path(tables, tables.item_parent.get(name, ""))))


def rule_lines(side: Side, rule: n.RuleDecl) -> list[str]:
    head = f"rule {rule.id} {', '.join(rule.articles)}"
    if rule.label:
        head += f' "{rule.label}"'
    if rule.condition is not None:
        cond = " ".join(source_lines(side.source, rule.condition.span))
        head += f" {'unless' if rule.condition.negated else 'when'} {cond}"
    lines = [head]
    for st in rule.statements:  # one line per statement, so that a statement is compared with a statement
        lines.append("  " + (" ".join(x.strip() for x in source_lines(side.source, st.span)) or type(st).__name__))
    return lines


def param_lines(side: Side, decl: n.ParamDecl) -> list[str]:
    return source_lines(side.source, decl.span) or [decl.name]


# ------------------------------------------------------------------ the comparison


@attrs.frozen
class Change:
    section: str  # "items", "rules", "params"
    name: str
    title: str
    status: str  # "changed", "added", "removed"
    rows: tuple[Row, ...]


def _ordered(old_names: list[str], new_names: list[str]) -> list[str]:
    """New order, with names only on the old side placed after the name they followed there."""
    out = list(new_names)
    present = set(out)
    for i, name in enumerate(old_names):
        if name in present:
            continue
        before = next((old_names[k] for k in range(i - 1, -1, -1) if old_names[k] in present), None)
        out.insert(out.index(before) + 1 if before is not None else 0, name)
        present.add(name)
    return out


def _section(section, old_names, new_names, old_lines, new_lines, same, title, context) -> list[Change]:
    changes = []
    for name in _ordered(old_names, new_names):
        in_old, in_new = name in old_names, name in new_names
        if in_old and in_new and same(name):
            continue
        a = old_lines(name) if in_old else []
        b = new_lines(name) if in_new else []
        rows = line_diff(a, b, context if in_old and in_new else max(len(a), len(b)))
        if in_old and in_new and not rows:
            continue  # the declarations differ only in a way the source text does not show
        status = "changed" if in_old and in_new else ("added" if in_new else "removed")
        changes.append(Change(section, name, title(name, in_new), status, tuple(rows)))
    return changes


def compare_sides(old: Side, new: Side, context: int = 0) -> list[Change]:
    ot, nt = old.version.tables, new.version.tables
    changes: list[Change] = []

    def item_title(name, in_new):
        return item_place(nt if in_new else ot, name)

    changes += _section(
        "items", list(ot.items), list(nt.items),
        lambda x: item_lines(old, x), lambda x: item_lines(new, x),
        lambda x: _item_key(ot, x) == _item_key(nt, x), item_title, context)

    def rule_title(rid, in_new):
        r = (nt if in_new else ot).rules[rid]
        return f"{r.id} {', '.join(r.articles)}" + (f"「{r.label}」" if r.label else "")

    changes += _section(
        "rules", list(ot.rules), list(nt.rules),
        lambda x: rule_lines(old, ot.rules[x]), lambda x: rule_lines(new, nt.rules[x]),
        lambda x: ot.rules[x] == nt.rules[x], rule_title, context)

    def param_title(name, in_new):
        p = (nt if in_new else ot).params[name]
        return name + (f"「{p.label}」" if p.label else "")

    changes += _section(
        "params", list(ot.params), list(nt.params),
        lambda x: param_lines(old, ot.params[x]), lambda x: param_lines(new, nt.params[x]),
        lambda x: ot.params[x] == nt.params[x], param_title, context)
    return changes


def amendment_notes(old: Side, new: Side) -> tuple[str, ...]:
    """The notes of the amendments that lead from the old side to the new one."""
    notes: list[str] = []
    if old.model is new.model:
        versions = new.model.versions
        lo, hi = versions.index(old.version), versions.index(new.version)
        step = range(lo + 1, hi + 1) if hi >= lo else range(hi + 1, lo + 1)
        for i in step:
            notes += versions[i].notes
        return tuple(notes)
    old_names = {v.name for v in old.model.versions}
    for v in new.model.versions[: new.model.versions.index(new.version) + 1]:
        if v.name not in old_names or v is new.version:
            notes += [x for x in v.notes if x not in notes]
    return tuple(notes)


# ------------------------------------------------------------------ ledgers


def entry_when(e: Entry) -> str:
    if e.period:
        return f"{e.period[0].isoformat()}〜{e.period[1].isoformat()}"
    d = e.due or e.date
    return d.isoformat() if d else ""


def _value_text(v) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value_text(x) for x in v) + "]"
    if isinstance(v, date):
        return v.isoformat()
    if hasattr(v, "as_tuple"):
        return money_text(v)
    return str(v)


def entry_fields(e: Entry) -> dict[str, str]:
    """What a reader compares on an entry, as text."""
    out: dict[str, str] = {}
    if e.amount is not None:
        out["amount"] = f"{int(e.amount):,}" if e.amount == e.amount.to_integral_value() else money_text(e.amount)
        out["tax"] = money_text(e.tax) or "0"
    if e.date:
        out["date"] = e.date.isoformat()
    if e.period:
        out["period"] = f"{e.period[0].isoformat()}〜{e.period[1].isoformat()}"
    if e.due:
        out["due"] = e.due.isoformat()
    if e.status:
        out["status"] = e.status
    if e.value is not None:
        out["value"] = _value_text(e.value)
    if e.window:
        out["window"] = f"{e.window[0].isoformat()}〜{e.window[1].isoformat()}"
    return out


@attrs.frozen
class EntryChange:
    status: str  # "added", "removed", "changed", "moved"
    kind: str
    rule: str | None
    label: str
    when: str
    old: dict[str, str] | None
    new: dict[str, str] | None

    @property
    def changed_fields(self) -> set[str]:
        if self.old is None or self.new is None:
            return set()
        return {k for k in set(self.old) | set(self.new) if self.old.get(k) != self.new.get(k)}


def _key(e: Entry):
    return (e.kind, e.rule, e.label, e.period or e.due or e.date)


def diff_ledgers(old: Ledger, new: Ledger) -> list[EntryChange]:
    """Entries added, removed and changed, matched by (kind, rule, label, period/due/date); what is left is
    then matched by (kind, rule, label) in order, as an entry whose date moved."""
    def group(entries, key):
        out: dict = {}
        for e in entries:
            out.setdefault(key(e), []).append(e)
        return out

    changes: list[tuple[tuple, EntryChange]] = []
    left_old, left_new = [], []
    og, ng = group(old.entries, _key), group(new.entries, _key)
    for k in list(og) + [k for k in ng if k not in og]:
        a, b = og.get(k, []), ng.get(k, [])
        for x, y in zip(a, b):
            fx, fy = entry_fields(x), entry_fields(y)
            if fx != fy:
                changes.append(((y.sort_date, y.id), EntryChange("changed", y.kind, y.rule, y.label, entry_when(y), fx, fy)))
        left_old += a[len(b):]
        left_new += b[len(a):]
    og2 = group(left_old, lambda e: (e.kind, e.rule, e.label))
    ng2 = group(left_new, lambda e: (e.kind, e.rule, e.label))
    for k in list(og2) + [k for k in ng2 if k not in og2]:
        a, b = og2.get(k, []), ng2.get(k, [])
        for x, y in zip(a, b):
            changes.append(((y.sort_date, y.id), EntryChange(
                "moved", y.kind, y.rule, y.label, f"{entry_when(x)} → {entry_when(y)}", entry_fields(x), entry_fields(y))))
        for x in a[len(b):]:
            changes.append(((x.sort_date, x.id), EntryChange("removed", x.kind, x.rule, x.label, entry_when(x), entry_fields(x), None)))
        for y in b[len(a):]:
            changes.append(((y.sort_date, y.id), EntryChange("added", y.kind, y.rule, y.label, entry_when(y), None, entry_fields(y))))
    changes.sort(key=lambda c: (c[0][0], int(c[0][1][1:]) if c[0][1][1:].isdigit() else 0))
    return [c for _, c in changes]


@attrs.frozen
class ScenarioDiff:
    path: str
    old_ledger: Ledger | None
    new_ledger: Ledger | None
    old_problems: tuple[str, ...]
    new_problems: tuple[str, ...]
    changes: tuple[EntryChange, ...]

    @property
    def differs(self) -> bool:
        return bool(self.changes) or bool(self.old_problems) != bool(self.new_problems) or \
            self.old_problems != self.new_problems

    def totals(self, which: str) -> dict[str, str]:
        ledger = self.old_ledger if which == "old" else self.new_ledger
        if ledger is None:
            return {}
        return {k: f"{int(v):,}" if v == v.to_integral_value() else money_text(v) for k, v in ledger.totals().items()}


def _problems(diagnostics) -> tuple[str, ...]:
    return tuple(f"{d.span}: {d.severity}[{d.code}]: {d.message}" if d.span else f"{d.severity}[{d.code}]: {d.message}"
                 for d in diagnostics if d.severity == "error")


def pinned(model: Model, version: Version) -> Model:
    """The model with one version only, in force throughout: the terms of that version applied to every event."""
    return records.evolve(model, versions=(records.evolve(version, effective=None),))


def _run_pinned(model: Model, scenario_path: str):
    from interpreter.run.evaluate import run
    from interpreter.run.events import validate
    from interpreter.run.expressions import EvalError
    from interpreter.run.scenario import load_scenario

    scenario, diagnostics = load_scenario(scenario_path)
    if scenario is None or has_errors(diagnostics):
        return None, _problems(diagnostics)
    params, events, problems = validate(model, scenario)
    if has_errors(problems):
        return None, _problems(problems)
    try:
        return run(model, params, events, scenario.as_of_date), ()
    except EvalError as exc:
        return None, (f"error[E406]: cannot evaluate: {exc}",)


def _run_file(contract_path: str, scenario_path: str):
    from interpreter.run.runner import evaluate_files

    outcome = evaluate_files(contract_path, scenario_path)
    if outcome.ok:
        return outcome.ledger, ()
    return None, _problems(outcome.diagnostics)


def scenario_files(folder: str, contract_paths: list[str]) -> tuple[list[str], list[str]]:
    """Scenario files in a folder (recursively), and those skipped because they name another contract."""
    from interpreter.run.scenario import load_scenario

    wanted = {os.path.realpath(p) for p in contract_paths}
    files, skipped = [], []
    for f in sorted(str(p) for p in Path(folder).rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")):
        scenario, _ = load_scenario(f)
        named = scenario.contract_path() if scenario is not None else None
        if named is not None and os.path.realpath(named) not in wanted:
            skipped.append(f)
        else:
            files.append(f)
    return files, skipped


def compare_scenarios(old: Side, new: Side, files: list[str], pin: bool) -> list[ScenarioDiff]:
    """Each scenario on both sides. Two files: each file evaluates the scenario as `yakkan run` would.
    Two versions of one file (`pin`): each side is the contract pinned to its version, in force throughout."""
    out = []
    for f in files:
        if pin:
            ol, op = _run_pinned(pinned(old.model, old.version), f)
            nl, np_ = _run_pinned(pinned(new.model, new.version), f)
        else:
            ol, op = _run_file(old.path, f)
            nl, np_ = _run_file(new.path, f)
        changes = diff_ledgers(ol, nl) if ol is not None and nl is not None else []
        out.append(ScenarioDiff(f, ol, nl, op, np_, tuple(changes)))
    return out


@attrs.frozen
class Comparison:
    old: Side
    new: Side
    notes: tuple[str, ...]
    changes: tuple[Change, ...]
    scenarios: tuple[ScenarioDiff, ...] = ()
    skipped: tuple[str, ...] = ()
    mode: str = "files"  # "files" or "versions"

    @property
    def equal(self) -> bool:
        return not self.changes and not any(s.differs for s in self.scenarios)

    def section(self, name: str) -> list[Change]:
        return [c for c in self.changes if c.section == name]


# ------------------------------------------------------------------ the command


def add_parser(sub) -> None:
    p = sub.add_parser(
        "diff", help="compare two versions of the terms (新旧対照表): two files, or one file --at DATE --at DATE")
    p.add_argument("files", nargs="+", metavar="CONTRACT",
                   help="OLD.ctr NEW.ctr, or one contract compared with itself on two dates (--at)")
    p.add_argument("--at", action="append", default=[], metavar="DATE",
                   help="with one file: the two dates whose versions are compared; with two files: one date "
                        "for both, or one per file")
    p.add_argument("--format", choices=("text", "markdown", "html"), default="text",
                   help="text (default), markdown for a pull-request comment, html for a printable 新旧対照表")
    p.add_argument("--scenarios", metavar="DIR", help="run every scenario in DIR against both sides")
    p.add_argument("--context", type=int, default=0, metavar="N",
                   help="unchanged lines shown around a changed one (default 0)")
    p.set_defaults(func=cmd_diff)


def _fail(message: str) -> int:
    print(f"yakkan: error: {message}", file=sys.stderr)
    return 2


def _load(path: str) -> tuple[Model | None, int]:
    from interpreter.loader import load_contract

    model, diagnostics, source = load_contract(path)
    if model is None:
        sources = {source.name: source} if source is not None else {}
        print(render_diagnostics(diagnostics, sources, "text"), file=sys.stderr)
        print(f"yakkan: {path} has errors: the versions are not comparable", file=sys.stderr)
        return None, 1
    return model, 0


def build_comparison(files: list[str], at: list[date], scenarios: str | None = None, context: int = 0
                     ) -> tuple[Comparison | None, int]:
    """The comparison, or (None, exit status) after printing why there is none."""
    if len(files) == 1:
        if len(at) != 2:
            return None, _fail("with one contract, give two dates: --at DATE --at DATE")
    elif len(files) == 2:
        if len(at) > 2:
            return None, _fail("with two contracts, give at most two dates (one for both, or one per file)")
    else:
        return None, _fail("give two contracts (OLD NEW), or one contract with --at DATE --at DATE")
    for f in files:
        if not Path(f).is_file():
            return None, _fail(f"no such file: {f}")
    if scenarios is not None and not Path(scenarios).is_dir():
        return None, _fail(f"--scenarios: no such folder: {scenarios}")
    if context < 0:
        return None, _fail("--context must be 0 or more")
    models = []
    for f in dict.fromkeys(files):
        model, code = _load(f)
        if model is None:
            return None, code
        models.append(model)
    if len(files) == 1:
        model = models[0]
        old = Side(files[0], model, model.version_on(at[0]), at[0])
        new = Side(files[0], model, model.version_on(at[1]), at[1])
        mode = "versions"
    else:
        om, nm = (models[0], models[1]) if len(models) == 2 else (models[0], models[0])
        days = at if len(at) == 2 else (at * 2 if at else [None, None])
        old = Side(files[0], om, om.version_on(days[0]) if days[0] else om.versions[-1], days[0])
        new = Side(files[1], nm, nm.version_on(days[1]) if days[1] else nm.versions[-1], days[1])
        mode = "files"
    changes = compare_sides(old, new, context)
    results, skipped = [], []
    if scenarios is not None:
        found, skipped = scenario_files(scenarios, list(dict.fromkeys(files)))
        results = compare_scenarios(old, new, found, mode == "versions")
    return Comparison(old, new, amendment_notes(old, new), tuple(changes), tuple(results), tuple(skipped), mode), 0


def cmd_diff(args) -> int:
    from interpreter.render import compare as compare_render
    from interpreter.time.timestamps import parse_date

    days = []
    for text in args.at:
        try:
            days.append(parse_date(text))
        except ValueError as exc:
            return _fail(f"--at: {exc}")
    comparison, code = build_comparison(args.files, days, args.scenarios, args.context)
    if comparison is None:
        return code
    render = {"text": compare_render.render_text, "markdown": compare_render.render_markdown,
              "html": compare_render.render_html}[args.format]
    print(render(comparison))
    return 0 if comparison.equal else 1
