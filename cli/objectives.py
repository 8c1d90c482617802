"""`gouvernance objectives …`: where each objective of an engagement stands (status and reason, indicators,
approvals, means and late actions), measurements imported from a spreadsheet (all or nothing), and the means
(`objectives means …`: budget lines and staff days) and action plan (`objectives actions …`) of each
objective."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.cli import context, values
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.deliverables.french import format_euros, format_number
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import file_not_found, plural
from gouvernance.objectives import plan as action_plan
from gouvernance.objectives.measurements_csv import import_measurements
from gouvernance.objectives.plan import ActionStatus
from gouvernance.objectives.views import ObjectiveView, objectives_view

# As the API's permissions for the same actions (api/objectives.py, api/action_plan.py).
MEASURE = ("objectives.measure", PARTICIPANT_ROLES)
PLAN = ("objectives.plan", LEAD_ROLES)
UPDATE_ACTIONS = ("objectives.actions", PARTICIPANT_ROLES)

objectives_app = french_app(
    help="Objectifs et indicateurs : où en est chaque objectif, et mesures importées d'un tableur.",
    no_args_is_help=True,
)

means_app = french_app(
    help="Moyens alloués aux objectifs : lignes de budget et jours de travail.", no_args_is_help=True
)
actions_app = french_app(
    help="Plan d'action : les actions de chaque objectif, leur porteur, leur échéance et leur statut.",
    no_args_is_help=True,
)
objectives_app.add_typer(means_app, name="means")
objectives_app.add_typer(actions_app, name="actions")

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
    console.print(
        f"[green]✓[/] {plural(count, 'mesure enregistrée', 'mesures enregistrées')}.", highlight=False
    )


ObjectiveKey = Annotated[str, typer.Argument(metavar="OBJECTIF", help="Clé de l'objectif.")]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--au", metavar="AAAA-MM-JJ", help="Date à laquelle juger les retards (par défaut : aujourd'hui)."
    ),
]


@means_app.command("list", cls=FrenchCommand)
@handle_errors
def means_list_command(engagement: Engagement, login: Login = None, operator: Operator = False) -> None:
    """Les moyens de chaque objectif, ligne par ligne, et leur total."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "objectives means list")
        views = objectives_view(session, readable(session, caller, engagement), as_of=_today())
    if not views:
        console.print("Aucun objectif n'est encore défini.", highlight=False)
        return
    for view in views:
        summary = view.plan
        console.print(
            f"\n[bold]{view.objective.title}[/] ({view.objective.key}) — "
            f"{format_euros(summary.budget_eur)} et {_days(summary.staff_days)}",
            highlight=False,
        )
        if not summary.means:
            console.print("  aucun moyen alloué", highlight=False)
            continue
        table = Table("N°", "Moyen", "Budget", "Jours de travail", box=None, pad_edge=False)
        for row in summary.means:
            table.add_row(str(row.id), row.label, format_euros(row.budget_eur), format_number(row.staff_days))
        console.print(table)


