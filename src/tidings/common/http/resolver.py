"""Turning a host name into addresses, behind a hook that tests and operators can replace.

The active resolver is the ``FETCH_RESOLVER`` setting when set (a callable or a dotted
path to one, taking ``host`` and ``port`` and returning address strings); otherwise the
system resolver. Tests use :class:`StaticResolver`, a real resolver over a fixed table.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Protocol

from django.utils.module_loading import import_string

from tidings.common.http.settings import fetch_setting


class Resolver(Protocol):
    def __call__(self, host: str, port: int) -> list[str]: ...


def system_resolver(host: str, port: int) -> list[str]:
    """Addresses from the operating system's resolver (``getaddrinfo``), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    return addresses


class StaticResolver:
    """Answers from a fixed table; a host maps to one address or a list of answers in turn.

    ``StaticResolver({"public.test": "127.0.0.2"})`` always answers 127.0.0.2;
    ``StaticResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"]})`` answers 127.0.0.2 the
    first time and 127.0.0.1 every time after (a DNS-rebinding attacker).
    """

    def __init__(self, table: Mapping[str, str | Iterable[str]]) -> None:
        self._answers = {
            host.lower(): [value] if isinstance(value, str) else list(value)
            for host, value in table.items()
        }
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answers = self._answers.get(host.lower().rstrip("."))
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the static table")
        return [answers.pop(0) if len(answers) > 1 else answers[0]]


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def resolve_within(host: str, port: int, *, timeout: float | None) -> list[str]:
    """Resolve with the active resolver, giving up (``TimeoutError``) after ``timeout`` s.

    ``getaddrinfo`` has no timeout of its own and a slow DNS server can hold it for many
    seconds, so the lookup runs in a small pool and the fetch's deadline covers it too.
    """
    resolver = active_resolver()
    if timeout is None:
        return resolver(host, port)
    if timeout <= 0:
        raise TimeoutError(f"no time left to resolve {host}")
    try:
        return _resolver_pool().submit(resolver, host, port).result(timeout=timeout)
    except FutureTimeoutError:
        raise TimeoutError(f"resolving {host} took longer than {timeout:.3g} s") from None


def _resolver_pool() -> ThreadPoolExecutor:
    global _pool  # one lazily created pool per process
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tidings-resolve")
        return _pool


def active_resolver() -> Callable[[str, int], list[str]]:
    configured = fetch_setting("FETCH_RESOLVER", None)
    if configured is None:
        return system_resolver
    if isinstance(configured, str):
        return import_string(configured)
    return configured
