"""A small Language Server Protocol client for the tests: it starts `yakkan lsp` as a subprocess and speaks
JSON-RPC over its standard input and output, with the protocol's Content-Length framing, as an editor does."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

YAKKAN = str(Path(sys.executable).parent / "yakkan")
WAIT = 30  # seconds before a missing answer fails the test (a hang, never a timing assertion)


class LspClient:
    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen([YAKKAN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        self.messages: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict) -> None:
        body = json.dumps(dict(message, jsonrpc="2.0"), ensure_ascii=False).encode("utf-8")
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.proc.stdin.flush()

    def _next(self) -> dict:
        try:
            message = self.messages.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"the server said nothing for {WAIT} s") from None
        if message is None:
            raise AssertionError("the server closed its output: " + self.proc.stderr.read().decode(errors="replace"))
        if "method" in message and "id" in message:  # a request from the server: accept it
            self.send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        return message

    def request(self, method: str, params) -> object:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self._next()
            if message.get("id") == self.next_id and "method" not in message:
                if "error" in message:
                    raise AssertionError(f"{method} failed: {message['error']}")
                return message.get("result")

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def diagnostics_note(self, uri: str) -> dict:
        """The parameters of the next diagnostics published for a document (uri, version, diagnostics)."""
        while True:
            for i, note in enumerate(self.notifications):
                if note["method"] == "textDocument/publishDiagnostics" and note["params"]["uri"] == uri:
                    del self.notifications[i]
                    return note["params"]
            self._next()

    def diagnostics(self, uri: str) -> list[dict]:
        """The next diagnostics published for a document."""
        return self.diagnostics_note(uri)["diagnostics"]

    def initialize(self, root: Path, capabilities: dict | None = None) -> dict:
        result = self.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                             "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str) -> list[dict]:
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "yakkan", "version": 1, "text": text}})
        return self.diagnostics(uri)

    def change(self, uri: str, text: str, version: int) -> list[dict]:
        self.notify("textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})
        return self.diagnostics(uri)

    def close(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.proc.wait(timeout=WAIT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
