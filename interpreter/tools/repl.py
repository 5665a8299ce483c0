"""`yakkan repl [CONTRACT]`: an interactive session over a contract (docs/repl.md).

On a terminal it is a prompt_toolkit prompt with persistent history ($XDG_STATE_HOME/yakkan/history),
completion, syntax highlighting (interpreter/highlight.py) and multi-line input that continues while a
bracket or brace is open. Without a terminal (piped input) it reads lines from stdin and prints the same
outputs with no prompt, so a session can be scripted. The commands are in interpreter/repl_commands.py.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable

from interpreter.render.wording import LANGUAGES
from interpreter.tools.repl_commands import BARE_WORDS, COMMANDS, Session, needs_more, split_words

PROMPT = "yakkan> "
CONTINUATION = "   ...> "


def add_parser(sub) -> None:
    p = sub.add_parser("repl", help="an interactive session: evaluate dates and amounts, add events, ask for deadlines")
    p.add_argument("contract", nargs="?", metavar="CONTRACT", help="a .ctr file to load first")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="the language of the ledgers printed (default: the contract's), as for `run`")
    p.add_argument("--root", metavar="DIR", help="a scenario's `contract:` may name any .ctr file under DIR "
                                                 "(default: inside the scenario's repository)")
    p.set_defaults(func=cmd_repl)


def history_path(environ=os.environ) -> Path:
    """$XDG_STATE_HOME/yakkan/history, by default ~/.local/state/yakkan/history."""
    state = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "yakkan" / "history"


def cmd_repl(args) -> int:
    session = Session(sys.stdout, sys.stderr, lang=args.lang, root=args.root)
    if args.contract:
        session.execute(f":load {_quote(args.contract)}")
        session.lines.clear()  # the command line is not something the user typed at the prompt
    if sys.stdin.isatty() and sys.stdout.isatty():
        return interactive(session)
    return piped(session, sys.stdin)


def _quote(path: str) -> str:
    return f'"{path}"' if any(c.isspace() for c in path) else path


def piped(session: Session, lines: Iterable[str]) -> int:
    """Read inputs line by line; an expression continues while its brackets are open (a command line ends
    it). Same outputs as the terminal, no prompt."""
    pending: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n").rstrip("\r")
        if pending and line.lstrip().startswith(":"):  # a command ends an unfinished expression
            if not session.execute("\n".join(pending)):
                return 0
            pending = []
        pending.append(line)
        text = "\n".join(pending)
        if needs_more(text):
            continue
        pending = []
        if not session.execute(text):
            return 0
    if pending:
        session.execute("\n".join(pending))
    return 0


# ------------------------------------------------------------------------------- the terminal front end


def _completer(session: Session):
    from prompt_toolkit.completion import Completer, Completion, PathCompleter
    from prompt_toolkit.document import Document

    from interpreter.tools.highlight import KEYWORDS

    paths = PathCompleter(expanduser=True)

    class YakkanCompleter(Completer):
        def get_completions(self, document, complete_event):
            text = document.text_before_cursor
            words = split_words(text)
            starting = not text or text[-1].isspace()
            current = "" if starting else (words[-1].text if words else "")
            if text.lstrip().startswith(":"):
                if len(words) == 1 and not starting:
                    for name, arguments, what in COMMANDS:
                        if name.startswith(current):
                            yield Completion(name, -len(current), display_meta=what)
                    return
                command = words[0].text
                position = len(words) if starting else len(words) - 1  # index of the word being typed
                if command in (":load", ":scenario", ":save"):
                    sub = Document(current, len(current))
                    yield from paths.get_completions(sub, complete_event)
                    return
                key = current.split("=", 1)[0] if "=" in current else None
                if command == ":deadline" and position == 1:
                    candidates = session.notice_names()
                elif command == ":event" and position == 1:
                    candidates = list(session.model.versions[-1].tables.events) if session.model else []
                elif command == ":event" and position > 1 and key is not None:  # plan=<Tab>: its values
                    candidates = session.field_values(words[1].text, key)
                elif command == ":event" and position > 1:
                    candidates = [f + "=" for f in session.event_fields(words[1].text) + ["at"]]
                elif command == ":params" and key is not None:
                    candidates = session.param_values(key)
                elif command == ":params":
                    candidates = [p + "=" for p in (session.model.base.tables.params if session.model else ())]
                else:
                    candidates = session.names()
            else:
                candidates = session.names() + list(KEYWORDS) + list(BARE_WORDS)
            word = current.split("=", 1)[1] if "=" in current else current
            for c in dict.fromkeys(candidates):
                if c.startswith(word) and c != word:
                    yield Completion(c, -len(word))

    return YakkanCompleter()


def interactive(session: Session) -> int:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.lexers import PygmentsLexer

    from interpreter.tools.highlight import YakkanReplLexer

    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        history = FileHistory(str(path))
    except OSError:
        history = InMemoryHistory()  # a read-only home: the session still works, without saved history
    prompt = PromptSession(
        history=history,
        completer=_completer(session),
        lexer=PygmentsLexer(YakkanReplLexer),
        multiline=Condition(lambda: needs_more(prompt.default_buffer.text)),
        prompt_continuation=lambda width, line, soft: CONTINUATION[-width:] if width else "",
        complete_while_typing=False,
    )
    print("yakkan repl — type help (or :help) for the commands, exit to leave")
    while True:
        try:
            text = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue  # Ctrl-C drops the line being typed (it is in the history if it was entered)
        except EOFError:
            return 0
        if not session.execute(text):
            return 0
