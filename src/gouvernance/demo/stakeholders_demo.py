"""The demonstration's stakeholder register: 31 stakeholders of the Val Fleuri EPCI across every category
(``parties_prenantes_demo.csv``, French headers and ``;``, loaded through the real import), their relations
(three conflicts among them, around a business park project and the staff's workload), and the consultations
held before the engagement began.

Those consultations leave four key players unheard, so the état des lieux stops until they are consulted.
The satisfiers below do then what a chef de projet would: record the missing interviews, the partners'
hearings and the mediation meetings the guards ask for.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.transitions import evaluate_guards, load_subject
from gouvernance.errors import Message
from gouvernance.guards.registry import Guard
from gouvernance.stakeholders.consultations import add_consultation
from gouvernance.stakeholders.guards import CategoriesRepresented, ConflictsMediated, StakeholdersConsulted
from gouvernance.stakeholders.importing import ImportSummary, import_csv
from gouvernance.stakeholders.register_service import list_stakeholders
from gouvernance.stakeholders.relations import add_relation

if TYPE_CHECKING:
    from gouvernance.demo.walkthrough import JourneyWalker
    from gouvernance.spec.schema import StepSpec

DEMO_CSV = "parties_prenantes_demo.csv"

# (source, target, type, weight, start)
RELATIONS: tuple[tuple[str, str, str, float, str | None], ...] = (
    ("presidente", "dgs", "influence", 3, None),
    ("vp-participation", "presidente", "influence", 2, None),
    ("maire-saint-aubin", "presidente", "influence", 2, None),
    ("dgs", "vie-associative", "influence", 2, None),
    ("dgs", "urbanisme", "influence", 2, None),
    ("dgs", "france-services", "influence", 2, None),
    ("vie-associative", "centre-social", "partenaire", 3, "2019-09-01"),
    ("vie-associative", "jardins-partages", "partenaire", 2, None),
    ("vie-associative", "conseil-citoyen", "partenaire", 2, None),
    ("caf", "centre-social", "finance", 4, "2018-01-01"),
    ("departement", "centre-social", "finance", 2, None),
    ("departement", "val-emploi", "finance", 2, None),
    ("centre-social", "conseil-citoyen", "partenaire", 3, None),
    ("centre-social", "parents-eleves", "partenaire", 2, None),
    ("centre-social", "conseil-jeunes", "partenaire", 2, None),
    ("centre-social", "maison-sante", "partenaire", 1, None),
    ("centre-social", "val-emploi", "partenaire", 2, None),
    ("jardins-partages", "conseil-citoyen", "partenaire", 2, None),
    ("jardins-partages", "val-emploi", "partenaire", 2, None),
    ("scic-energies", "jardins-partages", "partenaire", 1, None),
    ("scic-energies", "nature-environnement", "partenaire", 2, None),
    ("habitant-granges", "collectif-bocage", "membre_de", 1, "2025-05-20"),
    ("collectif-bocage", "nature-environnement", "partenaire", 3, "2025-06-01"),
    ("collectif-bocage", "conseil-developpement", "membre_de", 1, None),
    ("nature-environnement", "conseil-developpement", "membre_de", 1, None),
    ("fleuri-amenagement", "conseil-developpement", "membre_de", 1, None),
    ("commercants", "conseil-developpement", "membre_de", 1, None),
    ("usagers-tad", "conseil-developpement", "membre_de", 1, None),
    ("conseil-developpement", "vp-participation", "influence", 2, None),
    ("fleuri-amenagement", "commercants", "partenaire", 2, None),
    ("fleuri-amenagement", "maire-saint-aubin", "influence", 2, None),
    ("hypermarche", "fleuri-amenagement", "partenaire", 1, None),
    ("hypermarche", "office-sports", "finance", 1, None),
    ("office-sports", "conseil-jeunes", "partenaire", 1, None),
    ("opposition", "collectif-bocage", "influence", 1, None),
    ("echo-du-val", "conseil-citoyen", "influence", 1, None),
    ("cgt", "france-services", "represente", 2, None),
    ("cfdt", "france-services", "represente", 1, None),
    ("cfdt", "cgt", "partenaire", 1, None),
    ("cfdt", "dgs", "partenaire", 1, "2024-03-01"),
    ("collectif-bocage", "fleuri-amenagement", "conflit", 4, "2025-06-12"),
    ("nature-environnement", "fleuri-amenagement", "conflit", 2, "2025-09-01"),
    ("cgt", "dgs", "conflit", 3, "2025-11-15"),
)

# (date, format, step, participants, summary, outcome): the collectivité's own consultations before the
# engagement, filed under the état des lieux steps they fed.
CONSULTATIONS: tuple[tuple[str, str, str, tuple[str, ...], str, str], ...] = (
    (
        "2025-11-18",
        "entretien",
        "cadrage_accompagnement",
        ("presidente", "vp-participation"),
        "Entretien de préparation avec l'exécutif communautaire : attentes, calendrier, périmètre.",
        "Périmètre retenu : les quatorze communes ; comité de pilotage mensuel.",
    ),
    (
        "2025-11-25",
        "atelier",
        "recensement_forces_vives",
        (
            "vie-associative",
            "centre-social",
            "jardins-partages",
            "conseil-citoyen",
            "parents-eleves",
            "conseil-jeunes",
        ),
        "Atelier de recensement des forces vives avec le réseau associatif et les habitants.",
        "62 structures recensées ; besoin d'un lieu ressource pour les associations.",
    ),
    (
        "2025-12-01",
        "questionnaire",
        "recensement_forces_vives",
        ("usagers-tad", "habitant-granges", "maison-sante"),
        "Questionnaire aux habitants et usagers des services intercommunaux.",
        "312 réponses ; mobilité et accès aux soins en tête des préoccupations.",
    ),
    (
        "2025-12-04",
        "entretien",
        "entretiens_acteurs",
        ("dgs", "cfdt", "france-services", "urbanisme"),
        "Entretiens avec la direction générale, les services et les représentants du personnel.",
        "Charge de travail des agents d'accueil : point de vigilance pour la démarche.",
    ),
    (
        "2025-12-08",
        "entretien",
        "entretiens_acteurs",
        ("caf", "departement"),
        "Entretien avec les financeurs de l'action sociale.",
        "Cofinancement envisageable d'un poste de coordination de la participation.",
    ),
    (
        "2025-12-11",
        "reunion_publique",
        "entretiens_acteurs",
        (
            "conseil-developpement",
            "commercants",
            "scic-energies",
            "val-emploi",
            "nature-environnement",
            "opposition",
            "echo-du-val",
            "maire-saint-aubin",
        ),
        "Réunion publique de présentation de la démarche à Saint-Aubin-sur-Fleuri.",
        "Forte inquiétude sur le projet de parc d'activités ; demande d'une instance de dialogue.",
    ),
)


def demo_csv() -> bytes:
    return resources.files("gouvernance.demo").joinpath(DEMO_CSV).read_bytes()


def seed_demo_stakeholders(
    session: Session, engagement_id: str, *, actor: ActorRef, clock: Clock
) -> ImportSummary:
    """Imports the register, then records its relations and its consultations, through the services."""
    summary = import_csv(session, engagement_id=engagement_id, content=demo_csv(), actor=actor, clock=clock)
    ids = {row.key: row.id for row in list_stakeholders(session, engagement_id)}
    for source, target, kind, weight, start in RELATIONS:
        add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids[source],
            target_id=ids[target],
            type=kind,
            weight=weight,
            start=start,
            actor=actor,
            clock=clock,
        )
    for held_on, fmt, step_key, participants, summary_text, outcome in CONSULTATIONS:
        add_consultation(
            session,
            engagement_id=engagement_id,
            step_key=step_key,
            held_on=held_on,
            format=fmt,
            stakeholder_ids=[ids[key] for key in participants],
            summary=summary_text,
            outcome=outcome,
            actor=actor,
            clock=clock,
        )
    return summary


# --- satisfiers for the walker ----------------------------------------------------------------------------


def _refusals(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> list[Message]:
    with walker.db.reading() as session:
        subject = load_subject(session, walker.engagement_id, spec.key)
        outcomes = evaluate_guards(session, subject, guard.on[0], walker.actor(spec.role), walker.clock, {})
    return [outcome.message for outcome in outcomes if outcome.rule == guard.rule and not outcome.passed]


def _record(
    walker: JourneyWalker, spec: StepSpec, fmt: str, participants: list[int], summary: str, outcome: str
) -> None:
    with walker.db.transaction() as session:
        add_consultation(
            session,
            engagement_id=walker.engagement_id,
            step_key=spec.key,
            held_on=walker.clock.now().date(),
            format=fmt,
            stakeholder_ids=participants,
            summary=summary,
            outcome=outcome,
            actor=walker.actor("chef_de_projet"),
            clock=walker.clock,
        )


def consult_missing(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    """Interviews the stakeholders a refusal names, one by one; a group of more than four is heard in one
    workshop instead."""
    assert isinstance(guard, StakeholdersConsulted | CategoriesRepresented)
    for refusal in _refusals(walker, spec, guard):
        wanted: list[int] = refusal.details.get("to_consult", [])
        if len(wanted) > 4:
            _record(
                walker,
                spec,
                "atelier",
                wanted,
                f"Atelier des parties prenantes — {spec.title.fr}",
                "Attentes et contributions recueillies, consignées au compte rendu.",
            )
            continue
        for stakeholder_id in wanted:
            _record(
                walker,
                spec,
                "entretien",
                [stakeholder_id],
                f"Entretien individuel — {spec.title.fr}",
                "Positions et attentes recueillies, consignées au compte rendu.",
            )


def mediate_conflicts(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    """Holds one mediation workshop per open conflict, with both sides and the go-between the map suggests."""
    assert isinstance(guard, ConflictsMediated)
    for refusal in _refusals(walker, spec, guard):
        sessions: list[list[int]] = refusal.details.get("sessions", [])
        for participants in sessions:
            _record(
                walker,
                spec,
                "atelier",
                participants,
                "Séance de médiation entre les parties en conflit.",
                "Points d'accord et de désaccord consignés ; suite convenue en comité de pilotage.",
            )


SATISFIERS: dict[type[Guard], Any] = {
    StakeholdersConsulted: consult_missing,
    CategoriesRepresented: consult_missing,
    ConflictsMediated: mediate_conflicts,
}
