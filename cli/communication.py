"""`gouvernance communication …`: the communication plan's actions — list them, add one."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import LEAD_ROLES
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.convention import euros
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.communication.service import ActionData, Channel, CommunicationStatus, actions, add_action
from gouvernance.deliverables.french import format_euros
from gouvernance.errors import InvalidInput, Message

PLAN = ("communication.plan", LEAD_ROLES)  # as the API's PLAN_COMMUNICATION permission

communication_app = french_app(help="Plan de communication : actions, publics, canaux, calendrier et budget.")

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


@communication_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(engagement: Engagement, login: Login = None, operator: Operator = False) -> None:
    """Les actions du plan de communication, par date."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "communication list")
        rows = actions(session, readable(session, caller, engagement))
    if not rows:
        console.print("Aucune action de communication enregistrée.", highlight=False)
        return
    table = Table("N°", "Période", "Action", "Public", "Canal", "Porteur", "Statut", "Budget", box=None)
    for row in rows:
        period = f"{row.starts_on:%d/%m/%Y}" + (f" → {row.ends_on:%d/%m/%Y}" if row.ends_on else "")
        table.add_row(
            str(row.id),
            period,
            row.title,
            row.audience,
            Channel(row.channel).label,
            row.owner,
            CommunicationStatus(row.status).label,
            format_euros(row.budget_eur) if row.budget_eur is not None else "—",
        )
    console.print(table)


@communication_app.command("add", cls=FrenchCommand)
@handle_errors
def add_command(
    engagement: Engagement,
    title: Annotated[str, typer.Option("--action", metavar="TEXTE")],
    audience: Annotated[str, typer.Option("--public", metavar="PUBLIC")],
    channel: Annotated[Channel, typer.Option("--canal")],
    starts_on: Annotated[str, typer.Option("--debut", metavar="AAAA-MM-JJ")],
    owner: Annotated[str, typer.Option("--porteur", metavar="NOM")],
    ends_on: Annotated[str | None, typer.Option("--fin", metavar="AAAA-MM-JJ")] = None,
    budget: Annotated[str | None, typer.Option("--budget", metavar="EUROS")] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Inscrit une action au plan de communication ; chaque problème est signalé."""
    data = ActionData(
        title=title,
        audience=audience,
        channel=channel,
        starts_on=_day(starts_on),
        ends_on=_day(ends_on) if ends_on else None,
        owner=owner,
        budget_eur=euros(budget, "budget_eur"),
    )
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "communication add")
        engagement_id, actor = engagement_for(session, caller, engagement, PLAN, role)
        row = add_action(session, engagement_id=engagement_id, data=data, actor=actor, clock=context.clock())
    console.print(f"[green]✓[/] Action n° {row.id} inscrite : {row.title}.", highlight=False)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            Message("date.unreadable", f"date illisible « {text} » (AAAA-MM-JJ)", f"unreadable date '{text}'")
        ) from None
