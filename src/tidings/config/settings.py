"""The one settings module. Everything comes from the environment (see .env.example)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tidings.common.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Mode and data folder -------------------------------------------------------------

PRODUCTION = env_str("TIDINGS_ENV", "embedded").lower() == "production"
if env_str("TIDINGS_ENV", "embedded").lower() not in {"embedded", "production", "test"}:
    raise ImproperlyConfigured("TIDINGS_ENV must be embedded, production or test.")
TESTING = env_str("TIDINGS_ENV", "embedded").lower() == "test"
DATA_DIR = Path(env_str("TIDINGS_DATA_DIR", "data")).expanduser().resolve()


def _prepare_data_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A uniquely named probe: several processes (web workers, job workers) start at once.
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as error:
        raise ImproperlyConfigured(
            f"TIDINGS_DATA_DIR {str(path)!r} is not a writable folder ({error.strerror}). "
            "Point TIDINGS_DATA_DIR at a folder this user can write to."
        ) from None
    return path


_prepare_data_dir(DATA_DIR)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when TIDINGS_ENV=production.")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Tidings")

# --- Applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "huey.contrib.djhuey",
    "tidings.common",
    "tidings.sources",
    "tidings.ingestion",
    "tidings.enrichment",
    "tidings.articles",
    "tidings.readers",
    "tidings.ranking",
    "tidings.search",
    "tidings.notifications",
    "tidings.billing",
    "tidings.web",
    "tidings.api",
    # After our apps, so the desk's own admin templates (branding) win.
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tidings.common.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tidings.common.middleware.DeskForStaffOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tidings.config.urls"
WSGI_APPLICATION = "tidings.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tidings.web.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

_db = parse_database_url("DATABASE_URL", env_str("DATABASE_URL"), data_dir=DATA_DIR)
DATABASES: dict[str, dict[str, Any]]
if _db.engine == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _db.name,
            # Kept open: closing the last connection checkpoints the WAL on every request.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # busy_timeout is set through Python's timeout (seconds) and again by pragma.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA cache_size=-20000;"
                    "PRAGMA mmap_size=134217728;"
                ),
            },
            "TEST": {
                "NAME": str(DATA_DIR / "test.sqlite3") if env_bool("TEST_SQLITE_FILE") else None
            },
        }
    }
else:
    _statement_timeout_ms = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 30000, minimum=0)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1),
                "options": f"-c statement_timeout={_statement_timeout_ms}",
                **(_db.options or {}),
            },
        }
    }
DATABASE_IS_SQLITE = _db.engine == "sqlite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, jobs ------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# "default" is shared by every process (rate limits, counters); "local" is this process's
# own short-lived memory for things that may be a minute stale (navigation, section tree).
_local_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 60}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tidings"),
        },
        "local": _local_cache,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tidings_cache",
        },
        "local": _local_cache,
    }

_jobs_immediate = env_bool("JOBS_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("CACHE_KEY_PREFIX", "tidings"),
        "url": REDIS_URL,
        "immediate": _jobs_immediate,
        "consumer": {"workers": env_int("WORKER_THREADS", 4, minimum=1), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tidings",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": _jobs_immediate,
        "consumer": {"workers": env_int("WORKER_THREADS", 2, minimum=1), "worker_type": "thread"},
    }

# --- Outbound fetching (the guarded HTTP client, common.http) -----------------------------

FETCH_TIMEOUT = env_int("FETCH_TIMEOUT", 20, minimum=1)
FETCH_CONNECT_TIMEOUT = env_int("FETCH_CONNECT_TIMEOUT", 5, minimum=1)
FETCH_READ_TIMEOUT = env_int("FETCH_READ_TIMEOUT", 10, minimum=1)
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 10, minimum=0)
FETCH_PER_HOST_LIMIT = env_int("FETCH_PER_HOST_LIMIT", 2, minimum=1)
FETCH_ALLOWED_PORTS = [int(port) for port in env_list("FETCH_ALLOWED_PORTS", []) if port.isdigit()]
FETCH_RESPECT_ROBOTS = env_bool("FETCH_RESPECT_ROBOTS", True)
FETCH_CA_BUNDLE = env_str("FETCH_CA_BUNDLE")
# Retry-After holds are shared by every process through the default cache.
FETCH_HOLD_CACHE_ALIAS = "default"

# --- Enrichment -------------------------------------------------------------------------

# A new name becomes a proposed topic once stories from this many sources carry it within
# the window (days); sightings older than the window are forgotten (articles.enrich).
TOPIC_PROPOSAL_MIN_SOURCES = env_int("TOPIC_PROPOSAL_MIN_SOURCES", 3, minimum=1)
TOPIC_PROPOSAL_WINDOW_DAYS = env_int("TOPIC_PROPOSAL_WINDOW_DAYS", 30, minimum=1)

# --- Auth -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "/desk/login/"
# Readers' sign-in and e-mail throttles (SECURITY.md L1–L4); counters live in cache "default".
# TRUSTED_PROXY_COUNT: how many reverse proxies in front of the site append to X-Forwarded-For.
# 0 means the client address is the TCP peer and X-Forwarded-For is never believed.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
READER_LOGIN_FAILURE_LIMIT = env_int("READER_LOGIN_FAILURE_LIMIT", 5, minimum=1)
READER_LOGIN_WINDOW_SECONDS = env_int("READER_LOGIN_WINDOW_SECONDS", 900, minimum=60)
READER_EMAIL_LIMIT_PER_HOUR = env_int("READER_EMAIL_LIMIT_PER_HOUR", 4, minimum=1)
READER_SIGNUP_LIMIT_PER_IP = env_int("READER_SIGNUP_LIMIT_PER_IP", 10, minimum=1)
# Password-reset and e-mail verification links expire after an hour and a day.
PASSWORD_RESET_TIMEOUT = 3600
READER_VERIFY_MAX_AGE_SECONDS = 86400
READER_DELETION_GRACE_DAYS = env_int("READER_DELETION_GRACE_DAYS", 14, minimum=0)

# --- Internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en-gb")
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"TIME_ZONE={TIME_ZONE!r} is not a known time zone (try Europe/London or Asia/Kolkata)."
    ) from None
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Email ------------------------------------------------------------------------------

_email_url = env_str("EMAIL_URL", "console:")
if _email_url.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email_url.startswith("file:"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email_url.removeprefix("file://") or str(DATA_DIR / "mail")
elif _email_url.startswith(("smtp://", "smtps://")):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = "starttls" in _mail.query
    EMAIL_TIMEOUT = 20
else:
    raise ImproperlyConfigured(
        f"EMAIL_URL={_email_url!r} is not understood: use console:, file:///folder, "
        "smtp://user:password@host:587?starttls or smtps://user:password@host:465."
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tidings <news@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers -------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"huey": {"level": "INFO"}, "django.db.backends": {"level": "WARNING"}},
}
