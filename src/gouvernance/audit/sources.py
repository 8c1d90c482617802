"""What an entry records, read from the rows it stands for: an event, a decision, a consultation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gouvernance.audit.canonical import FIELDS
from gouvernance.decisions.records import DecisionRow
from gouvernance.stakeholders.tables import ConsultationRow


def decision_values(row: DecisionRow) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in FIELDS["decision"]}
    values["consultation_ids"] = sorted(row.consultation_ids or [])
    return values


def consultation_values(row: ConsultationRow, stakeholder_ids: Sequence[int]) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in FIELDS["consultation"] if name != "stakeholder_ids"}
    values["stakeholder_ids"] = sorted(set(stakeholder_ids))
    return values


def consultation_deleted_values(engagement_id: str, consultation_id: int) -> dict[str, Any]:
    return {"id": consultation_id, "engagement_id": engagement_id}
