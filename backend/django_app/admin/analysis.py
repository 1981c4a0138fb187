"""Analysis results: scores, attributes, defects over the image, description, steps."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from backend.django_app import images, operations
from backend.django_app.actions import ServiceAction
from backend.django_app.admin.common import RERUN_EXPLANATION, BaseAdmin, admin_link, related_count
from backend.django_app.models import AnalysisResult, DetectedDefect, JobStep
from backend.django_app.operations import Outcome, Refusal
from backend.django_app.presentation import score_bars, timeline
from backend.django_app.site import admin_site


def _rerun_analyses(_request: HttpRequest, analysis_ids: list[uuid.UUID]) -> Outcome:
    image_of = dict(
        AnalysisResult.objects.filter(pk__in=analysis_ids).values_list("pk", "image_id")
    )
    analysis_of = {image_id: analysis_id for analysis_id, image_id in image_of.items()}
    outcome = operations.rerun_images(list(image_of.values()))
    return Outcome(
        done=[analysis_of[image_id] for image_id in outcome.done],
        refused=[Refusal(analysis_of[r.object_id], r.reason) for r in outcome.refused],
    )


@admin.register(AnalysisResult, site=admin_site)
class AnalysisResultAdmin(BaseAdmin):
    change_form_template = "imagineai_admin/analysis_change_form.html"
    list_display = (
        "image_thumbnail",
        "product",
        "status",
        "classification_label",
        "confidence",
        "defect_count",
        "model_version",
        "processing_time",
        "updated_at",
    )
    list_display_links = ("image_thumbnail", "product")
    list_filter = (
        "status",
        "model_version",
        "defects__severity",
        "defects__defect_type",
        ("updated_at", admin.DateFieldListFilter),
    )
    list_select_related = ("image__product",)
    search_fields = (
        "classification_label",
        "image__original_filename",
        "image__product__title",
        "image__product__owner__email",
    )
    fields = (
        "image_link",
        "status",
        "model_version",
        "classification_label",
        "classification_confidence",
        "description_model",
        "processing_time_ms",
        "error_message",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("image_link",)
    service_actions = (
        ServiceAction(
            name="rerun_analyses",
            label="Re-run the selected analyses",
            button="Re-run analysis",
            explanation=RERUN_EXPLANATION,
            run=_rerun_analyses,
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[AnalysisResult]:
        return (
            super()
            .get_queryset(request)
            .annotate(defect_total=related_count(DetectedDefect, "analysis"))
            .prefetch_related("defects")
        )

    @admin.display(description="image")
    def image_thumbnail(self, analysis: AnalysisResult) -> SafeString:
        return images.thumbnail(analysis.image)

    @admin.display(description="product")
    def product(self, analysis: AnalysisResult) -> str:
        return analysis.image.product.title

    @admin.display(description="confidence", ordering="classification_confidence")
    def confidence(self, analysis: AnalysisResult) -> str:
        value = analysis.classification_confidence
        return "—" if value is None else f"{value * 100:.1f}%"

    @admin.display(description="defects", ordering="defect_total")
    def defect_count(self, analysis: Any) -> int:
        return int(analysis.defect_total)

    @admin.display(description="time", ordering="processing_time_ms")
    def processing_time(self, analysis: AnalysisResult) -> str:
        value = analysis.processing_time_ms
        return "—" if value is None else f"{value} ms"

    @admin.display(description="image")
    def image_link(self, analysis: AnalysisResult) -> SafeString:
        image = analysis.image
        return format_html(
            "{} of {}", admin_link(image), admin_link(image.product, image.product.title)
        )

    def extra_change_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        analysis: AnalysisResult = obj
        latest_job_id = (
            JobStep.objects.filter(image_id=analysis.image_id)
            .order_by("-created_at")
            .values_list("job_id", flat=True)
            .first()
        )
        steps = list(
            JobStep.objects.filter(job_id=latest_job_id, image_id=analysis.image_id).order_by(
                "created_at"
            )
        )
        return {
            "annotated_image": images.annotated_image(analysis.image, size="large"),
            "score_bars": score_bars(analysis.classification_scores),
            "category": _scores_value(analysis.classification_scores, "category"),
            "subcategory": _scores_value(analysis.classification_scores, "subcategory"),
            "attributes": list(analysis.attributes.all()),
            "defects": list(analysis.defects.all()),
            "description_text": analysis.description_text,
            "timeline": timeline(steps, now=timezone.now()),
            "latest_job_id": latest_job_id,
        }


def _scores_value(scores: Any, key: str) -> str | None:
    value = scores.get(key) if isinstance(scores, dict) else None
    return str(value) if value is not None else None
