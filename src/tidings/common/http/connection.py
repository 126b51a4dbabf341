"""Connections pinned to the address the guard checked, under a total deadline.

``http.client`` would resolve the host name again when it connects; these subclasses
connect to the checked address instead, while the Host header, TLS SNI and certificate
checks still use the host name.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import socket
import ssl
import threading
import time
from types import TracebackType

from tidings.common.http.addresses import IPAddress
from tidings.common.http.guard import address_family


class Watchdog:
    """Cuts the connection when the total deadline passes, however slowly the server drips.

    Socket timeouts bound each read, not the whole exchange; a server sending one byte
    every few seconds would never trip them. Shutting the socket down from a timer thread
    ends any blocked read at once.
    """

    def __init__(self, *, deadline: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                _shutdown(self._sock)


def _shutdown(sock: socket.socket) -> None:
    # The base class method: ssl.SSLSocket.shutdown would also drop its TLS state under a
    # reader in another thread. OSError means it is already closed: nothing to interrupt.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _pinned_socket(*, address: IPAddress, port: int, timeout: float) -> socket.socket:
    sock = socket.socket(address_family(address), socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((str(address), port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._create_connection = functools.partial(_connect_pinned, address)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self,
        host: str,
        port: int,
        *,
        address: IPAddress,
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._create_connection = functools.partial(_connect_pinned, address)


def _connect_pinned(
    address: IPAddress,
    requested: tuple[str, int],
    timeout: float,
    source_address: object = None,
) -> socket.socket:
    # ``requested`` holds the host name http.client would resolve; only its port is used.
    return _pinned_socket(address=address, port=requested[1], timeout=timeout)


@functools.lru_cache(maxsize=4)
def tls_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificate and host-name checks on, against the system store or the given bundle."""
    context = ssl.create_default_context(cafile=ca_bundle or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def pinned_connection(
    *, scheme: str, host: str, port: int, address: IPAddress, timeout: float, ca_bundle: str
) -> http.client.HTTPConnection:
    if scheme == "https":
        return PinnedHTTPSConnection(
            host, port, address=address, timeout=timeout, context=tls_context(ca_bundle)
        )
    return PinnedHTTPConnection(host, port, address=address, timeout=timeout)
