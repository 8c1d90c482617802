"""What the demo's people enter as the journey goes, for the convention, the training and the communication
plan: the communication actions when the plan is drawn up, the sessions and their expected attendees when
the training plan is written, the attendance once each session is held, the parties of the convention
during the mediation. All of it through the domain services, so the deliverables are written from it.

The walker calls ``on_transition`` after every transition; nothing happens for other journeys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.communication.service import ActionData, Channel, CommunicationStatus, actions, add_action
from gouvernance.communication.service import update_action as update_communication
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.transitions import TransitionResult
from gouvernance.partnership.service import PartyData, PartyKind, add_party, parties
from gouvernance.stakeholders.tables import StakeholderRow
from gouvernance.training.service import (
    AttendeeData,
    Audience,
    SessionData,
    SessionStatus,
    add_attendee,
    add_session,
    attendees,
    sessions,
    update_attendee,
    update_session,
)

if TYPE_CHECKING:
    from gouvernance.demo.walkthrough import JourneyWalker

MODEL = "gouvernance-partagee"
CHEF = ActorRef.of("julien.robert", "chef_de_projet")
AGENT = ActorRef.of("karim.haddad", "agent")
CONSULTANT = ActorRef.of("claire.martin", "consultant")


def on_transition(walker: JourneyWalker, result: TransitionResult) -> None:
    if walker.model.key != MODEL or result.step_key is None:
        return
    action = _ACTIONS.get((result.step_key, result.to_state or ""))
    if action is None:
        return
    today = walker.clock.now().astimezone(walker.clock.tz).date()
    with walker.db.transaction() as session:
        action(session, walker, today)


# Communication plan


COMMUNICATION = [
    # title, audience, channel, start (days after the plan), length in days, owner, budget, message
    (
        "Dossier de lancement dans « Val Fleuri Mag »",
        "Tous les habitants du territoire",
        Channel.BULLETIN_MUNICIPAL,
        10,
        30,
        "Service communication",
        "2400",
        "La communauté de communes invite chacun à construire avec elle les projets du territoire.",
    ),
    (
        "Page « Gouvernance partagée » sur le site de la communauté de communes",
        "Habitants et partenaires",
        Channel.SITE,
        7,
        None,
        "Service communication",
        None,
        "Calendrier de la démarche, comptes rendus et inscription aux ateliers.",
    ),
    (
        "Campagne sur les réseaux sociaux avant la réunion publique",
        "Jeunes actifs et familles",
        Channel.RESEAUX_SOCIAUX,
        14,
        14,
        "Chargée de communication numérique",
        "600",
        "",
    ),
    (
        "Réunion publique de lancement à la salle des fêtes de Saint-Aubin",
        "Habitants des douze communes",
        Channel.REUNION_PUBLIQUE,
        21,
        None,
        "Vincent Roussel, vice-président à la participation citoyenne",
        "900",
        "",
    ),
    (
        "Affiches dans les mairies, les espaces France services et les commerces",
        "Habitants des hameaux et usagers des services",
        Channel.AFFICHAGE,
        10,
        21,
        "Service vie associative et participation",
        "750",
        "",
    ),
    (
        "Communiqué et point presse avec « Le Courrier du Val »",
        "Presse locale",
        Channel.PRESSE,
        18,
        None,
        "Cabinet de la présidente",
        None,
        "",
    ),
]


def _plan_communication(session: Session, walker: JourneyWalker, today: date) -> None:
    if actions(session, walker.engagement_id):
        return
    for title, audience, channel, start, length, owner, budget, message in COMMUNICATION:
        begins = today + timedelta(days=start)
        add_action(
            session,
            engagement_id=walker.engagement_id,
            data=ActionData(
                title=title,
                audience=audience,
                channel=channel,
                starts_on=begins,
                ends_on=begins + timedelta(days=length) if length else None,
                owner=owner,
                budget_eur=Decimal(budget) if budget else None,
                message=message,
            ),
            actor=CHEF,
            clock=walker.clock,
        )


def _launch_meeting_held(session: Session, walker: JourneyWalker, today: date) -> None:
    for row in actions(session, walker.engagement_id):
        if row.channel in (Channel.REUNION_PUBLIQUE.value, Channel.PRESSE.value, Channel.SITE.value):
            status = CommunicationStatus.REALISEE
        else:
            status = CommunicationStatus.EN_COURS
        update_communication(
            session,
            engagement_id=walker.engagement_id,
            action_id=row.id,
            changes={"status": status},
            actor=CHEF,
            clock=walker.clock,
        )


# Training


ELUS = [
    ("Hélène Marchand", "Présidente de la communauté de communes", True),
    ("Vincent Roussel", "Vice-président à la participation citoyenne", True),
    ("Sophie Bernard", "Élue référente de la démarche", True),
    ("Gérard Lemoine", "Maire de Saint-Aubin-sur-Fleuri", False),
    ("Claire Dubois", "Conseillère communautaire, groupe « Val Fleuri Demain »", True),
    ("Patrick Morin", "Vice-président à l'aménagement", True),
]
AGENTS = [
    ("Nadia Benali", "Directrice générale des services", True),
    ("Karim Haddad", "Chargé de mission participation", True),
    ("Élodie Garnier", "Responsable du service vie associative", True),
    ("Thomas Renard", "Instructeur au service urbanisme", False),
    ("Fatima Ouali", "Agente d'accueil France services", True),
    ("Julie Perrin", "Agente d'accueil France services", True),
    ("Laurent Besson", "Animateur du centre social intercommunal", False),
]
PARTENAIRES = [
    ("Martine Lefèvre", "Présidente", "Association Les Jardins partagés", True),
    ("Olivier Caron", "Directeur", "Centre social intercommunal La Passerelle", True),
    ("Isabelle Fournier", "Trésorière", "Union des commerçants et artisans du Val Fleuri", False),
]

SESSIONS = [
    # title, audience, days after the plan, hours, trainer, approved, DIF, place, objectives
    (
        "Le rôle de l'élu dans une gouvernance partagée",
        Audience.ELUS,
        24,
        "3.5",
        "Institut Territoires et Participation",
        True,
        True,
        "Salle du conseil communautaire, Fleurville",
        ("Situer le rôle de l'élu : coordonner, arbitrer, rendre compte", "Adopter une posture d'écoute"),
    ),
    (
        "Animer un atelier participatif",
        Audience.AGENTS,
        26,
        "7",
        "CNFPT, délégation Centre-Val de Loire",
        False,
        False,
        "Espace France services de Saint-Aubin",
        ("Concevoir et animer un atelier", "Anticiper les difficultés et les conflits"),
    ),
    (
        "Coopérer avec la collectivité : la convention de partenariat",
        Audience.PARTENAIRES,
        28,
        "2.5",
        "Claire Martin, cabinet Concert'Action",
        False,
        False,
        "Centre social La Passerelle, Fleurville",
        ("Connaître les engagements réciproques d'une convention",),
    ),
    (
        "Retour d'expérience à six mois avec les agents",
        Audience.AGENTS,
        180,
        "3",
        "Claire Martin, cabinet Concert'Action",
        False,
        False,
        "Siège de la communauté de communes",
        ("Partager les pratiques et les difficultés rencontrées",),
    ),
]


def _plan_training(session: Session, walker: JourneyWalker, today: date) -> None:
    if sessions(session, walker.engagement_id):
        return
    people = {Audience.ELUS: ELUS, Audience.AGENTS: AGENTS}
    for title, audience, after, hours, trainer, approved, dif, place, objectives in SESSIONS:
        row = add_session(
            session,
            engagement_id=walker.engagement_id,
            data=SessionData(
                title=title,
                held_on=_weekday(today + timedelta(days=after)),
                duration_hours=Decimal(hours),
                audience=audience,
                trainer=trainer,
                trainer_approved=approved,
                dif_funded=dif,
                place=place,
                objectives=objectives,
            ),
            actor=CONSULTANT,
            clock=walker.clock,
        )
        expected = (
            [(name, quality, organisation) for name, quality, organisation, _ in PARTENAIRES]
            if audience == Audience.PARTENAIRES
            else [
                (name, quality, "Communauté de communes du Val Fleuri")
                for name, quality, _ in people[audience]
            ]
        )
        for name, quality, organisation in expected:
            add_attendee(
                session,
                engagement_id=walker.engagement_id,
                session_id=row.id,
                data=AttendeeData(name=name, quality=quality, organisation=organisation),
                actor=AGENT,
                clock=walker.clock,
            )


def _weekday(day: date) -> date:
    """The Monday after a Saturday or a Sunday: sessions are held on working days."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _presence() -> dict[str, bool]:
    return {name: present for name, _, present in ELUS + AGENTS} | {
        name: present for name, _, _, present in PARTENAIRES
    }


