"""`gouvernance formations …`: training sessions — list them with their attendance, plan one, register a
person, take the attendance, and the review (bilan)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import LEAD_ROLES
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.convention import euros
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.deliverables.french import format_number
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural
from gouvernance.training.service import (
    AttendeeData,
    Audience,
    SessionData,
    SessionStatus,
    add_attendee,
    add_session,
    attendees,
    update_attendee,
)
from gouvernance.training.views import Attendance, training_review

ORGANISE = ("training.organise", LEAD_ROLES | {"agent"})  # as the API's ORGANISE_TRAINING permission

training_app = french_app(help="Formation des élus et agents : séances, inscrits, émargement et bilan.")

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]
SessionId = Annotated[int, typer.Argument(metavar="SÉANCE", help="Numéro de la séance.")]


def _rate(attendance: Attendance) -> str:
    return f"{format_number(attendance.rate)} %" if attendance.rate is not None else "non saisi"


@training_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(engagement: Engagement, login: Login = None, operator: Operator = False) -> None:
    """Les séances, leur statut et leur taux de présence ; puis le bilan par public."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "formations list")
        review = training_review(session, readable(session, caller, engagement))
    if not review.sessions:
        console.print("Aucune session de formation enregistrée.", highlight=False)
        return
    table = Table("N°", "Date", "Séance", "Public", "Statut", "Inscrits", "Présence", box=None)
    for view in review.sessions:
        row = view.session
        table.add_row(
            str(row.id),
            f"{row.held_on:%d/%m/%Y}",
            row.title,
            Audience(row.audience).label,
            SessionStatus(row.status).label,
            str(view.attendance.expected),
            _rate(view.attendance),
        )
    console.print(table)
    for audience, attendance in review.by_audience.items():
        console.print(f"  {audience.label} : présence {_rate(attendance)}", highlight=False)
    console.print(
        f"  séances tenues : {review.held}, prévues : {review.planned}, annulées : {review.cancelled}",
        highlight=False,
    )


@training_app.command("add", cls=FrenchCommand)
@handle_errors
def add_command(
    engagement: Engagement,
    title: Annotated[str, typer.Option("--titre", metavar="TITRE")],
    held_on: Annotated[str, typer.Option("--date", metavar="AAAA-MM-JJ")],
    hours: Annotated[str, typer.Option("--duree", metavar="HEURES", help="Durée en heures (3,5).")],
    audience: Annotated[Audience, typer.Option("--public", help="Public de la séance.")],
    trainer: Annotated[str, typer.Option("--formateur", metavar="NOM")],
    approved: Annotated[bool, typer.Option("--organisme-agree", help="Formateur agréé (Intérieur).")] = False,
    dif: Annotated[bool, typer.Option("--dif", help="Financée par le DIF des élus.")] = False,
    place: Annotated[str, typer.Option("--lieu", metavar="LIEU")] = "",
    objectives: Annotated[
        list[str] | None, typer.Option("--objectif", metavar="TEXTE", help="Répétable.")
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Planifie une séance de formation ; chaque problème est signalé."""
    duration = euros(hours, "duration_hours")
    data = SessionData(
        title=title,
        held_on=_day(held_on),
        duration_hours=duration if duration is not None else Decimal(0),
        audience=audience,
        trainer=trainer,
        trainer_approved=approved,
        dif_funded=dif,
        place=place,
        objectives=tuple(objectives or ()),
    )
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "formations add")
        engagement_id, actor = engagement_for(session, caller, engagement, ORGANISE, role)
        row = add_session(session, engagement_id=engagement_id, data=data, actor=actor, clock=context.clock())
    console.print(f"[green]✓[/] Séance n° {row.id} planifiée : {row.title}.", highlight=False)


@training_app.command("register", cls=FrenchCommand)
@handle_errors
def register_command(
    engagement: Engagement,
    session_id: SessionId,
    name: Annotated[str, typer.Option("--nom", metavar="NOM")],
    quality: Annotated[str, typer.Option("--qualite", metavar="QUALITÉ")] = "",
    organisation: Annotated[str, typer.Option("--structure", metavar="STRUCTURE")] = "",
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Inscrit une personne à une séance."""
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "formations register")
        engagement_id, actor = engagement_for(session, caller, engagement, ORGANISE, role)
        row = add_attendee(
            session,
            engagement_id=engagement_id,
            session_id=session_id,
            data=AttendeeData(name=name, quality=quality, organisation=organisation),
            actor=actor,
            clock=context.clock(),
        )
    console.print(f"[green]✓[/] {row.name} inscrit(e) à la séance n° {session_id}.", highlight=False)


@training_app.command("attendance", cls=FrenchCommand)
@handle_errors
def attendance_command(
    engagement: Engagement,
    session_id: SessionId,
    present: Annotated[list[str] | None, typer.Option("--present", metavar="NOM", help="Répétable.")] = None,
    absent: Annotated[list[str] | None, typer.Option("--absent", metavar="NOM", help="Répétable.")] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Saisit l'émargement d'une séance tenue : les présents et les absents, par leur nom."""
    marks = {name: True for name in present or ()} | {name: False for name in absent or ()}
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "formations attendance")
        engagement_id, actor = engagement_for(session, caller, engagement, ORGANISE, role)
        by_name = {row.name: row for row in attendees(session, engagement_id, session_id)}
        unknown = sorted(set(marks) - set(by_name))
        if unknown:
            raise InvalidInput(
                Message(
                    "training.unknown_attendees",
                    f"{'non inscrits' if len(unknown) > 1 else 'non inscrit'} à cette séance : "
                    f"{', '.join(unknown)}",
                    f"not registered for this session: {', '.join(unknown)}",
                )
            )
        for name, mark in marks.items():
            update_attendee(
                session,
                engagement_id=engagement_id,
                session_id=session_id,
                attendee_id=by_name[name].id,
                changes={"present": mark},
                actor=actor,
                clock=context.clock(),
            )
    console.print(f"[green]✓[/] Émargement saisi pour {plural(len(marks), 'personne')}.", highlight=False)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            Message("date.unreadable", f"date illisible « {text} » (AAAA-MM-JJ)", f"unreadable date '{text}'")
        ) from None
