"""The `gouvernance` command: process models, the database, engagements, and the demonstration."""

from __future__ import annotations

import getpass
import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.cli import background, context
from gouvernance.cli.access import serve_command, tokens_app, users_app
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.notification_settings import users_set_email, users_set_preferences, webhooks_app
from gouvernance.cli.stakeholders import stakeholders_app
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.progress import engagement_progress, find_engagement_id
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import transition
from gouvernance.errors import InvalidInput, Message
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.spec.catalog import template_files
from gouvernance.spec.diagram import mermaid
from gouvernance.spec.validation import TemplateInvalid, load_model_file

app = typer.Typer(
    name="gouvernance",
    help="Moteur de processus de gouvernance partagée pour les collectivités.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Modèles de processus (parcours YAML).", no_args_is_help=True)
db_app = typer.Typer(help="Base de données : migrations.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(webhooks_app, name="webhooks")
users_app.command("set-email")(users_set_email)
users_app.command("set-preferences")(users_set_preferences)
app.add_typer(background.reminders_app, name="reminders")
app.add_typer(background.notifications_app, name="notifications")
app.add_typer(background.deliverables_app, name="deliverables")
app.add_typer(stakeholders_app, name="stakeholders")
app.command("worker")(background.worker_command)
app.command("calendar")(handle_errors(background.calendar_command))
app.command("launch-many")(handle_errors(background.launch_many_command))
app.command("serve")(serve_command)


def cli_actor(role: str, login: str | None) -> ActorRef:
    return ActorRef.of(login or f"cli:{getpass.getuser()}", role)


def local(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(context.settings().tz).strftime("%d/%m/%Y")


# --- models ---------------------------------------------------------------------------------------------


@models_app.command("list")
@handle_errors
def models_list() -> None:
    """Liste les modèles disponibles (livrés et répertoire supplémentaire)."""
    catalog = context.catalog()
    table = Table("Clé", "Versions", "Titre", "Phases", "Étapes")
    for model in catalog.latest():
        table.add_row(
            model.key,
            ", ".join(map(str, catalog.versions(model.key))),
            model.title.fr,
            str(len(model.stages)),
            str(len(model.steps_by_key)),
        )
    console.print(table)
    for invalid in catalog.invalid:
        context.errors.print(f"[yellow]Ignoré[/] : {invalid.render()}", highlight=False)


@models_app.command("validate")
@handle_errors
def models_validate(
    path: Annotated[
        Path | None, typer.Argument(help="Fichier ou répertoire (par défaut : tous les modèles).")
    ] = None,
) -> None:
    """Valide des fichiers de modèle et signale chaque problème avec sa ligne."""
    context.plugins()
    directories = [path] if path else context.catalog_directories()
    if path is not None and not path.exists():
        raise InvalidInput(
            Message("file.not_found", f"Fichier introuvable : {path}", f"File not found: {path}")
        )
    files = template_files(directories)
    failures = 0
    for file in files:
        try:
            model = load_model_file(file)
        except TemplateInvalid as invalid:
            failures += 1
            context.errors.print(f"[red]✗[/] {file}", highlight=False)
            for problem in invalid.problems:
                context.errors.print(f"    {problem.render(str(file))}", highlight=False)
            continue
        console.print(
            f"[green]✓[/] {file} — {model.key} v{model.version} "
            f"({len(model.stages)} phases, {len(model.steps_by_key)} étapes)",
            highlight=False,
        )
    if not files:
        raise InvalidInput(Message("file.none", "Aucun fichier YAML trouvé", "No YAML file found"))
    if failures:
        raise typer.Exit(1)


@models_app.command("show")
@handle_errors
def models_show(
    key: str,
    version: Annotated[int | None, typer.Option(help="Version (par défaut : la plus récente).")] = None,
    diagram_only: Annotated[
        bool, typer.Option("--mermaid", help="N'affiche que le diagramme Mermaid.")
    ] = False,
) -> None:
    """Affiche les phases, étapes et le diagramme Mermaid d'un modèle."""
    model = context.catalog().get(key, version)
    if diagram_only:
        typer.echo(mermaid(model), nl=False)
        return
    console.print(f"[bold]{model.title.fr}[/] — {model.key} v{model.version}")
    if model.description:
        console.print(model.description.fr)
    for index, stage in enumerate(model.stages, start=1):
        after = f" (après : {', '.join(stage.after)})" if stage.after else ""
        console.print(f"\n[bold]{index}. {stage.title.fr}[/]{after}", highlight=False)
        table = Table("Étape", "Type", "Rôle", "Durée", "Gardes", "Livrables", box=None, pad_edge=False)
        for step in stage.steps:
            guards = ", ".join(g.describe().fr for g in step.compiled_guards) or "—"
            table.add_row(
                step.title.fr,
                step.kind,
                model.role_title(step.role),
                f"{step.duration.days} j",
                guards,
                ", ".join(step.deliverables.produces) or "—",
            )
        console.print(table)
    console.print("\n[bold]Diagramme (Mermaid)[/]")
    typer.echo(mermaid(model), nl=False)


# --- database -------------------------------------------------------------------------------------------


@db_app.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Applique les migrations (SQLite par défaut, PostgreSQL selon GOUVERNANCE_DATABASE_URL)."""
    from gouvernance.db.engine import Database
    from gouvernance.db.migrate import current_revision, upgrade

    db = Database(context.settings().resolved_database_url)
    upgrade(db)
    console.print(
        f"Base à jour (révision {current_revision(db)}) : {db.engine.url.render_as_string()}", highlight=False
    )


# --- engagements ----------------------------------------------------------------------------------------


def _parse_params(values: list[str]) -> dict[str, str]:
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


@app.command("launch")
@handle_errors
def launch_command(
    model_key: Annotated[
        str, typer.Argument(metavar="MODEL", help="Clé du modèle, ex. gouvernance-partagee.")
    ],
    territory: Annotated[str, typer.Option("--territory", help="Nom du territoire (collectivité).")],
    start: Annotated[str, typer.Option("--start", help="Date de début AAAA-MM-JJ.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Paramètre clé=valeur (répétable).")
    ] = None,
    kind: Annotated[str, typer.Option(help="commune | epci | departement | region | autre")] = "commune",
    insee: Annotated[str | None, typer.Option(help="Code INSEE (COG) ou SIREN de l'EPCI.")] = None,
    version: Annotated[
        int | None, typer.Option(help="Version du modèle (par défaut : la plus récente).")
    ] = None,
    lead: Annotated[str | None, typer.Option(help="Identifiant du chef de projet.")] = None,
    login: Annotated[
        str | None, typer.Option(help="Votre identifiant (par défaut : cli:<utilisateur>).")
    ] = None,
) -> None:
    """Lance un accompagnement à partir d'un modèle ; affiche son identifiant."""
    try:
        start_date = date.fromisoformat(start)
    except ValueError:
        raise InvalidInput(
            Message(
                "launch.start_date",
                f"date de début illisible « {start} » (AAAA-MM-JJ)",
                f"unreadable start date '{start}' (YYYY-MM-DD)",
            )
        ) from None
    model = context.catalog().get(model_key, version)
    db = context.database()
    with db.transaction() as session:
        result = launch(
            session,
            LaunchRequest(
                model, Territory(territory, kind, insee), start_date, _parse_params(param or []), lead
            ),
            actor=cli_actor("consultant", login),
            clock=context.clock(),
        )
    typer.echo(result.engagement_id)


@app.command("status")
@handle_errors
def status_command(
    engagement: Annotated[
        str, typer.Argument(help="Identifiant (ou début d'identifiant) de l'accompagnement.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Avancement par phase, prochaines échéances et retards."""
    db = context.database()
    now = context.clock().now()
    with db.reading() as session:
        progress = engagement_progress(session, find_engagement_id(session, engagement), now=now)
    if as_json:
        typer.echo(json.dumps(progress.as_dict(), ensure_ascii=False, indent=2))
        return
    render_progress(progress)


def render_progress(progress: object) -> None:
    from gouvernance.engagements.progress import EngagementProgress

    assert isinstance(progress, EngagementProgress)
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
        console.print("[bold]Étapes en cours[/]")
        for step in active:
            flag = " [red](en retard)[/]" if step.overdue else ""
            console.print(
                f"  • {step.title} — {STATE_LABELS_FR.get(step.state, step.state)}, "
                f"{progress.model.role_title(step.role)}, échéance {local(step.due_at)}{flag}",
                highlight=False,
            )


@app.command("advance")
@handle_errors
def advance_command(
    engagement: Annotated[str, typer.Argument(help="Identifiant (ou début) de l'accompagnement.")],
    step: Annotated[str, typer.Argument(help="Clé de l'étape.")],
    event: Annotated[
        str, typer.Argument(help="Événement : start, submit, approve, request_rework, skip, reopen…")
    ],
    role: Annotated[str, typer.Option("--as", help="Rôle sous lequel vous agissez.")],
    comment: Annotated[str | None, typer.Option(help="Commentaire ou motif.")] = None,
    expected_version: Annotated[
        int | None, typer.Option("--version", help="Version attendue (verrou).")
    ] = None,
    login: Annotated[str | None, typer.Option(help="Votre identifiant.")] = None,
) -> None:
    """Fait avancer une étape ; dit pourquoi si c'est refusé."""
    db = context.database()
    with db.transaction() as session:
        result = transition(
            session,
            engagement_id=find_engagement_id(session, engagement),
            step_key=step,
            event=event,
            actor=cli_actor(role, login),
            clock=context.clock(),
            expected_version=expected_version,
            comment=comment,
        )
    for item in result.all():
        label = item.step_key or "accompagnement"
        console.print(
            f"{label} : {STATE_LABELS_FR.get(item.from_state, item.from_state)} → "
            f"{STATE_LABELS_FR.get(item.to_state, item.to_state)} (version {item.version})",
            highlight=False,
        )


@app.command("attach")
@handle_errors
def attach_command(
    engagement: Annotated[str, typer.Argument(help="Identifiant (ou début) de l'accompagnement.")],
    step: Annotated[str, typer.Argument(help="Clé de l'étape.")],
    label: Annotated[str, typer.Option(help="Libellé, ex. « note juridique ».")],
    role: Annotated[str, typer.Option("--as", help="Rôle sous lequel vous agissez.")],
    file: Annotated[Path | None, typer.Option(help="Fichier à joindre.")] = None,
    link: Annotated[str | None, typer.Option(help="Lien à joindre (http/https).")] = None,
    login: Annotated[str | None, typer.Option(help="Votre identifiant.")] = None,
) -> None:
    """Joint une pièce (fichier ou lien) à une étape."""
    import mimetypes

    from gouvernance.evidence.service import attach_file, attach_link
    from gouvernance.evidence.store import FileBlobStore

    if (file is None) == (link is None):
        raise InvalidInput(
            Message(
                "evidence.one_of", "donnez --file ou --link (un seul)", "give --file or --link (exactly one)"
            )
        )
    db = context.database()
    settings = context.settings()
    actor = cli_actor(role, login)
    with db.transaction() as session:
        engagement_id = find_engagement_id(session, engagement)
        if file is not None:
            if not file.is_file():
                raise InvalidInput(
                    Message("file.not_found", f"Fichier introuvable : {file}", f"File not found: {file}")
                )
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            row = attach_file(
                session,
                engagement_id=engagement_id,
                step_key=step,
                label=label,
                filename=file.name,
                content=file.read_bytes(),
                content_type=content_type,
                actor=actor,
                store=FileBlobStore(settings.blob_dir),
                clock=context.clock(),
                max_bytes=settings.max_evidence_bytes,
            )
        else:
            assert link is not None
            row = attach_link(
                session,
                engagement_id=engagement_id,
                step_key=step,
                label=label,
                url=link,
                actor=actor,
                clock=context.clock(),
            )
    console.print(f"Pièce {row.id} jointe à « {step} » : {row.filename or row.url}", highlight=False)


@app.command("demo")
@handle_errors
def demo_command(
    territory: Annotated[
        str, typer.Option(help="Territoire de démonstration.")
    ] = "Communauté de communes du Val Fleuri",
) -> None:
    """Crée un accompagnement de démonstration et parcourt tout le parcours « gouvernance-partagee »."""
    from gouvernance.cli.demo_view import run_demo

    run_demo(context.catalog(), context.database(), territory)


def main() -> None:
    app()
