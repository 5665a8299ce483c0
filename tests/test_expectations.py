"""`yakkan test` cannot pass vacuously, and says what differs: expectation keys are checked against the
ledger's fields, the new expectations (`count`, `totals`, `total`, `absent: allowed`) are matched, and a
mismatch is told field by field against the closest entry.

The ledger used throughout is the bundled scenario cancel-inside-minimum-term (ITSCOM hosting, Mail セキュア
MX from 2025-04-01, cancelled with effect 2025-05-31), whose figures are worked out in that file:
加入料 20,000 (ITS-4, 2025-04-01); May's fee 4,500 (ITS-5); 残余期間 4,500 (ITS-3); invoices 2025-04
(20,000 + tax 2,000 = 22,000) and 2025-05 (9,000 + tax 900 = 9,900); totals: charges 29,000, credits 0,
tax 2,900.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from interpreter.cli import main
from interpreter.run.scenario import load_scenario
from interpreter.tools.expectations import span_text

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "itscom-hosting.ctr"
EVENTS = """\
as_of: 2025-07-31
events:
  - {at: 2025-04-01, event: service_start, plan: mail_secure_mx}
  - {at: 2025-04-15, event: cancel_notice, desired_end: 2025-05-31}
  - {at: 2025-05-30, event: payment, amount: 22000}
  - {at: 2025-06-30, event: payment, amount: 9900}
