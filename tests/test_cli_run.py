"""`yakkan run`, `explain` and `test` as a user meets them: outputs, formats and exit codes."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from interpreter.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "contracts" / "scenarios"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_run_prints_invoices_obligations_and_totals(capsys):
    code, out, _ = run(capsys, "run", "contracts/itscom-hosting.ctr", "--scenario",
                       str(SCEN / "itscom-hosting" / "cancel-inside-minimum-term.yaml"))
    assert code == 0
    assert "請求書 2025年5月分 (E18、支払期日 2025-06-30)" in out and "残余期間に相当する額" in out and "4,500" in out
    assert "義務" in out and "履行" in out
    assert out.rstrip().splitlines()[-1] == "合計: 料金 29,000円、減額 0円、消費税 2,900円"


def test_the_ledger_speaks_the_contracts_language_or_english_on_request(capsys):
    scenario = str(SCEN / "itscom-hosting" / "cancel-inside-minimum-term.yaml")
    _, ja, _ = run(capsys, "run", "contracts/itscom-hosting.ctr", "--scenario", scenario)
    _, en, _ = run(capsys, "run", "contracts/itscom-hosting.ctr", "--scenario", scenario, "--lang", "en")
    # E19: the May invoice (9,900 yen, due 2025-06-30) paid on its due date.
    assert "  E19  契約者   2025年5月分請求書の支払                  期日 2025-06-30  履行    ITS-6 第30条第3項" in ja
    assert "  E19  customer payment of the invoice for 2025-05       due 2025-06-30  met     ITS-6 第30条第3項" in en
    for heading in ("小計", "消費税", "導かれる事実", "E10  最低利用期間の満了", "E12  契約の終了"):
        assert heading in ja and heading not in en
    assert "Invoice 2025-05 (E18, due 2025-06-30)" in en and "Derived facts" in en
    assert en.rstrip().splitlines()[-1] == "Totals: charges 29,000 yen, credits 0 yen, tax 2,900 yen"
    # The JSON ledger is the same whatever the language: labels are the interpreter's.
    _, json_ja, _ = run(capsys, "run", "contracts/itscom-hosting.ctr", "--scenario", scenario, "--format", "json")
    _, json_en, _ = run(capsys, "run", "contracts/itscom-hosting.ctr", "--scenario", scenario, "--format", "json",
                        "--lang", "en")
    assert json_ja == json_en and '"label": "payment of the invoice for 2025-05"' in json_ja


def test_every_label_the_interpreter_gives_is_worded_in_japanese(capsys):
    """Over every bundled scenario (all four contracts are Japanese), no obligation or derived fact keeps
    an English label of the interpreter's own in the Japanese ledger."""
    import re

    english = re.compile(r"^  E\d+ +(契約者|当社)? *(payment|invoice|contract|minimum|term|version|claim)|"
                         r" (starts|ends|stops|changes|changes quantity) {2,}| ends with ")
    for scenario in sorted(SCEN.rglob("*.yaml")):
        code, out, _ = run(capsys, "run", "--scenario", str(scenario))
        assert code == 0, scenario
        heads = ("義務", "導かれる事実")
        body = out.split("\n\n")
        lines = [l for block in body if block.split("\n")[0] in heads for l in block.split("\n")[1:]]
        assert not [l for l in lines if english.search(l)], scenario


def test_run_json_has_the_interface_fields(capsys):
    code, out, _ = run(capsys, "run", "--scenario", str(SCEN / "itscom-hosting" / "cancel-inside-minimum-term.yaml"),
                       "--format", "json")
    assert code == 0
    ledger = json.loads(out)
    assert set(ledger) == {"contract", "as_of", "entries", "totals"}
    assert ledger["contract"]["file"].endswith("itscom-hosting.ctr") and ledger["as_of"] == "2025-07-31"
    settlement = next(e for e in ledger["entries"] if e.get("rule") == "ITS-3")
    assert settlement["amount"] == "4500" and settlement["tax"] == "450" and settlement["currency"] == "JPY"
    assert settlement["source"]["file"].endswith("itscom-hosting.ctr") and settlement["source"]["line"] > 0
    assert [e["id"] for e in ledger["entries"]] == [f"E{i}" for i in range(1, len(ledger["entries"]) + 1)]
    notice = next(e for e in ledger["entries"] if e["kind"] == "obligation" and e["rule"] == "ITS-2")
    assert (notice["party"], notice["due"], notice["status"], notice["events"]) == ("customer", "2025-04-30", "met", [1])


