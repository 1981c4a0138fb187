"""Queries over ``refresh_tokens``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.shared.db.models import RefreshToken


def get(session: Session, *, token_id: uuid.UUID) -> RefreshToken | None:
    return session.get(RefreshToken, token_id, with_for_update=True)


def add(session: Session, token: RefreshToken) -> RefreshToken:
    session.add(token)
    session.flush()
    return token


def mark_used(session: Session, *, token_id: uuid.UUID, when: datetime) -> bool:
    """Spend a token once: the conditional update makes two concurrent refreshes race safely."""
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=when)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_family(session: Session, *, family_id: uuid.UUID, when: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )


def revoke_all_for_user(session: Session, *, user_id: uuid.UUID, when: datetime) -> int:
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    return int(getattr(result, "rowcount", 0))
