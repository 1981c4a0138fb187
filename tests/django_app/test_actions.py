"""Admin actions confirm first, then change rows through the shared services."""

from __future__ import annotations

import pytest
from django.test import Client
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain.auth import service as auth_service
from backend.shared.config import get_settings
from backend.shared.db.enums import JobStatus, StepStatus
from backend.shared.db.models import ProcessingJob, RefreshToken, User
from backend.shared.ratelimit import get_rate_limiter
from tests.django_app.conftest import signed_in
from tests.django_app.support import analysed_product, finished_job_with_a_failure
from tests.factories import DEFAULT_PASSWORD, make_image, make_user

pytestmark = pytest.mark.services

ADMIN = "/admin/imagineai"


def _run_from_list(
    client: Client, model: str, action: str, object_ids: list[object], *, confirmed: bool
) -> str:
    data: dict[str, object] = {
        "action": action,
        "_selected_action": [str(object_id) for object_id in object_ids],
    }
    if confirmed:
        data["confirmed"] = "yes"
    response = client.post(f"{ADMIN}/{model}/", data, follow=True)
    assert response.status_code == 200
    return response.text


def _api_login(db: Session, user: User) -> None:
    auth_service.login(
        db,
        email=user.email,
        password=DEFAULT_PASSWORD,
        client_ip="198.51.100.7",
        limiter=get_rate_limiter(),
        settings=get_settings(),
    )
    db.commit()


def _open_tokens(db: Session, user: User) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        )
        or 0
    )


def test_deactivation_asks_first_then_revokes_every_login(
    db: Session, client: Client, superuser: User
) -> None:
    shopper = make_user(db, email="shopper@example.com")
    db.commit()
    _api_login(db, shopper)
    _api_login(db, shopper)
    assert _open_tokens(db, shopper) == 2
    admin = signed_in(client, superuser)

    page = _run_from_list(admin, "user", "deactivate_users", [shopper.id], confirmed=False)
    assert "Deactivate: are you sure?" in page
    assert "shopper@example.com" in page
    db.refresh(shopper)
    assert shopper.is_active, "nothing changes before the confirmation"

    page = _run_from_list(admin, "user", "deactivate_users", [shopper.id], confirmed=True)
    assert "Deactivate: done for 1 user." in page
    db.refresh(shopper)
    assert not shopper.is_active
    assert _open_tokens(db, shopper) == 0

    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.get(object_id=str(shopper.id))
    assert entry.user_id == superuser.id
    assert entry.change_message == "Deactivate (admin action)"


