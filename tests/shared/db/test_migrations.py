from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backend.shared.db.migrate import downgrade, include_name, upgrade
from backend.shared.db.models import Base
from tests.conftest import Database

SPEC_TABLES = {
    "users",
    "products",
    "product_images",
    "analysis_results",
    "extracted_attributes",
    "detected_defects",
    "processing_jobs",
    "job_steps",
}


def test_migrations_create_every_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert tables >= SPEC_TABLES


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index:sqlalchemy.exc.SAWarning")
def test_models_and_migrated_schema_do_not_drift(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_chain_goes_down_to_nothing_and_back_up(database: Database) -> None:
    with database.engine.begin() as connection:
        downgrade("base", connection=connection)
    assert not set(inspect(database.engine).get_table_names()) & SPEC_TABLES
    with database.engine.begin() as connection:
        upgrade("head", connection=connection)
    assert set(inspect(database.engine).get_table_names()) >= SPEC_TABLES
