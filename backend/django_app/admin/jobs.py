"""Processing jobs: progress, a step timeline per image, retry and cancel."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from backend.django_app import operations
from backend.django_app.actions import ServiceAction
from backend.django_app.admin.common import BaseAdmin, admin_link
from backend.django_app.models import ProcessingJob, ProductImage
from backend.django_app.operations import Outcome
from backend.django_app.presentation import progress_percent, timeline
from backend.django_app.site import admin_site
from backend.shared.db.enums import JobStatus


def _retry(_request: HttpRequest, job_ids: list[uuid.UUID]) -> Outcome:
    return operations.retry_failed_jobs(job_ids)


def _cancel(_request: HttpRequest, job_ids: list[uuid.UUID]) -> Outcome:
    return operations.cancel_jobs(job_ids)


def _is_final(job: ProcessingJob) -> bool:
    return JobStatus(job.status).is_final


@admin.register(ProcessingJob, site=admin_site)
class ProcessingJobAdmin(BaseAdmin):
    change_form_template = "imagineai_admin/job_change_form.html"
    list_display = (
        "short_id",
        "owner",
        "job_type",
        "status",
        "progress",
        "images_summary",
        "created_at",
        "duration",
    )
    list_display_links = ("short_id",)
    list_filter = (
        "status",
        "job_type",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("owner",)
    search_fields = ("owner__email", "celery_task_id", "error_message")
    date_hierarchy = "created_at"
    fields = (
        "owner_link",
        "job_type",
        "status",
        "progress",
        "images_summary",
        "celery_task_id",
        "error_message",
        "metadata",
        "created_at",
        "started_at",
        "completed_at",
        "duration",
    )
    readonly_fields = ("owner_link", "progress", "images_summary", "duration")
    service_actions = (
        ServiceAction(
            name="retry_failed_jobs",
            label="Retry the failed images of the selected jobs",
            button="Retry failed images",
            explanation=(
                "The images whose analysis failed run again within the same job; their failed "
                "steps are reset to pending. Jobs still running, or without failures, are skipped."
            ),
            run=_retry,
            applies_to=lambda job: _is_final(job) and job.failed_images > 0,
        ),
        ServiceAction(
            name="cancel_jobs",
            label="Cancel the selected jobs",
            button="Cancel job",
            explanation=(
                "Steps not yet started are cancelled and workers skip them; a step already "
                "running finishes. Finished jobs are left as they are."
            ),
            run=_cancel,
            applies_to=lambda job: not _is_final(job),
        ),
    )

    @admin.display(description="job", ordering="created_at")
    def short_id(self, job: ProcessingJob) -> str:
        return str(job.id)[:8]

    @admin.display(description="progress")
    def progress(self, job: ProcessingJob) -> SafeString:
        done = progress_percent(
            processed=job.processed_images, failed=job.failed_images, total=job.total_images
        )
        return format_html(
            '<progress class="iai-progress" max="100" value="{done}">{done}%</progress>'
            ' <span class="iai-progress-label">{done}%</span>',
            done=done,
        )

    @admin.display(description="images")
    def images_summary(self, job: ProcessingJob) -> str:
        summary = f"{job.processed_images}/{job.total_images} done"
        return f"{summary}, {job.failed_images} failed" if job.failed_images else summary

    @admin.display(description="duration")
    def duration(self, job: ProcessingJob) -> str:
        if job.started_at is None:
            return "—"
        end = job.completed_at or timezone.now()
        return f"{(end - job.started_at).total_seconds():.1f} s"

    @admin.display(description="owner")
    def owner_link(self, job: ProcessingJob) -> SafeString:
        return admin_link(job.owner)

    def extra_change_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        job: ProcessingJob = obj
        steps = list(job.steps.order_by("created_at"))
        image_ids = {step.image_id for step in steps if step.image_id is not None}
        named = {
            image.pk: image
            for image in ProductImage.objects.filter(pk__in=image_ids).select_related("product")
        }
        axis = timeline(steps, now=timezone.now())
        return {
            "timeline": axis,
            "lanes": [(named.get(lane.image_id), lane) for lane in axis.lanes],
            "failed_steps": [
                (named.get(step.image_id), step) for step in steps if step.error_message
            ],
        }
