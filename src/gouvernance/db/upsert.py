"""INSERT … ON CONFLICT DO NOTHING for both backends: how idempotent writers say "once"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(session: Session, table: Table | Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()
