"""Accounts: search, filter, deactivate and reactivate (superusers only)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString

from backend.django_app import operations
from backend.django_app.actions import ServiceAction, acting_user
from backend.django_app.admin.common import (
    MANAGE_ACCOUNTS,
    BaseAdmin,
    changelist_link,
    related_count,
)
from backend.django_app.models import ProcessingJob, Product, RefreshToken, User
from backend.django_app.operations import Outcome
from backend.django_app.site import admin_site


def _deactivate(request: HttpRequest, user_ids: list[uuid.UUID]) -> Outcome:
    return operations.deactivate_users(user_ids, acting_user_id=acting_user(request).id)


def _reactivate(request: HttpRequest, user_ids: list[uuid.UUID]) -> Outcome:
    return operations.reactivate_users(user_ids, acting_user_id=acting_user(request).id)


@admin.register(User, site=admin_site)
class UserAdmin(BaseAdmin):
    list_display = (
        "email",
        "full_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "product_count",
        "last_login",
        "date_joined",
    )
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        ("date_joined", admin.DateFieldListFilter),
    )
    search_fields = ("email", "full_name")
    ordering = ("email",)
    fields = (
        "email",
        "full_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
        "updated_at",
        "open_logins",
        "products_link",
        "jobs_link",
    )
    readonly_fields = ("open_logins", "products_link", "jobs_link")
    service_actions = (
        ServiceAction(
            name="deactivate_users",
            label="Deactivate selected users (and log them out everywhere)",
            button="Deactivate",
            explanation=(
                "Deactivated users can no longer sign in, and every login they hold ends now: "
                "their refresh tokens are revoked. Their products and jobs are kept."
            ),
            run=_deactivate,
            permission=MANAGE_ACCOUNTS,
            applies_to=lambda user: bool(user.is_active),
        ),
        ServiceAction(
            name="reactivate_users",
            label="Reactivate selected users",
            button="Reactivate",
            explanation="Reactivated users can sign in again with their current password.",
            run=_reactivate,
            permission=MANAGE_ACCOUNTS,
            applies_to=lambda user: not user.is_active,
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return (
            super()
            .get_queryset(request)
            .annotate(live_products=related_count(Product, "owner", deleted_at__isnull=True))
        )

    @admin.display(description="products", ordering="live_products")
    def product_count(self, user: Any) -> int:
        return int(user.live_products)

    @admin.display(description="open logins")
    def open_logins(self, user: User) -> int:
        return RefreshToken.objects.filter(
            user=user, revoked_at__isnull=True, used_at__isnull=True, expires_at__gt=timezone.now()
        ).count()

    @admin.display(description="products")
    def products_link(self, user: User) -> SafeString:
        return changelist_link(Product, f"owner__id__exact={user.pk}", "Products of this user")

    @admin.display(description="jobs")
    def jobs_link(self, user: User) -> SafeString:
        return changelist_link(ProcessingJob, f"owner__id__exact={user.pk}", "Jobs of this user")
