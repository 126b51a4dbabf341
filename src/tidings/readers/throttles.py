"""Counters in the shared cache that slow down guessing and e-mail bombing (SECURITY.md L1–L7).

Keys hold a SHA-256 of the address or account, never the address itself.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"readers:throttle:{scope}:{digest}"


def _count(key: str) -> int:
    return int(caches["default"].get(key) or 0)


def _bump(key: str, *, timeout: int) -> int:
    cache = caches["default"]
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def login_blocked(*, account: str, ip: str, recognised_device: bool) -> bool:
    """Too many failures for this account, or from this client.

    A device that signed in to this account before is exempt from the account lock, so an
    attacker's failures cannot lock the real reader out (L7); the client limit still applies.
    """
    limit = settings.READER_LOGIN_FAILURE_LIMIT
    if _count(_key("login-ip", ip)) >= limit:
        return True
    if recognised_device:
        return _count(_key("login-device", account)) >= limit
    return _count(_key("login-account", account)) >= limit


def login_failed(*, account: str, ip: str, recognised_device: bool) -> None:
    window = settings.READER_LOGIN_WINDOW_SECONDS
    _bump(_key("login-ip", ip), timeout=window)
    _bump(_key("login-device" if recognised_device else "login-account", account), timeout=window)


def login_succeeded(*, account: str) -> None:
    caches["default"].delete_many([_key("login-account", account), _key("login-device", account)])


def email_allowed(*, purpose: str, address: str) -> bool:
    """Counts one more e-mail for this address and purpose; False past the hourly limit (L4)."""
    sent = _bump(_key(f"email-{purpose}", address), timeout=3600)
    return sent <= settings.READER_EMAIL_LIMIT_PER_HOUR


def signup_allowed(*, ip: str) -> bool:
    return _bump(_key("signup-ip", ip), timeout=600) <= settings.READER_SIGNUP_LIMIT_PER_IP
