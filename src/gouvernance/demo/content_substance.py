"""What the people of the demonstration engagement enter as the journey goes, so that its deliverables are
written from real content: the diagnostic's findings (traced to the consultations they came from), the
objectives with their indicators, means and actions (and where they stand at the review), the local actors'
approvals, the measurements, the citizen workshop with its notes, and the decisions of the comité de pilotage
and of the council.

``add_substance`` is called by the walker after every transition; each entry is made once, when the step
it belongs to starts (the council's deliberation when the step is submitted for adoption), through the
same services as the API, and a step started again after a send-back adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from gouvernance.decisions.service import DecidingBody, DecisionData, decisions, record_decision
from gouvernance.demo.scenario import DEMO_MODEL
from gouvernance.diagnostic.service import FindingData, FindingKind, findings, record_finding
from gouvernance.engagements.actors import ActorRef
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.plan import ActionStatus, allocate_means, plan_action, set_action_status
from gouvernance.objectives.service import (
    Frequency,
    IndicatorData,
    add_indicator,
    add_objective,
    approve_objective,
    indicators_by_key,
)
from gouvernance.objectives.views import objectives_view
from gouvernance.stakeholders.consultations import add_consultation, list_consultations
from gouvernance.stakeholders.register_service import list_stakeholders

if TYPE_CHECKING:
    from gouvernance.demo.walkthrough import JourneyWalker
    from gouvernance.engagements.transitions import TransitionResult

# (kind, title, detail, stakeholder keys, date of the consultation it came from)
FINDINGS: tuple[tuple[FindingKind, str, str, tuple[str, ...], str], ...] = (
    (
        FindingKind.BESOIN,
        "Se déplacer entre les communes rurales et le bourg-centre",
        "Le transport à la demande ne circule ni le soir ni le samedi ; la mobilité arrive en tête des "
        "312 réponses au questionnaire.",
        ("usagers-tad", "habitant-granges"),
        "2025-12-01",
    ),
    (
        FindingKind.BESOIN,
        "Un lieu ressource pour les associations",
        "Salles de réunion, matériel partagé et accompagnement administratif, demandés par le réseau "
        "associatif.",
        ("vie-associative", "centre-social", "jardins-partages"),
        "2025-11-25",
    ),
    (
        FindingKind.ATOUT,
        "Un réseau associatif dense autour du centre social La Passerelle",
        "62 structures recensées, dont une vingtaine déjà partenaires du centre social.",
        ("centre-social", "conseil-citoyen"),
        "2025-11-25",
    ),
    (
        FindingKind.ATOUT,
        "Des financeurs prêts à soutenir la coordination de la participation",
        "La CAF et le Département envisagent de cofinancer un poste de coordination.",
        ("caf", "departement"),
        "2025-12-08",
    ),
    (
        FindingKind.POINT_CRITIQUE,
        "Le projet de parc d'activités des Granges divise",
        "Riverains et défenseurs du bocage s'opposent à l'aménageur ; une instance de dialogue est demandée.",
        ("collectif-bocage", "nature-environnement", "fleuri-amenagement"),
        "2025-12-11",
    ),
    (
        FindingKind.POINT_CRITIQUE,
        "La charge de travail des agents d'accueil France services",
        "Les représentants du personnel demandent que la démarche ne repose pas sur les seuls agents "
        "d'accueil.",
        ("france-services", "cfdt"),
        "2025-12-04",
    ),
    (
        FindingKind.PROJET_EN_COURS,
        "Parc d'activités des Granges (SAS Fleuri Aménagement)",
        "Zone d'activités de 18 hectares en cours d'étude, à articuler avec la démarche.",
        ("fleuri-amenagement", "maire-saint-aubin"),
        "2025-12-11",
    ),
)


@dataclass(frozen=True)
class _Indicator:
    key: str
    label: str
    unit: str
    baseline: float
    target: float
    direction: Direction
    frequency: Frequency
    source: str
    public: bool
    measured: tuple[float, float]  # two readings, the second at the collection step


# objective key → (title, description, indicators)
OBJECTIVES: dict[str, tuple[str, str, tuple[_Indicator, ...]]] = {
    "participation": (
        "Élargir la participation des habitants aux décisions intercommunales",
        "Que chaque commune et chaque famille d'acteurs soient représentées dans les temps de concertation.",
        (
            _Indicator(
                "habitants_concertation",
                "Habitants ayant participé à au moins un temps de concertation",
                "personnes",
                120,
                600,
                Direction.UP,
                Frequency.TRIMESTRIELLE,
                "Journal des consultations",
                True,
                (260, 410),
            ),
            _Indicator(
                "communes_representees",
                "Communes représentées aux ateliers citoyens",
                "communes",
                6,
                14,
                Direction.UP,
                Frequency.SEMESTRIELLE,
                "Feuilles d'émargement",
                True,
                (9, 12),
            ),
        ),
    ),
    "acces_services": (
        "Rapprocher les services publics des habitants des communes rurales",
        "Réduire les délais d'accès aux espaces France services sans alourdir la charge des agents "
        "d'accueil.",
        (
            _Indicator(
                "delai_rendez_vous",
                "Délai moyen d'obtention d'un rendez-vous France services",
                "jours",
                21,
                7,
                Direction.DOWN,
                Frequency.MENSUELLE,
                "Logiciel de prise de rendez-vous",
                True,
                (14, 9),
            ),
            _Indicator(
                "usagers_satisfaits",
                "Usagers satisfaits de l'accueil",
                "%",
                68,
                85,
                Direction.UP,
                Frequency.ANNUELLE,
                "Baromètre de satisfaction",
                False,
                (74, 79),
            ),
        ),
    ),
    "dialogue_parc": (
        "Instaurer un dialogue apaisé sur le projet de parc d'activités",
        "Une instance de dialogue réunit riverains, associations, aménageur et élus jusqu'à la décision.",
        (
            _Indicator(
                "reunions_dialogue",
                "Réunions de l'instance de dialogue tenues",
                "réunions",
                0,
                6,
                Direction.UP,
                Frequency.TRIMESTRIELLE,
                "Relevés de décisions de l'instance",
                False,
                (2, 4),
            ),
        ),
    ),
}

# objective key → (means label, budget €, staff days), then actions (title, owner, months from now)
MEANS = {
    "participation": ("Animation des ateliers citoyens", Decimal(18000), Decimal(40)),
    "acces_services": ("Permanences itinérantes France services", Decimal(12000), Decimal(60)),
    "dialogue_parc": ("Médiation de l'instance de dialogue", Decimal(6000), Decimal(15)),
}
ACTIONS = {
    "participation": (
        ("Tenir un atelier citoyen par bassin de vie", "Service vie associative et participation", 6),
        ("Ouvrir la plateforme de participation en ligne", "Direction générale des services", 4),
    ),
    "acces_services": (("Créer une permanence itinérante le samedi", "Espaces France services", 5),),
    "dialogue_parc": (("Installer l'instance de dialogue sur le parc d'activités", "Service urbanisme", 3),),
}

WORKSHOP_PARTICIPANTS = (
    "conseil-citoyen",
    "parents-eleves",
    "usagers-tad",
    "conseil-jeunes",
    "habitant-granges",
    "collectif-bocage",
    "jardins-partages",
    "centre-social",
    "commercants",
    "vie-associative",
    "vp-participation",
)
WORKSHOP_NOTES = (
    "Quarante-deux habitants réunis à la salle des fêtes de Saint-Aubin-sur-Fleuri, en trois tables. "
    "Mobilité : les habitants des hameaux demandent une navette le samedi matin vers le marché et la maison "
    "de santé ; les jeunes proposent un covoiturage organisé depuis le lycée. Vie associative : le centre "
    "social propose d'accueillir le futur lieu ressource, les associations demandent un planning partagé des "
    "salles. Parc d'activités : le collectif « Sauvons le bocage » accepte de siéger à l'instance de "
    "dialogue "
    "si les études environnementales y sont présentées."
)
WORKSHOP_OUTCOME = (
    "Trois propositions retenues pour la restitution publique : navette du samedi à l'essai, lieu ressource "
    "associatif à La Passerelle, calendrier de l'instance de dialogue publié en ligne."
)

Entry = Callable[["JourneyWalker", Session, ActorRef], None]


def add_substance(walker: JourneyWalker, result: TransitionResult) -> None:
    """Enters what belongs to the step that ``result`` moved, if anything: for the demo's journey only
    (another journey may have steps with the same keys, and content of its own)."""
    if walker.model.key != DEMO_MODEL:
        return
    entry = _ENTRIES.get((result.step_key or "", result.event))
    if entry is None:
        return
    with walker.db.transaction() as session:
        entry(walker, session, walker.actor("chef_de_projet"))


def _ids(walker: JourneyWalker, session: Session) -> dict[str, int]:
    return {row.key: row.id for row in list_stakeholders(session, walker.engagement_id)}


def _findings(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    known = {row.title for row in findings(session, walker.engagement_id)}
    ids = _ids(walker, session)
    held = {c.row.held_on.isoformat(): c.row.id for c in list_consultations(session, walker.engagement_id)}
    for kind, title, detail, stakeholders, on in FINDINGS:
        if title in known:
            continue
        data = FindingData(
            kind,
            title,
            detail,
            tuple(ids[key] for key in stakeholders),
            (held[on],) if on in held else (),
        )
        record_finding(
            session, engagement_id=walker.engagement_id, data=data, actor=actor, clock=walker.clock
        )


def _objectives(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    if indicators_by_key(session, walker.engagement_id):
        return
    today = walker.clock.now().date()
    for key, (title, description, indicators) in OBJECTIVES.items():
        add_objective(
            session,
            engagement_id=walker.engagement_id,
            key=key,
            title=title,
            description=description,
            actor=actor,
            clock=walker.clock,
        )
        for indicator in indicators:
            add_indicator(
                session,
                engagement_id=walker.engagement_id,
                objective_key=key,
                data=IndicatorData(
                    indicator.key,
                    indicator.label,
                    indicator.unit,
                    indicator.baseline,
                    today,
                    indicator.target,
                    today + timedelta(days=730),
                    indicator.direction,
                    indicator.frequency,
                    indicator.source,
                    indicator.public,
                ),
                actor=actor,
                clock=walker.clock,
            )
        for role in ("chef_de_projet", "elu"):
            approve_objective(
                session,
                engagement_id=walker.engagement_id,
                objective_key=key,
                actor=walker.actor(role),
                clock=walker.clock,
            )


def _plan(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    if not indicators_by_key(session, walker.engagement_id):
        return
    today = walker.clock.now().date()
    views = {view.objective.key: view for view in objectives_view(session, walker.engagement_id, as_of=today)}
    for key, (label, budget, days) in MEANS.items():
        view = views.get(key)
        if view is None or view.plan.means or view.plan.actions:
            continue
        allocate_means(
            session,
            engagement_id=walker.engagement_id,
            objective_key=key,
            label=label,
            budget_eur=budget,
            staff_days=days,
            actor=actor,
            clock=walker.clock,
        )
        for title, owner, months in ACTIONS[key]:
            plan_action(
                session,
                engagement_id=walker.engagement_id,
                objective_key=key,
                title=title,
                owner=owner,
                due_on=today + timedelta(days=30 * months),
                actor=actor,
                clock=walker.clock,
            )


def _decide(walker: JourneyWalker, session: Session, data: DecisionData) -> None:
    if any(row.number == data.number for row in decisions(session, walker.engagement_id)):
        return
    record_decision(
        session, engagement_id=walker.engagement_id, data=data, actor=walker.actor("elu"), clock=walker.clock
    )


def _copil(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    today = walker.clock.now().date()
    _decide(
        walker,
        session,
        DecisionData(
            number=f"COPIL-{today.year}-03",
            title="Avis favorable sur le plan d'action et les objectifs de la démarche",
            decided_on=today,
            body=DecidingBody.COPIL,
            text="Le comité de pilotage émet un avis favorable et demande une instance de dialogue sur le "
            "parc d'activités.",
            step_key="seminaire_elus",
        ),
    )


def _deliberation(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    today = walker.clock.now().date()
    _decide(
        walker,
        session,
        DecisionData(
            number=f"DCC-{today.year}-041",
            title="Lancement de la démarche de gouvernance partagée et adoption de ses objectifs",
            decided_on=today,
            body=DecidingBody.CONSEIL_COMMUNAUTAIRE,
            legal_basis="CGCT, art. L. 5211-1",
            votes_for=38,
            votes_against=4,
            abstentions=3,
            transmitted_on=today + timedelta(days=2),
            published_on=today + timedelta(days=2),
            step_key="deliberation_lancement",
        ),
    )


def _workshop(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    engagement_id = walker.engagement_id
    if any(c.row.step_key == "atelier_citoyen" for c in list_consultations(session, engagement_id)):
        return
    ids = _ids(walker, session)
    view = add_consultation(
        session,
        engagement_id=engagement_id,
        step_key="atelier_citoyen",
        held_on=walker.clock.now().date(),
        format="atelier",
        stakeholder_ids=[ids[key] for key in WORKSHOP_PARTICIPANTS],
        summary=WORKSHOP_NOTES,
        outcome=WORKSHOP_OUTCOME,
        actor=actor,
        clock=walker.clock,
    )
    for kind, title, detail, stakeholders in (
        (
            FindingKind.BESOIN,
            "Une navette le samedi matin vers le marché et la maison de santé",
            "Demandée par les habitants des hameaux et les usagers du transport à la demande.",
            ("usagers-tad", "habitant-granges"),
        ),
        (
            FindingKind.ATOUT,
            "Le centre social prêt à accueillir le lieu ressource associatif",
            "Proposition de La Passerelle, soutenue par les associations présentes.",
            ("centre-social", "jardins-partages"),
        ),
    ):
        record_finding(
            session,
            engagement_id=engagement_id,
            data=FindingData(kind, title, detail, tuple(ids[key] for key in stakeholders), (view.row.id,)),
            actor=actor,
            clock=walker.clock,
        )


def _measurements(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    indicators = indicators_by_key(session, walker.engagement_id)
    today = walker.clock.now().date()
    readings: list[MeasurementData] = []
    for _, _, specs in OBJECTIVES.values():
        for spec in specs:
            if spec.key not in indicators:
                continue
            earlier = max(indicators[spec.key].baseline_on + timedelta(days=1), today - timedelta(days=120))
            readings += [
                MeasurementData(spec.key, earlier, spec.measured[0], spec.source),
                MeasurementData(spec.key, today, spec.measured[1], spec.source),
            ]
    if readings:
        record_measurements(
            session,
            engagement_id=walker.engagement_id,
            measurements=readings,
            actor=actor,
            clock=walker.clock,
        )


def _periodic_measurements(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    """The periodic measurement of the animation phase: each indicator halfway from its baseline to its first
    collected reading, so that the series the evaluation reads progresses as the demo's story says."""
    indicators = indicators_by_key(session, walker.engagement_id)
    today = walker.clock.now().date()
    readings = [
        MeasurementData(
            spec.key, today, round((indicators[spec.key].baseline + spec.measured[0]) / 2, 1), spec.source
        )
        for _, _, specs in OBJECTIVES.values()
        for spec in specs
        if spec.key in indicators and indicators[spec.key].baseline_on < today
    ]
    if readings:
        record_measurements(
            session,
            engagement_id=walker.engagement_id,
            measurements=readings,
            actor=actor,
            clock=walker.clock,
        )


