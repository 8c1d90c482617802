"""Which builder makes which deliverable: ``BUILDERS`` by kind, and ``build_document`` as the one entry point;
and the context contributors, through which other features add what they know to a deliverable's context.

Kinds without a dedicated builder go to the generic one, so a process model can declare a new deliverable
before anyone writes a builder for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.bilan_formation import build_bilan_formation
from gouvernance.deliverables.builders.budget_outcome import (
    build_bilan,
    build_resultats_vote,
    build_tableau_suivi,
)
from gouvernance.deliverables.builders.budget_preparation import (
    build_catalogue,
    build_liste_projets_vote,
    build_rapport_analyse,
    build_reglement,
)
from gouvernance.deliverables.builders.cartographie_acteurs import build_cartographie_acteurs
from gouvernance.deliverables.builders.charte_participation import build_charte_participation
from gouvernance.deliverables.builders.common import Context
from gouvernance.deliverables.builders.convention import build_convention
from gouvernance.deliverables.builders.etat_des_lieux import build_etat_des_lieux
from gouvernance.deliverables.builders.feuille_emargement import build_feuille_emargement
from gouvernance.deliverables.builders.fiche_traitement_rgpd import build_fiche_traitement_rgpd
from gouvernance.deliverables.builders.generic import build_generic
from gouvernance.deliverables.builders.note_juridique import build_note_juridique
from gouvernance.deliverables.builders.plan_action import build_plan_action
from gouvernance.deliverables.builders.plan_communication import build_plan_communication
from gouvernance.deliverables.builders.plan_formation import build_plan_formation
from gouvernance.deliverables.builders.projet_deliberation import build_projet_deliberation
from gouvernance.deliverables.builders.rapport_evaluation import build_rapport_evaluation
from gouvernance.deliverables.builders.referentiel_indicateurs import build_referentiel_indicateurs
from gouvernance.deliverables.builders.synthese_concertation import build_synthese_concertation
from gouvernance.deliverables.model import DeliverableDocument
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import InvalidInput, Message

_KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


class Builder(Protocol):
    def __call__(self, context: Context, *, clock: Clock | None = None) -> DeliverableDocument: ...


BUILDERS: dict[str, Builder] = {
    "rapport_etat_des_lieux": build_etat_des_lieux,
    "note_securisation_juridique": build_note_juridique,
    "plan_action": build_plan_action,
    "plan_formation": build_plan_formation,
    "feuille_emargement": build_feuille_emargement,
    "bilan_formation": build_bilan_formation,
    "plan_communication": build_plan_communication,
    "convention_partenariat": build_convention,
    "rapport_evaluation": build_rapport_evaluation,
    "reglement_budget_participatif": build_reglement,
    "catalogue_idees": build_catalogue,
    "rapport_analyse": build_rapport_analyse,
    "liste_projets_vote": build_liste_projets_vote,
    "resultats_vote": build_resultats_vote,
    "tableau_suivi_realisation": build_tableau_suivi,
    "bilan_budget_participatif": build_bilan,
    "cartographie_acteurs": build_cartographie_acteurs,
    "fiche_traitement_rgpd": build_fiche_traitement_rgpd,
    "referentiel_indicateurs": build_referentiel_indicateurs,
    "projet_deliberation": build_projet_deliberation,
    "charte_participation": build_charte_participation,
    "synthese_concertation": build_synthese_concertation,
}


def build_document(kind: str, context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    """The document for ``kind`` from a plain context dict. A missing fact is named in the document (« aucune
    mesure depuis le 1er mars 2027 »); only a kind that is not a lowercase identifier is refused."""
    if not isinstance(kind, str) or not _KIND_PATTERN.fullmatch(kind):
        raise InvalidInput(
            Message(
                code="deliverable.invalid_kind",
                fr="Type de livrable invalide : minuscules, chiffres et « _ » uniquement (ex. plan_action).",
                en="Invalid deliverable kind: lowercase letters, digits and '_' only (e.g. plan_action).",
                path="kind",
                details={"kind": str(kind)[:80]},
            )
        )
    builder = BUILDERS.get(kind)
    if builder is not None:
        return builder(context, clock=clock)
    return build_generic(kind, context, clock=clock)


# Features that know more about an engagement (the stakeholder register…) add to a deliverable's context:
# a contributor gets the session, the engagement, the deliverable's key and the day it is where the readers
# live, and returns the entries it adds.
ContextContributor = Callable[[Session, EngagementRow, str, date], dict[str, Any]]
CONTEXT_CONTRIBUTORS: list[ContextContributor] = []


def register_context_contributor(contributor: ContextContributor) -> None:
    """Called by the composition root (``gouvernance.composition``); registering one twice changes nothing."""
    if contributor not in CONTEXT_CONTRIBUTORS:
        CONTEXT_CONTRIBUTORS.append(contributor)
