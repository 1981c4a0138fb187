"""FastAPI dependencies as ``Annotated`` aliases, so handlers read like their signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from backend.domain.auth import service as auth_service
from backend.domain.errors import AuthenticationError, InvalidInputError
from backend.domain.jobs.dispatch import JobDispatcher
from backend.shared.config import Settings, get_settings
from backend.shared.db.models import User
from backend.shared.db.session import session_scope
from backend.shared.pubsub.base import EventBus
from backend.shared.pubsub.factory import get_event_bus
from backend.shared.ratelimit import RateLimiter, get_rate_limiter
from backend.shared.storage.base import ImageStorage
from backend.shared.storage.factory import get_storage
from backend.workers.dispatcher import get_dispatcher


def refuse_nul_in_query(request: Request) -> None:
    """No query parameter may hold a NUL character: PostgreSQL text cannot (SQLite can), and
    a streamed answer (exports) would fail after its status line was sent."""
    if any("\x00" in name or "\x00" in value for name, value in request.query_params.multi_items()):
        raise InvalidInputError(
            "invalid_characters", "Query parameters may not contain NUL characters."
        )


def _session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def _storage() -> ImageStorage:
    return get_storage(get_settings())


# "function" scope: the commit happens before the response leaves, so a client that acts on a
# 201 at once (register, then log in) always finds the row.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[ImageStorage, Depends(_storage)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
DispatcherDep = Annotated[JobDispatcher, Depends(get_dispatcher)]
EventBusDep = Annotated[EventBus, Depends(get_event_bus)]

_bearer = HTTPBearer(auto_error=False, description="The access token from /auth/login")


def _current_user(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("not_authenticated", "Send Authorization: Bearer <token>.")
    return auth_service.user_from_access_token(
        session, token=credentials.credentials, settings=settings
    )


CurrentUser = Annotated[User, Depends(_current_user)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]
