"""The admin on the embedded SQLite database, run in a process of its own by ``test_sqlite``.

Django is configured once per process and the rest of the admin tests hold PostgreSQL, so
this walk through the SQLite mode (sign-in, pages, an action) runs as ``python -m``.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import UTC, datetime

from django.test import Client
from django.test.utils import setup_test_environment
from sqlalchemy import select

from backend.django_app.asgi import create_admin_app
from backend.domain.auth import service as auth_service
from backend.shared.config import get_settings
from backend.shared.db.migrate import upgrade
from backend.shared.db.models import Product, RefreshToken, User
from backend.shared.db.session import session_scope
from backend.shared.ratelimit import get_rate_limiter
from tests.django_app.support import analysed_product
from tests.factories import DEFAULT_PASSWORD, make_user

ADMIN = "/admin/imagineai"


def main() -> None:
    settings = get_settings()
    assert settings.is_sqlite, settings.sqlalchemy_url
    upgrade("head")
    with session_scope() as session:
        superuser = make_user(session, email="root@example.com", is_superuser=True)
        catalogue = analysed_product(session)
        shopper_id, superuser_id = catalogue.owner.id, superuser.id
        auth_service.login(
            session,
            email=catalogue.owner.email,
            password=DEFAULT_PASSWORD,
            client_ip="127.0.0.1",
            limiter=get_rate_limiter(),
            settings=settings,
        )
    create_admin_app(settings)
    setup_test_environment()

    client = Client()
    login = client.post(
        "/admin/login/", {"username": "root@example.com", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 302, login.status_code
    for url in (
        f"{ADMIN}/user/",
        f"{ADMIN}/product/",
        f"{ADMIN}/product/{catalogue.product.id}/change/",
        f"{ADMIN}/productimage/",
        f"{ADMIN}/analysisresult/{catalogue.analysis.id}/change/",
        f"{ADMIN}/processingjob/",
        f"{ADMIN}/product/?created_at__year=2025&deleted=any",
        "/admin/health/",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    product_page = client.get(f"{ADMIN}/product/{catalogue.product.id}/change/").text
    assert '<rect x="10" y="20" width="30" height="40"' in product_page

    deactivated = client.post(
        f"{ADMIN}/user/{shopper_id}/run/deactivate_users/", {"confirmed": "yes"}
    )
    assert deactivated.status_code == 302, deactivated.status_code
    with session_scope() as session:
        shopper = session.get(User, shopper_id)
        assert shopper is not None
        assert not shopper.is_active
        tokens = list(
            session.scalars(select(RefreshToken).where(RefreshToken.user_id == shopper_id))
        )
        assert tokens
        assert all(token.revoked_at is not None for token in tokens)
        admin = session.get(User, superuser_id)
        assert admin is not None
        assert admin.last_login is not None

    # Django wrote last_login; SQLAlchemy's text format (always microseconds) must be kept.
    database_file = settings.sqlalchemy_url.removeprefix("sqlite+pysqlite:///")
    with sqlite3.connect(database_file) as connection:
        (stored,) = connection.execute(
            "SELECT last_login FROM users WHERE email = 'root@example.com'"
        ).fetchone()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stored), stored
    _django_matches_sqlalchemy_timestamps(catalogue.product.id)
    print("sqlite admin ok")


def _django_matches_sqlalchemy_timestamps(product_id: uuid.UUID) -> None:
    """A whole-second timestamp written by SQLAlchemy is found by an exact Django lookup."""
    from backend.django_app.models import Product as AdminProduct

    whole_second = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
    with session_scope() as session:
        product = session.get(Product, product_id)
        assert product is not None
        product.created_at = whole_second
    assert AdminProduct.objects.filter(pk=product_id, created_at=whole_second).exists()
    assert AdminProduct.objects.filter(created_at__gte=whole_second).exists()
    assert not AdminProduct.objects.filter(created_at__gt=whole_second).exists()


if __name__ == "__main__":
    main()
