from __future__ import annotations

from fastapi import APIRouter, status

from backend.domain.auth import service as auth_service
from backend.fastapi_app.api.v1.auth.schemas import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPairPublic,
    UserPublic,
)
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.deps import ClientIp, CurrentUser, RateLimiterDep, SessionDep, SettingsDep
from backend.shared.db.models import User

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problems(409, 422, 429),
)
def register(
    body: RegisterRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    ip: ClientIp,
) -> User:
    """Create an account (password: at least 10 characters, not the e-mail)."""
    return auth_service.register(
        session,
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        client_ip=ip,
        limiter=limiter,
        settings=settings,
    )


@router.post("/login", response_model=TokenPairPublic, responses=problems(401, 422, 429))
def login(
    body: LoginRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    ip: ClientIp,
) -> TokenPairPublic:
    """Exchange e-mail and password for an access token (30 min) and a refresh token (7 days)."""
    pair = auth_service.login(
        session,
        email=body.email,
        password=body.password,
        client_ip=ip,
        limiter=limiter,
        settings=settings,
    )
    return TokenPairPublic(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/refresh", response_model=TokenPairPublic, responses=problems(401, 422))
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPairPublic:
    """Trade a refresh token for a new pair; each refresh token works once."""
    pair = auth_service.refresh(session, refresh_token=body.refresh_token, settings=settings)
    return TokenPairPublic(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 422))
def logout(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> None:
    """End the login that the refresh token belongs to."""
    auth_service.logout(session, refresh_token=body.refresh_token, settings=settings)


@router.get("/me", response_model=UserPublic, responses=problems(401))
def me(user: CurrentUser) -> User:
    return user
