"""Forms of the account pages: they check shape and length only; services decide the rest.

Length limits come first so a 1 MB password is refused before any hashing (A7).
"""

from __future__ import annotations

import zoneinfo

from django import forms

from tidings.readers.accounts import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH

TIME_ZONES = sorted(zoneinfo.available_timezones())


def _email(label: str = "E-mail address") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


def _password(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class SignUpForm(forms.Form):
    email = _email()
    password = _password("Password", "new-password")
    display_name = forms.CharField(label="Your name (optional)", max_length=80, required=False)


class SignInForm(forms.Form):
    email = forms.CharField(
        label="E-mail address",
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = _password("Password", "current-password")


class ResetRequestForm(forms.Form):
    email = _email()


class NewPasswordForm(forms.Form):
    new_password = _password("New password", "new-password")


class PasswordChangeForm(forms.Form):
    current_password = _password("Current password", "current-password")
    new_password = _password("New password", "new-password")


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label="New e-mail address",
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    current_password = _password("Current password", "current-password")


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Display name", max_length=80, required=False)
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[("", "Site default")] + [(z, z) for z in TIME_ZONES],
        required=False,
    )
    language = forms.ChoiceField(
        label="Language",
        choices=[
            ("", "Site default"),
            ("en", "English"),
            ("pt", "Português"),
            ("es", "Español"),
            ("fr", "Français"),
            ("de", "Deutsch"),
            ("hi", "हिन्दी"),
        ],
        required=False,
    )
    home_location = forms.CharField(
        label="Home location",
        max_length=120,
        required=False,
        help_text="For local news, e.g. Mumbai or Leeds.",
    )
    newsletter_daily = forms.BooleanField(label="Morning briefing", required=False)
    newsletter_weekly = forms.BooleanField(label="Weekend reads", required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=80)


class ConfirmPasswordForm(forms.Form):
    current_password = _password("Current password", "current-password")
