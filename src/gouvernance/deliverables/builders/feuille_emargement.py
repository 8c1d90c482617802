"""Feuille d'émargement: the attendance sheet of a meeting, workshop or training session, printed in
landscape with a blank signature column and a few empty lines for people who were not registered."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, TypedDict

from gouvernance.clock import Clock
from gouvernance.deliverables.builders.common import (
    CommonContext,
    Context,
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
from gouvernance.deliverables.french import (
    NBSP,
    as_decimal,
    format_clock,
    format_long_date,
    format_number,
    format_time,
    parse_temporal,
)
from gouvernance.deliverables.model import DeliverableDocument, Section
from gouvernance.messages import plural

KIND = "feuille_emargement"
DEFAULT_BLANK_LINES = 5
MAX_BLANK_LINES = 60


class MeetingContext(TypedDict, total=False):
    objet: str
    date: date | datetime | str
    debut: datetime | time | str  # "18:00" (wall clock) or an aware datetime (shown in Paris time)
    fin: datetime | time | str
    lieu: str
    instance: str  # comité de pilotage, atelier…
    etape: str  # step of the approach
    animation: str


class ParticipantContext(TypedDict, total=False):
    name: str
    qualite: str  # élu, agent, habitant, représentant d'association…
    structure: str


class SessionSheetContext(TypedDict, total=False):
    objet: str
    date: date | str
    duree: float | str  # hours when a number
    lieu: str
    animation: str
    public: str
    participants: list[ParticipantContext]


class FeuilleEmargementContext(CommonContext, total=False):
    """Context for ``feuille_emargement`` (all keys optional). With ``seances`` (the training sessions the
    engine knows), one sheet per session; otherwise one sheet for ``reunion``."""

    reunion: MeetingContext
    participants: list[ParticipantContext]
    seances: list[SessionSheetContext]
    lignes_vierges: int  # empty lines added after the participants (default 5)
    responsable_traitement: str  # who processes the personal data on the sheet
    duree_conservation: str


def build_feuille_emargement(context: Context, *, clock: Clock | None = None) -> DeliverableDocument:
    if isinstance(context.get("seances"), list):
        return _session_sheets(context, clock)
    meeting = mapping(context, "reunion")
    fields = header(context, default_title="Feuille d'émargement", clock=clock)
    if not context.get("subtitle"):
        fields["subtitle"] = field(meeting, "objet", "title", default="objet de la réunion non précisé")
    return DeliverableDocument(
        kind=KIND,
        sections=[_meeting(meeting), _attendance(context), _privacy(context)],
        numbered_headings=False,
        orientation="landscape",
        **fields,
    )


def _session_sheets(context: Context, clock: Clock | None) -> DeliverableDocument:
    """One sheet per training session, its expected attendees listed with an empty signature column."""
    fields = header(context, default_title="Feuilles d'émargement des formations", clock=clock)
    sheets = [_session_sheet(context, sheet) for sheet in items(context.get("seances"))]
    if not sheets:
        sheets = [
            Section(
                heading="Séances",
                blocks=[paragraph("Aucune session de formation enregistrée : aucune feuille à émarger.")],
            )
        ]
    return DeliverableDocument(
        kind=KIND,
        sections=[*sheets, _privacy(context)],
        numbered_headings=False,
        orientation="landscape",
        **fields,
    )


def _session_sheet(context: Context, sheet: Any) -> Section:
    when = parse_temporal(first(sheet, "date"))
    day = format_long_date(when) if when is not None else field(sheet, "date", default="date non fixée")
    hours = as_decimal(first(sheet, "duree"))
    people = items(first(sheet, "participants"))
    rows = [
        [
            str(index),
            field(person, "name", default="nom non renseigné"),
            field(person, "qualite", default=""),
            field(person, "structure", default=""),
            "",
        ]
        for index, person in enumerate(people, start=1)
    ]
    start = len(rows) + 1
    rows += [[str(index), "", "", "", ""] for index in range(start, start + _blank_lines(context))]
    facts = [
        ("Date", day),
        ("Durée", f"{format_number(hours)}{NBSP}h" if hours is not None else "durée non précisée"),
        ("Lieu", field(sheet, "lieu", default="lieu non fixé")),
        ("Public", field(sheet, "public", default="public non précisé")),
        ("Formateur", field(sheet, "animation", default="formateur non désigné")),
    ]
    registered = (
        f"{plural(len(people), 'personne inscrite', 'personnes inscrites')}."
        if people
        else "Aucune personne inscrite à cette séance."
    )
    return Section(
        heading=f"{field(sheet, 'objet', 'title', default='Séance sans intitulé')} – {day}",
        blocks=[
            key_values(facts),
            table(
                ["N°", "Nom et prénom", "Qualité", "Structure", "Signature"],
                rows,
                widths=[1, 6, 4, 5, 5],
                variant="signatures",
            ),
            paragraph(registered),
        ],
    )


def _meeting(meeting: Any) -> Section:
    when = parse_temporal(first(meeting, "date"))
    day = format_long_date(when) if when is not None else field(meeting, "date", default="date non fixée")
    hours = _hours(first(meeting, "debut"), first(meeting, "fin"))
    instance, step = first(meeting, "instance"), first(meeting, "etape")
    framing = (
        " – ".join(text(value) for value in (instance, step) if value) or "instance et étape non précisées"
    )
    return Section(
        heading="Réunion",
        blocks=[
            key_values(
                [
                    ("Objet", field(meeting, "objet", "title", default="objet non précisé")),
                    ("Date et horaires", f"{day}, {hours}"),
                    ("Lieu", field(meeting, "lieu", default="lieu non fixé")),
                    ("Instance et étape de la démarche", framing),
                    ("Animation", field(meeting, "animation", default="animation non désignée")),
                ]
            )
        ],
    )


def _clock_time(value: object) -> str | None:
    """Aware datetimes are shown in Paris time; times and naive datetimes are wall-clock times, kept as is."""
    if isinstance(value, datetime):
        return format_time(value) if value.tzinfo else format_clock(value.time())
    if isinstance(value, time):
        return format_clock(value)
    if isinstance(value, str) and value.strip():
        try:
            return _clock_time(time.fromisoformat(value.strip()))
        except ValueError:
            return text(value)
    return None


def _hours(start: object, end: object) -> str:
    begin, finish = _clock_time(start), _clock_time(end)
    if begin and finish:
        return f"de {begin} à {finish}"
    if begin:
        return f"à partir de {begin}"
    return "horaires non fixés"


def _blank_lines(context: Context) -> int:
    value = context.get("lignes_vierges")
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, min(value, MAX_BLANK_LINES))
    return DEFAULT_BLANK_LINES


def _attendance(context: Context) -> Section:
    participants = items(context.get("participants"))
    rows = [
        [
            str(index),
            field(person, "name", default="nom non renseigné"),
            field(person, "qualite", default=""),
            field(person, "structure", default=""),
            "",
        ]
        for index, person in enumerate(participants, start=1)
    ]
    start = len(rows) + 1
    rows += [[str(index), "", "", "", ""] for index in range(start, start + _blank_lines(context))]
    return Section(
        heading="Participants",
        blocks=[
            table(
                ["N°", "Nom et prénom", "Qualité", "Structure", "Signature"],
                rows,
                widths=[1, 6, 4, 5, 5],
                variant="signatures",
            ),
            paragraph(f"Nombre de participants inscrits : {len(participants)}."),
        ],
    )


def _privacy(context: Context) -> Section:
    controller = text(context.get("responsable_traitement"), "la collectivité")
    retention = text(
        context.get("duree_conservation"),
        "pendant la durée nécessaire à la justification de la démarche, puis supprimées",
    )
    return Section(
        heading="Protection des données personnelles",
        blocks=[
            paragraph(
                f"Les informations recueillies sur cette feuille sont traitées par {controller} pour "
                "attester "
                "de la présence des participants et rendre compte de la concertation. Elles ne sont pas "
                f"publiées et sont conservées {retention}. Conformément au règlement (UE) 2016/679 "
                "(RGPD) et à "
                "la loi « Informatique et libertés », vous pouvez exercer vos droits d'accès, de "
                "rectification "
                "et d'effacement auprès du délégué à la protection des données de la collectivité.",
                note=True,
            )
        ],
    )
