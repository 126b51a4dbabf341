"""What a reader may see. Every output path asks ``entitlement_for``; there is no other copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.articles.models import Article


@dataclass(frozen=True)
class Entitlement:
    full_text: bool
    reason: (
        str  # "free", "registered", "subscriber", "staff", "sign_in_required", "subscribe_required"
    )


def entitlement_for(*, user: Any, article: Article) -> Entitlement:
    """Whether ``user`` (possibly anonymous) may read the whole of ``article``.

    Free stories are open to everyone; "registered" stories to any signed-in reader;
    "subscriber" stories to staff until plans and trials exist (the billing issue adds
    subscriptions and the metered allowance here, in this one function).
    """
    signed_in = bool(getattr(user, "is_authenticated", False))
    if article.access == Article.Access.FREE:
        return Entitlement(full_text=True, reason="free")
    if getattr(user, "is_staff", False):
        return Entitlement(full_text=True, reason="staff")
    if article.access == Article.Access.REGISTERED:
        if signed_in:
            return Entitlement(full_text=True, reason="registered")
        return Entitlement(full_text=False, reason="sign_in_required")
    return Entitlement(full_text=False, reason="subscribe_required")
