"""Frozen value classes declared by their annotations: slots, `__init__`, equality, hash and repr.

The syntax tree, spans, diagnostics and the checked model are such classes. They were attrs classes; attrs
costs a cold `yakkan check` about 60 ms (its import, and building each of some hundred classes at start-up),
while these classes use a small part of it. `frozen` writes each class's `__init__` as source and compiles it
(one `exec` a class); equality, hash, repr, pickling and the refusal to assign are shared by every class.

    @frozen
    class Span:
        file: str
        line: int
        end_line: int = 0
        notes: tuple = field(default=(), eq=False)

Behaves as attrs' frozen classes do: positional arguments in the order of the annotations (`kw_only` fields
keyword only), equality between instances of the same class over the fields with `eq`, a hash over the same
fields, a repr over the fields with `repr`, assignment refused with `FrozenInstanceError`. A method named
`__post_init__` runs at the end of `__init__` (it may set the fields with `init=False` through
`object.__setattr__`). Inherited fields come first, as in attrs.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable

__all__ = ["FrozenInstanceError", "field", "fields", "frozen", "has", "evolve"]


class FrozenInstanceError(AttributeError):
    """An attempt to assign to or delete a field of a frozen instance."""


class _Nothing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


class Field:
    """One declared field of a frozen class."""

    __slots__ = ("name", "default", "factory", "eq", "repr", "kw_only", "init")

    def __init__(self, name: str = "", default: Any = NOTHING, factory: Callable[[], Any] | None = None,
                 eq: bool = True, repr: bool = True, kw_only: bool = False, init: bool = True) -> None:
        self.name = name
        self.default = default
        self.factory = factory
        self.eq = eq
        self.repr = repr
        self.kw_only = kw_only
        self.init = init

    def named(self, name: str, kw_only: bool) -> Field:
        return Field(name, self.default, self.factory, self.eq, self.repr, self.kw_only or kw_only, self.init)

    @property
    def required(self) -> bool:
        return self.default is NOTHING and self.factory is None

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, eq={self.eq}, kw_only={self.kw_only})"


def field(*, default: Any = NOTHING, factory: Callable[[], Any] | None = None, eq: bool = True,
          repr: bool = True, kw_only: bool = False, init: bool = True) -> Any:
    """A field's options, written as the class attribute's value: `lines: tuple = field(init=False, eq=False)`."""
    return Field("", default, factory, eq, repr, kw_only, init)


class _Frozen:
    """What every frozen class shares: refusal to assign, repr, pickling (state as a tuple of field values)."""

    __slots__ = ()
    __record_fields__: tuple[Field, ...] = ()
    __record_key__: Callable[[Any], Any]  # the values compared and hashed: those of the fields with `eq`

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        key = self.__record_key__
        return key(self) == key(other)

    def __hash__(self) -> int:
        return hash((self.__class__.__qualname__, self.__record_key__(self)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
        return f"{type(self).__qualname__}({shown})"

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, f.name, NOTHING) for f in self.__record_fields__)

    def __setstate__(self, state: tuple) -> None:
        for f, value in zip(self.__record_fields__, state):
            if value is not NOTHING:
                object.__setattr__(self, f.name, value)


def _init_source(all_fields: tuple[Field, ...], post_init: bool) -> str:
    """The source of the `__init__` of a class with these fields."""
    positional, keywords, body = [], [], []
    for f in all_fields:
        if not f.init:
            continue
        if f.factory is not None:
            parameter = f"{f.name}=NOTHING"
            body.append(f"    if {f.name} is NOTHING:\n        {f.name} = _factory_{f.name}()")
        elif f.default is not NOTHING:
            parameter = f"{f.name}=_default_{f.name}"
        else:
            parameter = f.name
        (keywords if f.kw_only else positional).append(parameter)
    for f in all_fields:
        if f.init:
            body.append(f"    _setattr(self, {f.name!r}, {f.name})")
        elif f.factory is not None:
            body.append(f"    _setattr(self, {f.name!r}, _factory_{f.name}())")
        elif f.default is not NOTHING:
            body.append(f"    _setattr(self, {f.name!r}, _default_{f.name})")
    if post_init:
        body.append("    self.__post_init__()")
    parameters = ", ".join(["self", *positional] + (["*", *keywords] if keywords else []))
    return f"def __init__({parameters}):\n" + ("\n".join(body) or "    pass") + "\n"


def _no_fields(instance: Any) -> tuple:
    return ()


def frozen(cls: type | None = None, *, kw_only: bool = False, base: type | None = None) -> Any:
    """Make `cls` a frozen slotted class over its annotated fields (see the module's docstring), with `base`
    (a class with empty `__slots__`) as a further base class when given."""
    if cls is None:
        return lambda c: frozen(c, kw_only=kw_only, base=base)
    namespace = dict(cls.__dict__)
    inherited: dict[str, Field] = {}
    for ancestor in reversed(cls.__mro__[1:]):
        inherited.update((f.name, f) for f in ancestor.__dict__.get("__record_fields__", ()))
    own: dict[str, Field] = {}
    for name in namespace.get("__annotations__", {}):
        value = namespace.pop(name, NOTHING)
        spec = value if isinstance(value, Field) else Field(default=value)
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
    compared = [f.name for f in all_fields if f.eq]
    namespace["__record_key__"] = attrgetter(*compared) if compared else staticmethod(_no_fields)
    namespace["__match_args__"] = tuple(f.name for f in all_fields if f.init and not f.kw_only)
    bases = cls.__bases__ if any(issubclass(b, _Frozen) for b in cls.__bases__) else (*cls.__bases__, _Frozen)
    if bases == (object, _Frozen):
        bases = (_Frozen,)
    if base is not None:
        bases = (base, *bases)
    scope: dict[str, Any] = {"NOTHING": NOTHING, "_setattr": object.__setattr__}
    for f in all_fields:
        scope[f"_default_{f.name}"] = f.default
        scope[f"_factory_{f.name}"] = f.factory
    exec(_init_source(all_fields, "__post_init__" in namespace or any(hasattr(b, "__post_init__") for b in bases)),
         scope)
    scope["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    namespace["__init__"] = scope["__init__"]
    return type(cls)(cls.__name__, bases, namespace)


def fields(cls: type) -> tuple[Field, ...]:
    """The fields of a frozen class, inherited ones first."""
    try:
        return cls.__dict__["__record_fields__"]
    except (KeyError, AttributeError):
        raise TypeError(f"{cls!r} is not a frozen class") from None


def has(cls: type) -> bool:
    """Whether `cls` is a frozen class made by `frozen`."""
    return "__record_fields__" in getattr(cls, "__dict__", ())


def evolve(instance: Any, **changes: Any) -> Any:
    """A copy of a frozen instance with some fields changed (the fields with `init=False` are computed anew)."""
    cls = type(instance)
    arguments = {f.name: getattr(instance, f.name) for f in fields(cls) if f.init}
    unknown = set(changes) - set(arguments)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))} to change")
    arguments.update(changes)
    return cls(**arguments)
