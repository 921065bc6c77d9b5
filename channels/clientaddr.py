"""The client's address, taking proxy headers only from proxies the operator trusts.

uvicorn trusts `X-Forwarded-For` from 127.0.0.1 by default, so anything on the same host could
claim any address and step around the rate limits. `nq57 serve` turns that off; this module
reads the header only when the peer is in `NQ57_TRUSTED_PROXIES` (addresses or networks), and
then takes the right-most address that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """ "10.0.0.0/8", "127.0.0.1", "::1" → networks; ValueError names a bad entry."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"NQ57_TRUSTED_PROXIES: not an address or network: {entry!r}"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """Address to key limits on: ``peer`` unless it is a trusted proxy that forwarded one."""
    peer = peer or "unknown"
    networks = parse_networks(tuple(trusted))
    if not forwarded_for or not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: keep the proxy's own address
    return hops[0] if hops else peer
