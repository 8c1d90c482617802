"""Runs the Alembic migrations shipped inside the package (they work from an installed wheel too).

Whether a database is up to date is read without Alembic: its ``alembic_version`` row against
``HEAD_REVISION``, the newest migration shipped (a test keeps the two equal). Alembic, Mako and their
dependencies take a good share of the API's start-up, and are only imported when a migration runs."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from gouvernance.db.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config

# The revision of the newest file in migrations/versions: update it with each new migration.
HEAD_REVISION = "0022"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("gouvernance.db") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def upgrade_embedded(database: Database) -> None:
    """The embedded database brought up to date: a new, empty SQLite file gets the migrated schema at once
    (``sqlite_schema``), without importing Alembic; any other database is upgraded by Alembic."""
    from gouvernance.db import sqlite_schema

    if not sqlite_schema.create(database):
        upgrade(database)


def current_revision(database: Database) -> str | None:
    """The revision the database was migrated to; None before its first migration."""
    with database.engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def head_revision() -> str | None:
    """The newest revision as Alembic reads it from the migration files (what ``HEAD_REVISION`` states)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def is_up_to_date(database: Database) -> bool:
    return current_revision(database) == HEAD_REVISION
