"""`gouvernance audit`: verify the chains of the register, and print the heads to publish."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.audit.service import heads, verify_engagement, verify_every
from gouvernance.audit.verify import ChainReport
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, identify, readable, require_operator
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural

audit_app = french_app(
    help="Registre vérifiable : chaînes d'empreintes des accompagnements.", no_args_is_help=True
)


@audit_app.command("verify", cls=FrenchCommand)
@handle_errors
def verify_command(
    engagement: Annotated[
        str | None,
        typer.Argument(
            metavar="[ACCOMPAGNEMENT]", help="Identifiant (ou début d'identifiant) de l'accompagnement."
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Tous les accompagnements (opérateur).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Vérifie la chaîne d'un accompagnement (ou de tous) : toute modification, insertion, suppression ou
    réordonnancement est signalé avec son emplacement. Code de sortie 1 si une chaîne est altérée."""
    if (engagement is None) == (not every):
        raise InvalidInput(
            Message(
                "audit.target",
                "Donnez un accompagnement, ou --all pour tous.",
                "Give one engagement, or --all for every one.",
            )
        )
    db = context.database()
    reports: list[ChainReport] = []
    if every:
        require_operator(operator, "audit verify --all")
        reports.extend(verify_every(db))
    else:
        assert engagement is not None
        with db.reading() as session:
            engagement_id = readable(session, identify(session, login, operator, "audit verify"), engagement)
        reports.append(verify_engagement(db, engagement_id))
    altered = [report for report in reports if not report.ok]
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print(report, verbose=not every)
        console.print(
            f"{plural(len(reports), 'chaîne vérifiée', 'chaînes vérifiées')}, "
            f"{plural(sum(r.entries for r in reports), 'entrée')} ; "
            f"{plural(len(altered), 'altérée')}.",
            highlight=False,
        )
    if altered:
        raise typer.Exit(1)


def _print(report: ChainReport, *, verbose: bool) -> None:
    if report.ok:
        if verbose:
            console.print(
                f"[green]Chaîne intègre[/] : accompagnement {report.engagement_id}, "
                f"{plural(report.entries, 'entrée')}, tête n° {report.head_seq} {report.head_hash or '—'}",
                highlight=False,
            )
        return
    console.print(
        f"[bold red]Chaîne altérée[/] : accompagnement {report.engagement_id}, "
        f"{plural(len(report.anomalies), 'anomalie')}",
        highlight=False,
    )
    for anomaly in report.anomalies:
        console.print(f"  • {anomaly.message}  [dim]({anomaly.code})[/]", highlight=False)


@audit_app.command("heads", cls=FrenchCommand)
@handle_errors
def heads_command(
    on: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], metavar="AAAA-MM-JJ", help="La tête en fin de journée."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    operator: Operator = False,
) -> None:
    """La tête de chaîne de chaque accompagnement (numéro, empreinte) : ce qu'on publie chaque jour, pour
    qu'une réécriture du passé se voie."""
    require_operator(operator, "audit heads")
    day: date | None = on.date() if on else None
    with context.database().reading() as session:
        found = heads(session, on=day, tz=context.settings().tz)
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in found], ensure_ascii=False, indent=2))
        return
    table = Table("Accompagnement", "Territoire", "N°", "Empreinte (SHA-256)")
    for head in found:
        table.add_row(head.engagement_id, head.territory, str(head.seq), head.hash or "—")
    console.print(table)
    when = f"fin de journée du {day:%d/%m/%Y}" if day else "maintenant"
    console.print(f"{plural(len(found), 'tête')} de chaîne ({when}).", highlight=False)
