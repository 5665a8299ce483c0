"""`yakkan lsp`, driven over the Language Server Protocol: the installed command runs as a subprocess and
the tests speak JSON-RPC to it (tests/lsp_client.py), as an editor would."""
from __future__ import annotations

from pathlib import Path

import pytest

from interpreter.tools.fmt import format_text
from interpreter.loader import load_contract
from lsp_client import LspClient

ROOT = Path(__file__).resolve().parent.parent

# A contract written for these tests. Line numbers matter (0-based in the protocol): see `at`.
CONTRACT = """\
contract t "テスト契約" {
  provider "例示株式会社";
  document "利用規約" revised 2024-04-01;
  currency JPY;
}

conventions {
  first_month full;
  last_month full;
}

calendar business "当社の営業日" {
  holidays japan;
  weekend saturday, sunday;
  closed every 12-29 .. 01-03 "年末年始";
}

plan basic "ベーシック";
param campaign_end: date = 令和7年12月29日 "キャンペーン終了日";
event service_start "サービス開始" { plan: plan; starts contract; }
event cancel_notice "解約通知" { desired_end: date "解約希望日"; }

rule T-1 第10条 "月額料金" {
  monthly fee 1,000 yen for basic from 2025-05-05;
}

rule T-2 第12条第1項 "契約者が行う解約" {
  notice cancellation "解約の通知" by customer on cancel_notice {
    effective cancel_notice.desired_end;
    due business day on or before end of month before effective;
    effect ends contract;
  }
}
"""


