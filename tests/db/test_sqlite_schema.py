"""A new SQLite database created from the shipped ``sqlite_schema.sql`` is the one the migrations give:
same tables, columns, indexes, constraints, triggers and ``alembic_version``; the file is regenerated with
each migration."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from gouvernance.db import sqlite_schema
from gouvernance.db.all_records import Base
from gouvernance.db.engine import Database
from gouvernance.db.migrate import HEAD_REVISION, current_revision, upgrade, upgrade_embedded


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'new.db'}")
    yield database
    database.dispose()


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'migrated.db'}")
    upgrade(database)
    yield database
    database.dispose()


def described(connection: Connection) -> dict[str, object]:
    """Everything SQLite says of a database's schema, in an order that does not depend on creation order."""
    master = connection.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master")).all()
    tables = sorted(name for kind, name, _, _ in master if kind == "table")
    pragmas = ("table_xinfo", "index_list", "foreign_key_list")
    return {
        "master": sorted(tuple(str(value) for value in row) for row in master),
        "pragmas": {
            f"{pragma}({table})": sorted(
                tuple(row) for row in connection.exec_driver_sql(f"PRAGMA {pragma}('{table}')").all()
            )
            for table in tables
            for pragma in pragmas
        },
        "indexes": {
            name: [tuple(row) for row in connection.exec_driver_sql(f"PRAGMA index_xinfo('{name}')").all()]
            for kind, name, _, _ in master
            if kind == "index"
        },
        "alembic_version": connection.execute(text("SELECT version_num FROM alembic_version")).all(),
        "user_version": connection.exec_driver_sql("PRAGMA user_version").scalar(),
    }


def test_a_new_database_created_from_the_shipped_schema_is_the_migrated_one(
    new_database: Database, migrated: Database
) -> None:
    assert sqlite_schema.create(new_database)
    with new_database.engine.connect() as created, migrated.engine.connect() as reference:
        assert described(created) == described(reference)
        assert compare_metadata(MigrationContext.configure(created), Base.metadata) == []
    assert current_revision(new_database) == HEAD_REVISION


def test_the_shipped_schema_is_what_the_migrations_give() -> None:
    shipped = (resources.files("gouvernance.db") / sqlite_schema.FILE).read_text(encoding="utf-8")
    # After a new migration: python -m gouvernance.db.sqlite_schema
    assert shipped == sqlite_schema.generate()


def test_a_database_that_has_tables_is_left_to_alembic(new_database: Database) -> None:
    upgrade(new_database, "0005")
    assert not sqlite_schema.create(new_database)
    assert current_revision(new_database) == "0005"
    upgrade_embedded(new_database)
    assert current_revision(new_database) == HEAD_REVISION


def test_the_embedded_upgrade_of_a_new_file_needs_no_migration(new_database: Database) -> None:
    upgrade_embedded(new_database)
    upgrade_embedded(new_database)  # up to date: nothing to do, nothing created twice
    assert current_revision(new_database) == HEAD_REVISION


def test_statements_are_split_where_sqlite_ends_them() -> None:
    script = (
        "-- a comment\nCREATE TABLE t (a INTEGER);\n\n"
        "CREATE TRIGGER x BEFORE DELETE ON t BEGIN SELECT 1; END;\n"
    )
    assert sqlite_schema.statements(script) == [
        "CREATE TABLE t (a INTEGER);",
        "CREATE TRIGGER x BEFORE DELETE ON t BEGIN SELECT 1; END;",
    ]
    with pytest.raises(ValueError, match="middle of a statement"):
        sqlite_schema.statements("CREATE TABLE t (a INTEGER")
