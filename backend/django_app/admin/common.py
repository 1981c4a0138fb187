"""Pieces every model admin of the panel shares."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from backend.django_app.actions import ServiceActionsAdmin

MANAGE_ACCOUNTS = "manage_accounts"


def admin_link(obj: Any, text: str | None = None) -> SafeString:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else str(obj))


def changelist_link(model: Any, query: str, text: str) -> SafeString:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


def related_count(model: Any, link: str, **conditions: Any) -> Coalesce:
    """Rows of ``model`` pointing at the outer row, as a subquery.

    Unlike ``Count`` over a join, it stays right when list filters join the same relation.
    """
    counted = (
        model.objects.filter(**{link: OuterRef("pk")}, **conditions)
        .order_by()
        .values(link)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class BaseAdmin(ServiceActionsAdmin):
    list_per_page = django_settings.IMAGINEAI_LIST_PER_PAGE
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Text search, plus an exact match when the term is an id (pasted from a log line)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            object_id = uuid.UUID(search_term.strip())
        except ValueError:
            return results, may_have_duplicates
        return results | queryset.filter(pk=object_id), may_have_duplicates


RERUN_EXPLANATION = (
    "A new job analyses the images again with the current models. When it finishes, its "
    "results replace the classification, attributes, defects and description shown now."
)