@means_app.command("add", cls=FrenchCommand)
@handle_errors
def means_add_command(
    engagement: Engagement,
    objective: ObjectiveKey,
    label: Annotated[str, typer.Option("--label", metavar="LIBELLÉ", help="Ex. « Formation des élus ».")],
    budget: Annotated[
        str, typer.Option("--budget", metavar="MONTANT", help="Budget en euros (12 000).")
    ] = "0",
    days: Annotated[
        str, typer.Option("--days", metavar="JOURS", help="Jours de travail des agents (4,5).")
    ] = "0",
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Alloue des moyens à un objectif : une ligne de budget, des jours de travail, ou les deux."""
    budget_eur, staff_days = values.amount(budget, "--budget"), values.amount(days, "--days")
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "objectives means add")
        engagement_id, actor = engagement_for(session, caller, engagement, PLAN, role)
        action_plan.allocate_means(
            session, engagement_id=engagement_id, objective_key=objective, label=label.strip(),
            budget_eur=budget_eur, staff_days=staff_days, actor=actor, clock=context.clock(),
        )  # fmt: skip
    console.print(
        f"[green]✓[/] Moyens alloués à « {objective} » : {format_euros(budget_eur)} et {_days(staff_days)}.",
        highlight=False,
    )


@actions_app.command("list", cls=FrenchCommand)
@handle_errors
def actions_list_command(
    engagement: Engagement,
    as_of: AsOf = None,
    late_only: Annotated[bool, typer.Option("--late", help="Seulement les actions en retard.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Le plan d'action, objectif par objectif ; les actions ouvertes dont l'échéance est passée sont en
    retard."""
    day = values.day(as_of, "--au") if as_of else _today()
    with context.database().reading() as session:
        caller = identify(session, login, operator, "objectives actions list")
        views = objectives_view(session, readable(session, caller, engagement), as_of=day)
    table = Table("N°", "Objectif", "Action", "Porteur", "Échéance", "Statut")
    late_count = shown = 0
    for view in views:
        late = {action.id for action in view.plan.late}
        late_count += len(late)
        for action in view.plan.actions:
            if late_only and action.id not in late:
                continue
            shown += 1
            status = ActionStatus(action.status).label
            table.add_row(
                str(action.id),
                view.objective.key,
                action.title,
                action.owner,
                f"{action.due_on:%d/%m/%Y}",
                f"[bold red]{status}, en retard[/]" if action.id in late else status,
            )
    if not shown:
        console.print("Aucune action en retard." if late_only else "Aucune action au plan.", highlight=False)
        return
    console.print(table)
    console.print(
        f"{plural(shown, 'action')}, dont {plural(late_count, 'en retard', 'en retard')} au {day:%d/%m/%Y}.",
        highlight=False,
    )


@actions_app.command("add", cls=FrenchCommand)
@handle_errors
def actions_add_command(
    engagement: Engagement,
    objective: ObjectiveKey,
    title: Annotated[str, typer.Option("--title", metavar="TITRE", help="L'action.")],
    owner: Annotated[
        str, typer.Option("--owner", metavar="PORTEUR", help="Le service ou la personne qui la porte.")
    ],
    due: Annotated[str, typer.Option("--due", metavar="JJ/MM/AAAA", help="Échéance.")],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Inscrit une action au plan d'action d'un objectif (elle est « à faire »)."""
    due_on = values.day(due, "--due")
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "objectives actions add")
        engagement_id, actor = engagement_for(session, caller, engagement, PLAN, role)
        row = action_plan.plan_action(
            session, engagement_id=engagement_id, objective_key=objective, title=title.strip(),
            owner=owner.strip(), due_on=due_on, actor=actor, clock=context.clock(),
        )  # fmt: skip
        action_id = row.id
    console.print(
        f"[green]✓[/] Action n° {action_id} inscrite au plan de « {objective} », "
        f"échéance le {due_on:%d/%m/%Y}.",
        highlight=False,
    )


@actions_app.command("status", cls=FrenchCommand)
@handle_errors
def actions_status_command(
    engagement: Engagement,
    action: Annotated[int, typer.Argument(metavar="N°", help="Numéro de l'action.")],
    status: Annotated[
        str, typer.Argument(metavar="STATUT", help="à faire, en cours, réalisée ou abandonnée.")
    ],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Fait avancer une action."""
    to = values.choice(status, ActionStatus, _action_label, "STATUT")
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "objectives actions status")
        engagement_id, actor = engagement_for(session, caller, engagement, UPDATE_ACTIONS, role)
        action_plan.set_action_status(
            session,
            engagement_id=engagement_id,
            action_id=action,
            status=to,
            actor=actor,
            clock=context.clock(),
        )
    console.print(f"[green]✓[/] Action n° {action} : {to.label}.", highlight=False)


def _action_label(status: ActionStatus) -> str:
    return status.label


def _today() -> date:
    clock = context.clock()
    return clock.now().astimezone(clock.tz).date()


def _days(count: Decimal) -> str:
    return f"{format_number(count)} jour{'s' if count >= 2 else ''} de travail"


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
