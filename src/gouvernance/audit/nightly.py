"""The nightly verification: every engagement's chain, and the admins of its organisation told through the
notification outbox when it is altered (once per distinct finding, however often it runs)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.records import UserRow
from gouvernance.audit.canonical import digest
from gouvernance.audit.service import verify_every
from gouvernance.audit.verify import ChainReport
from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.engagements.records import EngagementRow
from gouvernance.messages import plural
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import ContactRow
from gouvernance.notifications.store import Draft, create

MAX_LISTED = 20
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NightlyOutcome:
    verified: int
    entries: int
    altered: list[str]  # engagement ids
    notified: int


def verify_and_alert(db: Database, *, clock: Clock) -> NightlyOutcome:
    verified = entries = notified = 0
    altered: list[str] = []
    for report in verify_every(db):
        verified += 1
        entries += report.entries
        if report.ok:
            continue
        altered.append(report.engagement_id)
        with db.transaction() as session:
            if session.get(EngagementRow, report.engagement_id) is None:
                # Its engagement was deleted behind the register's back: no organisation left to tell. The
                # flow's outcome lists it, and `audit verify --all` shows it to the operator.
                log.error("Chaîne sans accompagnement : %s", report.anomalies[0].message)
                continue
            notified += create(session, [_draft(session, report)], now=clock.now())
    return NightlyOutcome(verified, entries, altered, notified)


def _draft(session: Session, report: ChainReport) -> Draft:
    engagement = session.get(EngagementRow, report.engagement_id)
    assert engagement is not None
    lines = [f"- {anomaly.message}" for anomaly in report.anomalies[:MAX_LISTED]]
    if len(report.anomalies) > MAX_LISTED:
        lines.append(f"- … et {plural(len(report.anomalies) - MAX_LISTED, 'autre')}")
    findings = digest("\n".join(a.message for a in report.anomalies))
    return Draft(
        dedupe_key=f"audit-altered:{report.engagement_id}:{findings[:32]}",
        kind="audit_altered",
        subject=f"Registre altéré : accompagnement {engagement.territory_name}",
        body=(
            f"La vérification de la chaîne d'empreintes de l'accompagnement « {engagement.territory_name} » "
            f"({engagement.id}) a trouvé {plural(len(report.anomalies), 'anomalie')} :\n"
            + "\n".join(lines)
            + "\n\nVérifiez avec « gouvernance audit verify "
            + engagement.id
            + " » et comparez aux têtes de chaîne publiées."
        ),
        engagement_id=engagement.id,
        data={"anomalies": [a.as_dict() for a in report.anomalies[:MAX_LISTED]]},
        recipients=_admins(session, engagement.organisation_id),
    )


def _admins(session: Session, organisation: str | None) -> list[Recipient]:
    if organisation is None:
        return []
    rows = session.execute(
        select(UserRow.login, ContactRow.email, ContactRow.delivery)
        .outerjoin(ContactRow, ContactRow.login == UserRow.login)
        .where(UserRow.organisation_key == organisation, UserRow.org_admin.is_(True))
        .order_by(UserRow.login)
    )
    return [
        Recipient(login, None if delivery == "none" else email, delivery == "daily_digest")
        for login, email, delivery in rows
    ]
