"""Every list and change page renders real rows made through the services."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from sqlalchemy.orm import Session

from backend.django_app import operations
from backend.domain.maintenance import service as maintenance_service
from backend.domain.products import repository as products_repository
from backend.shared.db.models import DetectedDefect, User
from tests.django_app.conftest import signed_in
from tests.django_app.support import analysed_product, finished_job_with_a_failure
from tests.factories import make_image

pytestmark = pytest.mark.services

ADMIN = "/admin/imagineai"


@pytest.fixture
def admin(client: Client, staff: User) -> Client:
    return signed_in(client, staff)


def _ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.text


def test_every_list_and_change_page_renders_real_rows(
    db: Session, admin: Client, staff: User
) -> None:
    catalogue = analysed_product(db)
    second_image = make_image(db, product=catalogue.product, filename="side.jpg")
    db.commit()
    job = finished_job_with_a_failure(
        db, owner=catalogue.owner, images=[catalogue.image, second_image]
    )
    pages = {
        "user": (staff.id, [catalogue.owner.email, staff.email]),
        "product": (catalogue.product.id, ["Red ceramic mug"]),
        "productimage": (catalogue.image.id, ["mug.jpg", "side.jpg"]),
        "analysisresult": (catalogue.analysis.id, ["coffee mug", "91.0%"]),
        "processingjob": (job.id, [str(job.id)[:8], "completed with errors"]),
    }
    for model, (object_id, expected) in pages.items():
        listing = _ok(admin, f"{ADMIN}/{model}/")
        for text in expected:
            assert text in listing, f"{text!r} missing from the {model} list"
        _ok(admin, f"{ADMIN}/{model}/{object_id}/change/")
    _ok(admin, f"{ADMIN}/user/{catalogue.owner.id}/change/")
    _ok(admin, f"{ADMIN}/productimage/{second_image.id}/change/")
    _ok(admin, "/admin/")


def test_product_page_shows_its_images_with_defect_boxes(db: Session, admin: Client) -> None:
    catalogue = analysed_product(db)
    page = _ok(admin, f"{ADMIN}/product/{catalogue.product.id}/change/")

    assert 'data-defect-count="2"' in page
    assert re.search(r'<rect x="10" y="20" width="30" height="40"', page)
    assert re.search(r'<rect x="300" y="200" width="120" height="90"', page)
    assert 'viewBox="0 0 640 480"' in page
    # The thumbnail is a short-lived signed URL from the storage adapter, never a bare key.
    image_src = re.search(r'<img src="([^"]+)" alt="mug.jpg"', page)
    assert image_src is not None
    assert "/api/v1/storage/download/" in image_src.group(1)
    assert catalogue.image.s3_key not in image_src.group(1)


def test_analysis_page_shows_scores_attributes_defects_and_description(
    db: Session, admin: Client
) -> None:
    catalogue = analysed_product(db)
    page = _ok(admin, f"{ADMIN}/analysisresult/{catalogue.analysis.id}/change/")
    for text in (
        "coffee mug",
        "91.0%",
        "kitchen",
        "red",
        "88.0%",
        "Hairline crack near the rim",
        "10, 20, 30 \N{MULTIPLICATION SIGN} 40",
        "A red ceramic mug with a chipped rim.",
        "efficientnet-lite0@1.0",
        "1234",
        "Re-run analysis",
    ):
        assert text in page, f"{text!r} missing from the analysis page"
    assert page.count("<rect ") == 2


def test_job_page_shows_progress_and_a_timeline_per_image(db: Session, admin: Client) -> None:
    catalogue = analysed_product(db)
    second_image = make_image(db, product=catalogue.product, filename="side.jpg")
    db.commit()
    job = finished_job_with_a_failure(
        db, owner=catalogue.owner, images=[catalogue.image, second_image]
    )
    page = _ok(admin, f"{ADMIN}/processingjob/{job.id}/change/")

    assert 'value="100"' in page
    assert "1/2 done, 1 failed" in page
    assert page.count('data-step="classify"') == 2
    assert 'data-step="classify" data-status="failed"' in page
    assert "model crashed" in page
    assert "Bars share one axis" in page
    assert "Retry failed images" in page
    assert "Cancel job" not in page, "a finished job cannot be cancelled"


def test_filters_and_search_narrow_the_lists(db: Session, admin: Client) -> None:
    kept = analysed_product(db, title="Blue vase")
    gone = analysed_product(db, title="Old lamp")
    products_repository.soft_delete(db, gone.product, when=datetime.now(UTC))
    db.commit()

    default = _ok(admin, f"{ADMIN}/product/")
    assert "Blue vase" in default
    assert "Old lamp" not in default, "soft-deleted products are hidden by default"
    deleted = _ok(admin, f"{ADMIN}/product/?deleted=yes")
    assert "Old lamp" in deleted
    assert "Blue vase" not in deleted
    assert "Old lamp" not in _ok(admin, f"{ADMIN}/productimage/?q=lamp")

    by_owner = _ok(admin, f"{ADMIN}/product/?owner__id__exact={kept.owner.id}")
    assert "Blue vase" in by_owner
    by_status = _ok(admin, f"{ADMIN}/product/?status__exact=processing")
    assert "Blue vase" not in by_status
    today = datetime.now(UTC)
    dated = _ok(
        admin,
        f"{ADMIN}/product/?created_at__year={today.year}&created_at__month={today.month}",
    )
    assert "Blue vase" in dated
    searched = _ok(admin, f"{ADMIN}/user/?q={kept.owner.email}")
    assert kept.owner.email in searched
    assert gone.owner.email not in searched
    assert kept.owner.email in _ok(admin, f"{ADMIN}/user/?q={kept.owner.id}")
    db.add(
        DetectedDefect(
            analysis_result_id=kept.analysis.id,
            defect_type="scratch",
            severity="high",
            confidence=0.7,
            bounding_box={"x": 5, "y": 5, "width": 5, "height": 5},
        )
    )
    db.commit()
    severe = _ok(admin, f"{ADMIN}/analysisresult/?defects__severity=high")
    assert "Blue vase" in severe
    assert '<td class="field-defect_count">3</td>' in severe, "counts survive filter joins"
    assert "Blue vase" in _ok(admin, f"{ADMIN}/analysisresult/?status__exact=completed")
    _ok(admin, f"{ADMIN}/user/?is_active__exact=1&is_staff__exact=0")


def test_health_page_shows_checks_queues_and_heartbeats(db: Session, admin: Client) -> None:
    maintenance_service.record_heartbeat(db, worker_name="worker@ci", details={"pid": 1})
    catalogue = analysed_product(db)
    # A queued analysis puts one message on the ml queue of the configured broker.
    operations.rerun_images([catalogue.image.id])
    page = _ok(admin, "/admin/health/")
    depth = re.search(r'data-queue="ml"><td>ml</td>\s*<td class="iai-depth">(\d+)</td>', page)
    assert depth is not None, "the ml queue's depth is shown as a number"
    assert int(depth.group(1)) >= 1
    assert 'data-check="database"' in page
    assert 'data-check="storage"' in page
    assert 'data-worker="worker@ci"' in page
    assert "alive" in page
    assert 'data-queue="ml"' in page
    assert 'data-queue="default"' in page


def test_pages_need_a_signed_in_staff_member(db: Session, client: Client) -> None:
    catalogue = analysed_product(db)
    for url in (
        "/admin/",
        "/admin/health/",
        f"{ADMIN}/product/",
        f"{ADMIN}/product/{catalogue.product.id}/change/",
        f"{ADMIN}/processingjob/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_nothing_can_be_added_edited_or_deleted_directly(db: Session, admin: Client) -> None:
    catalogue = analysed_product(db)
    assert admin.get(f"{ADMIN}/product/add/").status_code == 403
    assert admin.get(f"{ADMIN}/product/{catalogue.product.id}/delete/").status_code == 403
    response = admin.post(f"{ADMIN}/product/{catalogue.product.id}/change/", {"title": "Hijacked"})
    assert response.status_code == 403
    db.refresh(catalogue.product)
    assert catalogue.product.title == "Red ceramic mug"
