"""The e-mails an account sends. Sent after the transaction commits; failures never change the
answer a visitor sees (so a failing mail server cannot reveal whether an address exists)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)


def _send(*, to: str, subject: str, body: str) -> None:
    def deliver() -> None:
        try:
            send_mail(
                subject=f"{settings.SITE_NAME}: {subject}",
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[to],
            )
        except Exception:
            log.exception("could not send the %r e-mail", subject)

    transaction.on_commit(deliver)


def verification_email(*, to: str, link: str) -> None:
    site = settings.SITE_NAME
    _send(
        to=to,
        subject="confirm your e-mail address",
        body=(
            f"Welcome to {site}.\n\nConfirm your e-mail address to finish creating your "
            f"free account:\n\n{link}\n\nThe link works for 24 hours. If you did not sign "
            "up, ignore this message.\n"
        ),
    )


def already_registered_email(*, to: str, reset_link: str) -> None:
    site, site_url = settings.SITE_NAME, settings.SITE_URL
    _send(
        to=to,
        subject="you already have an account",
        body=(
            f"Someone (perhaps you) tried to create a {site} account with this address, "
            f"which already has one.\n\nSign in at {site_url}/account/sign-in/ or choose a "
            f"new password here:\n\n{reset_link}\n\nIf it was not you, ignore this message.\n"
        ),
    )


def password_reset_email(*, to: str, link: str) -> None:
    site = settings.SITE_NAME
    _send(
        to=to,
        subject="choose a new password",
        body=(
            f"Choose a new password for your {site} account:\n\n{link}\n\nThe link works "
            "for one hour and only once. If you did not ask for it, ignore this message.\n"
        ),
    )


def email_change_notice(*, to: str, new_address: str) -> None:
    masked = new_address[:2] + "…@" + new_address.partition("@")[2]
    site = settings.SITE_NAME
    _send(
        to=to,
        subject="your e-mail address is being changed",
        body=(
            f"Someone signed in to your {site} account asked to change its e-mail address "
            f"to {masked}. The change happens only when the new address is confirmed. If "
            "this was not you, change your password now.\n"
        ),
    )
