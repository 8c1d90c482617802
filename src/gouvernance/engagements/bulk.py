"""Launching many engagements at once — a consultant starting the same journey for every commune of an EPCI —
idempotently: each launch is keyed, and a retry returns the engagements already created."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import LaunchKeyRow
from gouvernance.engagements.service import LaunchRequest, launch, request_problems
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural

# What a feature can do right after a launch, in the same transaction (e.g. import a stakeholder register).
AfterLaunch = Callable[..., object]


@dataclass(frozen=True)
class LaunchOutcome:
    key: str
    engagement_id: str
    created: bool


def launch_many(
    db: Database,
    requests: Sequence[tuple[str, LaunchRequest]],
    *,
    actor: ActorRef,
    clock: Clock,
    after_launch: AfterLaunch | None = None,
    batch_size: int = 25,
    progress: Callable[[int], None] | None = None,
) -> list[LaunchOutcome]:
    """Launches each (key, request) not launched yet, once every request has been checked: one bad request
    and nothing is launched, with every problem of every request listed (``InvalidInput``, each reason's
    ``details["row"]`` the request's position from 1). Batches share a transaction: a crash loses at most
    the batch in progress, and the retry skips what was committed."""
    check_all(requests)
    outcomes: list[LaunchOutcome] = []
    for start in range(0, len(requests), batch_size):
        chunk = requests[start : start + batch_size]
        with db.transaction() as session:
            for key, request in chunk:
                existing = session.get(LaunchKeyRow, key)
                if existing is not None:
                    outcomes.append(LaunchOutcome(key, existing.engagement_id, created=False))
                    continue
                result = launch(session, replace(request), actor=actor, clock=clock)
                session.add(LaunchKeyRow(key=key, engagement_id=result.engagement_id, created_at=clock.now()))
                if after_launch is not None:
                    after_launch(session, result.engagement_id, request)
                outcomes.append(LaunchOutcome(key, result.engagement_id, created=True))
        if progress:
            progress(len(chunk))
    return outcomes


def check_all(requests: Sequence[tuple[str, LaunchRequest]]) -> None:
    """InvalidInput listing each problem of each request, « ligne N : … », if there is any."""
    reasons = [
        Message(
            problem.code,
            f"ligne {row} ({request.territory.name}) : {problem.fr}",
            f"row {row} ({request.territory.name}): {problem.text('en')}",
            path=problem.path,
            details={**(problem.details or {}), "row": row},
        )
        for row, (_, request) in enumerate(requests, start=1)
        for problem in request_problems(request)
    ]
    if reasons:
        rows = len({reason.details["row"] for reason in reasons})
        raise InvalidInput(
            Message(
                "launch_many.invalid",
                f"Aucun lancement : {plural(rows, 'ligne invalide', 'lignes invalides')} "
                f"sur {len(requests)}.",
                f"Nothing launched: {rows} invalid row(s) of {len(requests)}.",
            ),
            reasons=reasons,
        )
