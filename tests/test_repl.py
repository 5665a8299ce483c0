"""`yakkan repl`: piped sessions through the installed command, the examples of docs/repl.md, completion,
and a session on a pseudo-terminal (prompt_toolkit, Tab completion, history)."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interpreter.tools.repl import history_path
from interpreter.tools.repl_commands import Session, needs_more, split_words

ROOT = Path(__file__).resolve().parent.parent
YAKKAN = str(Path(sys.executable).parent / "yakkan")
ITSCOM = "contracts/itscom-hosting.ctr"


def repl(script: str, *args: str, tmp_path: Path, merged: bool = False, cwd: Path = ROOT):
    # a fresh HOME, but the parser tables stay in the real user's cache (building them takes seconds)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), HOME=str(tmp_path / "home"), XDG_CACHE_HOME=cache)
    return subprocess.run([YAKKAN, "repl", *args], input=script, text=True, encoding="utf-8", cwd=cwd,
                          env=env, timeout=120, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT if merged else subprocess.PIPE)


# ------------------------------------------------------------------------------ piped sessions


SCRIPT = """\
2025-01-31 + 1 month
:deadline cancellation 2025-12-31
:event service_start plan=mail_secure_mx at=2025-04-01
:event cancel_notice desired_end=2025-05-31 at=2025-04-15
:ledger 2025-05-31
2026-03-20 previous business day
:events
:quit
1 yen + 1 yen
"""


def test_piped_script(tmp_path):
    result = repl(SCRIPT, ITSCOM, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "yakkan>" not in out  # no prompt decorations without a terminal
    lines = out.splitlines()
    assert lines[1] == "2025-02-28"
    # :deadline: the month end before 2025-12-31 is Sunday 2025-11-30, so the deadline is Friday 11-28
    assert "deadline: 2025-11-28 (Fri)" in out
    assert "2025-11-30 (Sun, 日曜日: not a business day)" in out
    assert "added #0: service_start at 2025-04-01 (plan=mail_secure_mx)" in out
    assert "added #1: cancel_notice at 2025-04-15 (desired_end=2025-05-31)" in out
    assert "2025-05-31 時点" in out  # the ledger in the contract's language
    assert re.search(r"E15 +残余期間に相当する額 +4,500 +ITS-3 第33条", out)
    assert re.search(r"契約者 +解約の通知 +期日 2025-04-30 +履行", out)
    # the mistake is on stderr, located as `yakkan check` locates it, and the session went on
    assert result.stderr.startswith("<input>:6:12: error[E102]: unexpected `previous`\n")
    assert "   6 | 2026-03-20 previous business day" in result.stderr
    assert "#1  cancel_notice at 2025-04-15" in out  # :events after the error: nothing was lost
    assert "2 yen" not in out  # nothing runs after :quit


def test_end_of_input_ends_the_session(tmp_path):
    result = repl("10,000 yen × 10%\n", tmp_path=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1,000 yen\n", "")


def test_without_a_contract_the_calendar_is_japans(tmp_path):
    # 2026-03-20 is 春分の日 (a Friday): the business day on or before it is Thursday 03-19
    result = repl("business day on or before 2026-03-20\nexpiry of 3 months counting from 2025-04-01\n"
                  "令和7年4月1日\n", tmp_path=tmp_path)
    assert result.stdout.splitlines() == ["2026-03-19", "2025-06-30", "2025-04-01"]


def test_contract_calendar_is_used(tmp_path):
    text = (ROOT / ITSCOM).read_text(encoding="utf-8").replace(
        "weekend saturday, sunday;", "weekend saturday, sunday; closed 2025-11-28;")
    contract = tmp_path / "closed.ctr"
    contract.write_text(text, encoding="utf-8")
    result = repl(":deadline cancellation 2025-12-31\nbusiness day on or before 2025-11-30\n", str(contract),
                  tmp_path=tmp_path)
    assert "deadline: 2025-11-27 (Thu)" in result.stdout, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "2025-11-27"


def test_a_bad_event_is_not_added_and_nothing_is_lost(tmp_path):
    script = (":event service_start plan=mail_secure_mx at=2025-04-01\n"
              ":event cancel_notice desired_end=2025-13-31 at=2025-04-15\n"
              ":event cancel_notice at=2025-04-15\n"
              ":event outage at=2025-04-15\n"
              ":event no_such_event at=2025-04-15\n"
              ":events\n")
    result = repl(script, ITSCOM, tmp_path=tmp_path)
    assert "<input>:2:34: error[E606]" in result.stderr
    assert "<input>:3:8: error[E604]: event `cancel_notice` needs the field `desired_end`" in result.stderr
    assert "<input>:4:8: error[E604]: event `outage` needs the field `until`" in result.stderr
    assert "<input>:5:8: error[E603]: the contract declares no event `no_such_event`" in result.stderr
    assert result.stdout.splitlines()[-1] == "#0  service_start at 2025-04-01 (plan=mail_secure_mx)"
    assert result.stdout.count("added #") == 1


def test_undo_and_explain(tmp_path):
    script = (":event service_start plan=www at=2025-04-01\n"
              ":event cancel_notice desired_end=2025-05-31 at=2025-04-15\n"
              ":undo\n:events\n:ledger 2025-05-31\n:explain E11\n:explain E99\n:undo\n:undo\n")
    result = repl(script, ITSCOM, tmp_path=tmp_path)
    out = result.stdout
    assert "removed #1: cancel_notice at 2025-04-15" in out
    assert "#1" not in out.split("removed #1")[1].split("as of")[0]  # :events shows #0 only
    assert "E11 charge: 加入料: WWW サーバホスティングサービス — 20,000 yen (+ tax 2,000)" in out
    assert "removed #0: service_start" in out
    assert "<input>:7:10: error[E201]: no entry E99" in result.stderr
    assert "error[E404]: there is no event to remove" in result.stderr


def test_deadline_for_a_date_that_is_not_allowed(tmp_path):
    result = repl(":deadline cancellation 2025-12-15\n:deadline option_cancellation 2025-09-01\n"
                  ":deadline cancelation 2025-12-31\n:deadline cancellation 2025-12-31 + 1 yen\n", ITSCOM,
                  tmp_path=tmp_path)
    out = result.stdout
    assert ("2025-12-15 is not an allowed date (month_end): the first allowed date on or after it is 2025-12-31"
            in out)
    assert "deadline: 2025-11-28 (Fri), 33 days before 2025-12-31" in out
    assert "deadline: 2025-07-31 (Thu), 32 days before 2025-09-01" in out  # 前々月末日, no business-day rule
    assert "<input>:3:11: error[E201]: the contract has no notice `cancelation`" in result.stderr
    assert "did you mean `cancellation`?" in result.stderr
    assert "<input>:4:24: error[E301]" in result.stderr


def test_params_and_version(tmp_path):
    result = repl(":params mailing_list_rate=100 seats=3\n:params purpose_failure_settlement=maybe\n"
                  ":params mailing_list_rate=100\n:params\n", ITSCOM, tmp_path=tmp_path)
    assert "<input>:1:31: error[E607]: the contract has no parameter `seats`" in result.stderr
    assert "<input>:2:36: error[E606]" in result.stderr
    assert result.stdout.splitlines()[1:3] == ["mailing_list_rate = 100 yen", "mailing_list_rate = 100 yen  "
                                               "メーリングリストオプションのアカウント使用料（1メーリングリストあたり、当社が別途示す金額）"]
    airnet = repl(":version 2025-08-11\n:version 2025-08-12\n", "contracts/airnet-allinone.ctr", tmp_path=tmp_path)
    assert "2025-08-11: version current 「現行約款」" in airnet.stdout
    assert "2025-08-12: version revised 「改定後約款」, in force from 2025-08-12" in airnet.stdout


def test_save_writes_a_scenario_that_run_reads(tmp_path):
    saved = tmp_path / "case.yaml"
    script = (f":params mailing_list_rate=100\n"
              f":event service_start plan=mail_secure_mx at=2025-04-01\n"
              f':event domain_request work=registration tld=gtld at="2025-05-10 09:30"\n'
              f":event cancel_notice desired_end=2025-07-31 at=2025-06-10\n"
              f":save {saved}\n:ledger\n")
    session = repl(script, ITSCOM, tmp_path=tmp_path)
    assert session.stderr == ""
    assert f"saved 1 parameters and 3 events to {saved}" in session.stdout
    run = subprocess.run([YAKKAN, "run", "--scenario", str(saved), "--root", os.path.commonpath([saved, ROOT])],
                         capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    ledger = session.stdout.split(f"to {saved}\n")[1]
    assert ledger.strip() == run.stdout.strip().replace(str(Path(run.stdout.split("(")[1].split(",")[0])),
                                                        str(Path(ledger.split("(")[1].split(",")[0])))
    reread = repl(f":scenario {saved}\n:events\n", "--root", os.path.commonpath([saved, ROOT]), tmp_path=tmp_path)
    assert "3 events and 1 parameters" in reread.stdout
    assert "#1  domain_request at 2025-05-10 09:30 (work=registration, tld=gtld)" in reread.stdout


def test_load_reports_errors_as_check_does(tmp_path):
    bad = tmp_path / "bad.ctr"
    bad.write_text('contract x "x" { currency JPY; }\nrule X-1 第1条 { state s = 1 yen + 1 day; }\n', encoding="utf-8")
    check = subprocess.run([YAKKAN, "check", str(bad)], capture_output=True, text=True, timeout=120)
    session = repl(f":load {bad}\n1 yen\n", tmp_path=tmp_path)
    assert check.stdout.strip() and check.stdout.strip() in session.stderr
    assert session.stdout == "1 yen\n"


def test_history_path_follows_xdg_state_home(tmp_path):
    assert history_path({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "yakkan" / "history"
    assert history_path({}) == Path.home() / ".local" / "state" / "yakkan" / "history"


def test_multi_line_input():
    assert needs_more("tier 99.5% {") and needs_more("(1 yen")
    assert not needs_more("(1 yen)") and not needs_more('"(" + 1') and not needs_more("1 # (")
    assert not needs_more(":deadline (")
    assert [w.text for w in split_words(':event x a="b c" d=「e f」 at=1')] == [
        ":event", "x", 'a="b c"', "d=「e f」", "at=1"]


# ------------------------------------------------------------------------------ docs/repl.md


def console_blocks() -> list[tuple[int, list[str]]]:
    lines = (ROOT / "docs" / "repl.md").read_text(encoding="utf-8").split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```console":
            start, block = i + 1, []
            i += 1
            while lines[i].strip() != "```":
                block.append(lines[i])
                i += 1
            blocks.append((start + 1, block))
        i += 1
    return blocks


def test_docs_have_examples():
    blocks = console_blocks()
    assert len(blocks) >= 6
    assert all(b[0].startswith("$ yakkan repl") for _, b in blocks)
    assert all(any(x.startswith("yakkan> ") for x in b) for _, b in blocks)


@pytest.mark.parametrize("block", console_blocks(), ids=lambda b: f"line{b[0]}")
def test_docs_example(block, tmp_path):
    _, lines = block
    args = lines[0].split()[3:]
    inputs = [x[8:] for x in lines[1:] if x.startswith(("yakkan> ", "   ...> "))]
    expected = [x for x in lines if not x.startswith(("$ ", "yakkan> ", "   ...> "))]
    result = repl("\n".join(inputs) + "\n", *args, tmp_path=tmp_path, merged=True)
    assert result.returncode == 0
    assert normal(result.stdout.rstrip("\n").split("\n")) == normal(expected)


def normal(lines: list[str]) -> list[str]:
    """Line numbers in contract files are not compared: the contracts are edited (and reformatted)."""
    return [re.sub(r"(\.ctr):\d+", r"\1:N", x) for x in lines]


# ------------------------------------------------------------------------------ completion


def completions(session: Session, text: str) -> list[str]:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from interpreter.tools.repl import _completer

    return [c.text for c in _completer(session).get_completions(Document(text, len(text)), CompleteEvent())]


def test_completion():
    session = Session(io.StringIO(), io.StringIO(), cwd=str(ROOT))
    assert completions(session, ":dead") == [":deadline"]
    assert set(completions(session, ":e")) == {":event", ":events", ":explain"}
    assert "expiry" in completions(session, "exp")
    session.execute(f":load {ITSCOM}")
    assert completions(session, ":deadline canc") == ["cancellation"]
    assert completions(session, ":event cancel_") == ["cancel_notice"]
    assert completions(session, ":event cancel_notice ") == ["desired_end=", "at="]
    assert completions(session, ":params maili") == ["mailing_list_rate="]
    assert "mail_secure_mx" in completions(session, "mail_sec")  # items
    assert "ITS-21" in completions(session, "ITS-2")  # rule ids
    assert "provider" in completions(session, "provid")  # enum cases (and the keyword)
    assert "acts" in completions(session, ":load contr")  # file names: :load contr<Tab> gives contracts


def test_completion_of_values_after_the_equals_sign():
    session = Session(io.StringIO(), io.StringIO(), cwd=str(ROOT))
    session.execute(f":load {ITSCOM}")
    # service_start's `plan: plan`: the contract's plans (www, mail_secure_mx, mail_standard, …)
    plans = completions(session, ":event service_start plan=")
    assert plans[:3] == ["www", "mail_secure_mx", "mail_standard"] and "mini_pack" in plans
    assert completions(session, ":event service_start plan=mail_s") == ["mail_secure_mx", "mail_standard",
                                                                        "mail_secure"]
    assert completions(session, ":event outage cause=") == ["provider", "customer"]  # enum cause
    assert completions(session, ":params purpose_failure_settlement=") == ["none", "settled"]
    assert completions(session, ":params digital_id_fee=") == []  # money: nothing to offer
    assert "exit" in completions(session, "ex") and "help" in completions(session, "he")


def test_help_exit_and_quit_are_words(tmp_path):
    done = repl("help\n1 + 1\nexit\n2 + 2\n", tmp_path=tmp_path)
    assert ":clear" in done.stdout and "2\n" in done.stdout and "4" not in done.stdout.split(":quit")[-1]
    assert done.returncode == 0 and done.stderr == ""
    done = repl("quit\n2 + 2\n", tmp_path=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")


def test_load_of_another_contract_starts_clean_and_clear_empties_the_timeline():
    out = io.StringIO()
    session = Session(out, io.StringIO(), cwd=str(ROOT))
    session.execute(f":load {ITSCOM}")
    session.execute(":params mailing_list_rate=100")
    session.execute(":event service_start plan=mail_secure_mx at=2025-04-01")
    session.execute(":load contracts/iij-secure-mx.ctr")
    assert "started clean: dropped the 1 event and 1 parameter of the previous contract" in out.getvalue()
    assert session.events == [] and session.params == {}
    session.execute(":event service_start billing_start=2025-04-01 accounts=10 at=2025-04-01")
    session.execute(":clear")
    assert out.getvalue().rstrip().endswith("cleared 1 event") and session.events == []
    assert session.model is not None  # the contract stays


# ------------------------------------------------------------------------------ a terminal session


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")


class Screen:
    """What a pseudo-terminal shows, without escape sequences, read until a pattern appears."""

    def __init__(self, child):
        self.child = child
        self.text = ""

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        import pexpect

        deadline = time.monotonic() + timeout
        while not re.search(pattern, ANSI.sub("", self.text)):
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} did not appear; the screen shows:\n{ANSI.sub('', self.text)}")
            try:
                self.text += self.child.read_nonblocking(4096, timeout=1)
            except pexpect.TIMEOUT:
                continue
        shown = ANSI.sub("", self.text)
        self.text = ""
        return shown


def test_terminal_session(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    home, state = tmp_path / "home", tmp_path / "state"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_STATE_HOME=str(state), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(YAKKAN, ["repl", ITSCOM], cwd=str(ROOT), env=env, encoding="utf-8", timeout=60,
                          dimensions=(50, 200))
    screen = Screen(child)
    try:
        screen.wait_for(r"yakkan>")
        child.send("2025-01-31 + 1 month\r")
        assert "2025-02-28" in screen.wait_for(r"2025-02-28(.|\n)*yakkan>")
        child.send(":dead\t")  # Tab completes the command's name
        assert ":deadline" in screen.wait_for(r":deadline")
        child.send(" cancellation 2025-12-31\r")
        shown = screen.wait_for(r"deadline: 2025-11-28(.|\n)*yakkan>")
        assert ":deadline cancellation 2025-12-31" in shown
        assert "2025-11-30 (Sun, 日曜日: not a business day)" in shown
        child.send("(10,000 yen\r")  # an open bracket continues the input
        screen.wait_for(r"\.\.\.>")
        child.send("+ 500 yen) × 2\r")
        screen.wait_for(r"21,000 yen(.|\n)*yakkan>")
        child.send("2026-03-20 previous business day\r")
        assert "error[E102]: unexpected `previous`" in screen.wait_for(r"1 error(.|\n)*yakkan>")
        child.send(":quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    history = (state / "yakkan" / "history").read_text(encoding="utf-8")
    for typed in ("2025-01-31 + 1 month", ":deadline cancellation 2025-12-31", "+2026-03-20 previous business day",
                  ":quit"):
        assert typed in history  # everything typed is kept, mistakes too
    assert "+(10,000 yen\n++ 500 yen) × 2" in history  # a multi-line input is one history entry
    assert not (home / ".local").exists()  # XDG_STATE_HOME was honoured
