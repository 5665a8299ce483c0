"""Names in scope while checking: the contract's declarations, then event fields and `let` names."""
from __future__ import annotations

from interpreter.check.model import Tables
from interpreter.check.types import T

from interpreter.syntax import nodes as n


class Scope:
    def __init__(self, names: dict[str, T], parent: "Scope | None" = None):
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> T | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def all_names(self) -> set[str]:
        out: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            out |= set(scope.names)
            scope = scope.parent
        return out

    def child(self, names: dict[str, T]) -> "Scope":
        return Scope(names, self)


def kind_of_name(name: str, tables: Tables) -> str | None:
    """What a name is, when it is not an item (for E208)."""
    if name in tables.events:
        return "an event"
    if name in tables.params:
        return "a parameter"
    if name in tables.enum_cases():
        return "a case of an enumeration"
    if name in tables.units:
        return "a unit"
    return None


def names_in(e) -> list[n.Name]:
    """The plain names in an item expression such as `www or pack_secure_mx`."""
    if isinstance(e, n.Name):
        return [e]
    if isinstance(e, n.Binary) and e.op in ("or", "and"):
        return names_in(e.left) + names_in(e.right)
    if isinstance(e, n.ListExpr):
        return [x for i in e.items for x in names_in(i)]
    return []


def every_name(e) -> list[n.Name]:
    """Every plain name an expression mentions, at any depth."""
    out: list[n.Name] = []
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Name):
            out.append(node)
        elif isinstance(node, (tuple, list)):
            stack.extend(node)
        elif n.is_node(node):
            stack.extend(getattr(node, f.name) for f in n.fields(type(node)) if f.name != "span")
    return out
