"""Hostile values: each case of issue 13 gets exit 1 and a `FILE:LINE:COL: error[CODE]` line, never a traceback.

Every case is the small contract BASE with one statement changed; the scenario starts the service on
2025-04-01 and gives notice on 2025-06-10 for 2025-07-31."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from interpreter.cli import main

BASE = """\
contract t "テスト" {
  provider "例示株式会社";
  document "利用規約" revised 2024-04-01;
  currency JPY;
}
conventions { periods civil_code; month_end clamp; first_month full; last_month full; }
calendar business "営業日" { holidays japan; weekend saturday, sunday; }
plan basic "ベーシック";
event service_start { starts contract, starts basic; }
event cancel_notice { desired_end: date; }
event payment { amount: money; }
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for basic;
}
rule T-2 第2条 "解約" {
  notice cancellation "解約" by customer on cancel_notice {
    effective cancel_notice.desired_end;
    due effective - 30 days;
    effect ends contract;
  }
}
rule T-3 第3条 "最低利用期間" {
  minimum term 1 month counting from service_start;
}
rule T-4 第4条 "遅延損害金" {
  invoice due closing paid by payment;
  interest 14.6% per year { days from due + 1 day through paid - 1 day; year of 365 days; }
  rounding floor to 1 yen;
}
"""
SCENARIO = """\
contract: case.ctr
events:
  - {at: 2025-04-01, event: service_start}
  - {at: 2025-06-10, event: cancel_notice, desired_end: 2025-07-31}
