"""The notifications consumer of the outbox: tells people when work arrives for them or comes back, and
posts the events of an organisation's engagements to its webhooks (those a webhook asks for, or all)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.engagements.records import EngagementRow
from gouvernance.history.consumers import acknowledge, pending_for
from gouvernance.history.records import OutboxRow
from gouvernance.notifications.recipients import holders
from gouvernance.notifications.records import WebhookRow
from gouvernance.notifications.store import Draft, create
from gouvernance.notifications.webhooks import wants
from gouvernance.spec.catalog import model_for

CONSUMER = "notifications"

# Which events call on whom: (who, French subject).
_CALLS = {
    "step.make_ready": ("responsible", "Nouvelle étape à mener : « {title} »"),
    "step.submit": ("reviewer", "À valider : « {title} »"),
    "step.close_consultation": ("reviewer", "Synthèse de consultation à valider : « {title} »"),
    "step.request_rework": ("responsible", "Reprise demandée : « {title} »"),
    "step.reject": ("responsible", "Proposition rejetée, à reprendre : « {title} »"),
    "step.reopen": ("responsible", "Étape rouverte : « {title} »"),
}


def notify_events(db: Database, *, clock: Clock, batch_size: int = 200) -> int:
    """Handles outbox rows by batches, each batch in one transaction with its receipts."""
    handled = 0
    while True:
        with db.transaction() as session:
            rows = pending_for(session, CONSUMER, limit=batch_size, lock=True)
            if not rows:
                return handled
            create(session, _drafts(session, rows), now=clock.now())
            acknowledge(session, CONSUMER, [row.id for row in rows], now=clock.now())
            handled += len(rows)


def _drafts(session: Session, rows: Sequence[OutboxRow]) -> list[Draft]:
    engagements = {
        e.id: e
        for e in session.scalars(
            select(EngagementRow).where(EngagementRow.id.in_({row.engagement_id for row in rows}))
        )
    }
    people = holders(session, [(e.id, e.organisation_id) for e in engagements.values()])
    hooks: dict[str, list[WebhookRow]] = {}
    for hook in session.scalars(
        select(WebhookRow).where(
            WebhookRow.active.is_(True),
            WebhookRow.organisation_key.in_(
                {e.organisation_id for e in engagements.values() if e.organisation_id}
            ),
        )
    ):
        hooks.setdefault(hook.organisation_key, []).append(hook)
    drafts = []
    for row in rows:
        engagement = engagements.get(row.engagement_id)
        if engagement is None:
            continue
        model = model_for(session, engagement.model_key, engagement.model_version)
        step_key = row.payload.get("step_key")
        spec = model.steps_by_key.get(step_key) if step_key else None
        call = _CALLS.get(row.topic)
        role = None
        recipients = []
        subject = f"{row.topic} — {engagement.territory_name}"
        body = f"Événement « {row.payload.get('event')} » sur l'accompagnement {engagement.territory_name}."
        if call and spec is not None:
            who, template = call
            role = model.reviewer_of(spec) if who == "reviewer" else spec.role
            recipients = [
                r for r in people.get((engagement.id, role), []) if r.login != row.payload.get("actor")
            ]
            subject = template.format(title=spec.title.fr) + f" — {engagement.territory_name}"
            body = "\n\n".join(
                [
                    "Bonjour,",
                    subject + ".",
                    f"Accompagnement : {model.title.fr} — {engagement.territory_name}.",
                    "— gouvernance",
                ]
            )
        targets = [
            (hook.id, hook.url)
            for hook in hooks.get(engagement.organisation_id or "", [])
            if wants(hook.events, row.topic)
        ]
        if not recipients and not targets:
            continue
        drafts.append(
            Draft(
                dedupe_key=f"event:{row.event_id}:{row.topic}",
                kind="event",
                subject=subject,
                body=body,
                engagement_id=engagement.id,
                role=role,
                data={"topic": row.topic, **row.payload},
                recipients=recipients,
                webhooks=targets,
            )
        )
    return drafts
