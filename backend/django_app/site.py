"""The admin site: staff-only, no password changes here (the API owns them), and a health page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path

from backend.django_app.auth import StaffLoginForm
from backend.django_app.health import health_report


class ImagineAdminSite(admin.AdminSite):
    site_header = "ImagineAI administration"
    site_title = "ImagineAI admin"
    index_title = "Data and operations"
    login_form = StaffLoginForm
    enable_nav_sidebar = True
    site_url = None

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_staff", False))

    def password_change(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        # Passwords follow the API's policy and revoke tokens there; the admin never sets them.
        raise Http404("Passwords are changed through the application, not the admin.")

    def get_urls(self) -> list[URLResolver | URLPattern]:
        own: list[URLResolver | URLPattern] = [
            path("health/", self.admin_view(self.health_view), name="health"),
        ]
        return own + super().get_urls()

    def health_view(self, request: HttpRequest) -> TemplateResponse:
        context = {
            **self.each_context(request),
            "title": "System health",
            "subtitle": None,
            "report": health_report(),
        }
        return TemplateResponse(request, "imagineai_admin/health.html", context)


admin_site = ImagineAdminSite(name="admin")
admin_site.disable_action("delete_selected")