def test_as_of_on_the_command_line_wins(capsys):
    scenario = str(SCEN / "hennge-cmc" / "remedy-not-taken.yaml")
    _, out, _ = run(capsys, "run", "--scenario", scenario, "--format", "json", "--as-of", "2026-02-20")
    remedy = next(e for e in json.loads(out)["entries"] if e.get("rule") == "HEN-16" and e["kind"] == "obligation")
    assert remedy["status"] == "open"  # due 2026-02-28, not yet missed on 02-20


def test_explain_shows_the_arithmetic_and_the_tier_taken(capsys):
    scenario = str(SCEN / "hennge-cmc" / "sla-claim-sixteenth.yaml")
    _, out, _ = run(capsys, "run", "--scenario", scenario, "--format", "json")
    credit = next(e["id"] for e in json.loads(out)["entries"] if e["kind"] == "credit")
    code, out, _ = run(capsys, "explain", "--scenario", scenario, credit)
    assert code == 0
    assert "rule     HEN-9 (第17条, 別紙2)" in out
    assert "(1 − 433 minutes ÷ 43,200 minutes) × 100% = 98.997685…%" in out
    assert "95.0% <= availability < 99.0% → 25%" in out
    assert "110,000 yen × 25% = 27,500 yen" in out


def test_explain_an_unknown_entry_is_a_bad_invocation(capsys):
    code, _, err = run(capsys, "explain", "--scenario", str(SCEN / "hennge-cmc" / "deemed-acceptance.yaml"), "E999")
    assert code == 2 and "no entry E999" in err


def test_a_rejected_scenario_prints_located_errors_and_exits_1(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("contract: " + str(ROOT / "contracts" / "itscom-hosting.ctr") + "\nevents:\n"
                   "  - {at: 2025-04-01, event: service_strat}\n"
                   "  - {at: 2025-04-02, event: cancel_notice, desired_end: 2025-02-30}\n"
                   "  - {at: \"2025-04-01T25:00\", event: reduction_claim}\n", encoding="utf-8")
    # the scenario is outside the repository of the contract it names: --root allows it
    code, out, err = run(capsys, "run", "--scenario", str(bad), "--root", os.path.commonpath([bad, ROOT]))
    assert code == 1 and out == ""
    # the file's own problem and the problems against the contract, in one run
    assert f"{bad}:5:10: error[E606]" in err and "3 errors" in err
    assert f"{bad}:3:29: error[E603]" in err and "did you mean `service_start`?" in err
    assert f"{bad}:4:57: error[E606]" in err
    assert "Traceback" not in err


def test_test_reports_a_mismatch_with_the_entry_explained(capsys, tmp_path):
    good = SCEN / "itscom-hosting" / "cancel-inside-minimum-term.yaml"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(good.read_text(encoding="utf-8").replace("contract: ../../itscom-hosting.ctr",
                     "contract: " + str(ROOT / "contracts" / "itscom-hosting.ctr"))
                     .replace("{kind: charge, rule: ITS-3, amount: 4500}", "{kind: charge, rule: ITS-3, amount: 4501}"),
                     encoding="utf-8")
    code, out, _ = run(capsys, "test", str(wrong), "--root", os.path.commonpath([wrong, ROOT]))
    assert code == 1
    assert "expected an entry {kind: charge, rule: ITS-3, amount: 4,501}; the closest is E15" in out
    assert "amount: expected 4,501, got 4,500 (E15, period 2025-06-01–06-30)" in out and "残余期間に相当する額" in out
    assert out.rstrip().endswith("0 passed, 1 failed")


def test_test_passes_on_the_bundled_scenarios(capsys):
    code, out, _ = run(capsys, "test", str(SCEN / "airnet-allinone"))
    assert code == 0 and out.rstrip().endswith("6 passed, 0 failed")
