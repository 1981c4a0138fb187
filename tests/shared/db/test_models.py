from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.shared.db.enums import JobType, StepName
from backend.shared.db.models import (
    AnalysisResult,
    DetectedDefect,
    ExtractedAttribute,
    JobStep,
    ProcessingJob,
    Product,
    ProductImage,
    User,
)
from tests.factories import make_image, make_product, make_user


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _full_tree(session: Session) -> User:
    user = make_user(session)
    product = make_product(session, owner=user)
    image = make_image(session, product=product)
    analysis = AnalysisResult(product_image_id=image.id, classification_label="kitchen/mugs")
    session.add(analysis)
    session.flush()
    session.add_all(
        [
            ExtractedAttribute(
                analysis_result_id=analysis.id,
                attribute_name="color",
                attribute_value="red",
                confidence=0.9,
            ),
            DetectedDefect(
                analysis_result_id=analysis.id,
                defect_type="scratch",
                severity="low",
                confidence=0.7,
                bounding_box={"x": 1, "y": 2, "width": 3, "height": 4},
            ),
        ]
    )
    job = ProcessingJob(user_id=user.id, job_type=JobType.SINGLE, total_images=1)
    session.add(job)
    session.flush()
    session.add(JobStep(job_id=job.id, step_name=StepName.CLASSIFY, product_image_id=image.id))
    session.commit()
    return user


def test_deleting_a_user_cascades_to_every_child_row(session: Session) -> None:
    user = _full_tree(session)
    survivor = _full_tree(session)
    session.delete(user)
    session.commit()
    for model in (
        Product,
        ProductImage,
        AnalysisResult,
        ExtractedAttribute,
        DetectedDefect,
        ProcessingJob,
        JobStep,
    ):
        assert _count(session, model) == 1, model.__name__
    assert session.get(User, survivor.id) is not None


def test_database_cascades_without_the_orm(session: Session) -> None:
    user = _full_tree(session)
    session.execute(User.__table__.delete().where(User.id == user.id))
    session.commit()
    assert _count(session, ExtractedAttribute) == 0
    assert _count(session, DetectedDefect) == 0
    assert _count(session, JobStep) == 0


def test_deleting_a_job_removes_its_steps(session: Session) -> None:
    _full_tree(session)
    session.execute(ProcessingJob.__table__.delete())
    session.commit()
    assert _count(session, JobStep) == 0
    assert _count(session, ProductImage) == 1


def test_email_is_unique_ignoring_case(session: Session) -> None:
    make_user(session, email="ann@example.com")
    session.commit()
    session.add(User(email="ANN@example.com", hashed_password="x"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_one_analysis_per_image(session: Session) -> None:
    user = make_user(session)
    image = make_image(session, product=make_product(session, owner=user))
    session.add(AnalysisResult(product_image_id=image.id))
    session.flush()
    session.add(AnalysisResult(product_image_id=image.id))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Product, "status", "exploded"),
        (ProcessingJob, "job_type", "weekly"),
        (ProcessingJob, "status", "paused"),
    ],
)
def test_check_constraints_refuse_unknown_values(
    session: Session, model: type[Product | ProcessingJob], field: str, value: str
) -> None:
    user = make_user(session)
    row = (
        Product(user_id=user.id, title="t")
        if model is Product
        else ProcessingJob(user_id=user.id, job_type=JobType.BATCH)
    )
    setattr(row, field, value)
    session.add(row)
    with pytest.raises(IntegrityError):
        session.flush()


def test_defect_severity_and_confidence_are_checked(session: Session) -> None:
    user = make_user(session)
    image = make_image(session, product=make_product(session, owner=user))
    analysis = AnalysisResult(product_image_id=image.id)
    session.add(analysis)
    session.flush()
    session.add(
        DetectedDefect(
            analysis_result_id=analysis.id, defect_type="scratch", severity="low", confidence=1.5
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    user = make_user(session)
    paris = timezone(timedelta(hours=1))
    user.last_login = datetime(2026, 1, 2, 11, 0, 0, tzinfo=paris)
    session.commit()
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.last_login == datetime(2026, 1, 2, 10, 0, 0, tzinfo=UTC)
    assert stored.last_login.tzinfo is not None
    assert stored.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(session: Session) -> None:
    user = make_user(session)
    user.last_login = datetime(2026, 1, 2, 10, 0, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_server_defaults_fill_rows_inserted_without_the_orm(session: Session) -> None:
    user = make_user(session)
    session.execute(
        Product.__table__.insert().values(id=uuid.uuid4(), user_id=user.id, title="raw insert")
    )
    product = session.scalar(select(Product).where(Product.title == "raw insert"))
    assert product is not None
    assert product.status == "draft"
    assert product.metadata_ == {}
    assert product.created_at.tzinfo is not None