def test_reactivation_from_the_user_page(db: Session, client: Client, superuser: User) -> None:
    shopper = make_user(db, email="shopper@example.com")
    auth_service.deactivate(db, user_id=shopper.id)
    db.commit()
    admin = signed_in(client, superuser)
    change_page = admin.get(f"{ADMIN}/user/{shopper.id}/change/").text
    assert "Reactivate" in change_page
    assert "/run/deactivate_users/" not in change_page

    url = f"{ADMIN}/user/{shopper.id}/run/reactivate_users/"
    assert "Reactivate: are you sure?" in admin.get(url).text
    db.refresh(shopper)
    assert not shopper.is_active
    response = admin.post(url, {"confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/user/{shopper.id}/change/"
    db.refresh(shopper)
    assert shopper.is_active


def test_nobody_deactivates_themselves(db: Session, client: Client, superuser: User) -> None:
    admin = signed_in(client, superuser)
    page = _run_from_list(admin, "user", "deactivate_users", [superuser.id], confirmed=True)
    assert "You cannot deactivate your own account." in page
    db.refresh(superuser)
    assert superuser.is_active


def test_only_superusers_manage_accounts(db: Session, client: Client, staff: User) -> None:
    shopper = make_user(db, email="shopper@example.com")
    db.commit()
    admin = signed_in(client, staff)

    assert "deactivate_users" not in admin.get(f"{ADMIN}/user/").text
    _run_from_list(admin, "user", "deactivate_users", [shopper.id], confirmed=True)
    response = admin.post(f"{ADMIN}/user/{shopper.id}/run/deactivate_users/", {"confirmed": "yes"})
    assert response.status_code == 403
    db.refresh(shopper)
    assert shopper.is_active


def test_rerun_queues_a_new_job_with_pending_steps(
    db: Session, client: Client, staff: User
) -> None:
    catalogue = analysed_product(db)
    admin = signed_in(client, staff)

    page = _run_from_list(
        admin, "productimage", "rerun_images", [catalogue.image.id], confirmed=True
    )
    assert "Re-run analysis: done for 1 product image." in page
    jobs = db.scalars(select(ProcessingJob).where(ProcessingJob.user_id == catalogue.owner.id))
    [job] = list(jobs)
    assert job.status == JobStatus.PENDING
    assert job.total_images == 1
    assert {step.status for step in job.steps} == {StepStatus.PENDING}
    assert {step.product_image_id for step in job.steps} == {catalogue.image.id}
    db.refresh(catalogue.analysis)
    # The previous result stays on show until the new run replaces it.
    assert catalogue.analysis.status == "completed"
    assert catalogue.analysis.description_text == "A red ceramic mug with a chipped rim."


def test_rerun_from_products_and_analyses(db: Session, client: Client, staff: User) -> None:
    catalogue = analysed_product(db)
    make_image(db, product=catalogue.product, filename="back.jpg")
    db.commit()
    admin = signed_in(client, staff)

    _run_from_list(admin, "product", "rerun_products", [catalogue.product.id], confirmed=True)
    batch = db.scalar(select(ProcessingJob).where(ProcessingJob.job_type == "batch"))
    assert batch is not None
    assert batch.total_images == 2
    assert len(batch.steps) == 10

    url = f"{ADMIN}/analysisresult/{catalogue.analysis.id}/run/rerun_analyses/"
    assert admin.post(url, {"confirmed": "yes"}).status_code == 302
    single = db.scalar(select(ProcessingJob).where(ProcessingJob.job_type == "single"))
    assert single is not None
    assert {step.product_image_id for step in single.steps} == {catalogue.image.id}


def test_retry_runs_only_the_failed_images_again(db: Session, client: Client, staff: User) -> None:
    catalogue = analysed_product(db)
    failing_image = make_image(db, product=catalogue.product, filename="side.jpg")
    db.commit()
    job = finished_job_with_a_failure(
        db, owner=catalogue.owner, images=[catalogue.image, failing_image]
    )
    assert job.status == JobStatus.COMPLETED_WITH_ERRORS
    assert job.failed_images == 1
    admin = signed_in(client, staff)

    page = _run_from_list(admin, "processingjob", "retry_failed_jobs", [job.id], confirmed=True)
    assert "Retry failed images: done for 1 processing job." in page
    db.expire_all()
    retried = db.get(ProcessingJob, job.id)
    assert retried is not None
    job = retried
    assert job.status == JobStatus.PENDING
    assert job.failed_images == 0
    assert job.processed_images == 1
    by_image = {(step.product_image_id, step.status) for step in job.steps}
    assert (failing_image.id, StepStatus.PENDING) in by_image
    assert (failing_image.id, StepStatus.FAILED) not in by_image
    assert {status for image_id, status in by_image if image_id == catalogue.image.id} == {
        StepStatus.COMPLETED
    }


def test_cancel_stops_pending_steps_and_refuses_finished_jobs(
    db: Session, client: Client, staff: User
) -> None:
    catalogue = analysed_product(db)
    admin = signed_in(client, staff)
    _run_from_list(admin, "productimage", "rerun_images", [catalogue.image.id], confirmed=True)
    pending = db.scalar(select(ProcessingJob))
    assert pending is not None
    other_image = make_image(db, product=catalogue.product, filename="side.jpg")
    db.commit()
    finished = finished_job_with_a_failure(db, owner=catalogue.owner, images=[other_image])

    url = f"{ADMIN}/processingjob/{pending.id}/run/cancel_jobs/"
    confirmation = admin.get(url).text
    assert "Cancel job: are you sure?" in confirmation
    assert "Steps not yet started are cancelled" in confirmation
    admin.post(url, {"confirmed": "yes"})
    page = _run_from_list(admin, "processingjob", "cancel_jobs", [finished.id], confirmed=True)
    assert "The job is already completed." in page

    db.expire_all()
    pending = db.get(ProcessingJob, pending.id)
    assert pending is not None
    assert pending.status == JobStatus.CANCELLED
    assert {step.status for step in pending.steps} == {StepStatus.CANCELLED}
    assert db.get(ProcessingJob, finished.id).status == JobStatus.COMPLETED  # type: ignore[union-attr]


def test_actions_refuse_get_requests_to_change_anything(
    db: Session, client: Client, staff: User
) -> None:
    catalogue = analysed_product(db)
    admin = signed_in(client, staff)
    url = f"{ADMIN}/productimage/{catalogue.image.id}/run/rerun_images/?confirmed=yes"
    assert admin.get(url).status_code == 200
    assert db.scalar(select(func.count()).select_from(ProcessingJob)) == 0
    assert admin.get(f"{ADMIN}/productimage/{catalogue.image.id}/run/nope/").status_code == 404
