"""The migration chain builds exactly the schema the models describe (a model change without a
migration fails here), on whichever database the suite runs against."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from wangan.db import Base
from wangan.migrate import is_current


def test_database_is_at_head(engine: Engine) -> None:
    assert is_current(engine)


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == [], f"models and migrations differ; write a migration: {diffs}"
