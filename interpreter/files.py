"""Opening the files a user or a scenario names, without reading what should not be read.

A scenario from a pull request is run in CI with the runner's permissions, so a path written in a file is
not trusted: it might name a device (`/dev/zero` never ends), a FIFO (opening it blocks for ever), a folder,
or a file outside the project whose first line an error message would print (`/etc/passwd`,
`/proc/self/environ`). Every file is therefore opened without blocking, checked with `fstat` to be a regular
file under a size limit before a byte is read, and a scenario's `contract:` must resolve, symbolic links
followed, inside the scenario's repository.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileProblem", "FileTooLarge", "read_regular", "repository_of", "contract_in_repository"]


class FileProblem(Exception):
    """A file that is refused or cannot be read; the message is meant for the user as it is."""


class FileTooLarge(FileProblem):
    """A regular file over the size limit."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str, limit: int, what: str = "file") -> bytes:
    """The bytes of `path`, which must be a regular file of at most `limit` bytes. Raises FileProblem.

    O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; the type and size are
    taken from the open descriptor, so the file checked is the file read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileProblem(f"cannot read the {what}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"the {what} is {_kind(info.st_mode)}, not a regular file; it was not read")
        if info.st_size > limit:
            raise FileTooLarge(f"the {what} is {info.st_size:,} bytes; the limit is {limit:,}")
        chunks, total = [], 0
        while total <= limit:  # a file that grows while it is read is still cut at the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileTooLarge(f"the {what} is larger than {limit:,} bytes, the limit")
        return b"".join(chunks)
    except OSError as exc:
        raise FileProblem(f"cannot read the {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def repository_of(path: str) -> Path:
    """The repository a file belongs to: the nearest folder above it (its own included) holding `.git`
    (a folder, or a file in a git worktree); without one, the folder the file is in."""
    folder = Path(os.path.realpath(path)).parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def contract_in_repository(scenario_file: str, written: str, root: str | None = None) -> tuple[str, str | None]:
    """Resolve a scenario's `contract:` (relative to the scenario's folder) and check that it may be read.

    Returns (path, None), or (path, why it is refused). It must end in `.ctr` and, symbolic links followed,
    lie inside `root` when given, else inside the scenario's repository (see repository_of).
    """
    path = os.path.normpath(os.path.join(os.path.dirname(scenario_file), written))
    if not path.endswith(".ctr"):
        return path, "a contract file's name ends in .ctr"
    boundary = Path(os.path.realpath(root)) if root is not None else repository_of(scenario_file)
    target = Path(os.path.realpath(path))
    if target != boundary and boundary not in target.parents:
        where = f"under {root}" if root is not None else f"inside the scenario's repository ({boundary})"
        return path, f"it resolves to {target}, which is not {where}"
    return path, None
