"""Export and erasure reach the objectives' action plans, the diagnostic's findings, the indicators'
measurements and the logins that recorded the unchained rows of objectives, diagnostic and participatory
budget. SQLite, and PostgreSQL with GOUVERNANCE_TEST_DATABASE_URL.

- ``actions.owner`` (a service or a person) matches when it equals one of the person's terms,
  case-insensitively;
- ``findings.title``/``detail`` and ``measurements.comment`` are free texts: a full name or an e-mail address
  as whole words;
- ``findings.recorded_by``, ``measurements.recorded_by``, ``objective_approvals.login``,
  ``budget_vote_counts.recorded_by``, ``budget_closed_votes.closed_by``, ``evidence.attached_by`` and
  ``public_engagements.published_by`` hold the login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from gouvernance.audit.verify import verify
from gouvernance.budget.records import ClosedVoteRow, ProposalRow, VoteCountRow
from gouvernance.budget.service import ProposalStatus
from gouvernance.diagnostic.records import FindingRow
from gouvernance.diagnostic.service import FindingData, FindingKind, record_finding
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.evidence.records import EvidenceRow
from gouvernance.history.records import EventRow
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.plan import plan_action
from gouvernance.objectives.records import (
    ActionRow,
    IndicatorRow,
    MeasurementRow,
    ObjectiveApprovalRow,
    ObjectiveRow,
)
from gouvernance.objectives.service import (
    Frequency,
    IndicatorData,
    add_indicator,
    add_objective,
    approve_objective,
)
from gouvernance.privacy.erasure import erase_person
from gouvernance.privacy.export import export_person, summary
from gouvernance.privacy.registre import processings
from gouvernance.publication.records import PublicEngagementRow
from gouvernance.settings import Settings
from gouvernance.stakeholders.tables import StakeholderRow

CLAIRE = ActorRef.of("claire", "consultant")
INDICATOR = IndicatorData(
    "participation", "Taux de participation", "%", 10, date(2026, 1, 1), 40, date(2028, 12, 31),
    Direction.UP, Frequency.TRIMESTRIELLE, "Registre des réunions publiques",
)  # fmt: skip


@dataclass(frozen=True)
class Ids:
    action: int
    other_action: int
    service_action: int
    finding: int
    other_finding: int
    measurement: int
    other_measurement: int
    proposal: int


@pytest.fixture
def plans(db, case, clock) -> Ids:
    """The case's person owns an action, is named in a finding and a measurement's comment, and recorded a
    finding, a measurement, an approval, a vote count and the closed vote; the other person owns an action and
    is named beside them."""
    e, person = case.engagement_id, ActorRef.of(case.login, "elu")
    with db.transaction() as session:
        add_objective(session, engagement_id=e, key="associer", title="Associer", actor=CLAIRE, clock=clock)
        add_indicator(
            session, engagement_id=e, objective_key="associer", data=INDICATOR, actor=CLAIRE, clock=clock
        )

        def action(title: str, owner: str) -> int:
            row = plan_action(
                session,
                engagement_id=e,
                objective_key="associer",
                title=title,
                owner=owner,
                due_on=date(2026, 6, 30),
                actor=CLAIRE,
                clock=clock,
            )
            return row.id

        ids = [
            action("Réunir le conseil citoyen", case.name.upper()),  # equal but for case: matches
            action("Tenir les permanences", case.other_name),
            action("Ouvrir la plateforme", f"Service citoyenneté de {case.name}"),  # not equal: a service
        ]
        finding = record_finding(
            session,
            engagement_id=e,
            data=FindingData(
                FindingKind.BESOIN,
                f"Besoin exprimé par {case.name}",
                detail=f"{case.name} et {case.other_name} demandent des horaires du soir.",
            ),
            actor=person,
            clock=clock,
        )
        other_finding = record_finding(
            session,
            engagement_id=e,
            data=FindingData(
                FindingKind.POINT_CRITIQUE, "Salle trop petite", detail=f"Selon {case.other_name}."
            ),
            actor=CLAIRE,
            clock=clock,
        )
        for day, comment, actor in (
            (1, f"Relevé par {case.name} ({case.email}).", person),
            (2, f"Relevé mensuel, avec {case.other_name}.", CLAIRE),
        ):
            measured = MeasurementData("participation", date(2026, day, 1), 10 + day, comment=comment)
            record_measurements(session, engagement_id=e, measurements=[measured], actor=actor, clock=clock)
        approve_objective(session, engagement_id=e, objective_key="associer", actor=person, clock=clock)
        proposal = ProposalRow(
            engagement_id=e, number=1, title="Jardin partagé", status=ProposalStatus.SOUMISE_AU_VOTE.value,
            version=1, created_at=clock.now(), updated_at=clock.now(),
        )  # fmt: skip
        session.add(proposal)
        session.flush()
        at = clock.now()
        session.add_all(
            [
                VoteCountRow(proposal_id=proposal.id, channel="urne", votes=12, recorded_by=case.login,
                             recorded_at=at),
                VoteCountRow(proposal_id=proposal.id, channel="en_ligne", votes=30, recorded_by="claire",
                             recorded_at=at),
                ClosedVoteRow(engagement_id=e, envelope=Decimal(1000), results=[], closed_by=case.login,
                              closed_at=at),
                EvidenceRow(engagement_id=e, step_id=_a_step(session, e), kind="link", label="Compte rendu",
                            url="https://mairie.example/cr", attached_by=case.login, attached_at=at),
                PublicEngagementRow(engagement_id=e, published_at=at, published_by=case.login),
            ]
        )  # fmt: skip
        mine, other = session.scalars(
            select(MeasurementRow.id)
            .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
            .where(IndicatorRow.engagement_id == e)
            .order_by(MeasurementRow.measured_on)
        ).all()
        return Ids(*ids, finding.id, other_finding.id, mine, other, proposal.id)


def test_the_export_finds_the_person_in_plans_findings_and_measurements(db, case, plans) -> None:
    with db.reading() as session:
        data = export_person(session, case.login, organisation=None)
    (action,) = data["plans_d_actions"]
    assert (action["action"], action["porteur"], action["objectif"], action["echeance"]) == (
        "Réunir le conseil citoyen",
        case.name.upper(),
        "Associer",
        "2026-06-30",
    )
    found = data["mentions"]
    assert [(f["id"], f["nature"], f["titre"]) for f in found["constats"]] == [
        (plans.finding, "besoin", f"Besoin exprimé par {case.name}")
    ]
    assert [(m["indicateur"], m["mesuree_le"], m["commentaire"]) for m in found["mesures"]] == [
        ("Taux de participation", "2026-01-01", f"Relevé par {case.name} ({case.email}).")
    ]
    text = summary(data)
    assert "## Plans d'actions des objectifs" in text
    assert "- Action « Réunir le conseil citoyen » de l'objectif « Associer »" in text
    assert f"- Constats du diagnostic : « Besoin exprimé par {case.name} »" in text
    assert "- Commentaires de mesures d'indicateurs : « Taux de participation » du 2026-01-01" in text


def test_the_other_person_is_found_only_where_named(db, case, plans) -> None:
    with db.reading() as session:
        data = export_person(session, case.other_name, organisation=None)
    assert [a["action"] for a in data["plans_d_actions"]] == ["Tenir les permanences"]
    assert [f["id"] for f in data["mentions"]["constats"]] == [plans.finding, plans.other_finding]
    assert [m["mesuree_le"] for m in data["mentions"]["mesures"]] == ["2026-02-01"]


def test_nothing_is_found_outside_the_callers_organisation_nor_for_nobody(db, case, plans) -> None:
    with db.reading() as session:
        elsewhere = export_person(session, case.name, organisation="une-autre")
        nobody = export_person(session, "Personne Inconnue", organisation=None)
    for data in (elsewhere, nobody):
        assert data["plans_d_actions"] == []
        assert data["mentions"]["constats"] == data["mentions"]["mesures"] == []
    text = summary(nobody)
    assert "## Plans d'actions des objectifs\n\nAucune action." in text
    assert "- Constats du diagnostic : aucun" in text
    assert "- Commentaires de mesures d'indicateurs : aucun" in text


def test_erasure_pseudonymises_plans_findings_measurements_and_logins(db, case, plans, clock) -> None:
    with db.transaction() as session:
        report = erase_person(session, case.login, clock=clock)
    assert {k: report.elsewhere[k] for k in ("action_owners", "findings", "measurements", "recorded_by")} == {
        "action_owners": 1,
        "findings": 1,
        "measurements": 1,
        # a finding, a measurement, an approval, a vote count, the closed vote, the evidence, the publication
        "recorded_by": 7,
    }
    with db.reading() as session:
        label = _own_pseudonym(session, case)
        owners = {row.id: row.owner for row in session.scalars(select(ActionRow))}
        assert owners[plans.action] == label
        assert owners[plans.other_action] == case.other_name
        # an owner is a name field, matched whole: a service named after the person is not the person
        assert owners[plans.service_action] == f"Service citoyenneté de {case.name}"
        finding, other_finding = (
            session.get(FindingRow, plans.finding),
            session.get(FindingRow, plans.other_finding),
        )
        assert (finding.title, finding.detail, finding.recorded_by) == (
            f"Besoin exprimé par {label}",
            f"{label} et {case.other_name} demandent des horaires du soir.",
            "personne-effacee",
        )
        assert (other_finding.detail, other_finding.recorded_by) == (f"Selon {case.other_name}.", "claire")
        mine, other = (
            session.get(MeasurementRow, plans.measurement),
            session.get(MeasurementRow, plans.other_measurement),
        )
        assert (mine.comment, mine.recorded_by) == (f"Relevé par {label} ({label}).", "personne-effacee")
        assert (other.comment, other.recorded_by) == (f"Relevé mensuel, avec {case.other_name}.", "claire")
        approvals = session.scalars(
            select(ObjectiveApprovalRow.login)
            .join(ObjectiveRow)
            .where(ObjectiveRow.engagement_id == case.engagement_id)
        ).all()
        assert approvals == ["personne-effacee"]
        counts = {
            channel: by
            for channel, by in session.execute(
                select(VoteCountRow.channel, VoteCountRow.recorded_by).where(
                    VoteCountRow.proposal_id == plans.proposal
                )
            ).tuples()
        }
        assert counts == {"urne": "personne-effacee", "en_ligne": "claire"}
        assert session.get(ClosedVoteRow, case.engagement_id).closed_by == "personne-effacee"
        attached_by = session.scalars(
            select(EvidenceRow.attached_by).where(
                EvidenceRow.engagement_id == case.engagement_id, EvidenceRow.label == "Compte rendu"
            )
        ).one()
        assert attached_by == "personne-effacee"
        assert session.get(PublicEngagementRow, case.engagement_id).published_by == "personne-effacee"
        checked = verify(session, case.engagement_id)
        assert checked.ok, checked.anomalies
        (event,) = session.scalars(
            select(EventRow).where(
                EventRow.engagement_id == case.engagement_id, EventRow.event == "personal_data_erased"
            )
        )
        assert {
            k: event.payload[k] for k in ("action_owners", "findings", "measurements", "recorded_by")
        } == {
            "action_owners": 1,
            "findings": 1,
            "measurements": 1,
            "recorded_by": 7,
        }
        again = export_person(session, case.name, organisation=None)
        text = summary(again)
    assert again["plans_d_actions"] == []
    assert again["mentions"]["constats"] == again["mentions"]["mesures"] == []
    assert case.name not in text.replace(f"« {case.name} »", "")


def _a_step(session, engagement_id: str) -> int:
    return session.scalars(select(StepRow.id).where(StepRow.engagement_id == engagement_id)).first()


def _own_pseudonym(session, case) -> str:
    return session.scalars(
        select(StakeholderRow.name).where(
            StakeholderRow.engagement_id == case.engagement_id, StakeholderRow.key.like("personne-effacee-%")
        )
    ).one()


def test_the_registre_says_erasure_covers_plans_findings_measurements_and_the_budgets_logins() -> None:
    listed = {p.table: p for p in processings(Settings())}
    for table in (
        "actions",
        "findings",
        "measurements",
        "objective_approvals",
        "budget_vote_counts",
        "budget_closed_votes",
        "public_engagements",
    ):
        assert "pseudonymisation sur demande" in listed[table].retention, table
        assert "pas encore couvert" not in listed[table].retention, table
    assert {column for column, _ in listed["findings"].fields} == {"detail", "recorded_by"}
    assert {column for column, _ in listed["actions"].fields} == {"owner"}
    assert "pas encore couvert" in listed["engagements"].retention  # the lead's login: still not covered
    assert "pseudonymisé sur demande" in listed["evidence"].retention
