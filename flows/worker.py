"""`gouvernance worker`: serves every flow, the periodic ones on their schedule.

On the embedded default this starts Prefect's ephemeral server in the background; with PREFECT_API_URL set
it registers the deployments with that server instead (see the README's scale-out section).
"""

from __future__ import annotations

from prefect import serve
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from gouvernance.flows.background import (
    dispatch_notifications,
    launch_engagements,
    produce_deliverables,
    sweep_reminders,
)

SCHEDULES = {
    "sweep-reminders": 15 * 60,  # seconds
    "produce-deliverables": 60,
    "dispatch-notifications": 60,
}


def deployments() -> list:
    return [
        sweep_reminders.to_deployment("gouvernance", interval=SCHEDULES["sweep-reminders"]),
        produce_deliverables.to_deployment("gouvernance", interval=SCHEDULES["produce-deliverables"]),
        dispatch_notifications.to_deployment("gouvernance", interval=SCHEDULES["dispatch-notifications"]),
        launch_engagements.to_deployment("gouvernance"),  # run on demand
    ]


def serve_all(limit: int | None = None) -> None:
    # Each synchronous flow run otherwise waits for its heartbeat thread (about a second) on exit.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        serve(*deployments(), limit=limit)
