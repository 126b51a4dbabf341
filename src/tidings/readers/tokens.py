"""Secrets a reader is handed: e-mail links, API tokens, the recognised-device cookie.

Every random value comes from ``secrets`` with at least 128 bits (SECURITY.md A8).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing

VERIFY_SALT = "tidings.readers.verify-email"
DEVICE_SALT = "tidings.readers.device"
DEVICE_COOKIE = "tidings_device"
TOKEN_PREFIX = "tid_"  # noqa: S105 - a visible prefix, not a secret


def email_link_token(*, user_id: int, email: str) -> str:
    """A signed, timestamped token tying an account to the address it confirms."""
    return signing.TimestampSigner(salt=VERIFY_SALT).sign_object({"u": user_id, "e": email})


def email_link_read(*, token: str) -> tuple[int, str] | None:
    """The (user id, address) in a token younger than a day, or None."""
    try:
        value = signing.TimestampSigner(salt=VERIFY_SALT).unsign_object(
            token, max_age=settings.READER_VERIFY_MAX_AGE_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int):
        return None
    return value["u"], str(value.get("e", ""))


def api_token_new() -> tuple[str, str]:
    """A new API token (256 random bits) and the SHA-256 that is all we store."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return key, api_token_hash(key)


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def device_cookie_value(*, user_id: int) -> str:
    return signing.dumps({"u": user_id, "n": secrets.token_urlsafe(16)}, salt=DEVICE_SALT)


def device_cookie_user_ids(raw: str | None) -> set[int]:
    """The accounts this browser has signed in to before (one id per cookie)."""
    if not raw:
        return set()
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=180 * 86400)
    except (signing.BadSignature, ValueError, TypeError):
        return set()
    return {value["u"]} if isinstance(value, dict) and isinstance(value.get("u"), int) else set()
