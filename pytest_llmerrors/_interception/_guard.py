"""The network guard: below every client, no connection the plugin does not serve leaves.

The adapters answer httpx, httpx2, aiohttp and requests; everything else that opens a
connection (a client with its own transport, ``urllib``, a raw socket, an ``httpcore``
connection made by hand, what an adapter lets through) ends in ``socket.socket.connect``
or ``connect_ex`` (a datagram sent without connecting, in ``sendto``; the name lookup that
comes first, in ``socket.getaddrinfo``).
While a test runs with ``block_network``, those refuse every address but Unix sockets and
the hosts of ``llm_errors_allow_hosts`` (loopback by default), raising `NetworkBlocked` (a
``ConnectionRefusedError``, so clients treat it as the connection failure it is) and
reporting it to the test, which fails at the end of its call even if the code, or the
thread it happened in, swallowed the error. The guard is installed once per session and
switched per test.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any


class NetworkBlocked(ConnectionRefusedError):
    """A connection pytest-llmerrors refused: the test blocks the network."""


class Guard:
    """Refuses connections to hosts outside `allow_hosts`, reporting each to `report`."""

    def __init__(self, allow_hosts: Iterable[str], report: Callable[[str], None]) -> None:
        self.allow_hosts = tuple(allow_hosts)
        self._report = report
        self._names, self._addresses = _allowed(self.allow_hosts)
        self._loopback = "localhost" in self._names

    def allows(self, host: str) -> bool:
        """Whether a connection to `host` (a name or an address) may leave."""
        if host.lower() in self._names:
            return True
        address = _address(host)
        if address is None:
            return False  # a name not in the list: its addresses are checked, not it
        return address in self._addresses or (self._loopback and address.is_loopback)

    def check_lookup(self, host: Any, port: Any) -> None:
        """Refuse resolving a name outside `allow_hosts`: the query itself leaves the process.

        An address needs no lookup (the connection is checked instead), and ``None`` or the
        machine's own name (``socket.gethostname()``, from its hosts file) asks no one.
        """
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
        if not isinstance(name, str) or not name or self.allows(name):
            return
        if name.lower() == _HOSTNAME or _address(name) is not None:
            return
        message = self._refusal(f"a name lookup of {name}:{port}", "is about to connect")
        self._report(message)
        raise socket.gaierror(socket.EAI_NONAME, message)

    def check(self, family: int, address: Any) -> None:
        """Refuse `address` unless allowed; Unix sockets always pass."""
        if family == getattr(socket, "AF_UNIX", None) or not isinstance(address, tuple):
            return
        host, port = str(address[0]), address[1]
        if self.allows(host):
            return
        message = self._refusal(f"a connection to {host}:{port}", "made it")
        self._report(message)
        raise NetworkBlocked(message)

    def _refusal(self, what: str, done: str) -> str:
        """Word the refusal of `what` (a connection, a lookup) that a client `done`."""
        allowed = " ".join(self.allow_hosts) or "(none)"
        return (
            f"pytest-llmerrors blocked {what} from thread "
            f"{threading.current_thread().name!r}: block_network is on, and only the plugin's "
            f"answers and the hosts of llm_errors_allow_hosts ({allowed}) are reachable. A "
            f"client the plugin does not serve {done} (a transport of its own, urllib, a raw "
            f"socket). Serve it through httpx/httpx2, aiohttp or requests, add the host to "
            f"llm_errors_allow_hosts, or use @pytest.mark.llm_errors(block_network=False)."
        )


def _address(host: str) -> Any | None:
    """Return `host` as an IP address (brackets and a zone index dropped), ``None`` for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _allowed(hosts: tuple[str, ...]) -> tuple[frozenset[str], frozenset[Any]]:
    """Return the names and addresses `hosts` allow, resolved once per session."""
    addresses: set[Any] = set()
    for host in hosts:
        address = _address(host)
        if address is not None:
            addresses.add(address)
        else:
            addresses.update(_resolve(host))
    return frozenset(h.lower() for h in hosts), frozenset(addresses)


def _resolve(host: str) -> set[Any]:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return set()
    return {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}


#: This machine's own name: libraries look it up (for a message id, say) without a query.
_HOSTNAME = socket.gethostname().lower()

#: The guard of the running test, if it blocks the network.
_active: Guard | None = None
_REAL: dict[str, Any] = {}


def _connect(self: socket.socket, address: Any) -> None:
    guard = _active
    if guard is not None:
        guard.check(self.family, address)
    _REAL["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    guard = _active
    if guard is not None:
        guard.check(self.family, address)
    result: int = _REAL["connect_ex"](self, address)
    return result


def _sendto(self: socket.socket, data: Any, *args: Any) -> int:
    # A datagram leaves without a connect: sendto(data, address), sendto(data, flags, address).
    guard = _active
    if guard is not None and args:
        guard.check(self.family, args[-1])
    result: int = _REAL["sendto"](self, data, *args)
    return result


_GUARDED = {"connect": _connect, "connect_ex": _connect_ex, "sendto": _sendto}


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    guard = _active
    if guard is not None:
        guard.check_lookup(host, port)
    return _REAL_LOOKUP["getaddrinfo"](host, port, *args, **kwargs)


_REAL_LOOKUP: dict[str, Any] = {}


def activate(guard: Guard | None) -> None:
    """Guard the connections of the running test with `guard` (``None``: none)."""
    global _active
    if guard is not None and not _REAL:
        for name, replacement in _GUARDED.items():
            _REAL[name] = getattr(socket.socket, name)
            setattr(socket.socket, name, replacement)
        _REAL_LOOKUP["getaddrinfo"] = socket.getaddrinfo
        socket.getaddrinfo = _getaddrinfo
    _active = guard


def uninstall() -> None:
    """Put the real ``connect``, ``connect_ex``, ``sendto`` and ``getaddrinfo`` back."""
    global _active
    _active = None
    real_lookup = _REAL_LOOKUP.pop("getaddrinfo", None)
    if real_lookup is not None and socket.getaddrinfo is _getaddrinfo:
        socket.getaddrinfo = real_lookup
    for name, real in list(_REAL.items()):
        if socket.socket.__dict__.get(name) is _GUARDED.get(name):
            if real is getattr(socket.socket.__mro__[1], name, None):
                delattr(socket.socket, name)  # it was inherited from _socket.socket
            else:
                setattr(socket.socket, name, real)
    _REAL.clear()