Action = Callable[[Session, "JourneyWalker", date], None]


def _hold(audiences: tuple[Audience, ...]) -> Action:
    def hold(session: Session, walker: JourneyWalker, today: date) -> None:
        presence = _presence()
        rows = sessions(session, walker.engagement_id)
        held_first = {Audience(row.audience) for row in rows if row.status == SessionStatus.TENUE.value}
        for row in rows:
            audience = Audience(row.audience)
            if (
                audience not in audiences
                or audience in held_first
                or row.status != SessionStatus.PREVUE.value
            ):
                continue
            held_first.add(audience)  # the first session of each audience; the follow-up comes later
            update_session(
                session,
                engagement_id=walker.engagement_id,
                session_id=row.id,
                changes={"status": SessionStatus.TENUE},
                actor=AGENT,
                clock=walker.clock,
            )
            for person in attendees(session, walker.engagement_id, row.id):
                update_attendee(
                    session,
                    engagement_id=walker.engagement_id,
                    session_id=row.id,
                    attendee_id=person.id,
                    changes={"present": presence.get(person.name, True)},
                    actor=AGENT,
                    clock=walker.clock,
                )

    return hold


# Convention


def _stakeholder(session: Session, engagement_id: str, key: str) -> int | None:
    return session.scalar(
        select(StakeholderRow.id).where(
            StakeholderRow.engagement_id == engagement_id, StakeholderRow.key == key
        )
    )


