"""The client's address, as the lockout and the export audit record it.

Behind reverse proxies, REMOTE_ADDR is the nearest proxy's address and the client's is
in X-Forwarded-For, where each proxy appends the address it received the request from.
Only the entries the agency's own proxies wrote can be believed: whatever the client
sent in the header comes before them. With `TRUSTED_PROXY_COUNT = n` the client is
therefore the n-th entry from the right; with 0 (no proxy, the default) the header is
ignored, so a forged one changes nothing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < proxies:
        # The request did not come through every proxy (or one dropped the header): only
        # the connection's own address is known for sure.
        return remote
    return _address(forwarded[-proxies]) or remote
