"""Queries over ``users``."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.shared.db.models import User


def get(session: Session, *, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def get_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user
