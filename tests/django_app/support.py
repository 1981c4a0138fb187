"""One PostgreSQL database for every admin test of the run, and rows built through the services.

The admin's database is its own throw-away database, not the shared ``pg`` one: Django's
``django_admin_log`` holds a foreign key to ``users``, which would stop the Alembic
downgrade test from dropping that table. Django is configured once per process, so the
database is made once per pytest run (kept in the config stash) and shared by
``tests/django_app`` and ``tests/e2e``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.domain.analysis import repository as analysis_repository
from backend.domain.jobs import progress
from backend.domain.jobs import service as jobs_service
from backend.shared.config import get_settings
from backend.shared.db.enums import AnalysisStatus, JobType, StepName
from backend.shared.db.migrate import upgrade
from backend.shared.db.models import (
    AnalysisResult,
    Base,
    DetectedDefect,
    ExtractedAttribute,
    ProcessingJob,
    Product,
    ProductImage,
    User,
)
from backend.shared.db.session import build_engine, reset_engine
from backend.shared.ratelimit import get_rate_limiter
from backend.shared.storage.factory import clear_storage_cache
from tests.factories import make_image, make_product, make_user
from tests.support.databases import temporary_postgres_database
from tests.support.services import service_unavailable

DJANGO_TABLES = ("django_admin_log", "django_session")
_ADMIN_DATABASE = pytest.StashKey["AdminDatabase"]()


@dataclass(frozen=True)
class AdminDatabase:
    url: str
    engine: Engine


def admin_database(config: pytest.Config) -> AdminDatabase:
    """The run's admin database: migrated by Alembic, then by Django for its own apps."""
    if _ADMIN_DATABASE in config.stash:
        return config.stash[_ADMIN_DATABASE]
    context: AbstractContextManager[str] = temporary_postgres_database(
        get_settings().test_database_url
    )
    try:
        url = context.__enter__()
    except OperationalError as exc:
        service_unavailable("PostgreSQL", exc.orig)
    engine = build_engine(get_settings().model_copy(update={"database_url": url}))
    with engine.begin() as connection:
        upgrade("head", connection=connection)
    _configure_django(url)

    def drop() -> None:
        from django.db import connections
        from django.test.utils import teardown_test_environment

        connections.close_all()
        teardown_test_environment()
        engine.dispose()
        context.__exit__(None, None, None)

    config.add_cleanup(drop)
    config.stash[_ADMIN_DATABASE] = AdminDatabase(url=url, engine=engine)
    return config.stash[_ADMIN_DATABASE]


def _configure_django(url: str) -> None:
    from django.test.utils import setup_test_environment

    from backend.django_app.conf import migrate_admin_tables, setup_django

    setup_django(get_settings().model_copy(update={"database_url": url}))
    # Lets the test client's "testserver" host in; the rest of the settings stay as served.
    setup_test_environment()
    migrate_admin_tables()


@contextmanager
def pointed_at(database: AdminDatabase, storage_dir: Path) -> Iterator[None]:
    """Settings, engine and storage of the application aimed at the admin database."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMAGINEAI_DATABASE_URL", database.url)
        patch.setenv("IMAGINEAI_LOCAL_STORAGE_DIR", str(storage_dir))
        _forget_cached_state()
        try:
            yield
        finally:
            _empty(database)
    # Once more with the environment restored, so later tests read their own settings.
    _forget_cached_state()


def _forget_cached_state() -> None:
    get_settings.cache_clear()
    reset_engine()
    clear_storage_cache()
    get_rate_limiter.cache_clear()


def _empty(database: AdminDatabase) -> None:
    tables = [table.name for table in Base.metadata.sorted_tables] + list(DJANGO_TABLES)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))


def session_for(database: AdminDatabase) -> Session:
    return sessionmaker(bind=database.engine, expire_on_commit=False)()


# --- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    owner: User
    product: Product
    image: ProductImage
    analysis: AnalysisResult


def analysed_product(
    session: Session, *, owner: User | None = None, title: str = "Red ceramic mug"
) -> Catalogue:
    """A product whose uploaded image has a completed analysis with two defects."""
    owner = owner or make_user(session)
    product = make_product(session, owner=owner, title=title)
    image = make_image(session, product=product, filename="mug.jpg")
    analysis = analysis_repository.get_or_create_for_image(session, image_id=image.id)
    analysis.status = AnalysisStatus.COMPLETED
    analysis.model_version = "efficientnet-lite0@1.0"
    analysis.classification_label = "coffee mug"
    analysis.classification_confidence = 0.91
    analysis.classification_scores = {
        "category": "kitchen",
        "subcategory": "mugs",
        "top_k": [{"label": "coffee mug", "score": 0.91}, {"label": "cup", "score": 0.06}],
    }
    analysis.description_text = "A red ceramic mug with a chipped rim."
    analysis.description_model = "offline-writer"
    analysis.processing_time_ms = 1234
    analysis_repository.replace_attributes(
        session,
        analysis_id=analysis.id,
        names=["color"],
        attributes=[
            ExtractedAttribute(
                attribute_name="color",
                attribute_value="red",
                confidence=0.88,
                metadata_={"method": "palette"},
            )
        ],
    )
    analysis_repository.replace_defects(
        session,
        analysis_id=analysis.id,
        defects=[
            DetectedDefect(
                defect_type="crack",
                severity="high",
                confidence=0.83,
                bounding_box={"x": 10, "y": 20, "width": 30, "height": 40},
                description="Hairline crack near the rim",
            ),
            DetectedDefect(
                defect_type="stain",
                severity="low",
                confidence=0.61,
                bounding_box={"x": 300, "y": 200, "width": 120, "height": 90},
                description="Faint stain",
            ),
        ],
    )
    session.commit()
    return Catalogue(owner=owner, product=product, image=image, analysis=analysis)


def finished_job_with_a_failure(
    session: Session, *, owner: User, images: list[ProductImage]
) -> ProcessingJob:
    """A batch job run the way a worker runs it: the first image succeeds, the second fails."""
    job = jobs_service.create(session, owner_id=owner.id, images=images, job_type=JobType.BATCH)
    session.commit()
    for index, image in enumerate(images):
        succeeded = index == 0
        for step in progress.image_steps(session, job_id=job.id, image_id=image.id):
            claim = progress.claim(session, step=step)
            assert claim is not None
            if succeeded or step.step_name != StepName.CLASSIFY:
                progress.complete(session, claim=claim, result_data={}, duration_ms=40)
                continue
            progress.fail(
                session, claim=claim, error="model crashed", duration_ms=15, transient=False
            )
            progress.skip_remaining(session, job_id=job.id, image_id=image.id)
            break
        progress.count_image(session, job_id=job.id, succeeded=succeeded)
    session.commit()
    session.refresh(job)
    return job
