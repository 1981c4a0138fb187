"""Admin actions that call the shared services, always behind a confirmation page.

One :class:`ServiceAction` serves both places an action can start: the change list (pick rows,
choose the action) and a button on one object's page. Either way the first request shows what
will happen; only the confirmed POST runs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from backend.django_app.models import User
from backend.django_app.operations import Outcome

CONFIRM_FIELD = "confirmed"
#: Permission every active staff member holds; ``manage_accounts`` is for superusers only.
STAFF_PERMISSION = "operate"


@dataclass(frozen=True, slots=True)
class ServiceAction:
    name: str
    label: str
    button: str
    explanation: str
    run: Callable[[HttpRequest, list[uuid.UUID]], Outcome]
    permission: str = STAFF_PERMISSION
    applies_to: Callable[[Any], bool] = lambda _obj: True


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class ServiceActionsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A read-only model admin whose changes all go through :class:`ServiceAction`s."""

    service_actions: ClassVar[tuple[ServiceAction, ...]] = ()
    change_form_template = "imagineai_admin/change_form.html"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def allowed_service_actions(self, request: HttpRequest) -> list[ServiceAction]:
        user = request.user
        if not isinstance(user, User):
            return []
        return [
            action
            for action in self.service_actions
            if user.has_perm(f"{self.opts.app_label}.{action.permission}")
        ]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        for action in self.allowed_service_actions(request):
            actions[action.name] = (self._changelist_action(action), action.name, action.label)
        return actions

    def _changelist_action(self, action: ServiceAction) -> Callable[..., HttpResponse | None]:
        def run(
            modeladmin: ServiceActionsAdmin, request: HttpRequest, queryset: QuerySet[Any]
        ) -> HttpResponse | None:
            return modeladmin.confirm_or_run(request, action, list(queryset), from_changelist=True)

        return run

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_service_action"
        own = [
            path(
                "<path:object_id>/run/<str:action_name>/",
                self.admin_site.admin_view(self.object_action_view),
                name=name,
            )
        ]
        return own + super().get_urls()

    def object_action_view(
        self, request: HttpRequest, object_id: str, action_name: str
    ) -> HttpResponse:
        action = next((a for a in self.service_actions if a.name == action_name), None)
        if action is None:
            raise Http404("No such action.")
        if action not in self.allowed_service_actions(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such object.")
        response = self.confirm_or_run(request, action, [obj], from_changelist=False)
        if response is not None:
            return response
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[obj.pk],
            )
        )

    def confirm_or_run(
        self,
        request: HttpRequest,
        action: ServiceAction,
        objects: Sequence[Model],
        *,
        from_changelist: bool,
    ) -> HttpResponse | None:
        """The confirmation page, or (on its confirmed POST) the action and its report."""
        if request.method != "POST" or request.POST.get(CONFIRM_FIELD) != "yes":
            return self._confirmation_page(request, action, objects, from_changelist)
        outcome = action.run(request, [uuid.UUID(str(obj.pk)) for obj in objects])
        self._report(request, action, objects, outcome)
        return None

    def _confirmation_page(
        self,
        request: HttpRequest,
        action: ServiceAction,
        objects: Sequence[Model],
        from_changelist: bool,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.button}: are you sure?",
            "subtitle": None,
            "action": action,
            "objects": objects,
            "objects_name": model_ngettext(self.opts, len(objects)),
            "from_changelist": from_changelist,
            "confirm_field": CONFIRM_FIELD,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.opts,
            "media": self.media,
        }
        return TemplateResponse(request, "imagineai_admin/confirm_action.html", context)

    def _report(
        self,
        request: HttpRequest,
        action: ServiceAction,
        objects: Sequence[Model],
        outcome: Outcome,
    ) -> None:
        by_id = {uuid.UUID(str(obj.pk)): obj for obj in objects}
        for object_id in outcome.done:
            self.log_change(request, by_id[object_id], f"{action.button} (admin action)")
        if outcome.done:
            count = len(outcome.done)
            self.message_user(
                request,
                f"{action.button}: done for {count} {model_ngettext(self.opts, count)}.",
                messages.SUCCESS,
            )
        for refusal in outcome.refused:
            self.message_user(
                request, f"{by_id[refusal.object_id]}: {refusal.reason}", messages.WARNING
            )

    def service_buttons(self, request: HttpRequest, obj: Model) -> list[tuple[str, str]]:
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        return [
            (action.button, reverse(f"{name}_service_action", args=[obj.pk, action.name]))
            for action in self.allowed_service_actions(request)
            if action.applies_to(obj)
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if obj is not None:
            context["service_buttons"] = self.service_buttons(request, obj)
            context.update(self.extra_change_context(request, obj))
        return super().change_view(request, object_id, form_url, context)

    def extra_change_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        """What a model's custom change page shows beyond its fields."""
        return {}
