"""Sign-up, e-mail confirmation, sign-in and out, password reset: thin views over
``tidings.readers.accounts``. Every answer is the same for known and unknown addresses."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from tidings.common.errors import InvalidInput
from tidings.readers import accounts, cookies, forms, throttles, tokens
from tidings.readers.clients import client_ip
from tidings.readers.services import follows_merge

DEVICE_COOKIE_AGE = 180 * 86400


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """Where to go after signing in: a path on this site, never another origin (A10)."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
    ):
        return target
    return default


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("next", safe_next(request, ""))
    return render(request, f"web/account/{template}", context, status=status)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, "sign_up.html", {"form": form}, status=400)
        try:
            accounts.account_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                ip=client_ip(request),
            )
        except accounts.Throttled as error:
            form.add_error(None, str(error))
            return _page(request, "sign_up.html", {"form": form}, status=429)
        except InvalidInput as error:
            form.add_error("password" if "password" in str(error) else None, str(error))
            return _page(request, "sign_up.html", {"form": form}, status=400)
        return _page(request, "check_inbox.html", {"purpose": "sign-up"})
    return _page(request, "sign_up.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST confirms (link scanners in mail filters only GET)."""
    if request.method == "GET":
        return _page(request, "verify.html", {"token": token})
    try:
        user = accounts.email_verify(token=token)
    except InvalidInput as error:
        return _page(request, "verify.html", {"error": str(error)}, status=400)
    accounts.reader_sign_in(request=request, user=user)
    follows_merge(user=user, entries=cookies.anonymous_follows(request))
    response = redirect("web:onboarding" if not user.profile.onboarded_at else "web:profile")
    cookies.forget_anonymous_follows(response)
    _remember_device(response, user)
    return response


def _remember_device(response: HttpResponse, user: object) -> None:
    response.set_cookie(
        tokens.DEVICE_COOKIE,
        tokens.device_cookie_value(user_id=user.pk),  # type: ignore[attr-defined]
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = forms.SignInForm(request.POST or None)
    if request.method != "POST":
        return _page(request, "sign_in.html", {"form": form})
    if not form.is_valid():
        return _sign_in_refused(request)
    email = form.cleaned_data["email"].strip().lower()
    ip = client_ip(request)
    known = accounts.user_find(email=email)
    recognised = known is not None and known.pk in tokens.device_cookie_user_ids(
        request.COOKIES.get(tokens.DEVICE_COOKIE)
    )
    if throttles.login_blocked(account=email, ip=ip, recognised_device=recognised):
        error = "Too many attempts. Wait 15 minutes, or reset your password."
        return _page(
            request, "sign_in.html", {"form": forms.SignInForm(), "error": error}, status=429
        )
    user = accounts.reader_authenticate(email=email, password=form.cleaned_data["password"])
    if user is None:
        throttles.login_failed(account=email, ip=ip, recognised_device=recognised)
        return _sign_in_refused(request)
    if not user.is_staff and not accounts.is_verified(user=user):
        with contextlib.suppress(accounts.Throttled):
            accounts.verification_resend(user=user)
        return _page(request, "check_inbox.html", {"purpose": "unverified"})
    accounts.reader_sign_in(request=request, user=user)
    follows_merge(user=user, entries=cookies.anonymous_follows(request))
    response = redirect(safe_next(request, "/"))
    cookies.forget_anonymous_follows(response)
    _remember_device(response, user)
    return response


def _sign_in_refused(request: HttpRequest) -> HttpResponse:
    """One answer for every refusal: an empty form and the same words (no enumeration)."""
    context = {"form": forms.SignInForm(), "error": "Wrong e-mail address or password."}
    return _page(request, "sign_in.html", context, status=400)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    accounts.reader_sign_out(request=request)
    messages.info(request, "You have signed out.")
    return redirect("web:front")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.ResetRequestForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, "reset_request.html", {"form": form}, status=400)
        try:
            accounts.password_reset_request(email=form.cleaned_data["email"])
        except accounts.Throttled as error:
            form.add_error(None, str(error))
            return _page(request, "reset_request.html", {"form": form}, status=429)
        return _page(request, "check_inbox.html", {"purpose": "reset"})
    return _page(request, "reset_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = accounts.password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        return _page(request, "reset_confirm.html", {"invalid": True}, status=400)
    form = forms.NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.password_reset_finish(
                user=user, new_password=form.cleaned_data["new_password"]
            )
        except InvalidInput as error:
            form.add_error("new_password", str(error))
        else:
            messages.success(request, "Your password is changed. Sign in with it now.")
            return redirect("web:sign-in")
    status = 400 if request.method == "POST" else 200
    return _page(request, "reset_confirm.html", {"form": form}, status=status)
