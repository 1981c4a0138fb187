"""Staff sign in with the API's users and bcrypt hashes; nobody else gets in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backend.cli import app as cli_app
from backend.domain.auth import service as auth_service
from backend.domain.users import service as users_service
from backend.shared.config import get_settings
from backend.shared.db.models import User
from backend.shared.ratelimit import get_rate_limiter
from tests.django_app.support import AdminDatabase
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.services

LOGIN_URL = "/admin/login/"
REFUSED = "Please enter the correct email and password for a staff account"


def _log_in(client: Client, email: str, password: str) -> int:
    response = client.post(LOGIN_URL, {"username": email, "password": password, "next": "/admin/"})
    return response.status_code


def test_staff_signs_in_with_the_password_the_api_set(db: Session, client: Client) -> None:
    # Registered through the API's auth service, promoted to staff by a superuser later.
    user = auth_service.register(
        db,
        email="Ops.Person@Example.com",
        password=DEFAULT_PASSWORD,
        full_name="Ops Person",
        client_ip="203.0.113.9",
        limiter=get_rate_limiter(),
        settings=get_settings(),
    )
    user.is_staff = True
    db.commit()
    assert user.hashed_password.startswith("$2b$")

    assert _log_in(client, "  ops.person@EXAMPLE.com ", DEFAULT_PASSWORD) == 302
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "ImagineAI administration" in index.text
    assert re.search(r"Welcome,\s*<strong>Ops</strong>", index.text)

    db.refresh(user)
    assert user.last_login is not None
    assert user.hashed_password.startswith("$2b$"), "the admin must keep the API's hash format"
    assert auth_service.login(
        db,
        email=user.email,
        password=DEFAULT_PASSWORD,
        client_ip="203.0.113.9",
        limiter=get_rate_limiter(),
        settings=get_settings(),
    ).access_token


def test_superuser_made_by_the_cli_signs_in(client: Client) -> None:
    result = CliRunner().invoke(
        cli_app,
        ["createsuperuser", "--email", "Boss@Example.com", "--password", DEFAULT_PASSWORD],
    )
    assert result.exit_code == 0, result.output
    assert _log_in(client, "boss@example.com", DEFAULT_PASSWORD) == 302
    assert client.get("/admin/imagineai/user/").status_code == 200


def test_a_user_who_is_not_staff_is_refused(db: Session, client: Client) -> None:
    make_user(db, email="shopper@example.com")
    db.commit()

    response = client.post(
        LOGIN_URL, {"username": "shopper@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert REFUSED in response.text
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/imagineai/product/").status_code == 302


@pytest.mark.parametrize(
    "password", ["wrong password entirely", "é" * 40, ""], ids=["wrong", "over-72-bytes", "empty"]
)
def test_wrong_or_overlong_passwords_are_refused_not_errors(
    staff: User, client: Client, password: str
) -> None:
    response = client.post(LOGIN_URL, {"username": staff.email, "password": password})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_deactivated_or_demoted_staff_lose_their_session(
    db: Session, staff: User, client: Client
) -> None:
    assert _log_in(client, staff.email, DEFAULT_PASSWORD) == 302
    assert client.get("/admin/").status_code == 200

    users_service.set_active(db, user_id=staff.id, active=False)
    db.commit()
    assert client.get("/admin/").status_code == 302
    assert _log_in(client, staff.email, DEFAULT_PASSWORD) == 200

    users_service.set_active(db, user_id=staff.id, active=True)
    db.commit()
    assert _log_in(client, staff.email, DEFAULT_PASSWORD) == 302
    staff.is_staff = False
    db.commit()
    assert client.get("/admin/").status_code == 302


def test_login_attempts_are_rate_limited(
    staff: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGINEAI_LOGIN_ATTEMPTS_PER_EMAIL", "3")
    get_settings.cache_clear()
    for _ in range(3):
        client.post(LOGIN_URL, {"username": staff.email, "password": "not the password"})
    response = client.post(LOGIN_URL, {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "Too many sign-in attempts" in response.text


def test_forms_need_the_csrf_token(staff: User, admin_db: AdminDatabase) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN_URL, {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403

    page = strict.get(LOGIN_URL)
    token = page.cookies["imagineai_admin_csrftoken"].value
    response = strict.post(
        LOGIN_URL,
        {"username": staff.email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_cookies_are_secure_outside_development(staff: User, client: Client) -> None:
    assert get_settings().environment == "test"
    client.post(LOGIN_URL, {"username": staff.email, "password": DEFAULT_PASSWORD})
    session_cookie = client.cookies["imagineai_admin_session"]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"


def test_password_changes_are_left_to_the_application(staff: User, client: Client) -> None:
    _log_in(client, staff.email, DEFAULT_PASSWORD)
    assert client.get("/admin/password_change/").status_code == 404
    assert "Change password" not in client.get("/admin/").text
