"""Account services: register, verify, sign in and out, passwords, e-mail change, deletion.

The login identifier is the e-mail address: ``User.username`` holds it lower-cased (so it is
unique), ``User.email`` holds it as typed. Addresses are limited to 150 characters, the length
of Django's username column.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from tidings.common.errors import ApplicationError, InvalidInput
from tidings.readers import emails, throttles, tokens
from tidings.readers.models import ApiToken, Profile, ReaderSession

User = get_user_model()
MAX_PASSWORD_LENGTH = 4096
MAX_EMAIL_LENGTH = 150


class Throttled(ApplicationError):
    """Too many attempts; the answer is 429 and nothing is sent."""


class WrongPassword(InvalidInput):
    """The current password given to confirm a sensitive change is not right."""


def email_normalise(*, email: str) -> str:
    address = (email or "").strip()
    if len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput(f"Use an e-mail address of at most {MAX_EMAIL_LENGTH} characters.")
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput("Enter a valid e-mail address.") from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def password_check(*, password: str, user: Any = None) -> None:
    """ASVS rules: 8 to 4096 characters, not a common password, no composition rules."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Use a password of at most {MAX_PASSWORD_LENGTH} characters.")
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from None


def user_find(*, email: str) -> Any | None:
    return User.objects.filter(username=email.lower()).select_related("profile").first()


def profile_for(*, user: Any) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _reset_link(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return _link(f"/account/reset/{uid}/{default_token_generator.make_token(user)}/")


def account_register(*, email: str, password: str, display_name: str = "", ip: str) -> None:
    """Create a free account and send the confirmation link; the same outcome for a known
    address, which instead gets an e-mail saying it already has an account (no enumeration)."""
    address = email_normalise(email=email)
    password_check(password=password)
    if not throttles.signup_allowed(ip=ip):
        raise Throttled("Too many sign-ups from here; try again in a few minutes.")
    existing = user_find(email=address)
    if existing is not None:
        make_password(password)  # the same hashing work as a new account
        if throttles.email_allowed(purpose="register", address=address):
            emails.already_registered_email(to=existing.email, reset_link=_reset_link(existing))
        return
    with transaction.atomic():
        try:
            user = User.objects.create_user(
                username=address.lower(), email=address, password=password
            )
        except IntegrityError:
            return  # a concurrent sign-up for the same address won; answer the same
        Profile.objects.create(user=user, display_name=display_name.strip()[:80])
        if throttles.email_allowed(purpose="verify", address=address):
            token = tokens.email_link_token(user_id=user.pk, email=address)
            emails.verification_email(to=address, link=_link(f"/account/verify/{token}/"))


def verification_resend(*, user: Any) -> None:
    if not throttles.email_allowed(purpose="verify", address=user.email):
        raise Throttled("We have sent several links already; try again in an hour.")
    token = tokens.email_link_token(user_id=user.pk, email=user.email)
    emails.verification_email(to=user.email, link=_link(f"/account/verify/{token}/"))


@transaction.atomic
def email_verify(*, token: str) -> Any:
    """Confirm the address in a link: a new account's, or the new one of an e-mail change."""
    found = tokens.email_link_read(token=token)
    if found is None:
        raise InvalidInput("This link has expired or is not valid. Ask for a new one.")
    user_id, address = found
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidInput("This link has expired or is not valid. Ask for a new one.")
    if address.lower() != user.username:
        if User.objects.filter(username=address.lower()).exclude(pk=user.pk).exists():
            raise InvalidInput("This link has expired or is not valid. Ask for a new one.")
        user.username, user.email = address.lower(), address
        user.save(update_fields=["username", "email"])
    profile = profile_for(user=user)
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_verified_at"])
    return user


def is_verified(*, user: Any) -> bool:
    profile = getattr(user, "profile", None)
    return bool(profile and profile.email_verified_at)


def reader_authenticate(*, email: str, password: str) -> Any | None:
    """The account if the password is right. Unknown addresses and accounts without a usable
    password cost the same hashing time as a wrong password (SECURITY.md A2)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    user = user_find(email=email.strip())
    if user is None or not user.is_active or not user.has_usable_password():
        make_password(password)
        return None
    return user if user.check_password(password) else None


def reader_sign_in(*, request: HttpRequest, user: Any) -> None:
    """Sign in with a fresh session key (no fixation), remember the session for "sign out
    everywhere", and cancel a pending deletion."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    ReaderSession.objects.get_or_create(
        session_key=request.session.session_key or "",
        defaults={"user": user, "user_agent": request.headers.get("User-Agent", "")[:200]},
    )
    throttles.login_succeeded(account=user.username)
    Profile.objects.filter(user=user).update(deletion_requested_at=None)


def reader_sign_out(*, request: HttpRequest) -> None:
    if request.session.session_key:
        ReaderSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)


