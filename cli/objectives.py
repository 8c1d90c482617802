"""`gouvernance objectives …`: where each objective of an engagement stands (status and reason, indicators,
approvals, means and late actions), and measurements imported from a spreadsheet (all or nothing)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import PARTICIPANT_ROLES
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.deliverables.french import format_number
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import file_not_found
from gouvernance.objectives.measurements_csv import import_measurements
from gouvernance.objectives.views import ObjectiveView, objectives_view

MEASURE = ("objectives.measure", PARTICIPANT_ROLES)  # as the API's MEASURE permission

objectives_app = french_app(
    help="Objectifs et indicateurs : où en est chaque objectif, et mesures importées d'un tableur.",
    no_args_is_help=True,
)

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


@objectives_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(
    engagement: Engagement,
    as_of: Annotated[
        str | None,
        typer.Option("--au", metavar="AAAA-MM-JJ", help="Date de l'évaluation (par défaut : aujourd'hui)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Où en est chaque objectif : statut et pourquoi, indicateurs, validations, moyens, actions en retard."""
    clock = context.clock()
    day = _day(as_of) if as_of else clock.now().astimezone(clock.tz).date()
    with context.database().reading() as session:
        caller = identify(session, login, operator, "objectives list")
        views = objectives_view(session, readable(session, caller, engagement), as_of=day)
    if as_json:
        typer.echo(json.dumps([_as_dict(view) for view in views], ensure_ascii=False, indent=2))
        return
    if not views:
        console.print("Aucun objectif n'est encore défini.", highlight=False)
        return
    for view in views:
        approved = ", ".join(view.approved_by) or "personne"
        console.print(
            f"\n[bold]{view.objective.title}[/] ({view.objective.key}) — {view.evaluation.status.label} : "
            f"{view.evaluation.reason}\n  validé (version {view.objective.version}) par : {approved}",
            highlight=False,
        )
        table = Table(
            "Indicateur", "Référence", "Cible", "Dernière mesure", "Statut", box=None, pad_edge=False
        )
        for row in view.indicators:
            evaluation = view.indicator_evaluations[row.key]
            latest = evaluation.latest
            table.add_row(
                row.label,
                f"{format_number(row.baseline)} {row.unit}".strip(),
                f"{format_number(row.target)} {row.unit} au {row.deadline:%d/%m/%Y}".strip(),
                f"{format_number(latest.value)} {row.unit} le {latest.on:%d/%m/%Y}" if latest else "—",
                evaluation.status.label,
            )
        console.print(table)
        plan = view.plan
        late = ", ".join(action.title for action in plan.late) or "aucune"
        console.print(
            f"  moyens : {format_number(plan.budget_eur)} € et {format_number(plan.staff_days)} jours ; "
            f"actions : {len(plan.actions)}, dont en retard : {late}",
            highlight=False,
        )


@objectives_app.command("import-measurements", cls=FrenchCommand)
@handle_errors
def import_command(
    engagement: Engagement,
    file: Annotated[
        Path,
        typer.Argument(metavar="FICHIER", help="CSV : Indicateur;Date;Valeur;Source;Commentaire."),
    ],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Importe des mesures d'un tableur : tout ou rien, chaque ligne fautive est signalée."""
    if not file.is_file():
        raise InvalidInput(file_not_found(file))
    content = file.read_bytes()
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "objectives import-measurements")
        engagement_id, actor = engagement_for(session, caller, engagement, MEASURE, role)
        count = import_measurements(
            session, engagement_id=engagement_id, content=content, actor=actor, clock=context.clock()
        )
    console.print(f"[green]✓[/] {count} mesure(s) enregistrée(s).", highlight=False)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            Message("date.unreadable", f"date illisible « {text} » (AAAA-MM-JJ)", f"unreadable date '{text}'")
        ) from None


def _as_dict(view: ObjectiveView) -> dict[str, object]:
    return {
        "key": view.objective.key,
        "title": view.objective.title,
        "status": view.evaluation.status.value,
        "reason": view.evaluation.reason,
        "approved_by": view.approved_by,
        "indicators": {key: e.status.value for key, e in view.indicator_evaluations.items()},
        "late_actions": [action.title for action in view.plan.late],
    }
