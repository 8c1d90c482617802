"""Bilan des formations: what the training delivered — sessions held, planned and cancelled, attendance rates
per session and per audience (élus, agents, partenaires), hours of training received — and the lessons the
approach draws from it."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
    bullets,
    date_text,
    field,
    first,
    header,
    items,
    key_values,
    mapping,
    paragraph,
    table,
    text,
)
from gouvernance.deliverables.french import NBSP, as_decimal, format_number
from gouvernance.deliverables.model import Block, DeliverableDocument, Section
from gouvernance.messages import plural

KIND = "bilan_formation"


class SessionReviewContext(TypedDict, total=False):
    title: str
    date: date | str
    public: str
    statut: str  # prévue, tenue, annulée
    tenue: bool
    duree: float | str
    intervenant: str
    inscrits: int
    presents: int
    absents: int
    taux: float | str | None  # percent of those whose attendance was taken


class AudienceReviewContext(TypedDict, total=False):
    public: str
    inscrits: int
    presents: int
    absents: int
    taux: float | str | None


class SummaryContext(TypedDict, total=False):
    tenues: int
    prevues: int
    annulees: int
    taux_global: float | str | None
    heures_stagiaires: float | str


class BilanFormationContext(CommonContext, total=False):
    """Context for ``bilan_formation`` (all keys optional). ``seances`` given as a list, even empty, is what
    the engine knows; missing altogether, the tables are left for the consultant to fill in."""

    seances: list[SessionReviewContext]
    par_public: list[AudienceReviewContext]
    synthese: SummaryContext
    enseignements: list[str]


def build_bilan_formation(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    fields = header(context, default_title="Bilan des formations et retour d'expérience", clock=clock)
    registered = isinstance(context.get("seances"), list)
    sessions = items(context.get("seances"))
    sections = [
        _summary(context, sessions, registered),
        _per_session(sessions, registered),
        _per_audience(context, registered),
        _lessons(context),
    ]
    return DeliverableDocument(kind=KIND, sections=sections, **fields)


def _rate(record: Any) -> str:
    rate = as_decimal(first(record, "taux"))
    return f"{format_number(rate)}{NBSP}%" if rate is not None else "émargement non saisi"


def _summary(context: Context, sessions: list[Any], registered: bool) -> Section:
    if not sessions:
        recorded = "enregistrée" if registered else "renseignée"
        return Section(
            heading="Synthèse",
            blocks=[paragraph(f"Aucune session de formation {recorded} : il n'y a rien à dresser en bilan.")],
        )
    summary = mapping(context, "synthese")
    held, planned, cancelled = (_count(first(summary, key)) for key in ("tenues", "prevues", "annulees"))
    hours = as_decimal(first(summary, "heures_stagiaires"))
    overall = as_decimal(first(summary, "taux_global"))
    return Section(
        heading="Synthèse",
        blocks=[
            key_values(
                [
                    ("Séances tenues", held),
                    ("Séances prévues, pas encore tenues", planned),
                    ("Séances annulées", cancelled),
                    (
                        "Taux de présence global",
                        f"{format_number(overall)}{NBSP}%"
                        if overall is not None
                        else _no_attendance(registered),
                    ),
                    (
                        "Heures de formation suivies",
                        f"{format_number(hours)}{NBSP}h (durée des séances × personnes présentes)"
                        if hours is not None
                        else "aucune durée de séance ni aucun émargement saisis",
                    ),
                ]
            ),
            paragraph(
                "Le taux de présence rapporte les personnes présentes aux personnes inscrites dont "
                "l'émargement a été saisi, sur les séances tenues.",
                note=True,
            ),
        ],
    )


def _no_attendance(registered: bool) -> str:
    return "aucun émargement saisi" if registered else "aucun taux de présence renseigné"


def _count(value: object) -> str:
    return text(value) if isinstance(value, int) and not isinstance(value, bool) else "nombre non renseigné"


def _per_session(sessions: list[Any], registered: bool) -> Section:
    rows = [
        [
            date_text(first(session, "date"), "date non fixée"),
            field(session, "title", "name", default="séance sans intitulé"),
            field(session, "public", default="–"),
            field(session, "statut", default="–"),
            field(session, "inscrits", default="0"),
            field(session, "presents", default="0") if first(session, "tenue") else "–",
            _rate(session) if first(session, "tenue") else "séance non tenue",
        ]
        for session in sessions
    ]
    if not rows:
        recorded = "enregistrée" if registered else "renseignée"
        rows = [["–", f"aucune session de formation {recorded}", "–", "–", "–", "–", "–"]]
    return Section(
        heading="Présence par séance",
        blocks=[
            table(
                ["Date", "Séance", "Public", "Statut", "Inscrits", "Présents", "Taux de présence"],
                rows,
                widths=[2, 5, 2, 2, 1, 1, 2],
            )
        ],
    )


def _per_audience(context: Context, registered: bool) -> Section:
    audiences = items(context.get("par_public"))
    rows = [
        [
            field(audience, "public", default="public non précisé"),
            field(audience, "inscrits", default="0"),
            field(audience, "presents", default="0"),
            field(audience, "absents", default="0"),
            _rate(audience),
        ]
        for audience in audiences
    ]
    if not rows:
        rows = [["aucune séance tenue" if registered else "aucune présence renseignée", "–", "–", "–", "–"]]
    blocks: list[Block] = [
        table(["Public", "Inscrits", "Présents", "Absents", "Taux de présence"], rows, widths=[3, 1, 1, 1, 2])
    ]
    if audiences:
        blocks.append(
            paragraph(
                f"Sur les séances tenues : {plural(len(audiences), 'public formé', 'publics formés')}.",
                note=True,
            )
        )
    return Section(heading="Présence par public", blocks=blocks)


def _lessons(context: Context) -> Section:
    lessons = items(context.get("enseignements"))
    blocks: list[Block] = [
        paragraph(
            "Le retour d'expérience recueille, par les questionnaires d'évaluation et les échanges avec "
            "d'autres collectivités, les difficultés rencontrées et les pratiques à partager."
        )
    ]
    if lessons:
        blocks.append(bullets(lessons))
    else:
        blocks.append(paragraph("Aucun enseignement n'est encore consigné.", note=True))
    return Section(heading="Retour d'expérience", blocks=blocks)