def sessions_end_all(*, user: Any, keep_session_key: str | None = None) -> int:
    """End every recorded session of this reader except, optionally, the current one."""
    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    ended = 0
    for reader_session in ReaderSession.objects.filter(user=user).exclude(
        session_key=keep_session_key or ""
    ):
        store: SessionBase = engine.SessionStore(session_key=reader_session.session_key)
        store.delete()
        reader_session.delete()
        ended += 1
    return ended


def password_change(
    *, user: Any, current_password: str, new_password: str, keep_session_key: str | None
) -> None:
    """Change the password; every other session ends (the session auth hash changes too)."""
    if not current_password or not user.check_password(current_password):
        raise WrongPassword("Your current password is not right.")
    password_check(password=new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_end_all(user=user, keep_session_key=keep_session_key)


def password_reset_request(*, email: str) -> None:
    """Send a reset link if the address has an account; the same answer either way."""
    try:
        address = email_normalise(email=email)
    except InvalidInput:
        return
    if not throttles.email_allowed(purpose="reset", address=address):
        raise Throttled("We have sent several links already; try again in an hour.")
    user = user_find(email=address)
    if user is not None and user.is_active:
        emails.password_reset_email(to=user.email, link=_reset_link(user))


def password_reset_user(*, uidb64: str, token: str) -> Any | None:
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uidb64).decode())).first()
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def password_reset_finish(*, user: Any, new_password: str) -> None:
    password_check(password=new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_end_all(user=user)
    # Following the link proves the reader holds the address.
    Profile.objects.update_or_create(user=user, defaults={"email_verified_at": timezone.now()})


def email_change_request(*, user: Any, current_password: str, new_email: str) -> None:
    """Send a confirmation to the new address and a notice to the old one (A6)."""
    if not current_password or not user.check_password(current_password):
        raise WrongPassword("Your current password is not right.")
    address = email_normalise(email=new_email)
    if not throttles.email_allowed(purpose="change", address=address):
        raise Throttled("We have sent several links already; try again in an hour.")
    token = tokens.email_link_token(user_id=user.pk, email=address)
    emails.verification_email(to=address, link=_link(f"/account/verify/{token}/"))
    emails.email_change_notice(to=user.email, new_address=address)


def account_delete_request(*, user: Any, current_password: str) -> None:
    """Mark the account for deletion after the grace period and end every session at once."""
    if not current_password or not user.check_password(current_password):
        raise WrongPassword("Your current password is not right.")
    Profile.objects.update_or_create(user=user, defaults={"deletion_requested_at": timezone.now()})
    sessions_end_all(user=user)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def accounts_purge_deleted(*, now: Any = None) -> int:
    """Delete accounts whose deletion was asked for longer ago than the grace period."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.READER_DELETION_GRACE_DAYS)
    doomed = User.objects.filter(
        profile__deletion_requested_at__lte=cutoff, is_staff=False, is_superuser=False
    )
    count = 0
    for user in doomed:
        sessions_end_all(user=user)
        user.delete()
        count += 1
    return count
