"""How ``qa serve`` runs uvicorn: the HTTP protocol class every worker uses.

With ``--workers N`` uvicorn binds the listening socket itself as ``socket.socket(family)`` — without naming
the TCP protocol — and asyncio only sets TCP_NODELAY on accepted connections whose socket says
``IPPROTO_TCP``. Without it, a response written in two segments (headers, then body) waits for the client's
delayed ACK: ~40 ms more on every request, which made two workers slower than one at concurrency 1.
:class:`NoDelayH11Protocol` sets TCP_NODELAY on every connection, whatever the socket.
"""
from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


def set_nodelay(transport: asyncio.BaseTransport) -> bool:
    """TCP_NODELAY on the transport's TCP socket; whether it was set."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return False
    return True


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY on every connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
