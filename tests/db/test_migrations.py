"""The shipped migrations create exactly the tables the code declares, and SQLite runs in WAL mode."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from gouvernance.db.all_records import Base
from gouvernance.db.engine import Database
from gouvernance.db.migrate import current_revision, head_revision, is_up_to_date, upgrade


def test_migrated_schema_matches_the_models(db: Database) -> None:
    assert is_up_to_date(db)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent_and_reaches_head(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(fresh) is None
    upgrade(fresh)
    upgrade(fresh)
    assert current_revision(fresh) == head_revision()
    with fresh.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    fresh.dispose()
