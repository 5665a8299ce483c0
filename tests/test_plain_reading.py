"""A timeline of plain values (`Timeline`, the rows of `yakkan batch`) is typed directly when there is nothing to
say about it, and read as a scenario otherwise. The law: the direct reading gives exactly the parameters and events
the scenario reading gives, and it declines exactly when that reading has a message (an error, or W601)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.api import Contract, Timeline, _not_known_yet
from interpreter.batch.convert import scenario_rows
from interpreter.batch.tables import FIELDS, PARAMS, json_cells
from interpreter.run.events import read_plain, validate, wholly_known
from interpreter.run.scenario import load_scenario
from interpreter.time.timestamps import JST

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
FOLDERS = sorted(p.name for p in (CONTRACTS / "scenarios").iterdir() if p.is_dir())
_LOADED: dict[str, Contract] = {}


def contract(folder: str) -> Contract:
    if folder not in _LOADED:
        _LOADED[folder] = Contract.load(str(CONTRACTS / f"{folder}.ctr"))
    return _LOADED[folder]


def as_timeline(path: Path) -> Timeline:
    """A scenario file as the plain values `yakkan batch` makes of its rows (the JSON column's values merged)."""
    scenario, problems = load_scenario(str(path))
    assert scenario is not None and not problems
    event_rows, param_row = scenario_rows(scenario, path.stem)

    def plain(row: dict, json_column: str) -> dict:
        values = {k: v for k, v in row.items() if v is not None and k not in ("customer", json_column)}
        values.update(json_cells(row.get(json_column), json_column))
        return values

    params = plain(param_row, PARAMS)
    as_of = params.pop("as_of", None)
    return Timeline(path.stem, [plain(row, FIELDS) for row in event_rows], params, as_of)


def both_readings(model, timeline: Timeline, as_of: date | None = None):
    """(the direct reading, or None where it declines; the scenario reading: params, events, its messages)."""
    direct = read_plain(model, timeline.events, timeline.params, timeline.as_of)
    if direct is not None:  # as Contract.evaluate: an event not known whole on the as-of day has a message
        day = as_of or direct[2]
        if day is not None and not wholly_known(direct[1], day):
            direct = None
    scenario, problems = timeline.scenario()
    params, events, found = validate(model, scenario)
    day = as_of or scenario.as_of_date
    return direct, (params, events, problems + found + _not_known_yet(scenario, events, day))


def event_facts(events) -> list[tuple]:
    # Event equality leaves the fields out (two events are the same event by index, name and instant)
    return [(e.index, e.name, e.instant, e.date, e.label, e.fields) for e in events]


def assert_same(direct, scenario_reading) -> None:
    params, events, messages = scenario_reading
    if messages:
        assert direct is None, [d.message for d in messages]
        return
    assert direct is not None, "a timeline with nothing to say about it is read directly"
    assert direct[0] == params
    assert event_facts(direct[1]) == event_facts(events)


BUNDLED = [(folder, path) for folder in FOLDERS for path in sorted((CONTRACTS / "scenarios" / folder).glob("*.yaml"))]


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_bundled_scenario_reads_directly_as_it_reads_as_a_scenario(folder):
    model = contract(folder).model
    paths = [p for f, p in BUNDLED if f == folder]
    direct_count = 0
    for path in paths:
        timeline = as_timeline(path)
        direct, reading = both_readings(model, timeline)
        assert_same(direct, reading)
        direct_count += direct is not None
    assert direct_count >= len(paths) // 2  # most bundled timelines have nothing to say about them


def test_an_event_after_the_as_of_day_and_an_outage_running_past_it_are_read_as_a_scenario():
    model = contract("itscom-hosting").model
    events = [{"at": "2025-04-01", "event": "service_start", "plan": "mail_standard"},
              {"at": "2025-05-10T10:00", "event": "outage", "until": "2025-05-12T10:00"}]
    timeline = Timeline("c", events, {}, "2025-05-11")
    direct, reading = both_readings(model, timeline)
    assert direct is None and [d.code for d in reading[2]] == ["W601"]
    timeline = Timeline("c", events, {}, "2025-05-12")
    direct, reading = both_readings(model, timeline)
    assert direct is not None and not reading[2]
    assert direct[1][1].fields["until"].value.hour == 10


# what a mutation may write in place of a value: good texts of many types, bad ones, and non-text values
TEXTS = st.sampled_from(["3", "0", "-1", "1,000", "1000.50", "", " 7 ", "abc", "true", "false", "2025-04-01",
                         "2025-13-01", "2025-06-03T10:00", "4500 yen", "¥4,500", "10%", "2 hours", "3 days",
                         "mail_standard", "extra_disk", "no_change", "１２", "1e3"])
VALUES = st.one_of(TEXTS, st.integers(-5, 5000), st.booleans(), st.just(None), st.just(["a"]), st.just({"a": 1}),
                   st.sampled_from([date(2025, 4, 1), 10.5]))
KEYS = st.sampled_from(["at", "event", "plan", "option", "quantity", "amount", "desired", "until", "hours", "nope",
                        "service_start", "outage"])


@st.composite
def mutated(draw):
    folder, path = draw(st.sampled_from(BUNDLED))
    timeline = as_timeline(path)
    events = [dict(e) for e in timeline.events]
    params = dict(timeline.params)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["event", "param", "drop"] if events else ["param"]))
        if where == "param":
            params[draw(st.sampled_from(sorted(params) + ["nope"]))] = draw(VALUES)
        elif where == "drop":
            event = draw(st.sampled_from(events))
            if event:
                event.pop(draw(st.sampled_from(sorted(event, key=str))))
        else:
            draw(st.sampled_from(events))[draw(KEYS)] = draw(VALUES)
    return folder, Timeline(timeline.customer, events, params, timeline.as_of)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_timeline_is_read_directly_only_when_the_scenario_reading_has_nothing_to_say(case):
    folder, timeline = case
    model = contract(folder).model
    direct, reading = both_readings(model, timeline)
    assert_same(direct, reading)


