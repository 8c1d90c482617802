"""Pooled PostgreSQL connections: one that sat idle is checked before it is lent, one in steady use is not
(a round trip per transaction saved)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import exc, text

from gouvernance.db.engine import Database


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL server to lose connections to (the PostgreSQL suite runs this test)")
    return database_url


def backend_pid(db: Database) -> int:
    with db.reading() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(admin: Database, pid: int) -> None:
    """Ends that server process and waits until it is gone (pg_terminate_backend only sends the signal)."""
    with admin.transaction() as session:
        session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    gone = text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid")
    deadline = time.monotonic() + 30
    while True:
        with admin.reading() as session:
            if session.execute(gone, {"pid": pid}).scalar_one():
                return
        assert time.monotonic() < deadline, f"backend {pid} still alive"


@pytest.mark.parametrize("idle_seconds", [0.0, 3600.0])
def test_an_idle_connection_killed_by_the_server_is_replaced_only_when_checked(
    postgresql_url: str, db: Database, idle_seconds: float
) -> None:
    pool = Database(postgresql_url, ping_after_idle_seconds=idle_seconds, pool_size=1, max_overflow=0)
    try:
        first = backend_pid(pool)
        terminate(db, first)  # as a server restart or a firewall would
        if idle_seconds == 0.0:  # idle longer than the threshold: checked, replaced, the caller sees nothing
            assert backend_pid(pool) != first
        else:  # in steady use: lent without a check, so the first statement fails (and the pool heals)
            with pytest.raises(exc.OperationalError):
                backend_pid(pool)
            assert backend_pid(pool) != first
    finally:
        pool.dispose()
