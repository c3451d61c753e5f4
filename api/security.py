"""Headers that keep a browser safe, on every response; the chat page's Content-Security-Policy.

* ``X-Content-Type-Options: nosniff`` everywhere: a browser never guesses HTML or script from a response's bytes
  (an original uploaded as text that looks like a web page stays text);
* ``X-Frame-Options: DENY`` everywhere, and ``frame-ancestors 'none'`` in the page's CSP: no other site can frame
  the service (clickjacking the upload drop zone);
* ``Referrer-Policy: same-origin``: a citation link does not leak the page's query to another site.

The page's CSP allows only its own inline script (by hash, computed from the file), scripts and requests to the
same origin, and no plugins, base URL changes or frames.
"""
from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERY_RESPONSE = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@lru_cache(maxsize=8)
def page_csp(page: Path) -> str:
    """The Content-Security-Policy of an HTML page: its inline scripts by hash, everything else same-origin."""
    html = page.read_text(encoding="utf-8")
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
                      for s in _INLINE_SCRIPT.findall(html))
    return ("default-src 'self'; script-src 'self' " + hashes + "; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


class SecurityHeaders:
    """Adds :data:`EVERY_RESPONSE` to every HTTP response (a route's own value wins)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in EVERY_RESPONSE.items():
                    if k not in headers:
                        headers[k] = v
            await send(message)

        await self.app(scope, receive, send_with_headers)
