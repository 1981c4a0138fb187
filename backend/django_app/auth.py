"""Staff sign-in with the API's ``users`` rows and bcrypt hashes."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from backend.django_app.models import User
from backend.domain.users.passwords import verify_password
from backend.domain.users.service import normalize_email
from backend.shared.config import get_settings
from backend.shared.ratelimit import get_rate_limiter


class StaffBackend(BaseBackend):
    """Only active staff get in; everyone else is refused with the same answer."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = User.objects.filter(email=normalize_email(username)).first()
        if user is None:
            # Spend the same bcrypt time as for a known address, so timing reveals nothing.
            verify_password(password, None)
            return None
        if not user.check_password(password) or not user.is_admin_user:
            return None
        return user

    def get_user(self, user_id: Any) -> User | None:
        # Runs on every request: a user deactivated or demoted since sign-in is logged out.
        if not isinstance(user_id, uuid.UUID):
            return None
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_admin_user else None


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's login form, rate limited like the API's login (per address and e-mail)."""

    def clean(self) -> dict[str, Any]:
        settings = get_settings()
        limiter = get_rate_limiter()
        email_key = f"admin-login:email:{normalize_email(self.data.get('username') or '')}"
        client = self.request.META.get("REMOTE_ADDR", "unknown") if self.request else "unknown"
        attempts = (
            (f"admin-login:ip:{client}", settings.login_attempts_per_ip),
            (email_key, settings.login_attempts_per_email),
        )
        for key, limit in attempts:
            retry_after = limiter.hit(key, limit=limit, window_s=settings.auth_rate_window_seconds)
            if retry_after is not None:
                raise ValidationError(
                    "Too many sign-in attempts; try again in %(seconds)s seconds.",
                    code="rate_limited",
                    params={"seconds": retry_after},
                )
        cleaned: dict[str, Any] = super().clean()
        limiter.reset(email_key)
        return cleaned
