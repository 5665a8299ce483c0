"""`yakkan diff`: the 新旧対照表 of two versions of terms — wording item by item and rule by rule, each
format, exit codes, ledgers of scenarios compared — and the CI workflow in docs/ci.md."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from interpreter import cli

from interpreter.tools import compare
from interpreter.tools.compare import build_comparison, diff_ledgers, line_diff, word_diff
from interpreter.run.ledger import Entry, Ledger

ROOT = Path(__file__).resolve().parent.parent
AIRNET = "contracts/airnet-allinone.ctr"
NOTE = "ウィルス対策製品の変更およびウィルスチェック対象先を追加致しました。"

OLD_BASIC = "ウィルス対策（WithSecure Elements）、迷惑メール対策（CLOUDMARK）"
NEW_BASIC = "ウィルス対策（WithSecure）、迷惑メール対策（CLOUDMARK）"
OLD_GW = "ゲートウェイサーバを通過した送受信メールに対するウィルスチェック（WithSecure Elements）"
NEW_GW = "ゲートウェイサーバを通過した受信または送受信メールに対するウィルスチェック（WithSecure）"

SMALL = '''contract shop "テスト" {
  provider "株式会社テスト";
  document "テスト約款" revised 2025-01-01;
  currency JPY;
}
conventions { periods civil_code; month_end clamp; prorate thirty_days; }
plan basic "ベーシック" { text "月額料金 1,000円（税別）"; text "サポート: メール"; }
event service_start { plan: plan; starts contract, starts plan; }
rule T-1 第3条 "料金" {
  monthly fee 1,000 yen for basic first month full last month full;  # a comment is not a change
  tax consumption 10% from 2019-10-01;
}
'''
SCENARIO = '''as_of: 2025-06-30
events:
  - {at: 2025-04-01, event: service_start, plan: basic}
'''


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _parser():
    return cli.make_parser()


def diff(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        args = _parser().parse_args(["diff", *argv])
        code = args.func(args)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def small_pair(tmp_path: Path, new_amount: str = "1,200") -> tuple[Path, Path, Path]:
    old = tmp_path / "old.ctr"
    new = tmp_path / "new.ctr"
    old.write_text(SMALL, encoding="utf-8")
    new.write_text(SMALL.replace("1,000", new_amount), encoding="utf-8")
    scenarios = tmp_path / "scenarios" / "shop"
    scenarios.mkdir(parents=True)
    (scenarios / "three-months.yaml").write_text(SCENARIO, encoding="utf-8")
    return old, new, tmp_path / "scenarios"


# ------------------------------------------------------------------ registration


def test_diff_is_registered():
    parser = cli.make_parser()  # fails while a registered tool's module is missing
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "diff" in sub.choices


# ------------------------------------------------------------------ AirNet: the seed's own 新旧対照表


def airnet():
    comparison, code = build_comparison([AIRNET], [date(2025, 8, 11), date(2025, 8, 12)])
    assert code == 0 and comparison is not None
    return comparison


def test_airnet_schedule_shows_exactly_the_two_changed_lines():
    c = airnet()
    items = c.section("items")
    assert [ch.name for ch in items] == ["basic_mail", "gw_virus_spam"]
    assert [ch.status for ch in items] == ["changed", "changed"]
    rows = [(r.tag, r.old_text, r.new_text) for ch in items for r in ch.rows]
    assert rows == [("change", OLD_BASIC, NEW_BASIC), ("change", OLD_GW, NEW_GW)]
    # the nested feature is read from tables.items: its path goes up through item_parent
    # 名称 and 該当箇所 as the document's own table: the 別表 (`section`) and the labels down to the item
    assert items[1].title == ("〔名称〕別表第２号　〔該当箇所〕別表第２号　サービス内容 › ALL in Oneメール Gateway › "
                              "セキュリティプラス › ウィルス対策、迷惑メール対策")
    assert items[0].title == "〔名称〕別表第１号　〔該当箇所〕別表第１号　サービス内容 › ALL in Oneメール Pro › 基本メール機能"
    assert c.notes == (NOTE,)


def test_airnet_word_level_marks():
    c = airnet()
    basic, gw = (ch.rows[0] for ch in c.section("items"))
    assert [s.text for s in basic.old if s.changed] == [" Elements"]
    assert [s.text for s in basic.new if s.changed] == []
    assert [s.text for s in gw.new if s.changed] == ["受信または"]
    assert [s.text for s in gw.old if s.changed] == [" Elements"]


def test_airnet_shows_only_what_the_document_changed():
    # The amendment restates no rule: the rules that depend on the version read `contract.version`, so the
    # comparison holds the two schedule lines the document changed and nothing else.
    c = airnet()
    assert c.section("rules") == []
    assert c.section("params") == []
    assert [ch.name for ch in c.changes] == ["basic_mail", "gw_virus_spam"]


def test_airnet_cli_text_and_markdown(capsys):
    code, out, err = diff(capsys, AIRNET, "--at", "2025-08-11", "--at", "2025-08-12")
    assert code == 1 and err == ""
    schedule = out.split("■ 別表（サービス品目）")[1].split("■ 規定")[0]
    changed = [line for line in schedule.splitlines() if line.startswith(("  - ", "  + "))]
    assert changed == ["  - ウィルス対策（WithSecure[- Elements-]）、迷惑メール対策（CLOUDMARK）",
                       "  + ウィルス対策（WithSecure）、迷惑メール対策（CLOUDMARK）",
                       "  - ゲートウェイサーバを通過した送受信メールに対するウィルスチェック（WithSecure[- Elements-]）",
                       "  + ゲートウェイサーバを通過した{+受信または+}送受信メールに対するウィルスチェック（WithSecure）"]
    assert NOTE in out
    code, md, _ = diff(capsys, AIRNET, "--at", "2025-08-11", "--at", "2025-08-12", "--format", "markdown")
    assert code == 1
    schedule = md.split("### 別表（サービス品目）")[1].split("### 規定")[0]
    rows = [line for line in schedule.splitlines() if line.startswith("| ") and "---" not in line
            and line != "| 現行 | 改定後 |"]
    assert rows == [
        "| ウィルス対策（WithSecure<del> Elements</del>）、迷惑メール対策（CLOUDMARK） "
        "| ウィルス対策（WithSecure）、迷惑メール対策（CLOUDMARK） |",
        "| ゲートウェイサーバを通過した送受信メールに対するウィルスチェック（WithSecure<del> Elements</del>） "
        "| ゲートウェイサーバを通過した<ins>受信または</ins>送受信メールに対するウィルスチェック（WithSecure） |",
    ]
    assert f"| 改定の趣旨 | {NOTE} |" in md


def test_same_date_twice_is_equal(capsys):
    code, out, _ = diff(capsys, AIRNET, "--at", "2025-08-12", "--at", "2099-01-01")
    assert code == 0
    assert "違いはありません" in out and "■" not in out


def test_airnet_versions_with_scenarios(capsys):
    # each side is the contract pinned to one version; scenarios of other contracts are skipped
    code, md, _ = diff(capsys, AIRNET, "--at", "2025-08-11", "--at", "2025-08-12", "--format", "markdown",
                       "--scenarios", "contracts/scenarios")
    assert code == 1
    section = md.split("#### contracts/scenarios/airnet-allinone/version-in-force-2025-08-11-vs-12.yaml")[1]
    section = section.split("####")[0]
    assert section.count("| 削除 | 指摘 | AIR-1a |") == 2  # 受信メール only is in the revised schedule
    assert "| 変更 | 状態 | AIR-3 | 適用される約款 | 2025-08-11 | 値 **現行約款** | 値 **改定後約款** |" in section
    assert "hennge" not in md
    assert re.search(r"別の契約を指すシナリオ \d+ 件は対象外", md)


# ------------------------------------------------------------------ two small files


def test_two_files_fee_change_markdown_shows_rule_and_ledger(tmp_path, capsys):
    old, new, scenarios = small_pair(tmp_path)
    code, md, err = diff(capsys, str(old), str(new), "--format", "markdown", "--scenarios", str(scenarios))
    assert code == 1, err
    rules = md.split("### 規定（rule）")[1].split("###")[0]
    assert "**T-1 第3条「料金」** (T-1, 変更)" in rules
    assert ("|   monthly fee <del>1,000</del> yen for basic first month full last month full; "
            "|   monthly fee <ins>1,200</ins> yen for basic first month full last month full; |") in rules
    assert "comment" not in rules
    ledger = md.split("### シナリオ（台帳の変化）")[1]
    assert md.index("### 規定（rule）") < md.index("### シナリオ（台帳の変化）")  # after the wording
    assert "| 変更 | 料金 | T-1 | 料金: ベーシック | 2025-05-01〜2025-05-31 | 金額 **1,000**, 税 **100** " \
           "| 金額 **1,200**, 税 **120** |" in ledger
    assert "| 料金合計 | 3,000 | **3,600** |" in ledger
    assert "| 消費税（請求書） | 300 | **360** |" in ledger


def test_two_equal_files_exit_0_even_with_scenarios(tmp_path, capsys):
    old, _, scenarios = small_pair(tmp_path)
    relaid = tmp_path / "relaid.ctr"  # another layout and comments: the same terms
    relaid.write_text(SMALL.replace("  tax consumption", "\n    tax   consumption").replace("# a comment", "# other"),
                      encoding="utf-8")
    code, out, _ = diff(capsys, str(old), str(relaid), "--scenarios", str(scenarios))
    assert code == 0, out
    assert "台帳に変化なし" in out


def test_ledger_only_difference_exits_1(tmp_path, capsys):
    # the same wording, but a parameter default that the fee reads differs: only the ledger shows it
    base = SMALL.replace('monthly fee 1,000 yen', 'monthly fee rate').replace(
        'event service_start', 'param rate: money = 1,000 yen "月額";\nevent service_start')
    old, _, scenarios = small_pair(tmp_path)
    old.write_text(base, encoding="utf-8")
    new = tmp_path / "new2.ctr"
    new.write_text(base.replace('= 1,000 yen "月額"', '= 1,100 yen "月額"'), encoding="utf-8")
    code, out, err = diff(capsys, str(old), str(new), "--scenarios", str(scenarios))
    assert code == 1, err
    assert "■ パラメータ" in out
    assert "合計: 料金合計 3,000 → 3,300" in out


def test_item_added_and_removed(tmp_path, capsys):
    old, new, _ = small_pair(tmp_path)
    new.write_text(SMALL.replace('text "サポート: メール"; }', 'text "サポート: メール"; }\noption phone "電話サポート" '
                                 '{ text "平日 9:00-17:00"; }'), encoding="utf-8")
    code, out, _ = diff(capsys, str(old), str(new))
    assert code == 1
    assert "【追加】電話サポート  [phone]" in out
    assert "  + 平日 9:00-17:00" in out
    code, out, _ = diff(capsys, str(new), str(old))
    assert "【削除】電話サポート  [phone]" in out and "  - 平日 9:00-17:00" in out


# ------------------------------------------------------------------ HTML


class Cells(HTMLParser):
    """Header cells and, per body row, the text of the `old` and `new` cells (and what is underlined)."""

    def __init__(self):
        super().__init__()
        self.headers, self.rows, self.underlined, self.stack = [], [], [], []
        self.cell = None
        self.text = ""
        self.in_chg = 0
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag in ("th", "td"):
            self.cell, self.text = (tag, a.get("class")), ""
        if tag == "tr":
            self.rows.append({})
        if tag == "span" and a.get("class") == "chg":
            self.in_chg += 1
            self.underlined.append("")

    def handle_endtag(self, tag):
        if tag == "span" and self.in_chg:
            self.in_chg -= 1
        if tag in ("th", "td") and self.cell:
            kind, cls = self.cell
            if kind == "th":
                self.headers.append(self.text)
            elif cls in ("old", "new"):
                self.rows[-1][cls] = self.text
            self.cell = None

    def handle_data(self, data):
        if self.cell:
            self.text += data
        if self.in_chg:
            self.underlined[-1] += data


def test_html_two_columns_underlined_and_note(capsys):
    code, page, _ = diff(capsys, AIRNET, "--at", "2025-08-11", "--at", "2025-08-12", "--format", "html")
    assert code == 1
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    schedule = page.split("<h2>別表（サービス品目）</h2>")[1].split("<h2>")[0]
    p = Cells()
    p.feed(schedule)
    p.close()
    assert p.headers == ["改定日（適用日）", "該当箇所", "現行", "改定後", "備考"]
    pairs = [(r["old"], r["new"]) for r in p.rows if "old" in r]
    assert pairs == [(OLD_BASIC, NEW_BASIC), (OLD_GW, NEW_GW)]
    assert p.underlined == [" Elements", " Elements", "受信または"]
    assert NOTE in schedule and 'class="note"' in schedule


def test_everything_escaped(tmp_path, capsys):
    old, new, _ = small_pair(tmp_path)
    hostile = '<script>alert(1)</script> & | *x* _y_ `z` [a](b)'
    new.write_text(SMALL.replace("サポート: メール", hostile.replace('"', "")), encoding="utf-8")
    code, page, _ = diff(capsys, str(old), str(new), "--format", "html")
    assert code == 1
    assert "<script>" not in page and "&lt;script&gt;" in page
    p = Cells()
    p.feed(page)
    assert p.scripts == 0
    assert any(hostile in r.get("new", "") for r in p.rows)
    code, md, _ = diff(capsys, str(old), str(new), "--format", "markdown")
    assert "<script>" not in md and "&lt;script&gt;" in md
    row = next(line for line in md.splitlines() if "alert" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 3  # two cells: the `|` in the text is escaped
    assert "\\*x\\*" in row and "\\[a\\](b)" in row


# ------------------------------------------------------------------ invocation and errors


@pytest.mark.parametrize("argv", [
    [AIRNET],                                                  # one file, no dates
    [AIRNET, "--at", "2025-08-11"],                            # one file, one date
    [AIRNET, AIRNET, AIRNET],                                  # three files
    [AIRNET, "--at", "2025-02-30", "--at", "2025-08-12"],      # not a date
    [AIRNET, "contracts/no-such.ctr"],                         # missing file
    [AIRNET, AIRNET, "--scenarios", "no/such/folder"],
    [AIRNET, AIRNET, "--format", "pdf"],
    [AIRNET, AIRNET, "--context", "-1"],
])
def test_bad_invocation_exits_2(capsys, argv):
    code, out, err = diff(capsys, *argv)
    assert code == 2
    assert out == "" and "error" in err and "Traceback" not in err


def test_contract_with_errors_is_not_comparable(tmp_path, capsys):
    old, _, _ = small_pair(tmp_path)
    bad = tmp_path / "bad.ctr"
    bad.write_text(SMALL.replace("for basic", "for basik"), encoding="utf-8")
    code, out, err = diff(capsys, str(old), str(bad))
    assert code == 1 and out == ""
    assert f"{bad}:10:" in err and "error[E" in err and "not comparable" in err


def test_context_lines(capsys):
    code, out, _ = diff(capsys, AIRNET, "--at", "2025-08-11", "--at", "2025-08-12", "--context", "1")
    assert code == 1
    assert "    簡易アーカイブ、メールログ取得、操作ログ取得" in out
    assert "    IPアドレスによるアクセス制限が可能" in out
    assert "メール受信機能" not in out


# ------------------------------------------------------------------ the pieces


def test_word_diff_splits_scripts():
    old, new = word_diff("送受信メール（1通あたり、100MB未満）", "受信メール（1通あたり、200MB未満）")
    assert [s.text for s in old if s.changed] == ["送受信", "100"]
    assert [s.text for s in new if s.changed] == ["受信", "200"]


def test_line_diff_insert_delete():
    rows = line_diff(["a", "b", "c"], ["a", "c", "d"])
    assert [(r.tag, r.old_text, r.new_text) for r in rows] == [("delete", "b", None), ("insert", None, "d")]


def _entry(**kw):
    return Entry(**{"kind": "obligation", "label": "削除", "rule": "R-1", "clause": None, "source": None, **kw})


def test_ledger_entries_matched_by_identity_not_id():
    old = Ledger("c", "c.ctr", None, date(2025, 6, 30), (
        _entry(due=date(2025, 1, 31), status="met", id="E1"),
        _entry(kind="charge", label="月額", due=None, date=date(2025, 2, 1), amount=__import__("decimal").Decimal(100),
               id="E2"),
        _entry(kind="finding", label="超過", date=date(2025, 3, 1), id="E3"),
    ))
    new = Ledger("c", "c.ctr", None, date(2025, 6, 30), (
        _entry(kind="finding", label="新規", date=date(2025, 1, 1), id="E1"),  # ids shifted by one
        _entry(due=date(2025, 2, 28), status="met", id="E2"),
        _entry(kind="charge", label="月額", date=date(2025, 2, 1), amount=__import__("decimal").Decimal(120), id="E3"),
    ))
    changes = {(c.status, c.kind, c.label): c for c in diff_ledgers(old, new)}
    assert set(changes) == {("added", "finding", "新規"), ("moved", "obligation", "削除"),
                            ("changed", "charge", "月額"), ("removed", "finding", "超過")}
    assert changes[("moved", "obligation", "削除")].changed_fields == {"due"}
    assert changes[("changed", "charge", "月額")].changed_fields == {"amount"}
    assert changes[("changed", "charge", "月額")].new["amount"] == "120"


# ------------------------------------------------------------------ the pre-commit hooks (docs/ci.md: tests/test_ci.py)


def test_pre_commit_hooks():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hooks["yakkan-check"]["entry"] == "yakkan check"
    assert hooks["yakkan-fmt"]["entry"] == "yakkan fmt --check"
    for h in hooks.values():
        assert re.search(h["files"], "contracts/a.ctr") and not re.search(h["files"], "a.ctr.bak")
        assert h["language"] == "python" and h["name"]
