"""Typed readers of environment variables that fail loudly on bad values.

Settings are only ever read from the environment (see docs/operations.md); every
helper here raises ``ImproperlyConfigured`` naming the variable and what was wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict[str, str] | None = None


def parse_database_url(name: str, raw: str, *, data_dir: Path) -> DatabaseUrl:
    """Read ``sqlite:///relative.db``, ``sqlite:////abs/path.db`` or ``postgres://...``."""
    if not raw:
        return DatabaseUrl(engine="sqlite", name=str(data_dir / "tidings.sqlite3"))
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ImproperlyConfigured(
                f"{name}={raw!r} names no file: write sqlite:///tidings.sqlite3 "
                "(relative to TIDINGS_DATA_DIR) or sqlite:////absolute/path.sqlite3."
            )
        relative = path[1:] if path.startswith("/") else path
        file = Path(relative) if Path(relative).is_absolute() else data_dir / relative
        return DatabaseUrl(engine="sqlite", name=str(file))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(
                f"{name}={raw!r} names no database: write postgres://user@host:5432/dbname."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} has an invalid port.") from None
        return DatabaseUrl(
            engine="postgresql",
            name=database,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(port or ""),
            options=dict(parse_qsl(parts.query)),
        )
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not understood: use sqlite:///file.sqlite3 or "
        "postgres://user:password@host:5432/dbname."
    )
