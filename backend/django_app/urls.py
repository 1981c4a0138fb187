"""The admin lives under /admin/; the bare root of port 8001 sends people there."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from backend.django_app.conf import ADMIN_URL_PREFIX
from backend.django_app.site import admin_site

urlpatterns: list[URLPattern | URLResolver] = [
    path("", RedirectView.as_view(url=f"/{ADMIN_URL_PREFIX}", permanent=False)),
    path(ADMIN_URL_PREFIX, admin_site.urls),
]
