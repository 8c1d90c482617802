"""The shipped migrations create exactly the tables the code declares, keep the rows already stored, and
SQLite runs in WAL mode."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from gouvernance.db.all_records import Base
from gouvernance.db.engine import Database
from gouvernance.db.migrate import HEAD_REVISION, current_revision, head_revision, is_up_to_date, upgrade
from tests.conftest import TEST_DATABASE_URL, postgres_schema_url


def test_migrated_schema_matches_the_models(db: Database) -> None:
    assert is_up_to_date(db)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_head_revision_the_code_states_is_the_newest_migration_shipped() -> None:
    # Start-up and /readyz compare the database with HEAD_REVISION without importing Alembic.
    assert head_revision() == HEAD_REVISION


def test_upgrade_is_idempotent_and_reaches_head(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(fresh) is None
    upgrade(fresh)
    upgrade(fresh)
    assert current_revision(fresh) == head_revision()
    assert is_up_to_date(fresh)
    with fresh.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    fresh.dispose()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Database]:
    """No tables yet: a SQLite file, or a PostgreSQL schema of its own when the suite runs there."""
    if not TEST_DATABASE_URL:
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield database
        database.dispose()
        return
    schema = f"gv_migration_{uuid.uuid4().hex[:12]}"
    admin = Database(TEST_DATABASE_URL)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(postgres_schema_url(TEST_DATABASE_URL, schema))
    try:
        yield database
    finally:
        database.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_snapshots_stored_before_0006_are_in_format_1(empty_database: Database) -> None:
    upgrade(empty_database, "0005")
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO process_models (key, version, sha256, title, document, registered_at) "
                "VALUES ('ancien', 1, :sha, 'Ancien', :document, :at)"
            ),
            {"sha": "0" * 64, "document": '{"key": "ancien"}', "at": datetime(2026, 1, 5, tzinfo=UTC)},
        )
    upgrade(empty_database)
    with empty_database.engine.connect() as connection:
        formats = connection.execute(text("SELECT key, format_version FROM process_models")).all()
    assert [tuple(row) for row in formats] == [("ancien", 1)]
