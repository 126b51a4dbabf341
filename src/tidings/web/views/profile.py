"""Edit Profile: details, e-mail and password, sessions, API tokens, my data, deletion."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tidings.common.errors import InvalidInput, NotFound
from tidings.readers import accounts, forms, selectors, services

SIGN_IN = "/account/sign-in/"


def _profile_page(request: HttpRequest, status: int = 200, **forms_given: object) -> HttpResponse:
    user = request.user
    profile = accounts.profile_for(user=user)
    preferences = profile.newsletter_preferences or {}
    context = {
        "profile": profile,
        "profile_form": forms.ProfileForm(
            initial={
                "display_name": profile.display_name,
                "time_zone": profile.time_zone,
                "language": profile.language,
                "home_location": profile.home_location,
                "newsletter_daily": preferences.get("daily", False),
                "newsletter_weekly": preferences.get("weekly", False),
            }
        ),
        "email_form": forms.EmailChangeForm(),
        "password_form": forms.PasswordChangeForm(),
        "token_form": forms.TokenForm(),
        "delete_form": forms.ConfirmPasswordForm(),
        "sessions": selectors.session_list_for_user(user=user),
        "current_session": request.session.session_key,
        "api_tokens": selectors.api_token_list_for_user(user=user),
        "new_token": request.session.pop("new_api_token", None),
        "area": "profile",
        "deletion_grace_days": settings.READER_DELETION_GRACE_DAYS,
        **forms_given,
    }
    return render(request, "web/account/profile.html", context, status=status)


@login_required(login_url=SIGN_IN)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _profile_page(request)
    form = forms.ProfileForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, status=400, profile_form=form)
    data = form.cleaned_data
    try:
        services.profile_update(
            user=request.user,
            changes={
                "display_name": data["display_name"],
                "time_zone": data["time_zone"],
                "language": data["language"],
                "home_location": data["home_location"],
                "newsletter_preferences": {
                    "daily": data["newsletter_daily"],
                    "weekly": data["newsletter_weekly"],
                },
            },
        )
    except InvalidInput as error:
        form.add_error(None, str(error))
        return _profile_page(request, status=400, profile_form=form)
    messages.success(request, "Your profile is saved.")
    return redirect("web:profile")


@login_required(login_url=SIGN_IN)
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    form = forms.EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            accounts.email_change_request(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_email=form.cleaned_data["new_email"],
            )
        except accounts.Throttled as error:
            form.add_error(None, str(error))
            return _profile_page(request, status=429, email_form=form)
        except InvalidInput as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "We sent a link to your new address. Open it to finish.")
            return redirect("web:profile")
    return _profile_page(request, status=400, email_form=form)


@login_required(login_url=SIGN_IN)
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            accounts.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except InvalidInput as error:
            form.add_error(None, str(error))
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, "Your password is changed; other devices are signed out.")
            return redirect("web:profile")
    return _profile_page(request, status=400, password_form=form)


@login_required(login_url=SIGN_IN)
@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    ended = accounts.sessions_end_all(
        user=request.user, keep_session_key=request.session.session_key
    )
    messages.success(request, f"Signed out of {ended} other session(s).")
    return redirect("web:profile")


@login_required(login_url=SIGN_IN)
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = forms.TokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, status=400, token_form=form)
    try:
        _, key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    except InvalidInput as error:
        form.add_error(None, str(error))
        return _profile_page(request, status=400, token_form=form)
    # Shown once on the next page, then gone from the session.
    request.session["new_api_token"] = key
    return redirect("web:profile")


@login_required(login_url=SIGN_IN)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
    except NotFound:
        return render(request, "web/404.html", status=404)
    messages.success(request, "The token is revoked.")
    return redirect("web:profile")


@login_required(login_url=SIGN_IN)
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    data = selectors.data_export_for_user(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-tidings-data.json"'
    return response


@login_required(login_url=SIGN_IN)
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = forms.ConfirmPasswordForm(request.POST)
    if form.is_valid():
        try:
            accounts.account_delete_request(
                user=request.user, current_password=form.cleaned_data["current_password"]
            )
        except InvalidInput as error:
            form.add_error(None, str(error))
        else:
            accounts.reader_sign_out(request=request)
            return render(request, "web/account/deleted.html")
    return _profile_page(request, status=400, delete_form=form)
