"""Where a webhook may point: http(s) URLs whose host resolves to public addresses only.

Checked when a webhook is created or changed and again before every attempt (a name can
be re-pointed in between). ``allow_private`` (``--webhooks-allow-private``) lifts the
address rule, for tests and endpoints on a private network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from waypost.errors import Invalid

MAX_URL_CHARS = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Invalid):
    """The URL is malformed, not http(s), or its host is not a public address."""


def check_url_shape(url: str) -> tuple[str, int]:
    """The host and port of an absolute http(s) URL without credentials, or a 400."""
    if len(url) > MAX_URL_CHARS:
        raise UnsafeTarget(f"url: longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"url: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("url: only http and https URLs are allowed")
    if not parts.hostname:
        raise UnsafeTarget("url: a host is required")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("url: credentials in the URL are not allowed (use the signature)")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (not loopback, private, link-local, reserved…)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def check_target(url: str, allow_private: bool) -> None:
    """Refuse ``url`` (400) unless every address its host resolves to is public."""
    host, port = check_url_shape(url)
    if allow_private:
        return
    for address in await resolve(host, port):
        if not is_public(address):
            raise UnsafeTarget(
                f"url: {host} resolves to {address}, a loopback, private, link-local or "
                "reserved address (the server refuses those unless started with "
                "--webhooks-allow-private)"
            )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a 400 when it resolves to none)."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"url: cannot resolve {host} ({exc})") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnsafeTarget(f"url: {host} resolves to no address")
    return addresses