def test_a_timeline_read_directly_gets_the_ledger_of_its_scenario_file():
    """End to end: the API's result for the timeline (read directly) is the one for the scenario file."""
    loaded = contract("itscom-hosting")
    path = next(p for f, p in BUNDLED if f == "itscom-hosting" and p.stem == "late-payment-interest")
    timeline = as_timeline(path)
    assert read_plain(loaded.model, timeline.events, timeline.params, timeline.as_of) is not None
    from_timeline = loaded.evaluate(timeline)
    from_file = loaded.evaluate_file(str(path))
    assert from_timeline.ok and from_timeline.scenario is None
    assert from_timeline.rows() == from_file.rows()


def test_a_name_that_is_not_text_is_reported_as_the_scenario_reading_reports_it():
    """A parameter or field named by an int, None or a bool (a JSON or dict source) is unknown: the direct reading
    declines it (it used to raise TypeError working out a `did you mean` hint for a name that is not text), and the
    scenario reading reports it by its text."""
    loaded = contract("itscom-hosting")
    start = {"at": "2025-04-01", "event": "service_start", "plan": "mail_standard"}
    for name in (1, None, True):
        result = loaded.evaluate(Timeline("c", [start], {name: "3"}))
        assert [(d.code, d.message) for d in result.diagnostics] == [
            ("E607", f"the contract has no parameter `{name}`")]
        result = loaded.evaluate(Timeline("c", [{**start, name: "3"}]))
        assert [(d.code, d.message) for d in result.diagnostics] == [
            ("E605", f"event `service_start` has no field `{name}`")]
        assert not result.ok and result.events == ()


def evaluate_as_scenario(loaded: Contract, timeline: Timeline, as_of: date | None = None):
    """The timeline through the scenario reading alone: the Scenario it stands for, evaluated as a file's is."""
    scenario, problems = timeline.scenario()
    return loaded.evaluate(scenario, as_of, customer=timeline.customer, problems=problems)


