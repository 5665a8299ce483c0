"""Classes declared by their annotations, as attrs' `frozen` and `define` make them: slots, `__init__`, equality,
hash and repr.

The syntax tree, spans, diagnostics, the checked model and the evaluation's classes the checker imports are such
classes. They were attrs classes: importing attrs and building some hundred and twenty classes with it cost a cold
`yakkan check` about 50 ms, for a small part of what attrs offers. `frozen` writes each class's `__init__` as
source and compiles it (one `exec` a class); `__eq__` and `__hash__` are compiled the same way when an instance
of the class is first compared or hashed, so a class never compared costs nothing more at start-up; repr,
pickling and the refusal to assign are shared by every class.

    @frozen
    class Span:
        file: str
        line: int
        end_line: int = 0
        notes: tuple = field(default=(), eq=False)

As with attrs: positional arguments in the order of the annotations, inherited fields first (`kw_only` fields
by keyword only; a private field `_x` is given as `x`); equality between instances of the same class over the
fields with `eq`, and a hash over the same fields; a repr over the fields with `repr`; assignment refused with
`FrozenInstanceError` (an AttributeError). `factory` makes a default per instance, `converter` converts the
value given, `validator(instance, field, value)` checks it once every field is set. A method `__post_init__`
runs at the end of `__init__` (it may set the fields with `init=False` through `object.__setattr__`).
`define` makes mutable classes, not hashable. `fields`, `has` and `evolve` are attrs' functions of those names.
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["FrozenInstanceError", "define", "evolve", "field", "fields", "frozen", "has"]


class FrozenInstanceError(AttributeError):
    """An attempt to assign to or delete a field of a frozen instance."""


class _Nothing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


class Field:
    """One declared field of a class: its default (or factory), whether it takes part in equality and repr,
    whether `__init__` takes it (by keyword only?), the function that converts the value given to `__init__`
    and the one that checks it (called as attrs calls validators: instance, field, value)."""

    __slots__ = ("name", "default", "factory", "eq", "repr", "kw_only", "init", "converter", "validator")

    def __init__(self, name: str, default: Any, factory: Callable[[], Any] | None, eq: bool, repr: bool,
                 kw_only: bool, init: bool, converter: Callable[[Any], Any] | None,
                 validator: Callable[[Any, Field, Any], None] | None) -> None:
        self.name = name
        self.default = default
        self.factory = factory
        self.eq = eq
        self.repr = repr
        self.kw_only = kw_only
        self.init = init
        self.converter = converter
        self.validator = validator

    def named(self, name: str, kw_only: bool) -> Field:
        return Field(name, self.default, self.factory, self.eq, self.repr, self.kw_only or kw_only, self.init,
                     self.converter, self.validator)

    @property
    def required(self) -> bool:
        return self.default is NOTHING and self.factory is None

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, eq={self.eq}, kw_only={self.kw_only})"


def field(*, default: Any = NOTHING, factory: Callable[[], Any] | None = None, eq: bool = True,
          repr: bool = True, kw_only: bool = False, init: bool = True, converter: Callable[[Any], Any] | None = None,
          validator: Callable[[Any, Field, Any], None] | None = None) -> Any:
    """A field's options, written as the class attribute's value: `lines: tuple = field(init=False, eq=False)`."""
    return Field("", default, factory, eq, repr, kw_only, init, converter, validator)


class _Record:
    """What every class made here shares: equality over the fields with `eq`, repr, pickling (the state as a
    tuple of field values). Mutable ones (`define`) are not hashable, as attrs' are not."""

    __slots__ = ()
    __record_fields__: tuple[Field, ...] = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: Any) -> Any:
        # The first comparison of a class compiles its own `__eq__` and `__hash__` (over its fields, as fast
        # as attrs' generated ones), so that a class never compared costs no compilation at start-up.
        _compile_comparisons(type(self))
        return type(self).__eq__(self, other)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
        return f"{type(self).__qualname__}({shown})"

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, f.name, NOTHING) for f in self.__record_fields__)

    def __setstate__(self, state: tuple) -> None:
        for f, value in zip(self.__record_fields__, state):
            if value is not NOTHING:
                object.__setattr__(self, f.name, value)


class _Frozen(_Record):
    """A frozen class: assignment refused, hashable."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        _compile_comparisons(type(self))
        return type(self).__hash__(self)


def _init_source(all_fields: tuple[Field, ...], post_init: bool, frozen: bool) -> str:
    """The source of the `__init__` of a class with these fields (a private field `_x` is given as `x`). A frozen
    class's fields are set through their slots' own `__set__`, past its `__setattr__` (faster than attrs'
    `object.__setattr__`); a mutable class's by plain assignment, faster still."""
    positional, keywords, body, checks = [], [], [], []
    for f in all_fields:
        if not f.init:
            continue
        argument = f.name.lstrip("_")
        if f.factory is not None:
            parameter = f"{argument}=NOTHING"
            body.append(f"    if {argument} is NOTHING:\n        {argument} = _factory_{f.name}()")
        elif f.default is not NOTHING:
            parameter = f"{argument}=_default_{f.name}"
        else:
            parameter = argument
        (keywords if f.kw_only else positional).append(parameter)
    for f in all_fields:
        if f.init:
            value = f.name.lstrip("_")
            if f.converter is not None:
                value = f"_converter_{f.name}({value})"
        elif f.factory is not None:
            value = f"_factory_{f.name}()"
        elif f.default is not NOTHING:
            value = f"_default_{f.name}"
        else:
            continue
        body.append(f"    _set_{f.name}(self, {value})" if frozen else f"    self.{f.name} = {value}")
        if f.validator is not None:
            checks.append(f"    _validator_{f.name}(self, _field_{f.name}, self.{f.name})")
    body += checks
    if post_init:
        body.append("    self.__post_init__()")
    parameters = ", ".join(["self", *positional] + (["*", *keywords] if keywords else []))
    return f"def __init__({parameters}):\n" + ("\n".join(body) or "    pass") + "\n"


