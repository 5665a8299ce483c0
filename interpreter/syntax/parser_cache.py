"""The parser kept between runs as the object it is, ready to parse.

Lark's own cache (`cache=`) keeps the LALR tables in its serialized form, and loading them rebuilds every
state's table, every rule and terminal and a lexer for each set of terminals: most of the time of a cold
`yakkan check` before this module. Here the parser object, as Lark built it and before it has parsed anything,
is pickled whole; loading it is one `pickle.load`.

It is kept with its lexers replaced by interpreter.syntax.shared_scanner's, which need no regular
expression compiled per parser state. Two things in it are not data: the `re` module the lexers compile with, kept as its name, and the two LALR
actions, `Shift` and `Reduce`, which the parser compares by identity (`action is Shift`), kept as references to
lark's own objects. Unpickling runs code, so the file is kept only in the user's private cache folder
(interpreter.cache), named after the grammar, lark's version and Python's; a file that cannot be loaded is
built again and replaced.
"""
from __future__ import annotations

import importlib
import io
import pickle
import types
from pathlib import Path

from lark import Lark
from lark.parsers.lalr_analysis import Reduce, Shift

from interpreter.cache import write_atomically


class _ParserPickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if obj is Shift or obj is Reduce:
            return getattr, (importlib.import_module("lark.parsers.lalr_analysis"), "Shift" if obj is Shift else "Reduce")
        return NotImplemented


def load_parser(path: Path) -> Lark | None:
    """The parser kept at `path`, or None when there is none or it cannot be loaded."""
    try:
        with open(path, "rb") as f:
            loaded = pickle.load(f)
    except Exception:  # missing, from another version of lark, or damaged: built again by the caller
        return None
    return loaded if isinstance(loaded, Lark) else None


def lean(built: Lark) -> Lark:
    """The parser as lark loads it from its serialized form: the same tables, numbered, without the grammar
    and the sets of LR items they were built from (which would make the kept file twice as slow to load)."""
    serialized = io.BytesIO()
    built.save(serialized)
    serialized.seek(0)
    return Lark.load(serialized)


def save_parser(parser: Lark, path: Path) -> None:
    """Keep a parser that has not parsed yet at `path` (its lexers compile their patterns on first use, and
    compiled patterns are not kept). A file that cannot be written is not an error."""
    kept = io.BytesIO()
    _ParserPickler(kept, protocol=pickle.HIGHEST_PROTOCOL).dump(parser)
    write_atomically(path, kept.getvalue())
