"""The diagnostic's findings, traced to where they came from, and written into the état des lieux."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gouvernance.deliverables.production import context_for
from gouvernance.demo.stakeholders_demo import seed_demo_stakeholders
from gouvernance.diagnostic.service import FindingData, FindingKind, findings, record_finding
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import InvalidInput
from gouvernance.spec.catalog import model_for
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderRow

CHEF = ActorRef.of("julien", "chef_de_projet")


def test_findings_are_traced_to_their_sources_and_written_into_the_etat_des_lieux(
    db, clock, shipped_catalog, launch_engagement
) -> None:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    other_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        seed_demo_stakeholders(session, engagement_id, actor=CHEF, clock=clock)
        seed_demo_stakeholders(session, other_id, actor=CHEF, clock=clock)
        consultation = session.scalars(
            select(ConsultationRow.id).where(ConsultationRow.engagement_id == engagement_id)
        ).first()
        foreign = session.scalars(
            select(StakeholderRow.id).where(StakeholderRow.engagement_id == other_id)
        ).first()
        people = session.scalars(
            select(StakeholderRow.id).where(StakeholderRow.engagement_id == engagement_id)
        ).all()[:2]
    assert consultation is not None
    assert foreign is not None

    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        record_finding(
            session,
            engagement_id=engagement_id,
            data=FindingData(FindingKind.BESOIN, "Des lieux de rencontre", stakeholder_ids=(foreign,)),
            actor=CHEF,
            clock=clock,
        )
    assert refused.value.message.path == "stakeholder_ids"  # another engagement's stakeholder

    with db.transaction() as session:
        for data in (
            FindingData(
                FindingKind.POINT_CRITIQUE,
                "Faible participation des jeunes",
                consultation_ids=(consultation,),
            ),
            FindingData(
                FindingKind.BESOIN,
                "Des lieux de rencontre",
                "Dans les hameaux.",
                tuple(people),
                (consultation,),
            ),
            FindingData(FindingKind.PROJET_EN_COURS, "Maison France Services", "Ouverture en 2027."),
            FindingData(FindingKind.ATOUT, "Un tissu associatif dense"),
        ):
            record_finding(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=clock)
    with db.reading() as session:
        assert [row.kind for row in findings(session, engagement_id)] == [
            "besoin",
            "atout",
            "point_critique",
            "projet_en_cours",
        ]
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        context = context_for(
            session,
            engagement,
            model_for(session, engagement.model_key, engagement.model_version),
            "rapport_etat_des_lieux",
            today=clock.now().date(),
        )
    assert context["diagnostic"] == {
        "besoins": [
            "Des lieux de rencontre : Dans les hameaux. (d'après 1 consultation et 2 parties prenantes)"
        ],
        "atouts": ["Un tissu associatif dense"],
        "points_critiques": ["Faible participation des jeunes (d'après 1 consultation)"],
    }
    assert context["projets_developpement"] == [
        {"title": "Maison France Services", "description": "Ouverture en 2027."}
    ]
