"""Whether a URL points at the public internet: the server must not be made to call its own
network (loopback, private ranges, link-local cloud metadata) on behalf of an account."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def literal_problem(url: str) -> str | None:
    """What is wrong with the URL's host as written (an address or localhost); None if nothing."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this server"
    try:
        if not is_public(host):
            return f"{host} is not a public address"
    except ValueError:
        return None  # a name: checked when it is resolved
    return None


async def resolved_problem(url: str) -> str | None:
    """What is wrong with the addresses the URL's host resolves to now; None if all are public.

    A name that does not resolve is left to the HTTP client, which reports it. The client resolves
    the name again when it connects, so a name whose answer changes in between (DNS rebinding) is
    not caught here; the literal check and this one stop every plain attempt.
    """
    problem = literal_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None
    for answer in answers:
        address = str(answer[4][0])
        if not is_public(address):
            return f"{host} resolves to {address}, which is not a public address"
    return None
