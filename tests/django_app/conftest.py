"""Django test client, sessions and users on the run's admin database (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from sqlalchemy.orm import Session

from backend.shared.db.models import User
from tests.django_app.support import AdminDatabase, admin_database, pointed_at, session_for
from tests.factories import make_user


@pytest.fixture
def admin_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AdminDatabase]:
    database = admin_database(request.config)
    with pointed_at(database, tmp_path / "storage"):
        yield database


@pytest.fixture
def db(admin_db: AdminDatabase) -> Iterator[Session]:
    with session_for(admin_db) as session:
        yield session


@pytest.fixture
def superuser(db: Session) -> User:
    user = make_user(db, email="root@example.com", is_superuser=True)
    db.commit()
    return user


@pytest.fixture
def staff(db: Session) -> User:
    user = make_user(db, email="staff@example.com", is_staff=True)
    db.commit()
    return user


@pytest.fixture
def client(admin_db: AdminDatabase) -> Client:
    return Client()


def signed_in(client: Client, user: User) -> Client:
    from backend.django_app.models import User as AdminUser

    client.force_login(AdminUser.objects.get(pk=user.id))
    return client
