"""What the diagnostic brings to the état des lieux report (``rapport_etat_des_lieux``): the needs, assets and
critical points, and the projects under way, each saying where it came from (how many consultations and
stakeholders; never names: residents may be private persons). The consultation summary
(``synthese_concertation``) gets every finding with the ids of the consultations it came from, the plan
d'action (``plan_action``) the needs it answers.

Registered by the composition root (``gouvernance.composition``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.diagnostic.records import FindingRow
from gouvernance.diagnostic.service import FindingKind, findings
from gouvernance.engagements.records import EngagementRow

KIND = "rapport_etat_des_lieux"
SUMMARY = "synthese_concertation"
PLAN = "plan_action"
_SECTIONS = {
    FindingKind.BESOIN: "besoins",
    FindingKind.ATOUT: "atouts",
    FindingKind.POINT_CRITIQUE: "points_critiques",
}


def diagnostic_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in (KIND, SUMMARY, PLAN):
        return {}
    rows = findings(session, engagement.id)
    if not rows:
        return {}
    if key == PLAN:
        needs = [row for row in rows if row.kind == FindingKind.BESOIN.value]
        return {"besoins": [f"{row.title} : {row.detail}" if row.detail else row.title for row in needs]}
    if key == SUMMARY:
        return {
            "constats": [
                {
                    "kind": FindingKind(row.kind).label,
                    "title": row.title,
                    "detail": row.detail,
                    "consultation_ids": list(row.consultation_ids),
                }
                for row in rows
            ]
        }
    diagnostic: dict[str, list[str]] = {section: [] for section in _SECTIONS.values()}
    projects = []
    for row in rows:
        kind = FindingKind(row.kind)
        if kind is FindingKind.PROJET_EN_COURS:
            projects.append({"title": row.title, "description": _with_sources(row.detail, row)})
        else:
            diagnostic[_SECTIONS[kind]].append(
                _with_sources(f"{row.title} : {row.detail}" if row.detail else row.title, row)
            )
    return {"diagnostic": diagnostic, "projets_developpement": projects}


def _with_sources(text: str, row: FindingRow) -> str:
    sources = []
    if row.consultation_ids:
        count = len(row.consultation_ids)
        sources.append(f"{count} consultation{'s' if count > 1 else ''}")
    if row.stakeholder_ids:
        count = len(row.stakeholder_ids)
        sources.append(f"{count} partie{'s' if count > 1 else ''} prenante{'s' if count > 1 else ''}")
    return f"{text} (d'après {' et '.join(sources)})" if sources else text
