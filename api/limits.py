"""Bounded requests: a body-size limit on every endpoint, invalid Unicode refused, failed admin tokens throttled.

:class:`BodyLimit` is a pure ASGI middleware. It reads a request body (except a report upload, which its route
reads with its own, larger limit) in chunks, answers 413 as soon as it passes ``max_body_bytes`` (so a 250 MB
body is never held in memory), and answers 422 for a JSON body that is not valid UTF-8 or holds a lone
surrogate (``"\\ud800"``): the encoder cannot take one. Only then does the route see the body.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def upload_route(scope: Scope) -> bool:
    """``POST /documents``: its route reads the body itself, with the report size limit."""
    return scope.get("method") == "POST" and scope.get("path", "").rstrip("/") == "/documents"


def _surrogate_in(obj: Any, where: str = "") -> str | None:
    """Where (``messages.0.content``) the first lone surrogate of a parsed JSON value is, or None."""
    if isinstance(obj, str):
        return (where or "body") if SURROGATE.search(obj) else None
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        key = SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", k) if isinstance(k, str) else k
        path = f"{where}.{key}" if where else str(key)
        if isinstance(k, str) and SURROGATE.search(k):
            return path + " (a key)"
        found = _surrogate_in(v, path)
        if found:
            return found
    return None


def unicode_problem(body: bytes) -> str | None:
    """Why ``body`` (JSON) is not valid Unicode text — raw bytes that are not UTF-8, or a ``\\uD800``-style
    escape of a lone surrogate — or None when it is (or is not JSON at all: the route says so)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = body[e.start:e.start + 3].hex(" ").upper()
        return f"the request body is not valid UTF-8 (bytes {bad} at offset {e.start})"
    if not SURROGATE_ESCAPE.search(text):
        return None
    try:
        where = _surrogate_in(json.loads(text))
    except (ValueError, RecursionError):
        return None
    if where is None:
        return None
    return f"{where}: contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode text"


def _is_json(scope: Scope) -> bool:
    for k, v in scope.get("headers", ()):
        if k == b"content-type":
            ctype = v.split(b";")[0].strip().lower()
            return ctype == b"application/json" or ctype.endswith(b"+json")
    return False


def _content_length(scope: Scope) -> int | None:
    for k, v in scope.get("headers", ()):
        if k == b"content-length":
            return int(v) if v.isdigit() else None
    return None


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` (413) and JSON bodies that are not valid Unicode (422)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or upload_route(scope):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send, 413, self._too_big())
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send, 413, self._too_big())
                return
        problem = unicode_problem(bytes(body)) if body and _is_json(scope) else None
        if problem:
            await self._refuse(scope, receive, send, 422, "invalid request: " + problem)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_big(self) -> str:
        return f"request body is larger than the {self.max_bytes} bytes allowed (QA_MAX_BODY_BYTES)"

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        from api.errors import error_response  # api.errors -> … -> api.routes -> here

        await error_response(Request(scope), status, detail, headers={"Connection": "close"})(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """An ASGI ``receive`` that delivers ``body`` once, then waits on the real one (for the disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class FailedAuthLimiter:
    """At most ``limit`` wrong admin tokens per client address in ``window_s`` seconds; then 429 until the
    oldest failure is older than the window."""

    def __init__(self, limit: int = 10, window_s: float = 60.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        q = self._fails.setdefault(client, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or None when it may try now."""
        now = time.monotonic()
        with self._lock:
            q = self._recent(client, now)
            if len(q) < self.limit:
                return None
            return max(1, int(self.window_s - (now - q[0])) + 1)

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._fails) > 10_000:  # forget idle clients
                for c in [c for c, q in self._fails.items() if not q]:
                    del self._fails[c]


class SharedFailedAuthLimiter(FailedAuthLimiter):
    """:class:`FailedAuthLimiter` whose failures live in a file (``path``, under the index folder), so every
    worker process serving the folder counts the same failures: a client cannot spread guesses over workers.
    The file is a small JSON object {address: [wall-clock times]}, read and rewritten under a file lock."""

    MAX_CLIENTS = 10_000

    def __init__(self, path: Path, limit: int = 10, window_s: float = 60.0) -> None:
        super().__init__(limit, window_s)
        self.path = Path(path)

    def _update(self, client: str, add: bool) -> list[float]:
        now = time.time()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                f.seek(0)
                try:
                    table = json.loads(f.read() or "{}")
                    if not isinstance(table, dict):
                        table = {}
                except ValueError:
                    table = {}
                mine = [t for t in table.get(client, []) if isinstance(t, int | float) and now - t <= self.window_s]
                if add:
                    mine.append(now)
                    table[client] = mine
                    table = {c: ts for c, ts in table.items()
                             if ts and now - max(ts) <= self.window_s}  # forget idle clients
                    if len(table) > self.MAX_CLIENTS:
                        table = dict(sorted(table.items(), key=lambda kv: -max(kv[1]))[:self.MAX_CLIENTS])
                    f.seek(0)
                    f.truncate()
                    f.write(json.dumps(table))
                    f.flush()
                    os.fsync(f.fileno())
                return mine
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def retry_after(self, client: str) -> int | None:
        try:
            fails = self._update(client, add=False)
        except OSError:
            return super().retry_after(client)
        if len(fails) < self.limit:
            return None
        return max(1, int(self.window_s - (time.time() - fails[0])) + 1)

    def failed(self, client: str) -> None:
        try:
            self._update(client, add=True)
        except OSError:
            super().failed(client)
