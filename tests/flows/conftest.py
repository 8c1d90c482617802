"""Flows run under one Prefect test harness for the whole session, against the test database; the tests of
real processes get a real `prefect server` whose errors fail them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gouvernance.settings import get_settings
from tests.conftest import TEST_DATABASE_URL
from tests.flows.processes import Process, prefect_database, prefect_server
from tests.notifications.conftest import smtp_server  # noqa: F401  (the tests here use it too)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        prefect_test_harness(server_startup_timeout=120),
    ):
        yield


@pytest.fixture
def flow_settings(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, db) -> Iterator[None]:
    """Points the flows' runtime (built from the settings) at the test database."""
    from gouvernance.flows.runtime import runtime

    monkeypatch.setenv("GOUVERNANCE_DATABASE_URL", database_url)
    monkeypatch.setenv("GOUVERNANCE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runtime.cache_clear()
    yield
    get_settings.cache_clear()
    runtime.cache_clear()


@pytest.fixture
def prefect_api(tmp_path: Path) -> Iterator[tuple[str, Process]]:
    """A real `prefect server` (its own database: SQLite, or PostgreSQL when the suite runs there): its API
    URL and its process."""
    with prefect_database(tmp_path, TEST_DATABASE_URL) as database, prefect_server(tmp_path, database) as api:
        yield api


@pytest.fixture
def worker_env(prefect_api: tuple[str, Process], database_url: str, tmp_path: Path) -> Callable[..., dict]:
    """The environment of a worker process on this machine: the Prefect server, the test database, and any
    GOUVERNANCE_* settings given (short intervals, SMTP port, worker name)."""

    def env(name: str = "worker", **settings: object) -> dict[str, str]:
        return {
            **os.environ,
            "PREFECT_API_URL": prefect_api[0],
            "PREFECT_HOME": str(tmp_path / f"{name}-home"),
            "PREFECT_LOGGING_LEVEL": "INFO",
            "GOUVERNANCE_DATABASE_URL": database_url,
            "GOUVERNANCE_DATA_DIR": str(tmp_path / "data"),
            **{f"GOUVERNANCE_{key.upper()}": str(value) for key, value in settings.items()},
        }

    return env
