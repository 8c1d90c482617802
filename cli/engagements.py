"""`gouvernance launch`, `status` and `engagements list`: start an engagement for one's organisation, follow
its progress, and see the portfolio one may see."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import visible_engagements
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, identify, launcher, readable
from gouvernance.engagements.elections import electoral_warnings
from gouvernance.engagements.portfolio import Figures, PortfolioFilter, figures, list_engagements
from gouvernance.engagements.progress import EngagementProgress, engagement_progress
from gouvernance.engagements.service import LaunchRequest, Territory, launch, resolve_parameters
from gouvernance.engagements.settings import role_title
from gouvernance.errors import InvalidInput, Message
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.messages import plural

engagements_app = french_app(
    help="Accompagnements : le portefeuille que vous pouvez voir.", no_args_is_help=True
)

EngagementReference = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


def local(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(context.settings().tz).strftime("%d/%m/%Y")


def parse_params(values: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    problems = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            problems.append(
                Message(
                    "parameter.syntax",
                    f"« {item} » : forme attendue clé=valeur",
                    f"'{item}': expected key=value",
                )
            )
        else:
            params[key.strip()] = value
    if problems:
        raise InvalidInput(
            Message("parameter.problems", "Paramètres illisibles", "Unreadable parameters"), reasons=problems
        )
    return params


def start_date_of(start: str) -> date:
    try:
        return date.fromisoformat(start)
    except ValueError:
        raise InvalidInput(
            Message(
                "launch.start_date",
                f"date de début illisible « {start} » (AAAA-MM-JJ)",
                f"unreadable start date '{start}' (YYYY-MM-DD)",
            )
        ) from None


@handle_errors
def launch_command(
    model_key: Annotated[
        str, typer.Argument(metavar="MODÈLE", help="Clé du modèle, ex. gouvernance-partagee.")
    ],
    territory: Annotated[
        str, typer.Option("--territory", metavar="NOM", help="Nom du territoire (collectivité).")
    ],
    start: Annotated[str, typer.Option("--start", metavar="AAAA-MM-JJ", help="Date de début.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="CLÉ=VALEUR", help="Paramètre du modèle (répétable)."),
    ] = None,
    kind: Annotated[
        str, typer.Option(metavar="TYPE", help="commune | epci | departement | region | autre")
    ] = "commune",
    insee: Annotated[
        str | None, typer.Option(metavar="CODE", help="Code INSEE (COG) ou SIREN de l'EPCI.")
    ] = None,
    version: Annotated[
        int | None, typer.Option(metavar="N", help="Version du modèle (par défaut : la plus récente).")
    ] = None,
    lead: Annotated[
        str | None, typer.Option(metavar="IDENTIFIANT", help="Identifiant du chef de projet.")
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--org",
            metavar="ORGANISATION",
            help="Organisation propriétaire, en mode opérateur (sinon : la vôtre).",
        ),
    ] = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Lance un accompagnement pour votre organisation à partir d'un modèle ; affiche son identifiant."""
    start_date = start_date_of(start)
    parameters = parse_params(param or [])
    model = context.catalog().get(model_key, version)
    with context.database().transaction() as session:
        actor, owner = launcher(identify(session, login, operator, "launch"), organisation)
        request = LaunchRequest(
            model, Territory(territory, kind, insee), start_date, parameters, lead, organisation_id=owner
        )
        result = launch(session, request, actor=actor, clock=context.clock())
    typer.echo(result.engagement_id)
    resolved = resolve_parameters(model, parameters)
    # On the standard error: the identifier stays the only output, for scripts.
    for warning in electoral_warnings(model, kind, start_date, resolved):
        context.errors.print(f"[yellow]Attention[/] : {warning.fr}", highlight=False)


@handle_errors
def status_command(
    engagement: EngagementReference,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Avancement par phase, étapes en cours (avec leur clé, pour « advance »), échéances et retards."""
    now = context.clock().now()
    with context.database().reading() as session:
        engagement_id = readable(session, identify(session, login, operator, "status"), engagement)
        progress = engagement_progress(session, engagement_id, now=now)
    if as_json:
        typer.echo(json.dumps(progress.as_dict(), ensure_ascii=False, indent=2))
        return
    render_progress(progress)


def render_progress(progress: EngagementProgress) -> None:
    e = progress.engagement
    console.print(
        f"[bold]{progress.model.title.fr}[/] — {e.territory_name} ({e.territory_kind})  [dim]{e.id}[/]",
        highlight=False,
    )
    console.print(
        f"État : {STATE_LABELS_FR.get(e.state, e.state)} · avancement {progress.percent} % · "
        f"prochaine échéance {local(progress.next_due)} · en retard : {len(progress.overdue)}",
        highlight=False,
    )
    table = Table("Phase", "Avancement", "Étapes", "Prochaine échéance", "En retard")
    for stage in progress.stages:
        bar = "█" * (stage.percent // 10) + "░" * (10 - stage.percent // 10)
        late = ", ".join(s.title for s in stage.overdue) or "—"
        table.add_row(
            stage.title,
            f"{bar} {stage.percent:3d} %",
            f"{stage.finished}/{stage.total}",
            local(stage.next_due),
            late,
        )
    console.print(table)
    active = [s for s in progress.steps if s.state not in ("pending", "done", "skipped")]
    if active:
        console.print("[bold]Étapes en cours[/] (clé : titre)")
        for step in active:
            flag = " [red](en retard)[/]" if step.overdue else ""
            console.print(
                f"  • {step.key} : {step.title} — {STATE_LABELS_FR.get(step.state, step.state)}, "
                f"{role_title(progress.model, progress.engagement.parameters, step.role)}, "
                f"échéance {local(step.due_at)}{flag}",
                highlight=False,
            )


@engagements_app.command("list", cls=FrenchCommand)
@handle_errors
def engagements_list(
    territory: Annotated[str | None, typer.Option(metavar="NOM", help="Partie du nom du territoire.")] = None,
    state: Annotated[
        str | None, typer.Option(metavar="ÉTAT", help="active | suspended | completed | cancelled | draft")
    ] = None,
    model: Annotated[str | None, typer.Option(metavar="MODÈLE", help="Clé du modèle.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Seulement ceux qui ont une étape en retard.")
    ] = False,
    limit: Annotated[int, typer.Option(metavar="N", min=1, max=200, help="Nombre au plus.")] = 50,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Le portefeuille : les accompagnements où vous avez un rôle (tous, en mode opérateur)."""
    now = context.clock().now()
    with context.database().reading() as session:
        caller = identify(session, login, operator, "engagements list")
        rows, total = list_engagements(
            session,
            now=now,
            visible=None if caller.principal is None else visible_engagements(caller.principal),
            filters=PortfolioFilter(territory, state, model, True if overdue else None),
            limit=limit,
        )
        numbers = figures(session, [row.id for row in rows], now=now)
    table = Table(
        "Identifiant", "Territoire", "Modèle", "État", "Avancement", "Prochaine échéance", "En retard"
    )
    for row in rows:
        figure = numbers.get(row.id, Figures())
        table.add_row(
            row.id[:8],
            row.territory_name,
            f"{row.model_key} v{row.model_version}",
            STATE_LABELS_FR.get(row.state, row.state),
            f"{figure.percent} %",
            local(figure.next_due),
            str(figure.overdue),
        )
    console.print(table)
    console.print(
        f"{plural(len(rows), 'accompagnement affiché', 'accompagnements affichés')} sur {total}.",
        highlight=False,
    )
