"""The demonstration edition of a participatory budget: a commune of 18 600 inhabitants, an envelope of
100 000 € and a ceiling of 30 000 € per project. Its journey is walked by ``JourneyWalker``; as each phase
starts, the people of the commune do what the participatory budget asks of them:

- the call for ideas opens: thirteen ideas are deposited in four quartiers;
- the admissibility check: three are irrecevables (running costs, another authority's property);
- the feasibility study: the services cost every idea, two are non faisables;
- the monitoring committee: eight projects are put to the vote;
- the vote: the counts of the online platform and of the ballot boxes are recorded;
- the announcement: the vote is closed, five projects win within the envelope;
- the delivery: three of them are built and received with their holders.

Every figure is fixed, so the documents read the same every time (the tests check them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from gouvernance.budget.service import (
    ProposalStatus,
    VoteChannel,
    close_vote,
    estimate_cost,
    move_proposal,
    record_votes,
    submit_proposal,
)
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.demo.walkthrough import PEOPLE, JourneyWalker, StageReport
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import TransitionResult
from gouvernance.evidence.store import BlobStore
from gouvernance.spec.schema import ProcessModel

BUDGET_MODEL = "budget-participatif"
BUDGET_TERRITORY = "Saint-Aubin-sur-Loire"
BUDGET_START = date(2027, 1, 4)
BUDGET_PARAMETERS = {
    "population": 18_600,
    "perimetre": "commune",
    "enveloppe_eur": 100_000,
    "plafond_projet_eur": 30_000,
    "numero_edition": 1,
    "avec_plateforme_numerique": True,
}


@dataclass(frozen=True)
class Idea:
    title: str
    district: str
    description: str
    cost: int | None = None  # the services' estimate; None when the idea never reaches the study
    irrecevable: str = ""  # the reason, when the idea is not admissible
    non_faisable: str = ""  # the reason, when the idea is not feasible
    online: int = 0  # votes on the platform
    ballot: int = 0  # votes in the ballot boxes
    built: bool = False  # a winner built and received during the demo


IDEAS = (
    Idea(
        "Jardin partagé et composteurs au square des Tilleuls",
        "Les Coteaux",
        "Douze parcelles cultivées par les habitants et trois composteurs collectifs.",
        cost=18_500,
        online=388,
        ballot=214,
        built=True,
    ),
    Idea(
        "Pumptrack pour vélos et trottinettes au parc de la Gare",
        "La Gare",
        "Piste en enrobé à bosses et virages relevés, accessible dès 6 ans.",
        cost=29_000,
        online=612,
        ballot=198,
    ),
    Idea(
        "Aire de jeux inclusive à l'école Jules-Ferry",
        "Centre-ville",
        "Jeux accessibles aux enfants en fauteuil, sol souple et bancs ombragés.",
        cost=27_800,
        online=540,
        ballot=305,
        built=True,
    ),
    Idea(
        "Boîtes à livres dans les quatre quartiers",
        "Tous quartiers",
        "Quatre boîtes en bois fabriquées par le lycée professionnel.",
        cost=4_200,
        online=155,
        ballot=167,
    ),
    Idea(
        "Fontaines d'eau potable sur les bords de Loire",
        "Bords de Loire",
        "Deux fontaines raccordées au réseau le long de la Loire à vélo.",
        cost=12_600,
        online=297,
        ballot=176,
    ),
    Idea(
        "Piste cyclable sécurisée jusqu'au collège",
        "La Gare",
        "Voie séparée de 1,8 km entre la gare et le collège Anne-Frank.",
        cost=240_000,
        non_faisable="coût estimé de 240 000 € très au-delà du plafond de 30 000 € ; "
        "le tracé est repris dans le schéma cyclable intercommunal",
    ),
    Idea(
        "Recrutement d'un animateur jeunesse",
        "Centre-ville",
        "Un animateur pour ouvrir la salle des jeunes le soir et le samedi.",
        irrecevable="dépense de fonctionnement (un poste) : le budget participatif finance l'investissement",
    ),
    Idea(
        "Gratuité de la cantine le vendredi",
        "Tous quartiers",
        "Un repas gratuit par semaine pour tous les écoliers.",
        irrecevable="dépense de fonctionnement, hors du champ du règlement",
    ),
    Idea(
        "Éclairage solaire du chemin de halage",
        "Bords de Loire",
        "Bornes lumineuses solaires à détection de présence sur 800 m.",
        cost=26_400,
        online=402,
        ballot=131,
    ),
    Idea(
        "Verger conservatoire au parc des Coteaux",
        "Les Coteaux",
        "Trente arbres fruitiers de variétés locales, taillés avec les écoles.",
        cost=9_800,
        online=201,
        ballot=148,
        built=True,
    ),
    Idea(
        "Kiosque à musique sur la prairie de la Loire",
        "Bords de Loire",
        "Un kiosque couvert pour les concerts et les bals d'été.",
        cost=29_500,
        non_faisable="prairie en zone rouge du plan de prévention du risque inondation : aucune "
        "construction n'y est autorisée",
    ),
    Idea(
        "Fresque participative sous le pont de la RD 751",
        "Centre-ville",
        "Une fresque peinte avec les jeunes du quartier sur les piles du pont.",
        irrecevable="ouvrage du département de Maine-et-Loire : hors de la compétence de la commune",
    ),
    Idea(
        "Agrès sportifs et table de ping-pong au city-stade",
        "La Gare",
        "Barres de traction, banc d'abdominaux et une table de ping-pong en béton.",
        cost=14_200,
        online=350,
        ballot=96,
    ),
)


@dataclass
class BudgetDemo:
    engagement_id: str
    clock: FrozenClock
    reports: list[StageReport]
    actions: int


def launch_budget_demo(
    db: Database, model: ProcessModel, territory: str = BUDGET_TERRITORY, start: date = BUDGET_START
) -> tuple[str, FrozenClock]:
    clock = FrozenClock(datetime(start.year, start.month, start.day, 8, 0, tzinfo=UTC))
    parameters = {k: v for k, v in BUDGET_PARAMETERS.items() if k in model.parameters_by_key}
    with db.transaction() as session:
        result = launch(
            session,
            LaunchRequest(model, Territory(territory, "commune"), start, parameters, lead="julien.robert"),
            actor=ActorRef.of("claire.martin", "consultant"),
            clock=clock,
        )
    return result.engagement_id, clock


def walk_budget_demo(
    db: Database,
    model: ProcessModel,
    store: BlobStore,
    *,
    territory: str = BUDGET_TERRITORY,
    on_event: Callable[[TransitionResult], None] | None = None,
) -> BudgetDemo:
    """Launches the demo edition and walks it to its last step, the participatory budget going along."""
    engagement_id, clock = launch_budget_demo(db, model, territory)
    edition = _Edition(db, engagement_id, clock)

    def follow(result: TransitionResult) -> None:
        for item in result.all():
            if item.event == "start" and item.step_key is not None:
                edition.on_start(item.step_key)
        if on_event is not None:
            on_event(result)

    walker = JourneyWalker(db, model, engagement_id, clock, store, on_event=follow)
    reports = walker.run()
    return BudgetDemo(engagement_id, clock, reports, walker.actions)


class _Edition:
    """What the commune does to the participatory budget as each phase starts (once per phase: a step sent
    back and restarted does not deposit or count twice)."""

    def __init__(self, db: Database, engagement_id: str, clock: FrozenClock) -> None:
        self.db, self.engagement_id, self.clock = db, engagement_id, clock
        self.done: set[str] = set()
        self.phases: dict[str, Callable[[], None]] = {
            "appel_a_idees": self._deposit,
            "analyse_recevabilite": self._admissibility,
            "etude_faisabilite": self._feasibility,
            "examen_comite_suivi": self._put_to_vote,
            "vote": self._vote,
            "proclamation_resultats": self._close,
            "realisation_projets": self._build,
        }

    def on_start(self, step_key: str) -> None:
        phase = self.phases.get(step_key)
        if phase is not None and step_key not in self.done:
            self.done.add(step_key)
            phase()

    def _actor(self, role: str) -> ActorRef:
        return ActorRef.of(PEOPLE.get(role, role), role)

    def _move(self, number: int, to: ProposalStatus, reason: str = "", role: str = "agent") -> None:
        with self.db.transaction() as session:
            move_proposal(
                session,
                engagement_id=self.engagement_id,
                number=number,
                to=to,
                reason=reason,
                actor=self._actor(role),
                clock=self.clock,
            )

    def _deposit(self) -> None:
        with self.db.transaction() as session:
            for idea in IDEAS:
                submit_proposal(
                    session,
                    engagement_id=self.engagement_id,
                    title=idea.title,
                    description=idea.description,
                    district=idea.district,
                    actor=self._actor("partenaire"),
                    clock=self.clock,
                )

    def _admissibility(self) -> None:
        for number, idea in enumerate(IDEAS, start=1):
            if idea.irrecevable:
                self._move(number, ProposalStatus.IRRECEVABLE, idea.irrecevable)
            else:
                self._move(number, ProposalStatus.RECEVABLE)

    def _feasibility(self) -> None:
        for number, idea in enumerate(IDEAS, start=1):
            if idea.irrecevable or idea.cost is None:
                continue
            with self.db.transaction() as session:
                estimate_cost(
                    session,
                    engagement_id=self.engagement_id,
                    number=number,
                    cost=Decimal(idea.cost),
                    actor=self._actor("agent"),
                    clock=self.clock,
                )
            if idea.non_faisable:
                self._move(number, ProposalStatus.NON_FAISABLE, idea.non_faisable)
            else:
                self._move(number, ProposalStatus.FAISABLE)

    def _put_to_vote(self) -> None:
        for number, idea in enumerate(IDEAS, start=1):
            if not idea.irrecevable and not idea.non_faisable:
                self._move(number, ProposalStatus.SOUMISE_AU_VOTE, role="chef_de_projet")

    def _vote(self) -> None:
        with self.db.transaction() as session:
            for number, idea in enumerate(IDEAS, start=1):
                if idea.irrecevable or idea.non_faisable:
                    continue
                for channel, votes in ((VoteChannel.EN_LIGNE, idea.online), (VoteChannel.URNE, idea.ballot)):
                    record_votes(
                        session,
                        engagement_id=self.engagement_id,
                        number=number,
                        channel=channel,
                        votes=votes,
                        actor=self._actor("chef_de_projet"),
                        clock=self.clock,
                    )

    def _close(self) -> None:
        with self.db.transaction() as session:
            close_vote(
                session,
                engagement_id=self.engagement_id,
                actor=self._actor("chef_de_projet"),
                clock=self.clock,
            )

    def _build(self) -> None:
        for number, idea in enumerate(IDEAS, start=1):
            if idea.built:
                self._move(number, ProposalStatus.REALISEE)
