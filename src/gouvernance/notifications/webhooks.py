"""An organisation's webhooks: where the events of its engagements are posted, signed with a secret that is
shown once, when the webhook is created. Only the organisation's admins list, add and remove them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.service import require_org_admin
from gouvernance.clock import Clock
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.lifecycle.machines import MACHINE_BY_KIND, EngagementMachine, machine_events
from gouvernance.notifications.records import WebhookRow

# The event kinds a webhook can ask for: the outbox topics of the engagements' events.
EVENT_KINDS: frozenset[str] = frozenset(
    {f"step.{event}" for machine in MACHINE_BY_KIND.values() for event in machine_events(machine)}
    | {f"engagement.{event}" for event in machine_events(EngagementMachine)}
    | {"engagement.launched", "stage.completed", "evidence.attached"}
)
URL_MAX = 2000
SECRET_MIN, SECRET_MAX = 16, 200


@dataclass(frozen=True)
class Webhook:
    id: int
    organisation: str
    url: str
    events: tuple[str, ...]  # empty: every event
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class NewWebhook:
    webhook: Webhook
    secret: str  # returned this once; the receiver checks signatures with it


def wants(events: Sequence[str], topic: str) -> bool:
    """Whether a webhook asking for ``events`` (empty: all) is told about ``topic``."""
    return not events or topic in events


def add_webhook(
    session: Session,
    *,
    organisation: str,
    url: str,
    by: str,
    clock: Clock,
    secret: str | None = None,
    events: Iterable[str] = (),
) -> NewWebhook:
    """A new webhook of ``organisation``, added by its admin ``by``; a secret is generated when none is
    given."""
    require_org_admin(session, by, organisation)
    url, kinds = url.strip(), tuple(dict.fromkeys(events))
    _check(url, secret, kinds)
    row = WebhookRow(
        organisation_key=organisation,
        url=url,
        secret=secret or secrets.token_urlsafe(32),
        events=list(kinds),
        active=True,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return NewWebhook(_webhook(row), row.secret)


def webhooks_of(session: Session, *, organisation: str, by: str) -> list[Webhook]:
    """The organisation's webhooks, oldest first, without their secrets."""
    require_org_admin(session, by, organisation)
    rows = session.scalars(
        select(WebhookRow).where(WebhookRow.organisation_key == organisation).order_by(WebhookRow.id)
    )
    return [_webhook(row) for row in rows]


def remove_webhook(session: Session, *, organisation: str, webhook_id: int, by: str) -> None:
    """Removes the webhook; what was still waiting to be posted to it is no longer sent."""
    require_org_admin(session, by, organisation)
    row = session.get(WebhookRow, webhook_id)
    if row is None or row.organisation_key != organisation:
        raise NotFound(
            Message(
                "webhook.not_found",
                f"Webhook introuvable : {webhook_id} (organisation « {organisation} »)",
                f"Webhook not found: {webhook_id} (organisation '{organisation}')",
                details={"webhook_id": webhook_id, "organisation": organisation},
            )
        )
    session.delete(row)
    session.flush()


def _webhook(row: WebhookRow) -> Webhook:
    return Webhook(row.id, row.organisation_key, row.url, tuple(row.events), row.active, row.created_at)


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (reading it checks it: a number from 0 to 65535)
        return (
            parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)
        )
    except ValueError:  # an unbalanced [ in the host, a port that is not a number…
        return False


def _check(url: str, secret: str | None, events: tuple[str, ...]) -> None:
    problems = []
    if len(url) > URL_MAX or not _is_http(url):
        problems.append(
            Message(
                "webhook.url",
                f"adresse de webhook invalide « {url[:80]} » : attendu une URL http:// ou https://",
                f"invalid webhook URL '{url[:80]}': expected an http:// or https:// URL",
                path="url",
            )
        )
    if secret is not None and not SECRET_MIN <= len(secret) <= SECRET_MAX:
        problems.append(
            Message(
                "webhook.secret",
                f"secret de {SECRET_MIN} à {SECRET_MAX} caractères (ou aucun : il est alors généré)",
                f"a secret of {SECRET_MIN} to {SECRET_MAX} characters (or none: one is then generated)",
                path="secret",
            )
        )
    unknown = [kind for kind in events if kind not in EVENT_KINDS]
    if unknown:
        problems.append(
            Message(
                "webhook.events",
                f"{'types d’événement inconnus' if len(unknown) > 1 else 'type d’événement inconnu'} : "
                f"{', '.join(unknown)} (par exemple step.submit, "
                "engagement.launched)",
                f"unknown event kind(s): {', '.join(unknown)} (for example step.submit, engagement.launched)",
                path="events",
                details={"unknown": unknown, "known": sorted(EVENT_KINDS)},
            )
        )
    if problems:
        raise InvalidInput(
            Message("webhook.invalid", "Webhook invalide", "Invalid webhook"), reasons=problems
        )
