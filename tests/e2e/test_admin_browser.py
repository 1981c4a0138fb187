"""A staff member signs in, sees a product's defect boxes over its image, deactivates a user."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.django_app.asgi import create_admin_app
from backend.domain.auth import service as auth_service
from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.db.models import RefreshToken, User
from backend.shared.ratelimit import get_rate_limiter
from backend.shared.storage.factory import get_storage
from tests.django_app.support import AdminDatabase, analysed_product, session_for
from tests.e2e.conftest import CHROMIUM_ARGS, ServerThread, free_port
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.services


def _store_photo(key: str) -> None:
    """Real JPEG bytes where the image row says they are, so the browser can load them."""
    picture = Image.new("RGB", (640, 480), (200, 40, 40))
    encoded = io.BytesIO()
    picture.save(encoded, format="JPEG")
    encoded.seek(0)
    get_storage(get_settings()).put_stream(
        key, encoded, content_type="image/jpeg", max_bytes=10_000_000
    )


def _sign_in(page: Page, admin_url: str, email: str) -> None:
    page.goto(f"{admin_url}/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{admin_url}/admin/")


def _defect_boxes_are_drawn_over_the_image(page: Page) -> None:
    figure = page.locator("figure.iai-annotated").first
    image = figure.locator("img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 640", arg=image.element_handle()
    )
    boxes = figure.locator("svg.iai-boxes rect")
    expect(boxes).to_have_count(2)
    frame = image.bounding_box()
    assert frame is not None
    scale = frame["width"] / 640
    drawn = sorted(
        (box for box in (boxes.nth(i).bounding_box() for i in range(2)) if box),
        key=lambda b: b["x"],
    )
    assert len(drawn) == 2
    crack, stain = drawn
    # The crack's box is (10, 20, 30 x 40) in image pixels: same place on screen, scaled
    # (give or take the outline, which is a few screen pixels wide).
    outline = 3
    assert crack["x"] == pytest.approx(frame["x"] + 10 * scale, abs=outline)
    assert crack["y"] == pytest.approx(frame["y"] + 20 * scale, abs=outline)
    assert crack["width"] == pytest.approx(30 * scale, abs=outline)
    assert crack["height"] == pytest.approx(40 * scale, abs=outline)
    assert stain["x"] == pytest.approx(frame["x"] + 300 * scale, abs=outline)
    assert stain["y"] == pytest.approx(frame["y"] + 200 * scale, abs=outline)
    expect(figure.locator("text", has_text="crack 83%")).to_be_visible()


def test_staff_inspects_defects_and_deactivates_a_user(
    chromium_path: str, admin_db: AdminDatabase
) -> None:
    settings = get_settings()
    with session_for(admin_db) as session:
        make_user(session, email="root@example.com", is_superuser=True)
        catalogue = analysed_product(session)
        auth_service.login(
            session,
            email=catalogue.owner.email,
            password=DEFAULT_PASSWORD,
            client_ip="192.0.2.1",
            limiter=get_rate_limiter(),
            settings=settings,
        )
        session.commit()
        shopper_id, shopper_email = catalogue.owner.id, catalogue.owner.email
        _store_photo(catalogue.image.s3_key)

    api = ServerThread(create_app(settings), settings.api_port)
    admin = ServerThread(create_admin_app(settings, migrate=False), free_port())
    with api, admin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            _sign_in(page, admin.url, "root@example.com")

            page.click("text=Products")
            page.click("text=Red ceramic mug")
            expect(page.locator("h2", has_text="images")).to_be_visible()
            _defect_boxes_are_drawn_over_the_image(page)

            page.goto(f"{admin.url}/admin/imagineai/user/")
            row = page.locator("tr", has_text=shopper_email)
            row.locator("input.action-select").check()
            page.select_option("select[name=action]", "deactivate_users")
            page.click("button[name=index]")
            expect(page.locator("h1")).to_have_text(re.compile("Deactivate: are you sure"))
            page.click("input.iai-confirm")
            expect(page.locator(".messagelist .success")).to_have_text(
                "Deactivate: done for 1 user."
            )
        finally:
            browser.close()

    with session_for(admin_db) as session:
        _assert_deactivated(session, shopper_id)


def _assert_deactivated(session: Session, user_id: object) -> None:
    user = session.get(User, user_id)
    assert user is not None
    assert not user.is_active
    tokens = list(session.scalars(select(RefreshToken).where(RefreshToken.user_id == user_id)))
    assert tokens
    assert all(token.revoked_at is not None for token in tokens)
