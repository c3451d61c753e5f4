"""Where links and redirects point, without trusting what a client says about the server's address.

A response never reflects an untrusted ``Host`` header (cache poisoning, links to another site): links are built
from ``QA_PUBLIC_URL`` when it is set; else from the request's Host only when it is a loopback address or one of
``QA_TRUSTED_HOSTS``; else they are relative (``/documents/…``), which a browser resolves against the address it
actually used. Redirects are always relative unless ``QA_PUBLIC_URL`` is set. ``X-Forwarded-*`` headers are
believed only from ``QA_TRUSTED_PROXIES`` (uvicorn's proxy-headers middleware, configured by ``qa serve``).
"""
from __future__ import annotations

import ipaddress
import re

from starlette.requests import Request

from api.settings import Settings

_HOST = re.compile(r"^(?:(?P<name>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)|\[(?P<v6>[0-9a-f:.]+)\])(?::\d{1,5})?$")


def host_name(host: str) -> str | None:
    """The name or address of a Host header value (without port), or None when it is not a valid one."""
    m = _HOST.match(host.strip().lower())
    if not m:
        return None
    return m.group("name") or m.group("v6")


def is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def trusted_host(request: Request, settings: Settings) -> str | None:
    """The request's Host header when links may be built from it, else None."""
    host = request.headers.get("host", "")
    name = host_name(host)
    if name is None:
        return None
    if is_loopback(name) or name in settings.server.trusted_hosts or host.lower() in settings.server.trusted_hosts:
        return host.strip().lower()
    return None


def link_base(request: Request, settings: Settings) -> str:
    """The base of absolute-when-safe links: QA_PUBLIC_URL, the trusted Host's URL, or the root path
    (relative links)."""
    if settings.server.public_url:
        return settings.server.public_url
    root = str(request.scope.get("root_path", "")).rstrip("/")
    host = trusted_host(request, settings)
    scheme = "https" if request.url.scheme == "https" else "http"
    return f"{scheme}://{host}{root}" if host else root


def local_url(settings: Settings, path: str) -> str:
    """``path`` (starting with /) under QA_PUBLIC_URL when set, else relative to the server's root."""
    return (settings.server.public_url or "") + path
