"""Django's settings, built from ImagineAI's own :class:`Settings` (never from the environment).

Django is configured once per process with :func:`setup_django`; the database is the one
SQLAlchemy uses (``settings.sqlalchemy_url``), SQLite file or PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Any

import django
from django.conf import settings as django_settings
from sqlalchemy.engine import make_url

from backend.shared.config import Settings

STATIC_URL = "/static/"
ADMIN_URL_PREFIX = "admin/"
SQLITE_TIMEOUT_S = 30

_setup_lock = threading.Lock()


class AdminConfigurationError(RuntimeError):
    """Django was configured for another database than the one asked for."""


def database_config(settings: Settings) -> dict[str, Any]:
    """Django's ``DATABASES["default"]`` for the SQLAlchemy URL of ``settings``."""
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": url.database or ":memory:",
            # IMMEDIATE takes the write lock up front, so a write waits for the embedded
            # worker's transaction instead of failing with "database is locked".
            "OPTIONS": {"timeout": SQLITE_TIMEOUT_S, "transaction_mode": "IMMEDIATE"},
        }
    if url.get_backend_name() != "postgresql":
        raise AdminConfigurationError(
            f"the admin supports SQLite and PostgreSQL, not {url.get_backend_name()}"
        )
    options = {key: str(value) for key, value in url.query.items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.database or "",
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.host or "",
        "PORT": str(url.port or ""),
        "OPTIONS": options,
        # Persistent connections do not suit ASGI, where each request may use another thread.
        "CONN_MAX_AGE": 0,
    }


def secret_key(settings: Settings) -> str:
    """A key of the admin's own, derived from the signing key so it needs no extra secret."""
    return hmac.new(settings.signing_secret, b"imagineai-django-admin", hashlib.sha256).hexdigest()


def django_config(settings: Settings) -> dict[str, Any]:
    """Everything handed to ``django.conf.settings.configure``."""
    secure_cookies = settings.environment != "development"
    return {
        "DEBUG": False,
        "SECRET_KEY": secret_key(settings),
        "ALLOWED_HOSTS": list(settings.admin_allowed_hosts),
        "CSRF_TRUSTED_ORIGINS": list(settings.admin_csrf_trusted_origins),
        "INSTALLED_APPS": [
            # First, so that its admin/base_site.html overrides the stock one.
            "backend.django_app.apps.ImagineAdminConfig",
            "django.contrib.admin.apps.SimpleAdminConfig",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "backend.django_app.urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "DATABASES": {"default": database_config(settings)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "AUTH_USER_MODEL": "imagineai.User",
        "AUTHENTICATION_BACKENDS": ["backend.django_app.auth.StaffBackend"],
        "PASSWORD_HASHERS": ["backend.django_app.hashers.ApiBCryptPasswordHasher"],
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "LANGUAGE_CODE": "en-us",
        "USE_I18N": True,
        "STATIC_URL": STATIC_URL,
        "SESSION_COOKIE_NAME": "imagineai_admin_session",
        "SESSION_COOKIE_AGE": int(settings.admin_session_hours * 3600),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_NAME": "imagineai_admin_csrftoken",
        "CSRF_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Strict",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "LOGIN_URL": f"/{ADMIN_URL_PREFIX}login/",
        "LOGGING_CONFIG": None,
        "IMAGINEAI_LIST_PER_PAGE": settings.admin_list_per_page,
    }


def setup_django(settings: Settings) -> None:
    """Configure Django for ``settings`` once; a second call must name the same database."""
    with _setup_lock:
        wanted = database_config(settings)
        if django_settings.configured:
            current = django_settings.DATABASES["default"]
            if current.get("NAME") != wanted["NAME"] or current.get("HOST") != wanted.get("HOST"):
                raise AdminConfigurationError(
                    "Django is already configured for another database in this process"
                )
            return
        django_settings.configure(**django_config(settings))
        django.setup()


def migrate_admin_tables() -> None:
    """Create Django's own tables (sessions, admin log, permissions); ours stay with Alembic."""
    from django.core.management import call_command
    from django.db import connection

    if "users" not in connection.introspection.table_names():
        raise AdminConfigurationError(
            "the ImagineAI tables are missing; run `imagineai db upgrade` first"
        )
    call_command("migrate", interactive=False, verbosity=0)
