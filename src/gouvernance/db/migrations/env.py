"""Alembic environment: the URL comes from the caller (gouvernance db upgrade) or from the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from gouvernance.db.all_records import Base
from gouvernance.db.engine import make_engine
from gouvernance.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("gouvernance migrations run online only: use `gouvernance db upgrade`.")
run_migrations_online()
