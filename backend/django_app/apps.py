"""The admin's Django app; its models map ImagineAI's tables without owning them."""

from __future__ import annotations

from django.apps import AppConfig


class ImagineAdminConfig(AppConfig):
    name = "backend.django_app"
    label = "imagineai"
    verbose_name = "ImagineAI"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers every model admin on the ImagineAI admin site.
        from backend.django_app import admin  # noqa: F401
