"""Alembic environment: runs against the connection or URL the caller put in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import wangan.indicators.models
import wangan.kernel.models
import wangan.reviews.models
import wangan.vulns.models  # noqa: F401 - registers the tables on Base.metadata
from wangan.db import Base, make_engine

target_metadata = Base.metadata
config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run `wangan db upgrade`")
run_migrations_online()
