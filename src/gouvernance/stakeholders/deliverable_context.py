"""What the stakeholder register brings to the état des lieux report (``rapport_etat_des_lieux``): the
stakeholders with their Mendelow strategy, the power/interest grid and the stakeholder map as SVG, the
consultations held, and the organisations among the territory's active forces, in the shapes documented in
``deliverables/builders/etat_des_lieux.py``.

A report may be published: residents registered as private persons appear there as « Habitant·e n° 1 »…,
never by name, and contact details are never read.

``stakeholder_context`` is a deliverable context contributor: the composition root registers it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow
from gouvernance.spec.catalog import model_for
from gouvernance.stakeholders.analysis.classification import (
    mendelow_quadrant,
    mitchell_class,
    threshold_of,
)
from gouvernance.stakeholders.records import StakeholderData
from gouvernance.stakeholders.register import Register, load_register
from gouvernance.stakeholders.vocabulary import Category, StakeholderKind

DELIVERABLES = frozenset({"rapport_etat_des_lieux"})

# Our codes → the keys the deliverable builders document.
_QUADRANTS = {
    "gerer_etroitement": "manage_closely",
    "satisfaire": "keep_satisfied",
    "informer": "keep_informed",
    "surveiller": "monitor",
}
_IAP2 = {
    "informer": "inform",
    "consulter": "consult",
    "impliquer": "involve",
    "collaborer": "collaborate",
    "habiliter": "empower",
}
_METHODS = {
    "reunion_publique": "public_meeting",
    "atelier": "workshop",
    "questionnaire": "questionnaire",
    "entretien": "interview",
    "plateforme_en_ligne": "online_platform",
}


def stakeholder_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in DELIVERABLES:
        return {}
    register = load_register(session, engagement.id)
    if not register.stakeholders:
        return {}
    # Drawing needs NetworkX and NumPy: imported when a report is made, not when the API starts.
    from gouvernance.stakeholders.reports import pictures

    public = dataclasses.replace(register, stakeholders=public_names(register.stakeholders))
    drawn = pictures(session, engagement.id, register=public)
    threshold = threshold_of(engagement.parameters)
    return {
        "stakeholders": [_summary(stakeholder, threshold) for stakeholder in public.stakeholders],
        "forces_vives": [
            {"name": s.name, "category": s.category.value, "role": ", ".join(s.tags)}
            for s in public.stakeholders
            if s.kind is StakeholderKind.organisation
        ],
        "power_interest_svg": drawn.power_interest_svg,
        "stakeholder_map_svg": drawn.stakeholder_map_svg,
        "consultations": _consultations(session, engagement, public),
    }


def public_names(stakeholders: list[StakeholderData]) -> list[StakeholderData]:
    """The same stakeholders, residents who are private persons renamed « Habitant·e n° k »."""
    renamed, number = [], 0
    for stakeholder in stakeholders:
        if stakeholder.kind is StakeholderKind.personne and stakeholder.category is Category.habitant_usager:
            number += 1
            stakeholder = dataclasses.replace(stakeholder, name=f"Habitant·e n° {number}")
        renamed.append(stakeholder)
    return renamed


def _level(score: int, threshold: float) -> str:
    return "high" if score >= threshold else "low"


def _summary(stakeholder: StakeholderData, threshold: float) -> dict[str, Any]:
    group = mitchell_class(stakeholder.salience).group
    summary: dict[str, Any] = {
        "name": stakeholder.name,
        "category": stakeholder.category.value,
        "power": _level(stakeholder.power, threshold),
        "interest": _level(stakeholder.interest, threshold),
        "quadrant": _QUADRANTS[mendelow_quadrant(stakeholder.power, stakeholder.interest, threshold).value],
    }
    if stakeholder.target_level is not None:
        summary["participation_level"] = _IAP2[stakeholder.target_level.value]
    if group is not None:
        summary["salience"] = group.value
    return summary


def _consultations(session: Session, engagement: EngagementRow, register: Register) -> list[dict[str, Any]]:
    model = model_for(session, engagement.model_key, engagement.model_version)
    categories = {stakeholder.id: stakeholder.category for stakeholder in register.stakeholders}
    entries = []
    for consultation in sorted(register.consultations, key=lambda c: (c.date, int(c.id))):
        heard = {categories[key] for key in consultation.stakeholder_ids}
        step = model.steps_by_key.get(consultation.step_key or "")
        entries.append(
            {
                "date": consultation.date,
                "method": _METHODS[consultation.format.value],
                "public": ", ".join(category.fr for category in Category if category in heard),
                "participants": len(consultation.stakeholder_ids),
                "step": step.title.fr if step is not None else consultation.step_key or "",
                "outcome": consultation.outcome or consultation.summary,
            }
        )
    return entries
