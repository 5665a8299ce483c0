"""Scenario files and the dates and instants they contain: interpreter/scenario.py, interpreter/timestamps.py."""
from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.diagnostics import CODES, Diagnostic, has_errors, render_diagnostics
from interpreter.run.scenario import (
    MAX_BYTES,
    MAX_DEPTH,
    MapValue,
    RawEvent,
    Scalar,
    Scenario,
    SeqValue,
    load_scenario,
    sorted_events,
)
from interpreter.syntax.source import Span, decode
from interpreter.time.timestamps import JST, is_date_only, parse_date, parse_instant

DATA = Path(__file__).parent / "data" / "scenarios"
EXAMPLE = DATA / "interface-example.yaml"


def load(text: str | bytes, name: str = "s.yaml"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_scenario(name, data)


def only(diags: list[Diagnostic], code: str) -> Diagnostic:
    """The single diagnostic of the load, which must have the given code."""
    assert [d.code for d in diags] == [code], [f"{d.span}: {d.code} {d.message}" for d in diags]
    return diags[0]


def at(d: Diagnostic) -> tuple[int, int]:
    assert d.span is not None
    return d.span.line, d.span.column


def ok(text: str) -> Scenario:
    scenario, diags = load(text)
    assert diags == [], [f"{d.span}: {d.code} {d.message}" for d in diags]
    assert scenario is not None
    return scenario


# --------------------------------------------------------------------------------------------------
# timestamps


class TestParseDate:
    def test_plain(self):
        assert parse_date("2025-04-01") == date(2025, 4, 1)

    def test_full_width_digits(self):
        assert parse_date("２０２５-０４-０１") == date(2025, 4, 1)

    def test_leap_day(self):
        assert parse_date("2024-02-29") == date(2024, 2, 29)
        with pytest.raises(ValueError, match=r"^2025-02-29 is not a date: February 2025 has 28 days$"):
            parse_date("2025-02-29")

    def test_day_past_end_of_month(self):
        with pytest.raises(ValueError) as exc:
            parse_date("2025-02-30")
        assert str(exc.value) == "2025-02-30 is not a date: February 2025 has 28 days"

    def test_thirty_day_month(self):
        with pytest.raises(ValueError, match="April 2025 has 30 days"):
            parse_date("2025-04-31")

    def test_day_zero(self):
        with pytest.raises(ValueError, match="January 2025 has 31 days"):
            parse_date("2025-01-00")

    def test_month_13(self):
        with pytest.raises(ValueError, match="there is no month 13"):
            parse_date("2025-13-01")

    def test_year_zero(self):
        with pytest.raises(ValueError, match="years start at 0001"):
            parse_date("0000-01-01")

    @pytest.mark.parametrize("text", ["2025-4-1", "2025/04/01", "20250401", "", " 2025-04-01", "2025-04-01x", "２０２５年４月１日"])
    def test_wrong_form(self, text):
        with pytest.raises(ValueError, match="expected the form YYYY-MM-DD"):
            parse_date(text)

    def test_date_time_is_not_a_date(self):
        with pytest.raises(ValueError, match="has a time of day"):
            parse_date("2025-04-01T10:00")

    def test_other_unicode_digits_are_refused(self):
        with pytest.raises(ValueError):
            parse_date("٢٠٢٥-٠٤-٠١")  # Arabic-Indic digits match \d but are not dates here

    @given(st.dates())
    def test_round_trip(self, d):
        assert parse_date(d.isoformat()) == d


class TestParseInstant:
    def test_date_only_is_midnight_in_japan(self):
        got = parse_instant("2025-04-01")
        assert got == datetime(2025, 4, 1, 0, 0, tzinfo=JST)
        assert got.utcoffset() == timedelta(hours=9)

    def test_no_offset_is_japan_time(self):
        assert parse_instant("2025-06-03T10:00") == datetime(2025, 6, 3, 1, 0, tzinfo=timezone.utc)

    def test_space_instead_of_t_and_seconds(self):
        assert parse_instant("2025-06-03 10:00:30") == datetime(2025, 6, 3, 10, 0, 30, tzinfo=JST)

    def test_explicit_japan_offset(self):
        assert parse_instant("2025-06-03T10:00+09:00") == datetime(2025, 6, 3, 10, 0, tzinfo=JST)

    def test_utc_offset_is_converted_to_japan_time(self):
        got = parse_instant("2025-06-03T10:00+00:00")
        assert (got.hour, got.minute, got.utcoffset()) == (19, 0, timedelta(hours=9))
        assert got.tzinfo is JST

    def test_z_crosses_the_date_line(self):
        got = parse_instant("2025-06-03T20:00Z")
        assert (got.date(), got.hour) == (date(2025, 6, 4), 5)

    def test_negative_offset(self):
        got = parse_instant("2025-06-03T10:00-05:00")
        assert (got.date(), got.hour, got.utcoffset()) == (date(2025, 6, 4), 0, timedelta(hours=9))

    def test_fraction_of_a_second(self):
        assert parse_instant("2025-06-03T10:00:00.25").microsecond == 250000

    def test_full_width_digits(self):
        assert parse_instant("２０２５-０６-０３T１０:００") == datetime(2025, 6, 3, 10, 0, tzinfo=JST)

    def test_invalid_date(self):
        with pytest.raises(ValueError) as exc:
            parse_instant("2025-02-30")
        assert str(exc.value) == "2025-02-30 is not a date: February 2025 has 28 days"

    def test_invalid_date_in_date_time(self):
        with pytest.raises(ValueError) as exc:
            parse_instant("2025-02-30T10:00")
        assert str(exc.value) == "2025-02-30T10:00 is not a date-time: February 2025 has 28 days"

    @pytest.mark.parametrize(
        "text, reason",
        [
            ("2025-06-03T24:00", "hour 24 does not exist"),
            ("2025-06-03T25:00", "there is no hour 25"),
            ("2025-06-03T10:60", "there is no minute 60"),
            ("2025-06-03T10:00:60", "leap seconds are not supported"),
            ("2025-06-03T10:00:61", "there is no second 61"),
            ("2025-06-03T10:00+24:00", "offset +24:00 is out of range"),
            ("2025-06-03T10:00+09:60", "offset +09:60 is out of range"),
            ("0001-01-01T00:00+09:30", "outside the years 0001 to 9999"),
            ("9999-12-31T23:00Z", "outside the years 0001 to 9999"),
        ],
    )
    def test_invalid_time(self, text, reason):
        with pytest.raises(ValueError, match=f"^{re.escape(text)} is not a date-time: .*{re.escape(reason)}"):
            parse_instant(text)

    @pytest.mark.parametrize(
        "text",
        ["2025-06-03T10", "2025-06-03T1:00", "2025-06-03T10:00+0900", "2025-06-03T10:00 JST", "10:00", "", "tomorrow"],
    )
    def test_wrong_form(self, text):
        with pytest.raises(ValueError, match="expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"):
            parse_instant(text)

    def test_long_garbage_is_shortened_in_the_message(self):
        with pytest.raises(ValueError) as exc:
            parse_instant("x" * 1000)
        assert len(str(exc.value)) < 300

    @given(
        st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
        st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
    )
    def test_round_trip_any_offset(self, naive, minutes):
        original = naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
        got = parse_instant(original.isoformat())
        assert got == original
        assert got.utcoffset() == timedelta(hours=9)

    @given(st.text(max_size=40))
    def test_any_text_gives_a_value_or_a_value_error(self, text):
        try:
            got = parse_instant(text)
        except ValueError as exc:
            assert str(exc)
        else:
            assert got.tzinfo is JST


def test_is_date_only():
    assert is_date_only("2025-04-01")
    assert is_date_only("２０２５-０４-０１")
    assert is_date_only("2025-02-30")  # the shape only
    assert not is_date_only("2025-04-01T00:00")
    assert not is_date_only("2025-04-01 10:00")
    assert not is_date_only("2025-4-1")


# --------------------------------------------------------------------------------------------------
# loading: the example of interface.md


def test_interface_example_file():
    scenario, diags = load_scenario(str(EXAMPLE))
    assert diags == []
    assert scenario is not None
    assert scenario.file == str(EXAMPLE)
    assert scenario.contract is not None and scenario.contract.raw == "../contracts/itscom-hosting.ctr"
    assert scenario.contract_path() == os.path.normpath(str(DATA / ".." / "contracts" / "itscom-hosting.ctr"))
    assert scenario.as_of is not None and scenario.as_of.raw == "2026-03-31"
    assert scenario.as_of_date == date(2026, 3, 31)
    assert [k for k, _ in scenario.params] == ["plan"]
    plan = scenario.param("plan")
    assert plan == Scalar("mail_secure_mx", "str", Span(str(EXAMPLE), 4, 9, 4, 23))
    assert scenario.param_spans["plan"] == Span(str(EXAMPLE), 4, 3, 4, 7)
    assert [(e.index, e.event) for e in scenario.events] == [
        (0, "service_start"),
        (1, "cancel_notice"),
        (2, "outage_start"),
    ]
    assert [e.instant for e in scenario.events] == [
        datetime(2025, 4, 1, tzinfo=JST),
        datetime(2025, 4, 15, tzinfo=JST),
        datetime(2025, 6, 3, 10, tzinfo=JST),
    ]
    cancel = scenario.events[1]
    assert cancel.field_names() == ("desired_end",)
    assert cancel.field("desired_end") == Scalar("2025-05-31", "timestamp", Span(str(EXAMPLE), 7, 57, 7, 67))
    assert cancel.field_spans["desired_end"] == Span(str(EXAMPLE), 7, 44, 7, 55)
    assert cancel.field("nothing") is None
    assert cancel.span.line == 7 and cancel.span.column == 5
    assert cancel.at.span.line == 7 and cancel.at.span.column == 10
    assert scenario.events[2].at == Scalar("2025-06-03T10:00+09:00", "str", Span(str(EXAMPLE), 8, 10, 8, 34))
    assert len(scenario.expect) == 2
    first, second = scenario.expect
    assert first.keys() == ("kind", "rule", "amount")
    assert first.get("amount") == Scalar("4500", "int", Span(str(EXAMPLE), 10, 41, 10, 45))
    assert second.get("due").raw == "2025-04-30"
    assert "status" in second and "amount" not in second
    assert (scenario.span.line, scenario.span.column) == (1, 1)


def test_example_data_argument_wins_over_the_file(tmp_path):
    scenario, diags = load_scenario(str(tmp_path / "not-there.yaml"), EXAMPLE.read_bytes())
    assert diags == [] and scenario is not None and len(scenario.events) == 3


def test_block_style_events():
    s = ok(
        "events:\n"
        "  - at: 2025-04-01\n"
        "    event: service_start\n"
        "    plan: basic\n"
        "  - event: cancel_notice\n"
        "    at: '2025-04-15T09:30'\n"
    )
    assert [e.event for e in s.events] == ["service_start", "cancel_notice"]
    assert (s.events[0].span.line, s.events[0].span.column) == (2, 5)
    assert (s.events[1].span.line, s.events[1].span.column) == (5, 5)
    assert s.events[0].field("plan") == Scalar("basic", "str", Span("s.yaml", 4, 11, 4, 16))
    assert s.events[1].instant == datetime(2025, 4, 15, 9, 30, tzinfo=JST)


def test_metadata_keys_are_allowed_and_ignored():
    s = ok("name: 解約テスト\ndescription: |\n  長い説明\ncustomer: {id: 7}\nevents: []\n")
    assert s.events == () and s.params == () and s.expect == ()


def test_null_sections_are_empty():
    s = ok("params:\nevents:\nexpect:\n")
    assert s.params == () and s.events == () and s.expect == () and s.contract is None and s.as_of is None


# --------------------------------------------------------------------------------------------------
# values stay raw text


def walk(value):
    yield value
    if isinstance(value, SeqValue):
        for item in value.items:
            yield from walk(item)
    elif isinstance(value, MapValue):
        for _, item in value.items:
            yield from walk(item)


def test_numbers_stay_raw_text():
    s = ok(
        "params:\n"
        "  fee: 10.50\n"
        "  quoted: \"10.50\"\n"
        "  count: 0012\n"
        "  big: 1e3\n"
        "  yen: 4500\n"
        "  huge: 123456789012345678901234567890.10\n"
        "  ok: yes\n"
        "  none: ~\n"
        "  day: 2025-04-01\n"
        "  list: [1.10, 2.20]\n"
        "events: []\n"
    )
    got = {k: (v.raw, v.tag) for k, v in s.params if isinstance(v, Scalar)}
    assert got == {
        "fee": ("10.50", "float"),
        "quoted": ("10.50", "str"),
        "count": ("0012", "int"),
        "big": ("1e3", "str"),  # YAML 1.1 floats need a dot
        "yen": ("4500", "int"),
        "huge": ("123456789012345678901234567890.10", "float"),
        "ok": ("yes", "bool"),
        "none": ("~", "null"),
        "day": ("2025-04-01", "timestamp"),
    }
    lst = s.param("list")
    assert isinstance(lst, SeqValue)
    assert [(v.raw, v.tag) for v in lst.items] == [("1.10", "float"), ("2.20", "float")]
    for _, value in s.params:
        for v in walk(value):
            assert isinstance(v, (Scalar, SeqValue, MapValue))
            if isinstance(v, Scalar):
                assert type(v.raw) is str


def test_event_field_amount_keeps_trailing_zero():
    s = ok("events:\n  - {at: 2025-04-01, event: payment, amount: 10.50}\n")
    assert s.events[0].field("amount") == Scalar("10.50", "float", Span("s.yaml", 2, 46, 2, 51))


def test_keys_are_raw_text():
    s = ok("params:\n  1: a\n  no: b\n  2025-04-01: c\nevents: []\n")
    assert [k for k, _ in s.params] == ["1", "no", "2025-04-01"]


def test_aliases_are_resolved():
    s = ok(
        "params:\n"
        "  base: &base {plan: basic, fee: 10.50}\n"
        "events:\n"
        "  - {at: 2025-04-01, event: service_start, options: *base}\n"
    )
    options = s.events[0].field("options")
    assert isinstance(options, MapValue)
    assert options.as_dict()["fee"].raw == "10.50"
    assert options.span.line == 2  # an aliased value points at its anchor


def test_merge_keys():
    s = ok(
        "params:\n"
        "  base: &base {plan: basic, fee: 100}\n"
        "events:\n"
        "  - {<<: *base, at: 2025-04-01, event: service_start, fee: 200}\n"
    )
    e = s.events[0]
    assert sorted(e.field_names()) == ["fee", "plan"]
    assert e.field("fee").raw == "200"
    assert e.field("plan").raw == "basic"
    assert e.field_spans["plan"].line == 2


# --------------------------------------------------------------------------------------------------
# instants in events


def test_offset_is_converted_to_japan_time():
    s = ok("events:\n  - {at: \"2025-06-03T10:00+00:00\", event: outage_start}\n")
    e = s.events[0]
    assert e.instant == datetime(2025, 6, 3, 19, 0, tzinfo=JST)
    assert e.instant.utcoffset() == timedelta(hours=9)
    assert e.at.raw == "2025-06-03T10:00+00:00"


def test_unquoted_date_time_with_seconds():
    s = ok("events:\n  - {at: 2025-06-03 10:00:00, event: outage_start}\n")
    assert s.events[0].at.tag == "timestamp"
    assert s.events[0].instant == datetime(2025, 6, 3, 10, tzinfo=JST)


def test_date_only_at():
    s = ok("events:\n  - {at: 2025-04-01, event: service_start}\n")
    e = s.events[0]
    assert is_date_only(e.at.raw)
    assert e.instant == datetime(2025, 4, 1, 0, 0, tzinfo=JST)


# --------------------------------------------------------------------------------------------------
# every error path, with its code and place


def test_unreadable_file(tmp_path):
    path = str(tmp_path / "missing.yaml")
    scenario, diags = load_scenario(path)
    d = only(diags, "E100")
    assert scenario is None
    assert d.span == Span(path, 1, 1)
    assert "No such file" in d.message and d.hint


def test_directory_is_unreadable(tmp_path):
    scenario, diags = load_scenario(str(tmp_path))
    assert scenario is None
    assert at(only(diags, "E100")) == (1, 1)


def test_not_utf8():
    scenario, diags = load("events: []\nx: あ".encode() + b"\xff\n")
    d = only(diags, "E101")
    assert scenario is None
    assert at(d) == (2, 5)
    assert "0xFF" in d.message and "offset 17" in d.message
    assert "UTF-8" in d.hint


def test_shift_jis_with_bom_and_crlf():
    data = b"\xef\xbb\xbfevents: []\r\n# " + "あ".encode("shift_jis")
    scenario, diags = load(data)
    d = only(diags, "E101")
    assert scenario is None
    assert at(d) == (2, 3)
    assert "offset 17" in d.message  # counted in the file, BOM included


def test_bom_is_accepted():
    scenario, diags = load(b"\xef\xbb\xbfevents: []\n")
    assert diags == [] and scenario is not None


def test_yaml_syntax_error_position():
    d = only(load("events:\n  - {at: 2025-04-01, event: a: b}\n")[1], "E601")
    assert at(d) == (2, 30)
    assert d.message.startswith("invalid YAML: expected ',' or '}'")
    assert "line 2, column 5" in d.message


def test_tab_indentation():
    d = only(load("events:\n\t- {at: 2025-04-01, event: a}\n")[1], "E601")
    assert at(d) == (2, 1)
    assert "tabs" in d.hint


def test_unclosed_flow_list():
    scenario, diags = load("events: [\n  {at: 2025-04-01, event: a},\n")
    assert scenario is None
    assert at(only(diags, "E601")) == (3, 1)


def test_two_documents():
    d = only(load("events: []\n---\nevents: []\n")[1], "E601")
    assert at(d) == (2, 1)
    assert "single document" in d.message and "---" in d.hint


def test_undefined_alias():
    d = only(load("events: []\nparams: {a: *nowhere}\n")[1], "E601")
    assert at(d) == (2, 13)
    assert "nowhere" in d.message and "&name" in d.hint


def test_control_character():
    d = only(load("events: []\nname: a\x01b\n")[1], "E601")
    assert at(d) == (2, 8)
    assert "U+0001" in d.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n", "null\n"])
def test_empty(text):
    scenario, diags = load(text)
    d = only(diags, "E602")
    assert scenario is None
    assert d.message == "the scenario is empty"
    assert at(d) == (1, 1)


def test_top_level_list():
    scenario, diags = load("\n- {at: 2025-04-01, event: a}\n")
    d = only(diags, "E602")
    assert scenario is None
    assert at(d) == (2, 1)
    assert "a list" in d.message


def test_top_level_scalar():
    scenario, diags = load("  hello\n")
    d = only(diags, "E602")
    assert scenario is None
    assert at(d) == (1, 3)
    assert "`hello`" in d.message


def test_unknown_top_level_key():
    scenario, diags = load("events: []\nparms: {plan: x}\n")
    d = only(diags, "E602")
    assert at(d) == (2, 1)
    assert "parms" in d.message and d.hint == "did you mean `params`?"
    assert scenario is not None and scenario.params == ()  # a partial scenario


def test_unknown_key_without_a_near_name_lists_the_keys():
    d = only(load("events: []\nzzz: 1\n")[1], "E602")
    assert "`events`" in d.hint and "`as_of`" in d.hint


def test_missing_events():
    d = only(load("\nparams: {plan: x}\n")[1], "E602")
    assert at(d) == (2, 1)
    assert "no `events:`" in d.message and "events: []" in d.hint


def test_events_not_a_list():
    d = only(load("events:\n  at: 2025-04-01\n  event: a\n")[1], "E602")
    assert at(d) == (2, 3)
    assert "`- `" in d.hint


def test_event_not_a_mapping():
    scenario, diags = load("events:\n  - service_start\n")
    d = only(diags, "E602")
    assert at(d) == (2, 5)
    assert "events[0]" in d.message and "`service_start`" in d.message


def test_event_without_at():
    d = only(load("events:\n  - {at: 2025-04-01, event: a}\n  - {event: b}\n")[1], "E602")
    assert at(d) == (3, 5)
    assert d.message == "events[1] has no `at:`"


def test_event_without_name():
    d = only(load("events:\n  - at: 2025-04-01\n    amount: 5\n")[1], "E602")
    assert at(d) == (2, 5)
    assert d.message == "events[0] has no `event:`"


def test_event_name_empty():
    d = only(load("events:\n  - {at: 2025-04-01, event: }\n")[1], "E602")
    assert at(d) == (2, 22)  # the key, since an empty value has no place of its own
    assert "`event:` of events[0]" in d.message


def test_event_name_not_a_scalar():
    d = only(load("events:\n  - {at: 2025-04-01, event: [a, b]}\n")[1], "E602")
    assert at(d) == (2, 29)


def test_at_invalid_date():
    scenario, diags = load("events:\n  - {at: 2025-04-01, event: a}\n  - {at: 2025-02-30, event: b}\n")
    d = only(diags, "E606")
    assert at(d) == (3, 10)
    assert d.message == "2025-02-30 is not a date: February 2025 has 28 days"
    assert d.hint
    assert scenario is not None and [e.index for e in scenario.events] == [0]


def test_at_invalid_time():
    d = only(load('events:\n  - {event: b, at: "2025-06-03T25:00"}\n')[1], "E606")
    assert at(d) == (2, 20)
    assert "there is no hour 25" in d.message


def test_at_wrong_form():
    d = only(load("events:\n  - {at: next tuesday, event: b}\n")[1], "E606")
    assert at(d) == (2, 10)
    assert d.message.startswith("next tuesday is not a date or date-time")


def test_at_message_is_one_line():
    d = only(load('events:\n  - {at: "2025-04-01\\nand more", event: b}\n')[1], "E606")
    assert at(d) == (2, 10)
    assert "\n" not in d.message and d.message.startswith("2025-04-01... is not a date")


def test_at_empty():
    d = only(load("events:\n  - {at: , event: b}\n")[1], "E606")
    assert at(d) == (2, 6)


def test_at_not_a_scalar():
    d = only(load("events:\n  - {at: {day: 1}, event: b}\n")[1], "E606")
    assert at(d) == (2, 10)
    assert "a mapping" in d.message


def test_as_of_invalid():
    scenario, diags = load("as_of: 2026-02-30\nevents: []\n")
    d = only(diags, "E606")
    assert at(d) == (1, 8)
    assert d.message == "2026-02-30 is not a date: February 2026 has 28 days"
    assert scenario is not None and scenario.as_of is None


def test_as_of_with_time():
    d = only(load("events: []\nas_of: '2026-03-31T10:00'\n")[1], "E606")
    assert at(d) == (2, 8)
    assert "has a time of day" in d.message


def test_as_of_full_width():
    s = ok("as_of: ２０２６-０３-３１\nevents: []\n")
    assert s.as_of_date == date(2026, 3, 31)


def test_as_of_list():
    d = only(load("events: []\nas_of: [2026-03-31]\n")[1], "E606")
    assert at(d) == (2, 8)


def test_contract_empty():
    scenario, diags = load("contract:\nevents: []\n")
    d = only(diags, "E602")
    assert at(d) == (1, 1)
    assert scenario is not None and scenario.contract is None


def test_params_not_a_mapping():
    d = only(load("events: []\nparams:\n  - plan\n")[1], "E602")
    assert at(d) == (3, 3)
    assert "`params:`" in d.message


def test_expect_not_a_list():
    d = only(load("events: []\nexpect: {kind: charge}\n")[1], "E602")
    assert at(d) == (2, 9)


def test_expect_item_not_a_mapping():
    scenario, diags = load("events: []\nexpect:\n  - {kind: charge}\n  - charge\n")
    d = only(diags, "E602")
    assert at(d) == (4, 5)
    assert "expect[1]" in d.message
    assert scenario is not None and len(scenario.expect) == 1


def test_expect_item_empty():
    d = only(load("events: []\nexpect: [{}]\n")[1], "E602")
    assert at(d) == (2, 10)
    assert "match any" in d.message


def test_duplicate_top_level_key():
    d = only(load("events: []\nas_of: 2026-03-31\nas_of: 2026-04-30\n")[1], "E602")
    assert at(d) == (3, 1)
    assert "`as_of` appears twice" in d.message
    assert [(n.span.line, n.span.column) for n in d.notes] == [(2, 1)]


def test_duplicate_event_field():
    scenario, diags = load("events:\n  - {at: 2025-04-01, event: a, x: 1, x: 2}\n")
    d = only(diags, "E602")
    assert at(d) == (2, 38)
    assert d.notes[0].span.column == 32
    assert scenario is not None
    assert scenario.events[0].field_names() == ("x",)  # kept once: the first
    assert scenario.events[0].field("x").raw == "1"


def test_duplicate_at_in_block_event():
    d = only(load("events:\n  - at: 2025-04-01\n    event: a\n    at: 2025-05-01\n")[1], "E602")
    assert at(d) == (4, 5)


def test_duplicate_param():
    d = only(load("params:\n  plan: a\n  fee: 1\n  plan: b\nevents: []\n")[1], "E602")
    assert at(d) == (4, 3)
    assert d.notes[0].span.line == 2


def test_duplicate_key_deep_inside_metadata():
    d = only(load("events: []\ncustomer:\n  address: {city: a, city: b}\n")[1], "E602")
    assert at(d) == (3, 22)


def test_complex_key():
    d = only(load("events: []\nparams:\n  ? [a, b]\n  : 1\n")[1], "E602")
    assert at(d) == (3, 5)
    assert "key" in d.message


def test_empty_key():
    d = only(load("events: []\nparams:\n  ? \n  : 1\n")[1], "E602")
    assert d.message == "a key is empty"
    assert d.span.line == 3


@pytest.mark.parametrize(
    "text, line_col, tag",
    [
        ("events: []\nparams: {x: !!binary aGVsbG8=}\n", (2, 13), "tag:yaml.org,2002:binary"),
        ("events: []\nparams: {x: !custom 1}\n", (2, 13), "!custom"),
        ("events: !!set {a}\n", (1, 9), "tag:yaml.org,2002:set"),
        ("events: !!omap [a: 1]\n", (1, 9), "tag:yaml.org,2002:omap"),
        ("events: []\nparams: !!python/object:os.system {}\n", (2, 9), "tag:yaml.org,2002:python/object:os.system"),
    ],
)
def test_unsupported_tags(text, line_col, tag):
    d = only(load(text)[1], "E602")
    assert at(d) == line_col
    assert f"`{tag}`" in d.message


def test_explicit_str_tag_is_fine():
    s = ok("events: []\nparams: {x: !!str 10.50}\n")
    assert s.param("x") == Scalar("10.50", "str", Span("s.yaml", 2, 13, 2, 24))


def test_merge_of_a_scalar():
    d = only(load("events: []\nparams: {<<: 5, a: 1}\n")[1], "E602")
    assert at(d) == (2, 10)
    assert "`<<`" in d.message


def test_every_problem_is_reported():
    text = (
        "as_of: 2026-02-30\n"  # E606 1:8
        "contrct: x\n"  # E602 2:1
        "events:\n"
        "  - {at: 2025-02-30, event: a}\n"  # E606 4:10
        "  - {event: b}\n"  # E602 5:5
        "  - {at: 2025-04-01, event: c, x: 1, x: 2}\n"  # E602 6:38
        "  - {at: 2025-04-02, event: d}\n"
        "expect:\n"
        "  - 5\n"  # E602 9:5
    )
    scenario, diags = load(text)
    assert [(d.code, *at(d)) for d in diags] == [
        ("E606", 1, 8),
        ("E602", 2, 1),
        ("E606", 4, 10),
        ("E602", 5, 5),
        ("E602", 6, 38),
        ("E602", 9, 5),
    ]
    # a partial scenario: broken events left out, the rest keep their position in the file
    assert scenario is not None
    assert [(e.index, e.event) for e in scenario.events] == [(2, "c"), (3, "d")]
    assert scenario.as_of is None


# --------------------------------------------------------------------------------------------------
# hostile input


def test_too_large_data():
    scenario, diags = load(b"events: []\n" + b"#" * (10 * 1024 * 1024))
    d = only(diags, "E602")
    assert scenario is None and at(d) == (1, 1)
    assert "larger than 1 MB" in d.message


def test_too_large_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"events:\n" + b"  - {at: 2025-04-01, event: a}\n" * (10 * 1024 * 1024 // 31))
    scenario, diags = load_scenario(str(path))
    assert scenario is None
    assert at(only(diags, "E602")) == (1, 1)


def test_just_under_the_limit_is_read():
    data = b"events: []\n" + b"#" * (MAX_BYTES - 11)
    assert len(data) == MAX_BYTES
    scenario, diags = load(data)
    assert diags == [] and scenario is not None


def test_deep_flow_nesting():
    scenario, diags = load("events: " + "[" * 5000 + "]" * 5000)
    d = only(diags, "E602")
    assert scenario is None
    assert at(d) == (1, 9 + MAX_DEPTH - 1)
    assert "nests more than" in d.message


def test_deep_block_nesting():
    text = "events:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 400))
    scenario, diags = load(text)
    d = only(diags, "E602")
    assert scenario is None
    # the root mapping is level 1 and the mapping starting on line N is level N, so its keys are on
    # level N + 1: the key on line 50 is the first node one level too deep
    assert at(d) == (MAX_DEPTH, MAX_DEPTH)


def test_nesting_at_the_limit_is_fine():
    # the top mapping, `events` list, one event mapping, nested lists, and the scalar 1 on the last level
    inner = "[" * (MAX_DEPTH - 4) + "1" + "]" * (MAX_DEPTH - 4)
    s = ok("events:\n  - {at: 2025-04-01, event: a, x: " + inner + "}\n")
    assert isinstance(s.events[0].field("x"), SeqValue)
    scenario, diags = load("events:\n  - {at: 2025-04-01, event: a, x: [" + inner + "]}\n")
    assert scenario is None and only(diags, "E602")


def test_deep_nesting_through_aliases():
    # each anchor is nested a little within the limit, but the chain of aliases nests without bound
    lines = ["events: []", "params:", "  a0: &a0 [" + "[" * 20 + "]" * 20 + "]"]
    for i in range(1, 40):
        lines.append(f"  a{i}: &a{i} " + "[" * 20 + f"*a{i - 1}" + "]" * 20)
    scenario, diags = load("\n".join(lines) + "\n")
    assert scenario is None
    d = only(diags, "E602")
    assert "nests more than" in d.message


def test_recursive_alias():
    scenario, diags = load("events: []\nparams: &p {self: *p}\n")
    d = only(diags, "E602")
    assert scenario is None
    assert at(d) == (2, 9)
    assert "contains it" in d.message


def test_billion_laughs():
    text = "events: []\nparams:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefg"[i]
        text += f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    scenario, diags = load(text)
    d = only(diags, "E602")
    assert scenario is None
    assert at(d) == (1, 1)
    assert "through its aliases" in d.message


def test_shared_alias_is_not_an_explosion():
    s = ok("events: []\nparams:\n  a: &a {x: 1}\n  b: [*a, *a, *a]\n")
    b = s.param("b")
    assert isinstance(b, SeqValue) and all(item == s.param("a") for item in b.items)


def test_binary_garbage():
    scenario, diags = load(bytes(range(256)) * 4)
    assert scenario is None
    assert only(diags, "E101")


def test_nul_bytes_in_utf8():
    scenario, diags = load(b"events: []\nname: \x00\n")
    assert scenario is None
    assert at(only(diags, "E601")) == (2, 7)


YAMLISH = st.lists(
    st.sampled_from(
        [
            "{", "}", "[", "]", ",", ":", ": ", "- ", "? ", "\n", "  ", "\t", "&a ", "*a", "&b ", "*b", "<<: ",
            "at", "event", "events", "params", "expect", "as_of", "contract", "2025-04-01", "2025-02-30",
            "\"2025-06-03T10:00+00:00\"", "10.50", "'", '"', "#", "!!str ", "!!binary ", "!x ", "---\n", "...",
            "|\n", ">\n", "~", "x", "あ", "\\", "%YAML 1.1\n", "\x85", "\u2028", "\ufeff", "\x00",
        ]
    ),
    max_size=60,
).map("".join)


def check_result(name: str, data: bytes, scenario, diags) -> None:
    assert isinstance(diags, list)
    if scenario is None:
        assert has_errors(diags)
    for d in diags:
        assert d.code in CODES
        assert d.span is not None and d.span.file == name
        assert d.span.line >= 1 and d.span.column >= 1
        assert d.message and d.hint
    if scenario is not None:
        assert isinstance(scenario, Scenario)
        for e in scenario.events:
            assert e.instant.tzinfo is JST
    source, _ = decode(name, data)
    for fmt in ("text", "json", "github"):
        render_diagnostics(diags, {name: source} if source else {}, fmt)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_yaml_like_text_never_raises(text):
    data = text.encode("utf-8")
    scenario, diags = load_scenario("h.yaml", data)
    check_result("h.yaml", data, scenario, diags)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_raises(text):
    data = text.encode("utf-8", "surrogatepass")
    scenario, diags = load_scenario("h.yaml", data)
    check_result("h.yaml", data, scenario, diags)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_never_raise(data):
    scenario, diags = load_scenario("h.yaml", data)
    check_result("h.yaml", data, scenario, diags)


# --------------------------------------------------------------------------------------------------
# ordering


def test_sorted_events_is_stable():
    s = ok(
        "events:\n"
        "  - {at: 2025-05-01, event: e0}\n"
        "  - {at: 2025-04-01, event: e1}\n"
        "  - {at: '2025-04-01T00:00+09:00', event: e2}\n"  # the same instant as e1
        "  - {at: '2025-03-31T15:00Z', event: e3}\n"  # the same instant again
        "  - {at: '2025-03-31T23:59', event: e4}\n"
        "  - {at: 2025-04-01, event: e5}\n"
    )
    assert [e.event for e in sorted_events(s.events)] == ["e4", "e1", "e2", "e3", "e5", "e0"]
    assert [e.event for e in s.sorted_events()] == ["e4", "e1", "e2", "e3", "e5", "e0"]
    assert [e.index for e in s.events] == [0, 1, 2, 3, 4, 5]  # the scenario keeps file order


def make_event(index: int, instant: datetime) -> RawEvent:
    span = Span("s.yaml", index + 1, 1)
    return RawEvent(
        index=index,
        at=Scalar(instant.isoformat(), "str", span),
        name=Scalar(f"e{index}", "str", span),
        fields=(),
        field_spans=MapValue((), span).key_spans,
        span=span,
        instant=instant,
    )


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=30))
def test_sorted_events_property(hours):
    events = [make_event(i, datetime(2025, 4, 1, h, tzinfo=JST)) for i, h in enumerate(hours)]
    got = sorted_events(reversed(events[::-1]))  # any iterable
    assert sorted(e.index for e in got) == list(range(len(events)))
    for a, b in zip(got, got[1:]):
        assert a.instant < b.instant or (a.instant == b.instant and a.index < b.index)
