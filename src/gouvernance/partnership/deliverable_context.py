"""What the convention parties bring to the convention de partenariat (``convention_partenariat``), in the
shapes its builder documents: the parties with their representatives, each party's contributions (the means)
and commitments (the obligations); the engagement's objectives and indicators as the shared objectives and
the follow-up; and, said plainly, what the parties have not settled yet.

Registered by the composition root (``gouvernance.composition``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow
from gouvernance.objectives.records import IndicatorRow, ObjectiveRow
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.partnership.service import PartyKind, parties

KIND = "convention_partenariat"
_BUILDER_KINDS = {
    PartyKind.COLLECTIVITE: "collectivite",
    PartyKind.ASSOCIATION: "association",
    PartyKind.ENTREPRISE: "entreprise",
    PartyKind.INSTITUTION: "partenaire_institutionnel",
    PartyKind.AUTRE: "",
}


def partnership_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key != KIND:
        return {}
    rows = parties(session, engagement.id)
    objectives = session.scalars(
        select(ObjectiveRow.title)
        .where(ObjectiveRow.engagement_id == engagement.id)
        .order_by(ObjectiveRow.id)
    ).all()
    indicators = session.scalars(
        select(IndicatorRow.label)
        .where(IndicatorRow.engagement_id == engagement.id)
        .order_by(IndicatorRow.id)
    ).all()
    return {
        "parties": [_party(row) for row in rows],
        "moyens": [
            {
                "party": row.name,
                "contributions": row.contributions or ["aucune contribution enregistrée"],
                "valorisation": str(row.valuation_eur) if row.valuation_eur is not None else None,
            }
            for row in rows
        ],
        "obligations": [
            {"party": row.name, "obligations": row.commitments or ["aucun engagement enregistré"]}
            for row in rows
        ],
        "objet": (
            "La présente convention a pour objet d'organiser la contribution de chacune des parties à la "
            "démarche de gouvernance partagée engagée par la collectivité signataire sur son territoire, et "
            "d'en fixer les moyens et les obligations réciproques."
        ),
        "objectifs": list(objectives) or ["aucun objectif de la démarche n'est encore défini"],
        "suivi": {
            "comite": "les représentants des parties signataires",
            "indicateurs": list(indicators) or ["aucun indicateur de la démarche n'est encore défini"],
        },
        "financement": {
            "montant": "aucune participation financière enregistrée",
            "modalites": "sans objet en l'absence de participation financière enregistrée",
        },
    }


def _party(row: ConventionPartyRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": _BUILDER_KINDS[PartyKind(row.kind)],
        "address": row.address,
        "siret": row.siret,
        "represented_by": row.representative or "représentant non désigné",
        "qualite": row.representative_title or "qualité non renseignée",
        "designation": row.designation or None,
    }
