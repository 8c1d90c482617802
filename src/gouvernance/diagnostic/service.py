"""Recording the diagnostic's findings, each traced to the consultations and stakeholders it came from, and
reading them back by kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.diagnostic.records import FindingRow
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import InvalidInput, Message
from gouvernance.inputs import text_problems
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderRow


class FindingKind(StrEnum):
    BESOIN = "besoin"
    ATOUT = "atout"
    POINT_CRITIQUE = "point_critique"
    PROJET_EN_COURS = "projet_en_cours"

    @property
    def label(self) -> str:
        return {
            "besoin": "besoin",
            "atout": "atout",
            "point_critique": "point critique",
            "projet_en_cours": "projet en cours",
        }[self.value]


@dataclass(frozen=True)
class FindingData:
    kind: FindingKind
    title: str
    detail: str = ""
    stakeholder_ids: tuple[int, ...] = ()
    consultation_ids: tuple[int, ...] = ()


def record_finding(
    session: Session, *, engagement_id: str, data: FindingData, actor: ActorRef, clock: Clock
) -> FindingRow:
    """Adds a finding; every problem is reported at once (texts, stakeholders or consultations that are not
    this engagement's)."""
    engagement_or_not_found(session, engagement_id)
    problems = text_problems({"title": data.title}) + text_problems({"detail": data.detail}, multiline=True)
    problems += _unknown(
        session, engagement_id, StakeholderRow, data.stakeholder_ids, "stakeholder_ids", "parties prenantes"
    )
    problems += _unknown(
        session, engagement_id, ConsultationRow, data.consultation_ids, "consultation_ids", "consultations"
    )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    row = FindingRow(
        engagement_id=engagement_id,
        kind=data.kind.value,
        title=data.title,
        detail=data.detail,
        stakeholder_ids=sorted(set(data.stakeholder_ids)),
        consultation_ids=sorted(set(data.consultation_ids)),
        recorded_by=actor.login,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    log_change(
        session, engagement_id, "finding_recorded", {"finding": row.id, "kind": data.kind.value}, actor, clock
    )
    return row


def findings(session: Session, engagement_id: str) -> list[FindingRow]:
    """The diagnostic, by kind (needs, assets, critical points, projects), oldest first within each."""
    engagement_or_not_found(session, engagement_id)
    order = {kind.value: index for index, kind in enumerate(FindingKind)}
    rows = session.scalars(
        select(FindingRow).where(FindingRow.engagement_id == engagement_id).order_by(FindingRow.id)
    )
    return sorted(rows, key=lambda row: order[row.kind])


def _unknown(
    session: Session,
    engagement_id: str,
    table: type[StakeholderRow] | type[ConsultationRow],
    ids: Sequence[int],
    path: str,
    what: str,
) -> list[Message]:
    if not ids:
        return []
    known = set(
        session.scalars(select(table.id).where(table.engagement_id == engagement_id, table.id.in_(list(ids))))
    )
    missing = sorted(set(ids) - known)
    if not missing:
        return []
    listed = ", ".join(map(str, missing))
    return [
        Message(
            "finding.unknown_sources",
            f"{what} inconnues dans cet accompagnement : {listed}",
            f"no such {path.removesuffix('_ids')}s in this engagement: {listed}",
            path=path,
            details={"unknown": missing},
        )
    ]
