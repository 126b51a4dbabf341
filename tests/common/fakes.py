"""Fake web servers on loopback addresses for the fetcher's security and robustness tests.

A ``FakeSite`` is a real HTTP server in a thread. It counts every TCP connection it
accepts (so a test can assert that an "internal" site saw none), the requests it served,
and the most requests it was answering at the same time.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["FakeHandler"], None]

PUBLIC_IP = "127.0.0.2"  # plays the public internet (FETCH_TEST_PUBLIC_ADDRESSES)
INTERNAL_IP = "127.0.0.1"  # plays an internal service that must never see a connection


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _CountingServer

    def do_GET(self) -> None:
        site = self.server.site
        site.request_started(self)
        try:
            route = site.routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.answer(404, b"not here")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should when it gives up on us
        finally:
            if not self.left_early:
                site.request_finished()

    do_POST = do_GET

    left_early = False

    def answer_after_leaving(self, status: int, body: bytes = b"", **headers: str) -> None:
        """Count this request as finished before the client can see the answer.

        Otherwise a fast client can start its next request while this thread is still
        between writing the body and leaving, and the site would count one too many.
        """
        self.server.site.request_finished()
        self.left_early = True
        self.answer(status, body, **headers)

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], site: FakeSite) -> None:
        self.site = site
        super().__init__(address, FakeHandler)

    def get_request(self) -> tuple[socket.socket, object]:
        request = super().get_request()
        self.site.connection_accepted()
        return request


class FakeSite:
    """An HTTP server on ``host`` with routes a test sets: ``site.routes["/feed"] = fn``."""

    def __init__(self, host: str, port: int = 0, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.paths: list[str] = []
        self.methods: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.accepted = 0
        self.active = 0
        self.peak_active = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _CountingServer((host, port), self)
        self.host, self.port = self._server.server_address[:2]
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def start(self) -> FakeSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def connection_accepted(self) -> None:
        with self._lock:
            self.accepted += 1

    def request_started(self, handler: FakeHandler) -> None:
        with self._lock:
            self.paths.append(handler.path)
            self.methods.append(handler.command)
            self.request_headers.append({k.lower(): v for k, v in handler.headers.items()})
            self.active += 1
            self.peak_active = max(self.peak_active, self.active)

    def request_finished(self) -> None:
        with self._lock:
            self.active -= 1


def twin_sites(public_host: str, internal_host: str) -> tuple[FakeSite, FakeSite]:
    """Two sites on the same port of two loopback addresses, for DNS-rebinding tests."""
    for _attempt in range(20):
        public = FakeSite(public_host)
        try:
            internal = FakeSite(internal_host, public.port)
        except OSError:
            public.stop()
            continue
        return public.start(), internal.start()
    raise RuntimeError("could not find a port free on both loopback addresses")
