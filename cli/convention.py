"""`gouvernance convention …`: the parties of the partnership convention — list them, add one."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import LEAD_ROLES
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.errors import InvalidInput, Message
from gouvernance.partnership.service import PartyData, PartyKind, add_party, parties

WRITE = ("convention.write", LEAD_ROLES)  # as the API's WRITE_CONVENTION permission

convention_app = french_app(
    help="Convention de partenariat : les parties, leurs apports et leurs engagements."
)

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


@convention_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(engagement: Engagement, login: Login = None, operator: Operator = False) -> None:
    """Les parties de la convention, avec leur représentant, leurs apports et leurs engagements."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "convention list")
        rows = parties(session, readable(session, caller, engagement))
        if not rows:
            console.print("Aucune partie n'est encore enregistrée.", highlight=False)
            return
        table = Table("N°", "Partie", "Nature", "Représentée par", "Apports", "Engagements", box=None)
        for row in rows:
            representative = ", ".join(x for x in (row.representative, row.representative_title) if x) or "—"
            table.add_row(
                str(row.id),
                row.name,
                PartyKind(row.kind).label,
                representative,
                "\n".join(row.contributions) or "—",
                "\n".join(row.commitments) or "—",
            )
    console.print(table)


@convention_app.command("add", cls=FrenchCommand)
@handle_errors
def add_command(
    engagement: Engagement,
    name: Annotated[str, typer.Option("--nom", metavar="NOM", help="Nom officiel de la partie.")],
    kind: Annotated[PartyKind, typer.Option("--nature", help="Nature de la partie.")],
    representative: Annotated[str, typer.Option("--representant", metavar="NOM")] = "",
    title: Annotated[
        str, typer.Option("--qualite", metavar="QUALITÉ", help="« Maire », « Présidente »…")
    ] = "",
    contributions: Annotated[
        list[str] | None, typer.Option("--apport", metavar="TEXTE", help="Un apport (répétable).")
    ] = None,
    commitments: Annotated[
        list[str] | None, typer.Option("--engagement", metavar="TEXTE", help="Un engagement (répétable).")
    ] = None,
    valuation: Annotated[str | None, typer.Option("--valorisation", metavar="EUROS")] = None,
    stakeholder: Annotated[int | None, typer.Option("--partie-prenante", metavar="ID")] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Ajoute une partie à la convention ; chaque problème est signalé."""
    data = PartyData(
        name=name,
        kind=kind,
        representative=representative,
        representative_title=title,
        contributions=tuple(contributions or ()),
        commitments=tuple(commitments or ()),
        valuation_eur=euros(valuation, "valorisation"),
        stakeholder_id=stakeholder,
    )
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "convention add")
        engagement_id, actor = engagement_for(session, caller, engagement, WRITE, role)
        row = add_party(session, engagement_id=engagement_id, data=data, actor=actor, clock=context.clock())
    console.print(f"[green]✓[/] Partie n° {row.id} ajoutée : {row.name}.", highlight=False)


def euros(text: str | None, path: str) -> Decimal | None:
    """An amount typed with a comma or a point; refused in French when unreadable."""
    if text is None:
        return None
    try:
        return Decimal(text.replace("\u202f", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(
            Message(
                "amount.unreadable", f"montant illisible « {text} »", f"unreadable amount '{text}'", path=path
            )
        ) from None