"""


def scenario(tmp_path: Path, expect: str, name: str = "s.yaml", contract: bool = True) -> Path:
    """A scenario beside its own copy of the contract: a `contract:` must resolve inside the scenario's own
    repository (interpreter/files.py), and a temporary folder is not this one."""
    path = tmp_path / name
    if contract and not (tmp_path / CONTRACT.name).exists():
        (tmp_path / CONTRACT.name).write_text(CONTRACT.read_text(encoding="utf-8"), encoding="utf-8")
    head = f"contract: {CONTRACT.name}\n" if contract else ""
    path.write_text(head + EVENTS + textwrap.dedent(expect), encoding="utf-8")
    return path


def yakkan_test(capsys, *argv) -> tuple[int, str, str]:
    code = main(["test", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err



def errors(path: Path) -> list[str]:
    _, diagnostics = load_scenario(str(path))
    return [f"{d.span.line}:{d.span.column} {d.code} {d.message} | {d.hint}" for d in diagnostics]


# ------------------------------------------------------------------ keys are checked, not ignored


def test_a_misspelt_key_is_an_error_with_its_position_and_a_suggestion(tmp_path):
    path = scenario(tmp_path, "expect:\n  - {kind: charge, rule: ITS-5, perod: [2025-05-01, 2025-05-31]}\n")
    assert errors(path) == ["9:33 E602 unknown field `perod` in expect[0] | did you mean `period`?"]


def test_absent_on_a_field_the_kind_does_not_have_is_an_error(tmp_path):
    # A charge has no `due` (obligations and invoices do): `absent: true` would pass whatever the ledger.
    path = scenario(tmp_path, "expect:\n  - {kind: charge, rule: ITS-5, due: 2025-05-31, absent: true}\n")
    (message,) = errors(path)
    assert message.startswith("9:33 E602 a charge entry has no `due`, so expect[0] can never match one")


def test_fields_no_kind_has_together_are_an_error(tmp_path):
    path = scenario(tmp_path, "expect:\n  - {party: customer, amount: 0, absent: true}\n")
    (message,) = errors(path)
    assert "no ledger entry has all of `party`, `amount`" in message


@pytest.mark.parametrize("item, expected", [
    ("{kind: charges, rule: ITS-5}", "did you mean `charge`?"),
    ("{kind: obligation, status: mett}", "did you mean `met`?"),
    ("{kind: charge, amount: lots}", "`amount:` of expect[0] must be an amount"),
    ("{kind: invoice, due: 2025-02-30}", "`due:` of expect[0] must be a date"),
    ("{kind: invoice, period: [2025-05-01]}", "`period:` of expect[0] must be a list of two dates"),
    ("{kind: charge, count: -1}", "`count:` of expect[0] must be a whole number"),
    ("{kind: charge, count: 0, absent: true}", "has both `count:` and `absent:`"),
    ("{absent: true}", "names no field besides `absent:`"),
    ("{kind: charge, rule: ITS-5, absent: allowed}", "names no figure"),
    ("{totals: {charges: 1}}", "did you mean `charge`?"),
    ("{totals: {charge: 1}, kind: charge}", "`totals:` stands alone"),
])
def test_malformed_expectations_are_errors(tmp_path, item, expected):
    path = scenario(tmp_path, f"expect:\n  - {item}\n")
    assert any(expected in e for e in errors(path)), errors(path)


# ------------------------------------------------------------------ a run that tests nothing fails


def test_a_file_whose_every_item_is_malformed_fails(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {perod: x}\n  - just text\n")
    code, out, _ = yakkan_test(capsys, path)
    assert code == 1
    assert f"FAIL {path}" in out and "unknown field `perod`" in out and out.rstrip().endswith("0 passed, 1 failed")


def test_an_expect_mapping_fails_and_says_to_write_a_list(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  kind: charge\n  amount: 4500\n")
    code, out, _ = yakkan_test(capsys, path)
    assert code == 1 and "`expect:` must be a list of expected ledger entries, but it is a mapping" in out


def test_an_empty_expect_fails(capsys, tmp_path):
    path = scenario(tmp_path, "expect: []\n")
    code, out, _ = yakkan_test(capsys, path)
    assert code == 1 and "`expect:` lists nothing" in out


def test_invalid_events_fail_even_with_malformed_expectations(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {perod: x}\n")
    path.write_text(path.read_text().replace("desired_end: 2025-05-31", "desired_end: 2025-05-32"))
    code, out, _ = yakkan_test(capsys, path)
    assert code == 1 and "E606" in out and "E602" in out


def test_an_empty_folder_fails(capsys, tmp_path):
    code, out, err = yakkan_test(capsys, tmp_path)
    assert code == 1 and "nothing was tested" in err


def test_a_folder_of_scenarios_without_expect_fails(capsys, tmp_path):
    (tmp_path / CONTRACT.name).write_text(CONTRACT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "plain.yaml").write_text(f"contract: {CONTRACT.name}\n" + EVENTS, encoding="utf-8")
    code, out, err = yakkan_test(capsys, tmp_path)
    assert code == 1 and "nothing was tested" in err


# ------------------------------------------------------------------ the new expectations


@pytest.mark.parametrize("item, passes", [
    # ITS-5 monthly fees: April is free (ITS-6 第30条第3項), May is billed: exactly one.
    ("{kind: charge, rule: ITS-5, count: 1}", True),
    ("{kind: charge, rule: ITS-5, count: 2}", False),
    ("{kind: invoice, count: 2}", True),
    ("{kind: credit, count: 0}", True),
    # Ledger totals: 20,000 + 4,500 + 4,500 = 29,000; tax 2,000 + 900 = 2,900.
    ("{totals: {charge: 29000, credit: 0, tax: 2900}}", True),
    ("{totals: {charge: \"29,000\"}}", True),
    ("{totals: {tax: 2899}}", False),
    # An invoice's total is amount + tax: 9,000 + 900 = 9,900.
    ("{kind: invoice, period: [2025-05-01, 2025-05-31], total: 9900}", True),
    ("{kind: invoice, period: [2025-05-01, 2025-05-31], total: 9000}", False),
    # "0 or no entry": there is no SLA credit (ITS-15) at all, and the ITS-3 charge is 4,500, not 0.
    ("{kind: credit, rule: ITS-15, amount: 0, absent: allowed}", True),
    ("{kind: charge, rule: ITS-3, amount: 4500, absent: allowed}", True),
    ("{kind: charge, rule: ITS-3, amount: 0, absent: allowed}", False),
])
def test_new_expectations(capsys, tmp_path, item, passes):
    path = scenario(tmp_path, f"expect:\n  - {item}\n")
    assert errors(path) == []
    code, out, _ = yakkan_test(capsys, path)
    assert (code == 0) is passes, out


def test_count_failure_lists_the_entries_found(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {kind: invoice, count: 3}\n")
    _, out, _ = yakkan_test(capsys, path)
    assert "expected 3 entries {kind: invoice, count: 3}" not in out  # count is not a field of the entries
    assert "expected 3 entries {kind: invoice}, found 2: E14, E18" in out


def test_totals_mismatch_names_the_total(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {totals: {charge: 30000, tax: 2900}}\n")
    _, out, _ = yakkan_test(capsys, path)
    assert "totals.charge: expected 30,000, got 29,000" in out and "totals.tax" not in out


# ------------------------------------------------------------------ mismatches field by field


def test_a_mismatch_is_shown_field_by_field_against_the_closest_entry(capsys, tmp_path):
    # May's fee is 4,500 for 2025-05-01–05-31 (E16); the item expects 4,501 and the wrong due date of nothing.
    path = scenario(tmp_path, "expect:\n  - {kind: charge, rule: ITS-5, period: [2025-05-01, 2025-05-31], "
                              "amount: 4501}\n")
    code, out, _ = yakkan_test(capsys, path)
    assert code == 1
    assert "amount: expected 4,501, got 4,500 (E16, period 2025-05-01–05-31)" in out
    assert "period: expected" not in out  # only the fields that differ
    assert "{'kind'" not in out  # no Python dicts
    assert "利用料金（月額）" in out  # the closest entry explained


def test_the_closest_entry_is_the_one_agreeing_on_most_fields(capsys, tmp_path):
    # Two invoices: 2025-04 (20,000) and 2025-05 (9,000). An item naming May's period with a wrong amount
    # is compared with May's invoice, not with the first invoice.
    path = scenario(tmp_path, "expect:\n  - {kind: invoice, period: [2025-05-01, 2025-05-31], amount: 9100}\n")
    _, out, _ = yakkan_test(capsys, path)
    assert "amount: expected 9,100, got 9,000 (E18, period 2025-05-01–05-31)" in out
    assert "E14" not in out.split("FAIL")[1].split("\n")[1]


def test_no_entry_of_the_rule_says_so(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {kind: credit, rule: ITS-15, amount: 100}\n")
    _, out, _ = yakkan_test(capsys, path)
    assert "the ledger has no entry with kind credit, rule ITS-15" in out


def test_absent_failure_lists_the_entries_in_the_way(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {kind: charge, rule: ITS-3, absent: true}\n")
    _, out, _ = yakkan_test(capsys, path)
    assert "expected no entry {kind: charge, rule: ITS-3}, found 1" in out
    assert "E15, period 2025-06-01–06-30: charge ITS-3 「残余期間に相当する額」 4,500" in out


def test_span_text_drops_the_year_only_when_it_repeats():
    assert span_text("2025-09-01", "2025-09-30") == "2025-09-01–09-30"
    assert span_text("2025-12-16", "2026-01-15") == "2025-12-16–2026-01-15"


# ------------------------------------------------------------------ the contract on the command line


def test_the_contract_can_be_given_on_the_command_line(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {kind: charge, rule: ITS-3, amount: 4500}\n", contract=False)
    code, out, _ = yakkan_test(capsys, CONTRACT, path)
    assert code == 0 and out.rstrip().endswith("1 passed, 0 failed")
    code, out, _ = yakkan_test(capsys, path)  # without it, the scenario names no contract
    assert code == 1 and "E609" in out


def test_a_missing_contract_on_the_command_line_is_a_bad_invocation(capsys, tmp_path):
    path = scenario(tmp_path, "expect:\n  - {kind: charge, rule: ITS-3, amount: 4500}\n", contract=False)
    code, _, err = yakkan_test(capsys, tmp_path / "nope.ctr", path)
    assert code == 2 and "no such contract" in err


# ------------------------------------------------------------------ the pytest plugin, in another repository


def test_the_pytest_plugin_collects_scenarios_in_any_repository(tmp_path):
    repo = tmp_path / "terms repo"
    (repo / "規約").mkdir(parents=True)
    (repo / ".git").mkdir()  # a repository: its scenarios may name contracts anywhere inside it
    (repo / "規約" / "hosting.ctr").write_text(CONTRACT.read_text(encoding="utf-8"), encoding="utf-8")
    cases = repo / "cases"
    cases.mkdir()
    head = "contract: ../規約/hosting.ctr\n" + EVENTS
    (cases / "good.yaml").write_text(head + "expect:\n  - {kind: charge, rule: ITS-3, amount: 4500}\n",
                                     encoding="utf-8")
    (cases / "bad amount.yaml").write_text(head + "expect:\n  - {kind: charge, rule: ITS-3, amount: 4501}\n",
                                           encoding="utf-8")
    (cases / "misspelt.yml").write_text(head + "expect:\n  - {kind: charge, rule: ITS-3, amout: 4500}\n",
                                        encoding="utf-8")
    (cases / "no-expect.yaml").write_text(head, encoding="utf-8")  # a scenario, not a test
    (repo / "config.yaml").write_text("name: not a scenario\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q"], cwd=repo,
                          capture_output=True, text=True, timeout=300)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "PASSED cases/good.yaml::good" in out
    assert "FAILED cases/bad amount.yaml::bad amount" in out
    assert "FAILED cases/misspelt.yml::misspelt" in out
    assert "amount: expected 4,501, got 4,500 (E15, period 2025-06-01–06-30)" in out
    assert "did you mean `amount`?" in out
    assert "no-expect" not in out and "config" not in out
    assert "1 failed" not in out and "2 failed, 1 passed" in out
    # `yakkan_scenarios` narrows what is collected
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q",
                           "-o", "yakkan_scenarios=cases/good.*"], cwd=repo, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and "PASSED cases/good.yaml::good" in done.stdout and "bad" not in done.stdout


# ------------------------------------------------------------------ every real entry can be expected


def test_every_entry_of_every_bundled_ledger_can_be_expected_with_all_its_fields(tmp_path):
    """The fields allowed per kind (interpreter/run/ledger.py, FIELDS_BY_KIND) are those the evaluation
    gives: an item naming every field of a real entry is accepted when read, and matches that entry."""
    import yaml

    from interpreter.run.ledger import entry_json
    from interpreter.run.runner import evaluate_files
    from interpreter.tools.expectations import check_expectations

    checked = 0
    for path in sorted((ROOT / "contracts" / "scenarios").rglob("*.yaml")):
        outcome = evaluate_files(None, str(path))
        assert outcome.ok, path
        items = [entry_json(e) for e in outcome.ledger.entries]
        copy = tmp_path / "all-fields.yaml"
        copy.write_text(yaml.safe_dump({"events": [], "expect": items}, allow_unicode=True), encoding="utf-8")
        scenario, diagnostics = load_scenario(str(copy))
        assert diagnostics == [], (path, diagnostics[:1])
        assert check_expectations(outcome.ledger, scenario.expect) == [], path
        checked += len(items)
    assert checked > 500


# ------------------------------------------------------------------ hostile expectations


def test_any_expectation_is_an_error_or_a_result_never_a_crash(tmp_path):
    """Whatever an `expect:` item holds, reading it gives diagnostics (never an exception), and the valid
    items are matched against a real ledger without an exception."""
    import yaml
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from interpreter.run.ledger import ENTRY_FIELDS
    from interpreter.run.runner import evaluate_files
    from interpreter.run.scenario import EXPECT_KEYS, TOTALS_KEYS
    from interpreter.tools.expectations import check_expectations

    outcome = evaluate_files(None, str(scenario(tmp_path, "")))
    assert outcome.ok
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                        st.sampled_from(["2025-05-31", "4,500", "charge", "met", "ITS-3", "allowed", "1e9"]))
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.sampled_from(TOTALS_KEYS + ("x",)), inner, max_size=3), max_leaves=6)
    keys = st.sampled_from(ENTRY_FIELDS + EXPECT_KEYS + ("perod", "amout", ""))
    items = st.lists(st.one_of(st.dictionaries(keys, values, max_size=4), values), max_size=4)

    @settings(max_examples=150)
    @given(items)
    def law(expect):
        text = yaml.safe_dump({"events": [], "expect": expect}, allow_unicode=True)
        loaded, _ = load_scenario("hostile.yaml", text.encode("utf-8"))
        check_expectations(outcome.ledger, loaded.expect)

    law()