"""


def outcome(tmp_path: Path, capsys, old: str, new: str, scenario: str = SCENARIO) -> tuple[int, str]:
    assert old in BASE or old in scenario
    (tmp_path / "case.ctr").write_text(BASE.replace(old, new), encoding="utf-8")
    (tmp_path / "case.yaml").write_text(scenario.replace(old, new), encoding="utf-8")
    code = main(["run", "--scenario", str(tmp_path / "case.yaml")])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


def test_the_base_case_runs(tmp_path, capsys):
    code, err = outcome(tmp_path, capsys, "", "")
    assert code == 0, err


# (name, text replaced, replacement, file, line, column, code, a fragment of the message)
CASES = [
    # a word that is not a unit is not a duration: `- 1 obligation`
    ("not-a-unit", "due effective - 30 days;", "due effective - 1 obligation;",
     "case.ctr", 18, 21, "E201", "unknown unit `obligation`"),
    # 2^31 days before a date in 2025 is before year 1
    ("days-beyond-the-calendar", "due effective - 30 days;", "due effective - 2147483648 days;",
     "case.ctr", 18, 9, "E611", "outside 0001-01-01..9999-12-31"),
    ("past-9999", "due effective - 30 days;", "due 9999-12-31 + 1 day;",
     "case.ctr", 18, 9, "E611", "outside 0001-01-01..9999-12-31"),
    # 2025-04-01 + 1,000,000 months is in the year 85358
    ("million-months", "minimum term 1 month", "minimum term 1,000,000 months",
     "case.ctr", 23, 3, "E611", "+1,000,000 months from 2025-04-01 falls outside"),
    ("negative-term", "minimum term 1 month", "minimum term -1 month",
     "case.ctr", 23, 16, "E406", "a minimum term is a positive whole number"),
    ("fraction-of-a-month", "minimum term 1 month", "minimum term 1.5 months",
     "case.ctr", 23, 16, "E406", "a minimum term is a positive whole number"),
    ("fee-for-a-number", "monthly fee 1,000 yen for basic;", "monthly fee 1,000 yen for 18;",
     "case.ctr", 13, 29, "E208", "this is not an item"),
    ("round-to-zero", "rounding floor to 1 yen", "rounding floor to 0 yen",
     "case.ctr", 28, 21, "E406", "rounded to a positive unit, not to 0 yen"),
    ("5001-digit-amount", "monthly fee 1,000 yen", "monthly fee 1" + "0" * 5000 + " yen",
     "case.ctr", 13, 15, "E108", "it has 5,001 digits before the point"),
    # 29 digits: Python's default context would round this to 28 significant digits without a word
    ("29-digit-amount", "monthly fee 1,000 yen", "monthly fee 12345678901234567890123456789 yen",
     "case.ctr", 13, 15, "E108", "it has 29 digits before the point"),
    # 999,999,999,999,999,999 × 100,000,000 ≈ 10^26: an error, where Python's default context would have
    # rounded to 28 digits further on without a word
    ("amount-beyond-10^25", "monthly fee 1,000 yen for basic;",
     "monthly fee 999,999,999,999,999,999 yen × 100,000,000 for basic;",
     "case.ctr", 13, 15, "E611", "a value reaches 10^25"),
    ("billing-start-from-itself", "monthly fee 1,000 yen for basic;",
     "monthly fee 1,000 yen for basic;\n  billing from contract.billing_start;",
     "case.ctr", 14, 16, "E406", "`billing from` defines `contract.billing_start`, so it cannot be computed"),
    ("term-end-from-itself", "minimum term 1 month counting from service_start;",
     "term 1 year counting from contract.term_end renews for 1 year;",
     "case.ctr", 23, 29, "E406", "`term` defines `contract.term_end`, so it cannot be computed from it"),
    # through each other: found while evaluating, where it would have recursed without end
    ("billing-and-term-from-each-other", "minimum term 1 month counting from service_start;",
     "term 1 year counting from contract.billing_start renews for 1 year;\n  billing from contract.term_end;",
     "case.ctr", 23, 3, "E406", "is computed from itself"),
    # found by fuzzing: a period of no days has no last day
    ("expiry-of-no-days", "due effective - 30 days;", "due expiry of 0 days after effective;",
     "case.ctr", 18, 19, "E406", "a period is a positive whole number"),
    # found by fuzzing: a stand-in for a number out of range must not crash the deadline probe
    ("day-beyond-a-month", "due effective - 30 days;",
     "due business day on or before day 99999999999999999999999999999 of month before effective;",
     "case.ctr", 18, 39, "E108", "it has 29 digits before the point"),
    # found by fuzzing (7 times in 100,000): the checker's deadline probe evaluated `day 0 of month`
    ("day-0-of-a-month", "due effective - 30 days;", "due business day on or before day 0 of month before effective;",
     "case.ctr", 18, 39, "E107", "there is no day 0 in a month"),
    # found by fuzzing: an ordinal of 5,001 digits (Python refuses to turn more than 4,300 digits into an int)
    ("business-day-ordinal", "due effective - 30 days;",
     "due " + "1" + "0" * 5000 + "th business day counting from effective;",
     "case.ctr", 18, 9, "E108", "at most 1,000 are counted"),
    ("business-day-ordinal-beyond-the-bound", "due effective - 30 days;",
     "due 1001st business day counting from effective;",
     "case.ctr", 18, 9, "E108", "at most 1,000 are counted"),
    # an event in 2100 needs business days of 2100 (the notice's deadline is counted in business days)
    ("holiday-past-2099", "due effective - 30 days;", "due business day on or before effective - 30 days;",
     "case.ctr", 18, 9, "E611", "only known for 1949–2099, not for 2100"),
    ("scenario-amount", "  - {at: 2025-06-10, event: cancel_notice, desired_end: 2025-07-31}\n",
     "  - {at: 2025-06-10, event: cancel_notice, desired_end: 2025-07-31}\n  - {at: 2025-06-11, event: payment, "
     "amount: 1" + "0" * 5000 + "}\n", "case.yaml", 5, 46, "E606", "the number is out of range"),
]


@pytest.mark.parametrize("name, old, new, file, line, column, code, fragment", CASES, ids=[c[0] for c in CASES])
def test_hostile_value_is_a_located_error(tmp_path, capsys, name, old, new, file, line, column, code, fragment):
    scenario = SCENARIO
    if name == "holiday-past-2099":
        scenario = SCENARIO.replace("2025-07-31", "2100-01-31")
    code_, err = outcome(tmp_path, capsys, old, new, scenario)
    assert code_ == 1
    head = f"{tmp_path / file}:{line}:{column}: error[{code}]: "
    lines = [x for x in err.splitlines() if x.startswith(head)]
    assert lines, err
    assert fragment in lines[0], err


def test_a_date_and_a_date_time_compare_as_instants(tmp_path, capsys):
    # A date stands for 00:00 Japan time of its day: 2025-04-01 < 2025-04-01T10:00, and == 2025-04-01T00:00.
    code, err = outcome(tmp_path, capsys, "minimum term 1 month counting from service_start;",
                        "minimum term 1 month counting from service_start;\n"
                        "  state before_ten on service_start = service_start.date < 2025-04-01T10:00;\n"
                        "  state at_midnight on service_start = service_start.date == 2025-04-01T00:00;\n"
                        "  state after_ten on service_start = service_start.date > 2025-04-01T10:00;")
    assert code == 0, err
    assert main(["run", "--scenario", str(tmp_path / "case.yaml"), "--format", "json"]) == 0
    import json

    states = [e["value"] for e in json.loads(capsys.readouterr().out)["entries"]
              if e["kind"] == "state" and e["source"]["line"] in (24, 25, 26)]
    assert states == ["True", "True", "False"]


def test_the_largest_amount_below_the_bound_is_exact(tmp_path, capsys):
    # 999,999,999,999,999,999 × 10,000,000 = 9,999,999,999,999,999,990,000,000 (25 digits, below 10^25): billed
    # to the yen; the default context (28 digits) would have been exact here too, but not one digit further.
    code, err = outcome(tmp_path, capsys, "monthly fee 1,000 yen for basic;",
                        "monthly fee 999,999,999,999,999,999 yen × 10,000,000 for basic;")
    assert code == 0, err
    assert main(["run", "--scenario", str(tmp_path / "case.yaml"), "--format", "json"]) == 0
    import json

    amounts = {e["amount"] for e in json.loads(capsys.readouterr().out)["entries"] if e["kind"] == "charge"}
    assert amounts == {"9999999999999999990000000"}, amounts


def test_a_run_over_more_than_a_century_stops(tmp_path, capsys):
    # as_of 9999-12-31 asks for 95,900 months of fees and invoices; a run covers at most 1,200 (100 years).
    # The error is the run's as a whole, so it points at the scenario.
    code, err = outcome(tmp_path, capsys, "  - {at: 2025-06-10, event: cancel_notice, desired_end: 2025-07-31}\n",
                        "as_of: 9999-12-31\n")
    assert code == 1
    assert f"{tmp_path / 'case.yaml'}:1:1: error[E611]: cannot evaluate: the months from 2025-04-01 to " \
           "9999-12-31 are more than 1,200 (100 years)" in err


def test_a_deadline_with_a_time_of_day_is_checked_against_its_day(tmp_path, capsys):
    # Found by fuzzing: `effective - 30 days - 0.0000001 day` is a date-time (23:59:59.99… of 2025-07-00),
    # which the checker's deadline probe compared with a date. It is due on that day: 2025-06-30.
    code, err = outcome(tmp_path, capsys, "due effective - 30 days;", "due effective - 30 days - 0.0000001 day;")
    assert code == 0, err
    assert main(["run", "--scenario", str(tmp_path / "case.yaml"), "--format", "json"]) == 0
    import json

    (due,) = [e["due"] for e in json.loads(capsys.readouterr().out)["entries"] if e["label"] == "解約"]
    assert due.startswith("2025-06-30")


def test_a_nul_in_a_string_is_refused(tmp_path, capsys):
    code, err = outcome(tmp_path, capsys, '"ベーシック"', '"ベー\x00シック"')
    assert code == 1
    assert re.search(rf"^{re.escape(str(tmp_path / 'case.ctr'))}:8:15: error\[E105\]: .*NUL", err, re.M), err
    # the excerpt shows a mark in its place, never the character itself
    assert '   8 | plan basic "ベー\ufffdシック";' in err and "\x00" not in err


def test_a_contract_of_more_than_a_century_stops_with_no_monthly_emit(tmp_path):
    # Started 1900-04-01 and ended 2025-05-01: 1900-04 to 2025-05 is 125 × 12 + 1 = 1,501 months, more than the
    # 1,200 a run covers. With the contract ended, the horizon is its end (no span checked there), and the
    # contract has no monthly fee: only the walk over the contract's months for `for each month` emits sees the
    # span. A contract with no such emit does not walk them, and is refused all the same.
    from tests.small_contract import HEADER, evaluate_text

    contract = HEADER + """
event service_start { starts contract; }
event cancel "解約" { ends contract; }
event payment { amount: money; }
rule T-1 第1条 "手数料" {
  charge other "手数料" on payment = 100 yen;
}
"""
    outcome = evaluate_text(tmp_path, contract, "as_of: 2025-06-01\nevents:\n"
                            "  - {at: 1900-04-01, event: service_start}\n"
                            "  - {at: 2025-05-01, event: cancel}\n"
                            "  - {at: 2025-05-02, event: payment, amount: 100}\n")
    assert outcome.ledger is None
    assert [(d.code, d.message) for d in outcome.diagnostics] == [
        ("E611", "cannot evaluate: the months from 1900-04-01 to 2025-05-01 are more than 1,200 (100 years), "
                 "the longest span a run covers; is `as_of` or a date years away?")]
