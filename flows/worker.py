"""`gouvernance worker`: serves every flow, the periodic ones on their schedule (served mode, one machine).

With PREFECT_API_URL set it registers the deployments with that server. On the embedded default it starts a
`prefect server` of its own (flows/local_server.py): Prefect's in-process ephemeral server has no scheduler.
Several machines share the work through a Prefect work pool instead (`prefect.yaml`, the README's scale-out
section).
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from prefect import serve
from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from gouvernance.flows.background import (
    apply_retention_flow,
    dispatch_notifications,
    launch_engagements,
    produce_deliverables,
    sweep_reminders,
    verify_audit_chains,
)
from gouvernance.flows.local_server import local_prefect_server
from gouvernance.flows.runtime import runtime
from gouvernance.notifications.dispatch import default_worker_name, release
from gouvernance.settings import Settings, get_settings

DEPLOYMENT_NAME = "gouvernance"


def schedules(settings: Settings) -> dict[str, int]:
    """Seconds between two runs of each periodic flow, from the settings (GOUVERNANCE_*_INTERVAL_SECONDS)."""
    return {
        "sweep-reminders": settings.sweep_interval_seconds,
        "produce-deliverables": settings.deliverables_interval_seconds,
        "dispatch-notifications": settings.dispatch_interval_seconds,
        "verify-audit-chains": settings.audit_interval_seconds,
        "apply-retention": settings.retention_interval_seconds,
    }


def deployments(settings: Settings) -> list:
    every = schedules(settings)
    return [
        sweep_reminders.to_deployment(DEPLOYMENT_NAME, interval=every["sweep-reminders"]),
        produce_deliverables.to_deployment(DEPLOYMENT_NAME, interval=every["produce-deliverables"]),
        dispatch_notifications.to_deployment(DEPLOYMENT_NAME, interval=every["dispatch-notifications"]),
        verify_audit_chains.to_deployment(DEPLOYMENT_NAME, interval=every["verify-audit-chains"]),
        apply_retention_flow.to_deployment(DEPLOYMENT_NAME, interval=every["apply-retention"]),
        launch_engagements.to_deployment(DEPLOYMENT_NAME),  # run on demand
    ]


def serve_all(limit: int | None = None) -> None:
    settings = get_settings()
    # The flow runs this process starts (child processes, which inherit its environment) claim deliveries
    # under its name, so that it can hand back what they claimed if they are stopped mid-batch.
    name = settings.worker_name or default_worker_name()
    os.environ["GOUVERNANCE_WORKER_NAME"] = name
    with ExitStack() as stack:
        if not PREFECT_API_URL.value():
            home = settings.data_dir / "prefect"
            url = stack.enter_context(local_prefect_server(home))
            os.environ["PREFECT_API_URL"] = url  # for the flow runs, child processes
            stack.enter_context(temporary_settings({PREFECT_API_URL: url}))
            print(f"Serveur Prefect local : {url} (journal : {home / 'server.log'})", flush=True)
        # On the way out, first of all: Prefect stops the flow runs with the worker, and whatever they had
        # claimed and not started sending is pending again at once, for another worker, instead of when its
        # lease runs out.
        stack.callback(release, runtime().db, worker=name)
        # Each synchronous flow run otherwise waits for its heartbeat thread (about a second) on exit.
        stack.enter_context(temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))
        # pause_on_shutdown=False: the schedules belong to the deployments, not to one worker. Prefect's
        # default pauses them when a served process stops, which would stop every other worker's scheduled
        # runs too, and which holds up the shutdown while it retries a server that is gone.
        serve(*deployments(settings), limit=limit, pause_on_shutdown=False)
