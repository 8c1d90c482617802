"""A run requested from a real `prefect server` executes in a `gouvernance worker` process on loopback."""

from __future__ import annotations

import sys
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from gouvernance.engagements.records import LaunchKeyRow
from tests.flows.processes import Process

pytestmark = pytest.mark.slow


def test_a_run_requested_from_the_server_executes_in_the_worker(prefect_api, worker_env, db) -> None:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    worker = Process([sys.executable, "-m", "gouvernance", "worker"], worker_env())
    key = f"real-server-{uuid.uuid4().hex[:8]}"
    try:
        worker.wait_for("being served", timeout=180)
        with temporary_settings({PREFECT_API_URL: prefect_api[0]}):
            run = run_deployment(
                "launch-engagements/gouvernance",
                timeout=240,
                parameters={
                    "model_key": "gouvernance-partagee",
                    "start_date": date(2026, 9, 7).isoformat(),
                    "idempotency_key": key,
                    "territories": [
                        {"name": "Ardon", "kind": "commune"},
                        {"name": "Olivet", "kind": "commune"},
                    ],
                },
            )
        assert run.state is not None
        assert run.state.is_completed(), run.state
    finally:
        worker.stop()
    with db.reading() as session:
        launched = session.scalar(
            select(func.count()).select_from(LaunchKeyRow).where(LaunchKeyRow.key.startswith(key))
        )
    assert launched == 2
