"""``tidings createeditor``: an editor-desk account (editor, desk chief or admin)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tidings.articles.services import DESK_ROLES, editor_create
from tidings.common.errors import InvalidInput

PASSWORD_VARIABLE = "TIDINGS_EDITOR_PASSWORD"  # noqa: S105  (a variable name, not a secret)


class Command(BaseCommand):
    help = (
        "Create a staff account for the editor desk (/desk/). Roles: editor (writes and "
        "publishes), desk-chief (also sections, topics, sources, retractions), admin "
        f"(everything). With --no-input the password is read from ${PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username")
        parser.add_argument("--email", default=None)
        parser.add_argument(
            "--role",
            choices=list(DESK_ROLES),
            default=None,
            help="Default: admin for the first desk account, editor after that.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing; the password comes from ${PASSWORD_VARIABLE}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive: bool = options["interactive"]
        username = (options["username"] or "").strip()
        email = (options["email"] or "").strip()
        role = options["role"] or self._default_role()
        if interactive:
            username = username or self._ask("Username: ")
            if options["email"] is None:
                email = self._ask("E-mail address (optional): ", required=False)
        if not username:
            raise CommandError("A username is needed: pass --username NAME.")
        self._check_username(username)
        password = self._password(username=username, email=email, interactive=interactive)
        try:
            editor_create(username=username, email=email, password=password, role=role)
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {DESK_ROLES[role]} account {username!r}. "
                f"Sign in at {settings.SITE_URL}/desk/"
            )
        )

    def _default_role(self) -> str:
        has_staff = get_user_model().objects.filter(is_staff=True).exists()
        return "editor" if has_staff else "admin"

    def _check_username(self, username: str) -> None:
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is taken; choose another.")

    def _ask(self, prompt: str, *, required: bool = True) -> str:
        while True:
            try:
                answer = input(prompt).strip()
            except (EOFError, KeyboardInterrupt):
                raise CommandError("Cancelled: no account was created.") from None
            if answer or not required:
                return answer
            self.stderr.write("This cannot be empty.")

    def _password(self, *, username: str, email: str, interactive: bool) -> str:
        candidate = get_user_model()(username=username, email=email)
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(f"With --no-input, set the password in ${PASSWORD_VARIABLE}.")
            self._validate(password, candidate)
            return password
        while True:
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("Cancelled: no account was created.") from None
            if password != again:
                self.stderr.write("The passwords do not match. Try again.")
                continue
            try:
                self._validate(password, candidate)
            except CommandError as error:
                self.stderr.write(str(error))
                continue
            return password

    @staticmethod
    def _validate(password: str, candidate: Any) -> None:
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
