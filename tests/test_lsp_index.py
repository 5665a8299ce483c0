"""Laws of the language server's answers, over a contract cut anywhere (hypothesis): a file being typed is
broken at every point, and no question about it may fail or point at the wrong name."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from interpreter.tools.lsp_complete import complete
from interpreter.tools.lsp_index import Document
from test_lsp import CONTRACT

GOOD = Document("file:///t.ctr", CONTRACT)


@st.composite
def typed(draw):
    """The contract with one slice cut out (as if half typed), and an offset in the result."""
    start = draw(st.integers(0, len(CONTRACT)))
    end = draw(st.integers(start, min(len(CONTRACT), start + 40)))
    text = CONTRACT[:start] + CONTRACT[end:]
    return text, draw(st.integers(0, len(text)))


@settings(max_examples=80, deadline=None)
@given(typed())
def test_answers_never_fail_and_point_at_the_same_name(case):
    text, offset = case
    doc = Document("file:///t.ctr", text, GOOD)
    word = doc.word_at(offset)
    found = doc.hover(offset)
    if found is not None:
        _, span = found
        assert doc.offset(span.line, span.column) <= offset <= doc.offset(span.end_line, span.end_column)
    target = doc.definition(offset)
    if target is not None:
        # The declaration is in the text the answers come from: this one, or the last that parsed.
        source = doc.text if not doc.stale else CONTRACT
        lines = source.split("\n")
        written = lines[target.line - 1][target.column - 1 : target.end_column - 1]
        assert word is not None and written == word.text
    labels = [c.label for c in complete(doc, offset)]
    assert len(labels) == len(set(labels))


def test_positions_round_trip():
    for offset in range(len(CONTRACT) + 1):
        assert GOOD.offset(*GOOD.position(offset)) == offset


def test_attributes_say_what_they_are():
    text = CONTRACT.replace("from 2025-05-05;", "from contract.start;\n  state q = basic.quantity;")
    doc = Document("file:///a.ctr", text)
    assert doc.program is not None
    hover, _ = doc.hover(text.index("contract.start") + len("contract.s"))
    assert hover == "`contract.start`: the day the contract starts (an event that `starts contract`)"
    hover, _ = doc.hover(text.index("basic.quantity") + len("basic.q"))
    assert hover.startswith("`basic.quantity`: how many of the item")
    hover, _ = doc.hover(text.index("cancel_notice.desired_end") + len("cancel_notice.d"))
    assert "desired_end: date" in hover  # a declared field: its declaration, not a general text
