"""Flows run under one Prefect test harness for the whole session, against the test database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gouvernance.settings import get_settings


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