def at(text: str, needle: str, delta: int = 0, nth: int = 0) -> dict:
    """The protocol position (0-based line, UTF-16 character) of the nth occurrence of needle, plus delta."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += delta
    line = text.count("\n", 0, offset)
    before = text[text.rfind("\n", 0, offset) + 1 : offset]
    return {"line": line, "character": len(before.encode("utf-16-le")) // 2}


@pytest.fixture(scope="module")
def server():
    client = LspClient(ROOT)
    client.initialized = client.initialize(ROOT)
    yield client
    assert client.close() == 0  # shutdown, then exit: the process ends cleanly


def doc(name: str) -> str:
    return (ROOT / "tests" / name).as_uri()


def test_capabilities(server):
    result = server.initialized
    caps = result["capabilities"]
    assert result["serverInfo"]["name"] == "yakkan"
    assert caps["hoverProvider"] and caps["definitionProvider"] and caps["documentFormattingProvider"]
    assert caps["documentSymbolProvider"] and caps["completionProvider"]["triggerCharacters"] == ["."]
    assert caps["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
    assert caps["textDocumentSync"]["change"] == 1  # whole documents


def test_diagnostics_are_those_of_check(server):
    path = ROOT / "tests" / "errors" / "E201-unknown.ctr"
    text = path.read_text(encoding="utf-8")
    published = server.open(path.as_uri(), text)
    _, expected, _ = load_contract(str(path))
    assert len(expected) == 4
    assert sorted((d["code"], d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1)
                  for d in published) == sorted((d.code, d.span.line, d.span.column) for d in expected)
    by_line = {d["range"]["start"]["line"] + 1: d for d in published}
    unknown = by_line[17]  # `floorr(100 yen)`: message and hint as `check` prints them
    assert unknown["message"] == "unknown function `floorr`\nhint: did you mean `floor`?"
    assert unknown["severity"] == 1 and unknown["source"] == "yakkan"


def test_diagnostics_follow_typing(server):
    uri = doc("typing.ctr")
    assert server.open(uri, CONTRACT) == []
    # Half-way through typing a statement: a syntax error where the rule's brace closes.
    broken = CONTRACT.replace("monthly fee 1,000 yen for basic from 2025-05-05;", "monthly fee 1,000 yen for")
    (problem,) = server.change(uri, broken, 2)
    assert problem["code"] == "E102" and problem["range"]["start"] == at(broken, "for\n}", 4)
    # A name misspelt: the checker's E204 with its hint.
    misspelt = CONTRACT.replace("for basic from", "for basik from")
    (problem,) = server.change(uri, misspelt, 3)
    assert problem["code"] == "E204" and "did you mean `basic`?" in problem["message"]
    assert problem["range"]["start"] == at(misspelt, "basik")
    assert server.change(uri, CONTRACT, 4) == []


def hover(server, uri: str, position: dict) -> str | None:
    result = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
    return result["contents"]["value"] if result else None


def test_hover(server):
    uri = doc("hover.ctr")
    server.open(uri, CONTRACT)
    # A name: its declaration and label.
    text = hover(server, uri, at(CONTRACT, "basic from", 2))
    line = CONTRACT[: CONTRACT.index("plan basic")].count("\n") + 1
    assert "plan basic" in text and "ベーシック" in text and f"line {line}" in text
    # A field after `event.`: the field's type and label.
    text = hover(server, uri, at(CONTRACT, "desired_end;", 3))
    assert "desired_end: date" in text and "解約希望日" in text and "cancel_notice" in text
    # A rule id: its article and title.
    text = hover(server, uri, at(CONTRACT, "T-2", 1))
    assert "第12条第1項" in text and "契約者が行う解約" in text
    # The article in a rule's header tells of the same rule.
    assert hover(server, uri, at(CONTRACT, "第12条第1項", 3)) == text
    # 2025-05-05 is a Monday and こどもの日, a national holiday: not a business day.
    text = hover(server, uri, at(CONTRACT, "2025-05-05", 4))
    assert "Monday" in text and "not a business day (こどもの日)" in text
    # 令和7年12月29日 = 2025-12-29, a Monday, inside the contract's own closure 12-29..01-03.
    text = hover(server, uri, at(CONTRACT, "令和7年", 2))
    assert "2025-12-29" in text and "Monday" in text and "not a business day (休業日)" in text
    # 2024-04-01 is a Monday and an ordinary working day.
    text = hover(server, uri, at(CONTRACT, "2024-04-01", 1))
    assert "Monday" in text and "a business day under the contract's calendar" in text
    # Keywords, punctuation and comments have nothing to say.
    assert hover(server, uri, at(CONTRACT, "{", 0)) is None


def test_hover_counts_utf16_units(server):
    # 𠮷 is outside the Basic Multilingual Plane: two UTF-16 units, one code point.
    text = 'unit GB "𠮷"; unit TB "テラバイト";\n'
    uri = doc("utf16.ctr")
    server.open(uri, text)
    position = at(text, "TB", 1)
    assert position["character"] == len('unit GB "𠮷"; unit T') + 1  # one more than the code points
    result = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
    assert "テラバイト" in result["contents"]["value"]
    assert result["range"]["start"] == at(text, "TB") and result["range"]["end"] == at(text, "TB", 2)


def test_positions_in_code_points_when_the_client_asks():
    client = LspClient(ROOT)
    result = client.initialize(ROOT, {"general": {"positionEncodings": ["utf-32"]}})
    assert result["capabilities"]["positionEncoding"] == "utf-32"
    text = 'unit GB "𠮷"; unit TB "テラバイト";\n'
    uri = doc("utf32.ctr")
    client.open(uri, text)
    column = text.index("TB")  # 19 code points, where UTF-16 counts 20
    result = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": 0, "character": column + 1}})
    assert "テラバイト" in result["contents"]["value"]
    assert result["range"]["start"] == {"line": 0, "character": column}
    assert client.close() == 0


def test_definition(server):
    uri = doc("definition.ctr")
    server.open(uri, CONTRACT)
    result = server.request("textDocument/definition",
                            {"textDocument": {"uri": uri}, "position": at(CONTRACT, "cancel_notice {", 2)})
    assert result["uri"] == uri and result["range"]["start"] == at(CONTRACT, "cancel_notice")
    result = server.request("textDocument/definition",
                            {"textDocument": {"uri": uri}, "position": at(CONTRACT, "desired_end;", 1)})
    assert result["range"]["start"] == at(CONTRACT, "desired_end")
    assert server.request("textDocument/definition",
                          {"textDocument": {"uri": uri}, "position": at(CONTRACT, "monthly")}) is None


def labels(server, uri: str, position: dict) -> list[str]:
    result = server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": position})
    return [item["label"] for item in result["items"]]


def test_completion(server):
    uri = doc("completion.ctr")
    server.open(uri, CONTRACT)
    # After `event.`: the event's fields and the attributes every event has.
    assert labels(server, uri, at(CONTRACT, "desired_end;")) == ["desired_end", "at", "date"]
    # At the start of a notice's line: exactly the parts a notice may have next.
    assert labels(server, uri, at(CONTRACT, "effective")) == ["allowed", "due", "effect", "effective", "if"]
    # Where an expression starts: its keywords and the contract's names, not statement keywords.
    offered = labels(server, uri, at(CONTRACT, "cancel_notice.desired_end"))
    assert {"basic", "service_start", "cancel_notice", "business", "end", "floor", "contract"} <= set(offered)
    assert "rule" not in offered and "effective" not in offered
    # After `on`, only an event fits.
    assert labels(server, uri, at(CONTRACT, "cancel_notice {")) == ["service_start", "cancel_notice"]
    # After `plan`, a new name is being declared: no existing name is offered.
    typing = CONTRACT + "plan "
    server.change(uri, typing, 2)
    assert labels(server, uri, at(typing, "plan ", 5, nth=1)) == []
    # At the top level: declaration keywords.
    top = CONTRACT + "\nru"
    server.change(uri, top, 3)
    assert {"rule", "plan", "event", "amendment"} <= set(labels(server, uri, at(top, "\nru", 3)))


def test_quick_fix_for_a_misspelt_name(server):
    uri = doc("quickfix.ctr")
    misspelt = CONTRACT.replace("for basic from", "for basik from")
    (problem,) = server.open(uri, misspelt)
    actions = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": problem["range"], "context": {"diagnostics": [problem]}})
    (action,) = actions
    assert action["title"] == "Replace with `basic`" and action["kind"] == "quickfix"
    (edit,) = action["edit"]["changes"][uri]
    assert edit == {"range": {"start": at(misspelt, "basik"), "end": at(misspelt, "basik", 5)}, "newText": "basic"}
    # Elsewhere in the file, nothing to fix.
    assert server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": at(misspelt, "plan basic"), "end": at(misspelt, "plan basic")},
        "context": {"diagnostics": []}}) == []
    # Where the problem's span is a whole statement or call, only the misspelt name in it is replaced.
    path = ROOT / "tests" / "errors" / "E201-unknown.ctr"
    text = path.read_text(encoding="utf-8")
    published = server.open(path.as_uri(), text)
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": len(text.split("\n")), "character": 0}}
    fixes = server.request("textDocument/codeAction", {"textDocument": {"uri": path.as_uri()}, "range": whole,
                                                       "context": {"diagnostics": published}})
    edits = sorted((f["edit"]["changes"][path.as_uri()][0]["range"]["start"]["line"] + 1,
                    f["edit"]["changes"][path.as_uri()][0]["newText"]) for f in fixes)
    assert edits == [(13, "month_end"), (17, "floor")]  # `TB` and `resellr` have no close name to offer
    for fix in fixes:
        (edit,) = fix["edit"]["changes"][path.as_uri()]
        line = text.split("\n")[edit["range"]["start"]["line"]]
        replaced = line[edit["range"]["start"]["character"]:edit["range"]["end"]["character"]]
        assert replaced in ("month_ends", "floorr")


def test_formatting_through_fmt(server):
    uri = doc("format.ctr")
    messy = "plan  basic   \"ベーシック\" ;\nevent service_start{plan:basic;starts contract;}\n"
    server.open(uri, messy)
    edits = server.request("textDocument/formatting",
                           {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    (edit,) = edits
    assert edit["range"]["start"] == {"line": 0, "character": 0}
    assert edit["range"]["end"] == {"line": 2, "character": 0}
    assert edit["newText"] == format_text(messy)
    assert edit["newText"].startswith('plan basic "ベーシック";\n\nevent service_start {\n  plan: basic;\n')
    # Canonical text needs no edit; a file that does not parse is left alone.
    server.change(uri, edit["newText"], 2)
    assert server.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {
        "tabSize": 2, "insertSpaces": True}}) == []
    server.change(uri, "plan basic", 3)
    assert server.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {
        "tabSize": 2, "insertSpaces": True}}) is None


def test_document_symbols(server):
    uri = doc("symbols.ctr")
    server.open(uri, CONTRACT)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    top = [(s["name"], s["kind"]) for s in symbols]
    assert top == [("t", 4), ("business", 3), ("basic", 5), ("campaign_end", 13), ("service_start", 24),
                   ("cancel_notice", 24), ("T-1", 2), ("T-2", 2)]
    by_name = {s["name"]: s for s in symbols}
    assert [c["name"] for c in by_name["T-2"]["children"]] == ["cancellation"]
    assert [c["name"] for c in by_name["cancel_notice"]["children"]] == ["desired_end"]
    assert by_name["T-2"]["detail"] == "契約者が行う解約"
    assert by_name["T-2"]["selectionRange"]["start"] == at(CONTRACT, "T-2")


def test_answers_survive_a_broken_file(server):
    # While a file does not parse, hover and definition use the last version that did.
    uri = doc("broken.ctr")
    server.open(uri, CONTRACT)
    broken = CONTRACT + "rule T-3 {"
    assert server.change(uri, broken, 2)[0]["code"] in ("E102", "E103", "E401")
    assert "ベーシック" in hover(server, uri, at(broken, "basic from", 1))


def test_duplicate_points_at_the_first_declaration(server):
    path = ROOT / "tests" / "errors" / "E202-duplicate.ctr"
    published = server.open(path.as_uri(), path.read_text(encoding="utf-8"))
    www = next(d for d in published if "`www`" in d["message"])
    assert www["range"]["start"] == {"line": 17, "character": 0}  # `option www` on line 18
    (first,) = www["relatedInformation"]
    assert first["location"]["uri"] == path.as_uri() and first["location"]["range"]["start"]["line"] == 16


def test_a_request_sees_the_latest_change(server):
    # Changes typed quickly are checked once typing pauses; a request in between sees the newest text.
    uri = doc("fast.ctr")
    server.open(uri, CONTRACT)
    for version, label in enumerate(("ベ", "ベー", "ベーシック・プラス"), 2):
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": CONTRACT.replace("ベーシック", label)}]})
    assert "ベーシック・プラス" in hover(server, uri, at(CONTRACT, "basic from", 1))
    # The last version's diagnostics are published (earlier ones may be skipped, never published after it).
    notes = [server.diagnostics_note(uri)]
    while notes[-1]["version"] != 4:
        notes.append(server.diagnostics_note(uri))
    assert [n["version"] for n in notes] == sorted(n["version"] for n in notes)
    assert notes[-1]["diagnostics"] == []


CHOICE = """\
contract c "選択例" {
  provider "例示株式会社";
  document "利用規約" revised 2024-04-01;
  currency JPY;
}
conventions { first_month full; last_month full; }
plan basic "基本プラン";
event service_start { starts contract, starts basic; }
choice C-1 第30条第3項 start_month "提供開始月の料金" {
  billed "提供開始月から請求する";
  free "提供開始月は請求しない（翌月分から）";
  default billed;
}
rule EX-1 第30条 "月額料金" when start_month == billed {
  monthly fee 1,000 yen for basic;
}
"""


def test_reading_choices(server):
    uri = doc("choice.ctr")
    assert server.open(uri, CHOICE) == []
    text = hover(server, uri, at(CHOICE, "start_month ==", 2))
    assert "choice C-1 第30条第3項 start_month (default billed)" in text and "提供開始月の料金" in text
    assert "提供開始月から請求する" in hover(server, uri, at(CHOICE, "billed {", 2))
    result = server.request("textDocument/definition",
                            {"textDocument": {"uri": uri}, "position": at(CHOICE, "start_month ==", 2)})
    assert result["range"]["start"] == at(CHOICE, "start_month")
    offered = labels(server, uri, at(CHOICE, "start_month =="))
    assert {"start_month", "billed", "free"} <= set(offered)
