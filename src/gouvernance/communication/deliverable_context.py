"""What the communication plan's actions bring to the plan de communication (``plan_communication``), in
the shapes its builder documents (``deliverables/builders/plan_communication.py``).

Registered by the composition root (``gouvernance.composition``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.communication.service import Channel, CommunicationStatus, actions
from gouvernance.engagements.records import EngagementRow

KIND = "plan_communication"


def communication_context(
    session: Session, engagement: EngagementRow, key: str, today: date
) -> dict[str, Any]:
    if key != KIND:
        return {}
    return {
        "actions": [
            {
                "title": row.title,
                "public": row.audience,
                "canal": Channel(row.channel).label,
                "debut": row.starts_on.isoformat(),
                "fin": row.ends_on.isoformat() if row.ends_on else None,
                "porteur": row.owner,
                "statut": CommunicationStatus(row.status).label,
                "annulee": row.status == CommunicationStatus.ANNULEE.value,
                "budget": str(row.budget_eur) if row.budget_eur is not None else None,
                "message": row.message or None,
            }
            for row in actions(session, engagement.id)
        ]
    }