# End to end against the scenario reading: the same timeline, with its values written in other Python types or
# spoilt, gives the same Result whichever reading takes it. (The golden scenarios of tests/errors and
# contracts/scenarios hold what the checks both readings share say.)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def other_writings(value) -> list:
    """What a caller may pass for a value written as text: the same value as another Python type or text (most read
    the same; some, such as a float amount or a date given for a date-time, may not), and spoilt ones."""
    if not isinstance(value, str) or not value.isascii():
        return [value]
    found = [f" {value} ", value.translate(FULL_WIDTH), value.upper()]
    try:
        if value.lstrip("-").isdigit():
            found += [int(value), Decimal(value), float(value), f"{value} yen", f"¥{int(value):,}", f"{value}%",
                      Decimal(f"{value}.00"), float("nan"), True]
        elif len(value) == 10:
            day = date.fromisoformat(value)
            found += [day, datetime(day.year, day.month, day.day), datetime(day.year, day.month, day.day,
                      tzinfo=timezone.utc), f"{value}T00:00+09:00", value.replace("-", "/")]
        elif "T" in value:
            instant = datetime.fromisoformat(value)
            found += [instant, instant.replace(tzinfo=JST), instant.replace(tzinfo=timezone.utc), f"{value}:00"]
    except ValueError:
        pass
    return found + [None, "", ["x"], {"x": 1}, b"1"]


@st.composite
def rewritten(draw):
    folder, path = draw(st.sampled_from(BUNDLED))
    timeline = as_timeline(path)
    events = [dict(e) for e in timeline.events]
    params, as_of = dict(timeline.params), timeline.as_of
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["event", "event", "param", "name", "as_of"] if events else ["param", "as_of"]))
        if where == "event":
            event = draw(st.sampled_from(events))
            if event:
                key = draw(st.sampled_from(sorted(event, key=str)))
                event[key] = draw(st.sampled_from(other_writings(event[key])))
        elif where == "param" and params:
            key = draw(st.sampled_from(sorted(params, key=str)))
            params[key] = draw(st.sampled_from(other_writings(params[key])))
        elif where == "name":  # a name that is not declared, or not text
            target = draw(st.sampled_from([params] + events))
            target[draw(st.sampled_from([1, None, True, "nope", "Plan"]))] = "1"
        elif where == "as_of":
            as_of = draw(st.sampled_from([None, "2025-05-11", date(2025, 6, 30), "2026-03-31 ", "bad", 20250501,
                                          ["2025-05-01"]]))
    return folder, Timeline(timeline.customer, events, params, as_of), draw(st.sampled_from([None, date(2025, 7, 1)]))


def result_facts(result) -> tuple:
    return (result.ok, result.rows(), result.as_json(), sorted(result.sources), event_facts(result.events),
            [(d.code, d.severity, d.message, d.span, d.hint, d.notes) for d in result.diagnostics])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rewritten())
def test_a_timeline_gets_the_result_of_the_reading_as_a_scenario(case):
    folder, timeline, as_of = case
    loaded = contract(folder)
    assert result_facts(loaded.evaluate(timeline, as_of)) == result_facts(evaluate_as_scenario(loaded, timeline, as_of))


def test_an_as_of_day_given_as_a_list_or_a_mapping_is_an_error_not_a_traceback():
    """Either reading used to raise AttributeError (a list has no text to read a date from)."""
    loaded = contract("itscom-hosting")
    start = {"at": "2025-04-01", "event": "service_start", "plan": "mail_standard"}
    for as_of in (["2025-05-01"], {"day": "2025-05-01"}):
        result = loaded.evaluate(Timeline("c", [start], {}, as_of))
        assert not result.ok
        assert [(d.code, d.message, d.hint) for d in result.diagnostics] == [
            ("E606", "expected a single date, not a list or a mapping", "`as_of` is a date such as 2026-03-31")]
