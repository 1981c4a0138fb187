"""Business rules for user accounts, shared by the API, the admin and the CLI."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from backend.domain.errors import ConflictError, NotFoundError
from backend.domain.users import repository
from backend.domain.users.passwords import hash_password
from backend.shared.db.models import User


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    email = normalize_email(email)
    if repository.get_by_email(session, email=email) is not None:
        raise ConflictError("email_taken", "An account with this e-mail already exists.")
    user = User(
        email=email,
        hashed_password=hash_password(password),
        full_name=full_name.strip(),
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    return repository.add(session, user)


def get_or_raise(session: Session, *, user_id: uuid.UUID) -> User:
    user = repository.get(session, user_id=user_id)
    if user is None:
        raise NotFoundError("user_not_found", "No such user.")
    return user


def set_active(session: Session, *, user_id: uuid.UUID, active: bool) -> User:
    """Deactivation is the soft delete for users: they can no longer log in or use tokens."""
    user = get_or_raise(session, user_id=user_id)
    user.is_active = active
    session.flush()
    return user
