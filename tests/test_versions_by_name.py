"""A version of the terms named in an expression (`revised.in_force`, `revised.effective`): a rule that depends on the
version in force asks for the amendment by its name, not its label, so renaming the label changes no figure."""
from __future__ import annotations

import shutil
from pathlib import Path

from interpreter.run.runner import evaluate_files
from tests.small_contract import HEADER, evaluate_text, ledger_of

ROOT = Path(__file__).resolve().parent.parent
AIRNET = ROOT / "contracts" / "airnet-allinone.ctr"
VERSION_SCENARIO = ROOT / "contracts" / "scenarios" / "airnet-allinone" / "version-in-force-2025-08-11-vs-12.yaml"


def _findings(ledger) -> list[tuple]:
    return [(e.rule, e.date, e.events) for e in ledger.entries if e.kind == "finding"]


def test_renaming_the_amendments_label_changes_no_finding(tmp_path):
    # AIR-1a: 受信メール-only virus check is outside the 現行約款 (one finding, 2025-08-11 10:00, event 2) and inside the
    # 改定後約款 from 2025-08-12 (none for event 5). The same with the label 「改定後約款」 renamed.
    base = evaluate_files(None, str(VERSION_SCENARIO))
    assert base.ok, base.diagnostics
    folder = tmp_path / "contracts"
    (folder / "scenarios" / "airnet-allinone").mkdir(parents=True)
    text = AIRNET.read_text(encoding="utf-8")
    assert text.count('amendment revised "改定後約款"') == 1
    (folder / "airnet-allinone.ctr").write_text(text.replace('amendment revised "改定後約款"',
                                                             'amendment revised "2025年8月12日改定版"'), encoding="utf-8")
    shutil.copy(VERSION_SCENARIO, folder / "scenarios" / "airnet-allinone" / VERSION_SCENARIO.name)
    renamed = evaluate_files(None, str(folder / "scenarios" / "airnet-allinone" / VERSION_SCENARIO.name),
                             root=str(tmp_path))
    assert renamed.ledger is not None
    assert _findings(renamed.ledger) == _findings(base.ledger)
    assert [(rule, str(day), events) for rule, day, events in _findings(base.ledger)] == [("AIR-1a", "2025-08-11", (2,))]


CONTRACT = HEADER.replace("currency JPY;", 'currency JPY;\n  version original "旧約款";') + """
plan basic "基本プラン";
event service_start { starts contract, starts basic; }
event request "申込";
rule EX-1 第1条 "新しい約款の後の申込" {
  state after_revision "改定後の申込" on request = request.date >= revised.effective;
  state base_date "旧約款の適用日" on request = original.effective;
  state revised_in_force "新約款以降" on request = revised.in_force;
  state original_in_force "旧約款以降" on request = original.in_force;
}
amendment revised "新約款" effective 2025-06-01 {
  note "改定";
}
"""


def test_a_versions_effective_date_by_its_name(tmp_path):
    ledger = ledger_of(tmp_path, CONTRACT, """as_of: 2025-07-31
events:
  - {at: 2025-04-01, event: service_start}
  - {at: 2025-05-31, event: request}
  - {at: 2025-06-01, event: request}
""")
    after = [(str(e.date), e.value) for e in ledger.entries if e.label == "改定後の申込"]
    assert after == [("2025-05-31", "False"), ("2025-06-01", "True")]  # the amendment's first day is in force
    # the base version declares no effective date: the attribute has no value
    assert [e.value for e in ledger.entries if e.label == "旧約款の適用日"] == [None, None]
    # in_force: the version named, or a later one, is in force on the event's day
    assert [e.value for e in ledger.entries if e.label == "新約款以降"] == ["False", "True"]
    assert [e.value for e in ledger.entries if e.label == "旧約款以降"] == ["True", "True"]


def test_a_version_has_no_other_attribute(tmp_path):
    outcome = evaluate_text(tmp_path, CONTRACT.replace("revised.effective;", "revised.label;"), """as_of: 2025-07-31
events:
  - {at: 2025-04-01, event: service_start}
""")
    assert not outcome.ok
    assert any(d.code == "E206" and "effective" in (d.hint or "") for d in outcome.diagnostics)
