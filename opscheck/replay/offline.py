"""Offline mode opens no socket: enforced by refusing network connects.

Why enforced: a replay that silently reaches the network is a live run
mislabelled as offline. While the block is on, any attempt to connect an
internet socket (or resolve a host) raises at once, naming the address.
Unix sockets stay allowed: pytest-xdist and local tooling use them.
"""

from __future__ import annotations

import socket
from typing import Any

from opscheck.errors import OpscheckError


class OfflineViolation(OpscheckError):
    """Something tried to use the network during an offline run."""


_saved: dict[str, Any] = {}


def _refuse(what: str) -> OfflineViolation:
    return OfflineViolation(f"offline mode: refused network access to {what} (use --mode live)")


def _connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        raise _refuse(repr(address))
    return _saved["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        raise _refuse(repr(address))
    return _saved["connect_ex"](self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    raise _refuse(f"name lookup of {host!r}")


def enable() -> None:
    """Refuse every internet connect and name lookup from now on."""
    if _saved:
        return
    _saved.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                  getaddrinfo=socket.getaddrinfo)
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _getaddrinfo


def disable() -> None:
    """Put the real socket functions back."""
    if not _saved:
        return
    socket.socket.connect = _saved["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _saved["connect_ex"]  # type: ignore[method-assign]
    socket.getaddrinfo = _saved["getaddrinfo"]
    _saved.clear()


def active() -> bool:
    return bool(_saved)
