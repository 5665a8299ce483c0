"""The tokens and positions the builder (interpreter.syntax.build) reads, without lark.

A check parses with interpreter.syntax.direct_parse, which does not import lark (a fifth of a cold check):
the builder's tokens and the `with_meta` mark of its methods are this module's. On the standard path (lark's
parse tree and Transformer, at a syntax error and in the tools), build.py turns lark's tokens into these
and its marks into lark's `v_args(meta=True)`.
"""
from __future__ import annotations


class Token(str):
    """A terminal as scanned: its text, its terminal's name and where it was written (1-based, the end
    exclusive), as lark's Token has them."""

    __slots__ = ("type", "line", "column", "end_line", "end_column")

    def __new__(cls, type_: str, value: str, line: int, column: int, end_line: int, end_column: int):
        token = str.__new__(cls, value)
        token.type = type_
        token.line = line
        token.column = column
        token.end_line = end_line
        token.end_column = end_column
        return token

    @classmethod
    def of(cls, token) -> Token:
        """This module's token for one of lark's."""
        return cls(token.type, str(token), token.line, token.column, token.end_line, token.end_column)

    # As lark's: tokens of two terminals differ even when their text is the same.
    def __eq__(self, other):
        if isinstance(other, Token) and self.type != other.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __repr__(self):
        return f"Token({self.type!r}, {str(self)!r})"

    def __reduce__(self):
        return (Token, (self.type, str(self), self.line, self.column, self.end_line, self.end_column))


class Meta:
    """Where a node was written, as a builder method reads it (lark's Meta: `empty` when the node holds no token)."""

    __slots__ = ("empty", "line", "column", "end_line", "end_column")

    def __init__(self, line: int, column: int, end_line: int, end_column: int):
        self.empty = False
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column


EMPTY_META = Meta.__new__(Meta)
EMPTY_META.empty = True


def with_meta(method):
    """Mark a builder method that takes the node's position: `method(self, meta, children)`."""
    method.wants_meta = True
    return method
