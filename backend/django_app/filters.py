"""Change-list filters the stock ones do not cover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices


class DeletedFilter(admin.SimpleListFilter):
    """Soft-deleted rows are hidden, as in the API, unless asked for (they await the purge)."""

    title = "deleted"
    parameter_name = "deleted"
    deleted_fields: ClassVar[tuple[str, ...]] = ("deleted_at",)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Deleted, awaiting purge"), ("any", "Any")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        live = Q()
        for field in self.deleted_fields:
            live &= Q(**{f"{field}__isnull": True})
        if self.value() == "yes":
            return queryset.exclude(live)
        if self.value() == "any":
            return queryset
        return queryset.filter(live)

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Not deleted",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ImageDeletedFilter(DeletedFilter):
    """An image is gone when it or its product was deleted."""

    deleted_fields = ("deleted_at", "product__deleted_at")
