"""The user's private cache folder: what a run computes once and later runs load instead of computing again
(the parser's tables, the Japanese holidays of a year).

What is loaded from here is trusted: Lark stores its tables with pickle, and unpickling runs code; a holiday
read from here decides a due date. So a file is used only from a folder no one else can write (a shared
temporary folder or a group-writable home never qualifies): $XDG_CACHE_HOME/yakkan or ~/.cache/yakkan, created
with mode 0700, used only when it is a real folder (not a symbolic link) owned by this user that neither group
nor others can write, and holding the file as a regular file of the same kind.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

__all__ = ["private_cache_dir", "private_cache_file", "read_json", "write_json", "write_atomically"]


def private_cache_dir() -> Path | None:
    """The folder, created if need be; None when there is no folder only this user can write."""
    if not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    folder = Path(base) / "yakkan"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder if only_mine(folder) else None
    except OSError:
        return None


def only_mine(path: Path) -> bool:
    info = os.lstat(path)
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not stat.S_ISLNK(
        info.st_mode)


def private_cache_file(name: str) -> Path | None:
    """Where the file `name` is kept in the private folder, or None: no such folder, or a file there that is
    not ours to trust (nor to overwrite)."""
    folder = private_cache_dir()
    if folder is None:
        return None
    path = folder / name
    try:
        if path.exists() and not (path.is_file() and only_mine(path)):
            return None
    except OSError:
        return None
    return path


def read_json(path: Path):
    """The value kept at `path`, or None when it is missing or unreadable (then it is computed again)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_json(path: Path, value) -> None:
    """Keep `value` at `path` (see write_atomically)."""
    write_atomically(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` at `path`, replacing the file at once so that a reader never sees half of it. A cache
    that cannot be written is not an error: the next run computes the value again."""
    import tempfile

    try:
        fd, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
