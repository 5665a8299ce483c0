"""Tests for interpreter.records: the frozen and mutable classes of the syntax tree, spans, diagnostics and model.

They stand in for attrs' `frozen` and `define`; these tests pin the behaviour the rest of the project relies on,
the same as attrs gave it (attrs itself is the reference in the differential test at the end).
"""
from __future__ import annotations

import copy
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from interpreter import records
from interpreter.records import FrozenInstanceError, define, evolve, field, fields, frozen, has
from interpreter.syntax import nodes as n
from interpreter.syntax.source import SourceFile, Span


@frozen
class Point:
    x: int
    y: int = 0
    label: str | None = field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class Lines:
    text: str
    lines: tuple = field(init=False, eq=False, repr=False)
    seen: dict = field(factory=dict, eq=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.text.split("\n")))


@frozen
class Point3(Point):
    z: int = 0


def _no_negative(instance, attribute, value) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@define
class Counter:
    count: int = field(default=0, converter=int, validator=_no_negative)
    _cache: dict = field(factory=dict, init=False, eq=False, repr=False)
    items: list = field(factory=list)


def test_init_positional_then_keyword_only() -> None:
    p = Point(1, 2, label="a")
    assert (p.x, p.y, p.label) == (1, 2, "a")
    assert Point(5).y == 0 and Point(5).label is None
    with pytest.raises(TypeError):
        Point(1, 2, "positional label")  # kw_only
    with pytest.raises(TypeError):
        Point()  # x has no default
    assert Point.__match_args__ == ("x", "y")


def test_equality_and_hash_leave_out_fields_without_eq() -> None:
    assert Point(1, 2, label="a") == Point(1, 2, label="b")
    assert hash(Point(1, 2, label="a")) == hash(Point(1, 2, label="b"))
    assert Point(1, 2) != Point(1, 3)
    assert {Point(1, 2): "found"}[Point(1, 2, label="x")] == "found"
    # Only instances of the same class are equal, as with attrs: a subclass with equal fields is not.
    assert Point(1, 2) != Point3(1, 2)
    assert Point(1, 2).__eq__("not a point") is NotImplemented


def test_repr_leaves_out_fields_without_repr() -> None:
    assert repr(Point(1, 2, label="hidden")) == "Point(x=1, y=2)"
    assert repr(Point3(1, 2, z=3)) == "Point3(x=1, y=2, z=3)"


def test_frozen_refuses_assignment_and_deletion() -> None:
    p = Point(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2
    with pytest.raises(FrozenInstanceError):
        del p.x
    with pytest.raises(AttributeError):  # slots: no field that was not declared
        object.__setattr__(p, "other", 1)
    assert not hasattr(p, "__dict__")


def test_post_init_computes_fields_without_init() -> None:
    lines = Lines("a\nb")
    assert lines.lines == ("a", "b")
    assert lines == Lines("a\nb") and lines.seen == {} and lines.seen is not Lines("x").seen  # one dict each


def test_inherited_fields_come_first() -> None:
    assert [f.name for f in fields(Point3)] == ["x", "y", "label", "z"]
    assert Point3(1, 2, 3, label="l") == Point3(1, 2, 3)
    assert Point3(1, 2, 3).z == 3


def test_a_field_without_default_after_one_with_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default after one with a default"):
        @frozen
        class Wrong:
            a: int = 0
            b: int


def test_define_is_mutable_unhashable_with_converters_and_validators() -> None:
    c = Counter("3")  # converted by int
    assert c.count == 3 and c._cache == {}
    c.count = 4
    assert c == Counter(4) and c != Counter(5)
    with pytest.raises(TypeError):
        hash(c)
    with pytest.raises(ValueError, match="count must not be negative, got -1"):
        Counter(-1)
    assert repr(c) == "Counter(count=4, items=[])"


def test_evolve_changes_some_fields_and_computes_the_others_again() -> None:
    p = Point(1, 2, label="a")
    assert evolve(p, y=5) == Point(1, 5) and evolve(p, y=5).label == "a"
    lines = evolve(Lines("a"), text="x\ny")
    assert lines.lines == ("x", "y")
    with pytest.raises(TypeError, match="'z'"):
        evolve(p, z=1)
    c = Counter(2)
    c._cache["k"] = 1
    assert evolve(c, count=3)._cache == {}  # init=False: made anew


def test_pickle_and_copy_keep_every_field() -> None:
    for value in (Point(1, 2, label="a"), Lines("a\nb"), Counter(2, ["x"]),
                  n.Binary("+", n.Num(1, "yen"), n.Name("x", span=Span("f", 1, 2, 1, 3)))):
        for clone in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
            assert clone == value and type(clone) is type(value)
            for f in fields(type(value)):
                assert getattr(clone, f.name) == getattr(value, f.name)
    assert pickle.loads(pickle.dumps(Point(1, label="kept"))).label == "kept"


def test_has_and_fields() -> None:
    assert has(Point) and has(n.Num) and has(Span) and not has(int) and not has(Point(1))
    with pytest.raises(TypeError):
        fields(int)
    assert [f.name for f in fields(n.Num)] == ["value", "unit", "span"]


def test_nodes_leave_spans_out_of_equality_and_repr() -> None:
    here, there = Span("a.ctr", 1, 1, 1, 4), Span("b.ctr", 9, 3, 9, 6)
    assert n.Name("x", span=here) == n.Name("x", span=there)
    assert hash(n.Name("x", span=here)) == hash(n.Name("x", span=there))
    assert repr(n.Num(3, "months", span=here)) == "Num(value=3, unit='months')"
    assert n.is_node(n.Name("x")) and not n.is_node(here) and not n.is_node("x")
    # Spans themselves compare every field.
    assert Span("a", 1, 1) != Span("a", 1, 2) and Span("a", 1, 1) == Span("a", 1, 1, 0, 0)
    assert SourceFile("f", "a\nb").lines == ("a", "b")


@attrs.frozen
class AttrsPoint:
    x: int
    y: int = 0
    label: str | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


values = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.tuples(st.integers()))


@given(values, values, values, values, values, values)
def test_behaves_as_attrs_frozen(x1, y1, l1, x2, y2, l2) -> None:
    mine = Point(x1, y1, label=l1), Point(x2, y2, label=l2)
    theirs = AttrsPoint(x1, y1, label=l1), AttrsPoint(x2, y2, label=l2)
    assert (mine[0] == mine[1]) == (theirs[0] == theirs[1])
    assert (mine[0] != mine[1]) == (theirs[0] != theirs[1])
    if mine[0] == mine[1]:
        assert hash(mine[0]) == hash(mine[1])
    assert repr(mine[0]).replace("Point", "AttrsPoint", 1) == repr(theirs[0])
    assert records.evolve(mine[0], y=y2) == Point(x1, y2)


def test_a_subclass_compares_its_own_fields_after_its_base_was_compared() -> None:
    @frozen
    class Base:
        a: int

    @frozen
    class Derived(Base):
        b: int

    assert Base(1) == Base(1)  # compiles Base's comparisons first
    assert Derived(1, 2) != Derived(1, 3)
    assert hash(Base(1)) == hash(Base(1)) and Derived(1, 2) == Derived(1, 2)
