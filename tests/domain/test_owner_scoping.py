"""Every product, image, analysis and job query only ever sees its owner's rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.images import repository as images_repository
from backend.domain.jobs import repository as jobs_repository
from backend.domain.pagination import PageRequest
from backend.domain.products import repository as products_repository
from backend.domain.products.repository import ProductFilter
from backend.shared.db.enums import JobType
from backend.shared.db.models import ProcessingJob
from tests.factories import make_image, make_product, make_user


def test_products_are_scoped_to_their_owner(session: Session) -> None:
    alice, bob = make_user(session), make_user(session)
    alices = make_product(session, owner=alice, title="Alice's lamp")
    make_product(session, owner=bob, title="Bob's lamp")
    assert products_repository.get_for_owner(session, owner_id=bob.id, product_id=alices.id) is None
    found = products_repository.get_for_owner(session, owner_id=alice.id, product_id=alices.id)
    assert found is not None
    page = products_repository.list_for_owner(
        session, owner_id=alice.id, filters=ProductFilter(search="lamp"), page=PageRequest()
    )
    assert [product.title for product in page.items] == ["Alice's lamp"]
    assert page.total == 1


def test_images_and_analyses_are_scoped_through_the_product(session: Session) -> None:
    alice, bob = make_user(session), make_user(session)
    image = make_image(session, product=make_product(session, owner=alice))
    analysis_repository.get_or_create_for_image(session, image_id=image.id)
    assert images_repository.get_for_owner(session, owner_id=bob.id, image_id=image.id) is None
    assert images_repository.get_for_owner(session, owner_id=alice.id, image_id=image.id)
    assert analysis_repository.get_for_owner(session, owner_id=bob.id, image_id=image.id) is None
    assert analysis_repository.get_for_owner(session, owner_id=alice.id, image_id=image.id)
    assert not images_repository.list_uploaded_for_owner(
        session, owner_id=bob.id, image_ids=[image.id]
    )


def test_jobs_are_scoped_to_their_owner(session: Session) -> None:
    alice, bob = make_user(session), make_user(session)
    job = jobs_repository.add(session, ProcessingJob(user_id=alice.id, job_type=JobType.BATCH))
    assert jobs_repository.get_for_owner(session, owner_id=bob.id, job_id=job.id) is None
    assert jobs_repository.get_for_owner(session, owner_id=alice.id, job_id=job.id)
    assert (
        jobs_repository.list_for_owner(
            session, owner_id=bob.id, filters=jobs_repository.JobFilter(), page=PageRequest()
        ).total
        == 0
    )


def test_soft_deleted_products_vanish_from_every_query(session: Session) -> None:
    alice = make_user(session)
    product = make_product(session, owner=alice)
    image = make_image(session, product=product)
    products_repository.soft_delete(session, product, when=datetime.now(UTC))
    session.flush()
    assert (
        products_repository.get_for_owner(session, owner_id=alice.id, product_id=product.id) is None
    )
    assert images_repository.get_for_owner(session, owner_id=alice.id, image_id=image.id) is None
    page = products_repository.list_for_owner(
        session, owner_id=alice.id, filters=ProductFilter(), page=PageRequest()
    )
    assert page.total == 0


def test_search_treats_wildcards_literally(session: Session) -> None:
    alice = make_user(session)
    make_product(session, owner=alice, title="100% cotton shirt")
    make_product(session, owner=alice, title="1000 piece puzzle")
    page = products_repository.list_for_owner(
        session, owner_id=alice.id, filters=ProductFilter(search="100%"), page=PageRequest()
    )
    assert [product.title for product in page.items] == ["100% cotton shirt"]