def _convention_parties(session: Session, walker: JourneyWalker, today: date) -> None:
    engagement_id = walker.engagement_id
    if parties(session, engagement_id):
        return
    entries = [
        PartyData(
            name="Communauté de communes du Val Fleuri",
            kind=PartyKind.COLLECTIVITE,
            representative="Hélène Marchand",
            representative_title="Présidente",
            designation="la Communauté de communes",
            address="2 place de la Mairie, 45150 Fleurville",
            contributions=(
                "Mise à disposition des salles communautaires pour les ateliers",
                "Un chargé de mission participation à mi-temps",
                "Subvention de fonctionnement de 6 000 € par an",
            ),
            commitments=(
                "Associer les partenaires au comité de pilotage de la démarche",
                "Publier les comptes rendus des ateliers sur son site",
            ),
            valuation_eur=Decimal("18500"),
        ),
        PartyData(
            name="Centre social intercommunal La Passerelle",
            kind=PartyKind.ASSOCIATION,
            representative="Olivier Caron",
            representative_title="Directeur",
            designation="le Centre social",
            contributions=(
                "Animation de six ateliers de quartier par an",
                "Accueil des permanences du conseil citoyen",
            ),
            commitments=(
                "Remettre chaque année un bilan des ateliers et de leur fréquentation",
                "Informer les habitants qu'il accompagne des temps de concertation",
            ),
            valuation_eur=Decimal("7200"),
            stakeholder_id=_stakeholder(session, engagement_id, "centre-social"),
        ),
        PartyData(
            name="Association Les Jardins partagés",
            kind=PartyKind.ASSOCIATION,
            representative="Martine Lefèvre",
            representative_title="Présidente",
            designation="l'Association",
            contributions=("Deux bénévoles référents pour les chantiers participatifs", "Prêt d'outillage"),
            commitments=("Ouvrir les jardins aux ateliers intergénérationnels deux fois par mois",),
            valuation_eur=Decimal("2400"),
            stakeholder_id=_stakeholder(session, engagement_id, "jardins-partages"),
        ),
    ]
    for data in entries:
        add_party(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=walker.clock)


_ACTIONS: dict[tuple[str, str], Action] = {
    ("plan_communication", "in_progress"): _plan_communication,
    ("reunion_publique_lancement", "done"): _launch_meeting_held,
    ("plan_formation", "in_progress"): _plan_training,
    ("session_formation_elus", "done"): _hold((Audience.ELUS,)),
    ("session_formation_agents", "done"): _hold((Audience.AGENTS, Audience.PARTENAIRES)),
    ("mediation_objectifs_obligations", "in_progress"): _convention_parties,
}