# Where the actions stand when the means and actions are reviewed: the dialogue body is still being set up.
UNFINISHED_ACTIONS = frozenset({"Installer l'instance de dialogue sur le parc d'activités"})


def _action_review(walker: JourneyWalker, session: Session, actor: ActorRef) -> None:
    today = walker.clock.now().date()
    for view in objectives_view(session, walker.engagement_id, as_of=today):
        for action in view.plan.actions:
            status = ActionStatus.EN_COURS if action.title in UNFINISHED_ACTIONS else ActionStatus.REALISEE
            if action.status != status.value:
                set_action_status(
                    session,
                    engagement_id=walker.engagement_id,
                    action_id=action.id,
                    status=status,
                    actor=actor,
                    clock=walker.clock,
                )


_ENTRIES: dict[tuple[str, str], Entry] = {
    ("diagnostic_territorial", "start"): _findings,
    ("objectifs_indicateurs", "start"): _objectives,
    ("plan_action", "start"): _plan,
    ("seminaire_elus", "start"): _copil,
    ("deliberation_lancement", "submit"): _deliberation,
    ("atelier_citoyen", "start"): _workshop,
    ("mesure_periodique_indicateurs", "start"): _periodic_measurements,
    ("collecte_indicateurs", "start"): _measurements,
    ("bilan_moyens_actions", "start"): _action_review,
}
