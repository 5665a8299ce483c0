"""`(next EVENT where COND)` and `(last EVENT where COND)`: the reply an event waits for, or the event a reply
answers, picked by a condition on the candidate rather than by position in the timeline."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from small_contract import evaluate_text, ledger_of

CONTRACT = (Path(__file__).parent / "good" / "next_where.ctr").read_text(encoding="utf-8")


def run(tmp_path, events: str):
    return ledger_of(tmp_path, CONTRACT, "as_of: 2025-04-30\nevents:\n" + events)


def states(ledger, label: str) -> list:
    return [e.value for e in ledger.entries if e.kind == "state" and e.rule == "FX-1" and e.label == label]


def test_each_order_takes_the_answer_that_names_it_not_the_one_that_follows_it(tmp_path):
    # order 1 on 04-01, order 2 on 04-02; 2 is answered on 04-03, 1 on 04-05. By position both would take 04-03.
    ledger = run(tmp_path, """\
  - {at: 2025-04-01, event: order, number: "1"}
  - {at: 2025-04-02, event: order, number: "2"}
  - {at: 2025-04-03, event: answer, answers: "2"}
  - {at: 2025-04-05, event: answer, answers: "1"}
""")
    assert states(ledger, "応答の日") == [date(2025, 4, 5), date(2025, 4, 3)]
    assert states(ledger, "直後の応答の日") == [date(2025, 4, 3), date(2025, 4, 3)]


def test_an_answer_naming_no_earlier_order_is_rejected_and_answers_nothing(tmp_path):
    # the answer of 04-01 names order "1", which arrives only on 04-02: rejected, so order 1 has no answer.
    ledger = run(tmp_path, """\
  - {at: 2025-04-01, event: answer, answers: "1"}
  - {at: 2025-04-02, event: order, number: "1"}
  - {at: 2025-04-03, event: answer, answers: "9"}
""")
    findings = [e for e in ledger.entries if e.kind == "finding" and e.rule == "FX-1"]
    assert [f.date for f in findings] == [date(2025, 4, 1), date(2025, 4, 3)]
    assert states(ledger, "応答の日") == [None]


def test_a_condition_that_is_not_true_or_false_is_a_check_error(tmp_path):
    bad = CONTRACT.replace("where answer.answers == order.number).date", "where answer.answers).date")
    outcome = evaluate_text(tmp_path, bad, "as_of: 2025-04-30\nevents: []\n")
    assert not outcome.ok
    assert any(d.code == "E302" for d in outcome.diagnostics)
