"""The ASGI app serves pages and static files itself, and settings come from ImagineAI's."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from backend.django_app.asgi import create_admin_app
from backend.django_app.cli import register
from backend.django_app.conf import AdminConfigurationError, database_config, django_config
from backend.shared.config import Settings, get_settings
from tests.django_app.support import AdminDatabase


def _settings(**fields: Any) -> Settings:
    return get_settings().model_copy(update=fields)


def test_database_settings_follow_the_sqlalchemy_url() -> None:
    postgres = database_config(
        _settings(
            database_url="postgresql+psycopg://app:s3cret@db.internal:6432/imagine?sslmode=require"
        )
    )
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["NAME"], postgres["USER"], postgres["PASSWORD"]) == (
        "imagine",
        "app",
        "s3cret",
    )
    assert (postgres["HOST"], postgres["PORT"]) == ("db.internal", "6432")
    assert postgres["OPTIONS"] == {"sslmode": "require"}

    sqlite = database_config(_settings(database_url="sqlite+pysqlite:///var/imagineai.db"))
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "var/imagineai.db"

    with pytest.raises(AdminConfigurationError):
        database_config(_settings(database_url="mysql+pymysql://x@y/z"))


def test_cookies_are_secure_everywhere_but_development() -> None:
    development = django_config(_settings(environment="development"))
    production = django_config(_settings(environment="production"))
    assert development["SESSION_COOKIE_SECURE"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECRET_KEY"] != get_settings().signing_secret.decode()
    assert "django.middleware.csrf.CsrfViewMiddleware" in production["MIDDLEWARE"]
    behind_proxy = django_config(
        _settings(
            admin_allowed_hosts=["admin.example.com"],
            admin_csrf_trusted_origins=["https://admin.example.com"],
        )
    )
    assert behind_proxy["ALLOWED_HOSTS"] == ["admin.example.com"]
    assert behind_proxy["CSRF_TRUSTED_ORIGINS"] == ["https://admin.example.com"]


def test_admin_command_is_registered() -> None:
    app = typer.Typer()
    register(app)
    app.command(name="noop")(lambda: None)
    result = CliRunner().invoke(app, ["admin", "--help"])
    assert result.exit_code == 0
    assert "--no-migrate" in result.output
    assert "--migrate-only" in result.output


async def _lifespan(app: Any) -> list[str]:
    sent: list[str] = []
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, str]:
        return next(incoming)

    async def send(message: dict[str, str]) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan"}, receive, send)
    return sent


async def _fetch(app: Any, paths: list[str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return [await client.get(path) for path in paths]


@pytest.mark.services
def test_asgi_app_serves_pages_static_files_and_lifespan(admin_db: AdminDatabase) -> None:
    app = create_admin_app(get_settings(), migrate=False)

    assert asyncio.run(_lifespan(app)) == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    root, login, admin_css, own_css, missing = asyncio.run(
        _fetch(
            app,
            [
                "/",
                "/admin/login/",
                "/static/admin/css/base.css",
                "/static/imagineai_admin/admin.css",
                "/static/admin/css/missing.css",
            ],
        )
    )
    assert root.status_code == 302
    assert root.headers["location"] == "/admin/"
    assert login.status_code == 200
    assert "imagineai_admin/admin.css" in login.text
    assert login.headers["x-frame-options"] == "DENY"
    assert admin_css.status_code == 200
    assert admin_css.headers["content-type"].startswith("text/css")
    assert own_css.status_code == 200
    assert ".iai-boxes" in own_css.text
    assert missing.status_code == 404