def _compile_comparisons(cls: type) -> None:
    """Give `cls` its own `__eq__` and, when frozen, `__hash__`, over the fields with `eq`."""
    compared = [f.name for f in cls.__record_fields__ if f.eq]
    mine = "".join(f"self.{name}, " for name in compared)
    theirs = "".join(f"other.{name}, " for name in compared)
    source = (
        "def __eq__(self, other):\n"
        "    if other.__class__ is not self.__class__:\n"
        "        return NotImplemented\n"
        f"    return ({mine}) == ({theirs})\n"
        "def __hash__(self):\n"
        f"    return hash(({cls.__qualname__!r}, {mine}))\n"
    )
    scope: dict[str, Any] = {}
    exec(source, scope)
    cls.__eq__ = scope["__eq__"]  # type: ignore[method-assign]
    if issubclass(cls, _Frozen):
        cls.__hash__ = scope["__hash__"]  # type: ignore[method-assign]


def frozen(cls: type | None = None, *, kw_only: bool = False, base: type | None = None) -> Any:
    """Make `cls` a frozen slotted class over its annotated fields (see the module's docstring), with `base`
    (a class with empty `__slots__`) as a further base class when given."""
    if cls is None:
        return lambda c: frozen(c, kw_only=kw_only, base=base)
    return _make(cls, kw_only, base, _Frozen)


def define(cls: type | None = None, *, kw_only: bool = False) -> Any:
    """Make `cls` a mutable slotted class over its annotated fields: as `frozen`, but fields may be assigned
    and instances are not hashable."""
    if cls is None:
        return lambda c: define(c, kw_only=kw_only)
    return _make(cls, kw_only, None, _Record)


def _make(cls: type, kw_only: bool, base: type | None, kind: type) -> Any:
    namespace = dict(cls.__dict__)
    inherited: dict[str, Field] = {}
    for ancestor in reversed(cls.__mro__[1:]):
        inherited.update((f.name, f) for f in ancestor.__dict__.get("__record_fields__", ()))
    own: dict[str, Field] = {}
    for name in namespace.get("__annotations__", {}):
        value = namespace.pop(name, NOTHING)
        spec = value if isinstance(value, Field) else field(default=value)
        own[name] = spec.named(name, kw_only)
        inherited.pop(name, None)
    all_fields = (*inherited.values(), *own.values())
    defaults_seen = False
    for f in all_fields:
        if f.init and not f.kw_only:
            if f.required and defaults_seen:
                raise TypeError(f"{cls.__name__}.{f.name}: a field without a default after one with a default")
            defaults_seen = defaults_seen or not f.required
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = tuple(own)
    namespace["__qualname__"] = cls.__qualname__
    namespace["__record_fields__"] = all_fields
    namespace["__match_args__"] = tuple(f.name for f in all_fields if f.init and not f.kw_only)
    bases = tuple(b for b in cls.__bases__ if b is not object)
    if not any(issubclass(b, kind) for b in bases):
        bases = (*bases, kind)
    if base is not None:
        bases = (base, *bases)
    # Each class its own first `__eq__` and `__hash__` (those that compile its comparisons): a subclass must
    # not inherit the comparisons compiled for its base, which leave its own fields out.
    namespace.setdefault("__eq__", _Record.__eq__)
    if kind is _Frozen:
        namespace.setdefault("__hash__", _Frozen.__hash__)
    made = type(cls)(cls.__name__, bases, namespace)
    scope: dict[str, Any] = {"NOTHING": NOTHING}
    for f in all_fields:
        scope.update({f"_set_{f.name}": getattr(made, f.name).__set__, f"_default_{f.name}": f.default,
                      f"_factory_{f.name}": f.factory, f"_field_{f.name}": f, f"_converter_{f.name}": f.converter,
                      f"_validator_{f.name}": f.validator})
    exec(_init_source(all_fields, hasattr(made, "__post_init__"), kind is _Frozen), scope)
    scope["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    made.__init__ = scope["__init__"]
    return made


def fields(cls: type) -> tuple[Field, ...]:
    """The fields of a frozen class, inherited ones first."""
    try:
        return cls.__dict__["__record_fields__"]
    except (KeyError, AttributeError):
        raise TypeError(f"{cls!r} is not a frozen class") from None


def has(cls: type) -> bool:
    """Whether `cls` is a class made by `frozen` or `define`."""
    return "__record_fields__" in getattr(cls, "__dict__", ())


def evolve(instance: Any, **changes: Any) -> Any:
    """A copy of an instance with some fields changed (the fields with `init=False` are computed anew). A name
    that is no field's is refused by `__init__` (TypeError)."""
    cls = type(instance)
    for f in cls.__record_fields__:
        if f.init:
            argument = f.name.lstrip("_")
            if argument not in changes:
                changes[argument] = getattr(instance, f.name)
    return cls(**changes)
