"""The ``tidings`` command: every subcommand is a Django management command.

``tidings run``, ``tidings web``, ``tidings worker``, ``tidings createeditor``,
``tidings extract`` … and ``tidings manage <any Django command>``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.config.settings")
    if args[:1] == ["manage"]:
        args = args[1:]
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["tidings", *args] if args else ["tidings", "help"])
    except ImproperlyConfigured as error:
        sys.stderr.write(f"tidings: configuration error: {error}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
