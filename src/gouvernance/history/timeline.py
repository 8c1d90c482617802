"""Read model for an engagement's timeline: its events, oldest first, filtered and paginated, and what each
kind of event is called in French and in English (the API's timeline and the engagement page say the same)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import EVENT_LABELS

# Events that are not state-machine transitions (those are named in ``EVENT_LABELS``): (French, English).
RECORD_LABELS: dict[str, tuple[str, str]] = {
    "launched": ("Lancement", "Launch"),
    "stage_completed": ("Phase terminée", "Stage completed"),
    "evidence_attached": ("Pièce jointe", "Evidence attached"),
    "model_migrated": ("Passage à une autre version du parcours", "Moved to another version of the journey"),
    "next_cycle_opened": ("Cycle suivant ouvert", "Next cycle opened"),
    "indicators_continued": ("Indicateurs repris du cycle précédent", "Indicators carried over"),
    "role_granted": ("Rôle accordé", "Role granted"),
    "role_revoked": ("Rôle retiré", "Role revoked"),
    "invitation_sent": ("Invitation envoyée", "Invitation sent"),
    "invitation_accepted": ("Invitation acceptée", "Invitation accepted"),
    "account_deleted": ("Compte supprimé", "Account deleted"),
    "stakeholder_added": ("Partie prenante ajoutée", "Stakeholder added"),
    "stakeholder_updated": ("Partie prenante modifiée", "Stakeholder updated"),
    "stakeholder_deleted": ("Partie prenante supprimée", "Stakeholder deleted"),
    "stakeholders_imported": ("Parties prenantes importées", "Stakeholders imported"),
    "stakeholder_contact_set": ("Coordonnées enregistrées", "Contact details set"),
    "stakeholder_contact_erased": ("Coordonnées effacées", "Contact details erased"),
    "stakeholder_contacts_exported": ("Coordonnées exportées", "Contact details exported"),
    "stakeholder_relation_added": ("Relation ajoutée", "Relation added"),
    "stakeholder_relation_updated": ("Relation modifiée", "Relation updated"),
    "stakeholder_relation_deleted": ("Relation supprimée", "Relation deleted"),
    "stakeholder_relations_imported": ("Relations importées", "Relations imported"),
    "consultation_recorded": ("Consultation enregistrée", "Consultation recorded"),
    "consultation_updated": ("Consultation modifiée", "Consultation updated"),
    "consultation_deleted": ("Consultation supprimée", "Consultation deleted"),
    "consultations_imported": ("Consultations importées", "Consultations imported"),
    "finding_recorded": ("Constat du diagnostic enregistré", "Diagnostic finding recorded"),
    "objective_added": ("Objectif ajouté", "Objective added"),
    "objective_approved": ("Objectif validé", "Objective approved"),
    "indicator_added": ("Indicateur ajouté", "Indicator added"),
    "measurements_recorded": ("Mesures enregistrées", "Measurements recorded"),
    "means_allocated": ("Moyens affectés", "Means allocated"),
    "action_planned": ("Action inscrite au plan", "Action planned"),
    "action_updated": ("Action du plan modifiée", "Action updated"),
    "decision_recorded": ("Décision enregistrée", "Decision recorded"),
    "proposal_submitted": ("Proposition déposée", "Proposal submitted"),
    "proposal_costed": ("Proposition chiffrée", "Proposal costed"),
    "proposal_moved": ("Proposition : nouveau statut", "Proposal status changed"),
    "votes_recorded": ("Votes enregistrés", "Votes recorded"),
    "budget_vote_closed": ("Vote du budget participatif clos", "Participatory budget vote closed"),
    "convention_party_added": ("Partie à la convention ajoutée", "Convention party added"),
    "convention_party_updated": ("Partie à la convention modifiée", "Convention party updated"),
    "convention_party_removed": ("Partie à la convention retirée", "Convention party removed"),
    "training_session_added": ("Session de formation ajoutée", "Training session added"),
    "training_session_updated": ("Session de formation modifiée", "Training session updated"),
    "training_session_removed": ("Session de formation retirée", "Training session removed"),
    "training_attendee_added": ("Participant à une formation ajouté", "Training attendee added"),
    "training_attendee_updated": ("Participant à une formation modifié", "Training attendee updated"),
    "training_attendee_removed": ("Participant à une formation retiré", "Training attendee removed"),
    "communication_action_added": ("Action de communication ajoutée", "Communication action added"),
    "communication_action_updated": ("Action de communication modifiée", "Communication action updated"),
    "communication_action_removed": ("Action de communication retirée", "Communication action removed"),
    "personal_data_erased": ("Données personnelles effacées", "Personal data erased"),
    "retention_applied": ("Durée de conservation appliquée", "Retention applied"),
}


def event_label(event: str, lang: str = "fr") -> str:
    """What an event is called for people; an event nobody named yet shows its own name."""
    fr, en = EVENT_LABELS.get(event) or RECORD_LABELS.get(event) or (event, event)
    return en if lang == "en" else fr


def _filtered(
    query: Select, engagement_id: str, types: Sequence[str], step_key: str | None, actor: str | None
) -> Select:
    query = query.where(EventRow.engagement_id == engagement_id)
    if types:
        query = query.where(EventRow.event.in_(list(types)))
    if step_key:
        query = query.where(EventRow.step_key == step_key)
    if actor:
        query = query.where(EventRow.actor == actor)
    return query


def timeline(
    session: Session,
    engagement_id: str,
    *,
    types: Sequence[str] = (),
    step_key: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[list[EventRow], int]:
    """One page of the events and how many match in all; oldest first unless ``newest_first``."""
    total = session.scalar(
        _filtered(select(func.count()).select_from(EventRow), engagement_id, types, step_key, actor)
    )
    rows = session.scalars(
        _filtered(select(EventRow), engagement_id, types, step_key, actor)
        .order_by(EventRow.id.desc() if newest_first else EventRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)
