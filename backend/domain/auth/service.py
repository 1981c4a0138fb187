"""Registration, login, rotating refresh tokens and token checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.orm import Session

from backend.domain.auth import repository, tokens
from backend.domain.errors import AuthenticationError, InvalidInputError, RateLimitedError
from backend.domain.users import repository as users_repository
from backend.domain.users import service as users_service
from backend.domain.users.passwords import BCRYPT_MAX_BYTES, verify_password
from backend.shared.config import Settings
from backend.shared.db.models import RefreshToken, User
from backend.shared.db.types import utcnow
from backend.shared.ratelimit import RateLimiter

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def check_password_policy(password: str, *, email: str, settings: Settings) -> None:
    if len(password) < settings.password_min_length:
        raise InvalidInputError(
            "weak_password",
            f"The password must be at least {settings.password_min_length} characters long.",
        )
    if len(password.encode()) > BCRYPT_MAX_BYTES:
        raise InvalidInputError(
            "password_too_long", f"The password must be at most {BCRYPT_MAX_BYTES} bytes long."
        )
    lowered = password.strip().lower()
    if (
        lowered == email.strip().lower()
        or lowered == email.split("@", maxsplit=1)[0].strip().lower()
    ):
        raise InvalidInputError("weak_password", "The password must not be your e-mail address.")


def _limit(limiter: RateLimiter, key: str, *, limit: int, settings: Settings) -> None:
    retry_after = limiter.hit(key, limit=limit, window_s=settings.auth_rate_window_seconds)
    if retry_after is not None:
        raise RateLimitedError(
            "too_many_attempts",
            "Too many attempts; wait before trying again.",
            retry_after_s=retry_after,
        )


def register(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    client_ip: str,
    limiter: RateLimiter,
    settings: Settings,
) -> User:
    _limit(
        limiter,
        f"register:ip:{client_ip}",
        limit=settings.register_attempts_per_ip,
        settings=settings,
    )
    check_password_policy(password, email=email, settings=settings)
    return users_service.create(session, email=email, password=password, full_name=full_name)


def login(
    session: Session,
    *,
    email: str,
    password: str,
    client_ip: str,
    limiter: RateLimiter,
    settings: Settings,
) -> TokenPair:
    normalized = users_service.normalize_email(email)
    _limit(
        limiter, f"login:ip:{client_ip}", limit=settings.login_attempts_per_ip, settings=settings
    )
    _limit(
        limiter,
        f"login:email:{normalized}",
        limit=settings.login_attempts_per_email,
        settings=settings,
    )
    user = users_repository.get_by_email(session, email=normalized)
    # verify_password runs bcrypt even for unknown e-mails, so timing does not leak accounts.
    password_ok = verify_password(password, user.hashed_password if user else None)
    if user is None or not password_ok or not user.is_active:
        logger.info("login_refused", email_known=user is not None)
        raise AuthenticationError("invalid_credentials", "E-mail or password is incorrect.")
    limiter.reset(f"login:email:{normalized}")
    user.last_login = utcnow()
    return _issue_pair(session, user=user, family_id=uuid.uuid4(), settings=settings)


def refresh(session: Session, *, refresh_token: str, settings: Settings) -> TokenPair:
    claims = tokens.decode(
        refresh_token,
        expected_type="refresh",
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
    )
    stored = repository.get(session, token_id=claims.token_id)
    now = utcnow()
    if stored is None or stored.user_id != claims.user_id or stored.revoked_at is not None:
        raise AuthenticationError("token_revoked", "The refresh token is no longer valid.")
    if not repository.mark_used(session, token_id=stored.id, when=now):
        # A spent token came back: someone holds a copy. End the whole login for safety.
        repository.revoke_family(session, family_id=stored.family_id, when=now)
        session.commit()
        logger.warning("refresh_token_reuse", user_id=str(stored.user_id))
        raise AuthenticationError("token_reused", "The refresh token was already used.")
    user = users_repository.get(session, user_id=stored.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("account_inactive", "The account is not active.")
    return _issue_pair(session, user=user, family_id=stored.family_id, settings=settings)


def logout(session: Session, *, refresh_token: str, settings: Settings) -> None:
    claims = tokens.decode(
        refresh_token,
        expected_type="refresh",
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
    )
    stored = repository.get(session, token_id=claims.token_id)
    if stored is not None and stored.user_id == claims.user_id:
        repository.revoke_family(session, family_id=stored.family_id, when=utcnow())


def user_from_access_token(session: Session, *, token: str, settings: Settings) -> User:
    claims = tokens.decode(
        token, expected_type="access", secret=settings.jwt_secret, issuer=settings.jwt_issuer
    )
    user = users_repository.get(session, user_id=claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("account_inactive", "The account is not active.")
    return user


def revoke_all_tokens(session: Session, *, user_id: uuid.UUID) -> int:
    """End every login of a user (deactivation, password change)."""
    return repository.revoke_all_for_user(session, user_id=user_id, when=utcnow())


def deactivate(session: Session, *, user_id: uuid.UUID) -> User:
    """Deactivated users can neither log in nor use tokens they already hold."""
    user = users_service.set_active(session, user_id=user_id, active=False)
    revoke_all_tokens(session, user_id=user_id)
    return user


def _issue_pair(
    session: Session, *, user: User, family_id: uuid.UUID, settings: Settings
) -> TokenPair:
    now = utcnow()
    access_lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    refresh_lifetime = timedelta(days=settings.refresh_token_expire_days)
    stored = repository.add(
        session,
        RefreshToken(user_id=user.id, family_id=family_id, expires_at=now + refresh_lifetime),
    )
    access = tokens.encode(
        user_id=user.id,
        token_type="access",  # noqa: S106 - a JWT type, not a secret
        token_id=uuid.uuid4(),
        issued_at=now,
        lifetime=access_lifetime,
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
    )
    refresh_token = tokens.encode(
        user_id=user.id,
        token_type="refresh",  # noqa: S106 - a JWT type, not a secret
        token_id=stored.id,
        issued_at=now,
        lifetime=refresh_lifetime,
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=int(access_lifetime.total_seconds()),
    )
