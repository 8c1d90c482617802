"""Commands for the background work: the worker, one reminder sweep, notifications, deliverables,
calendars and launching a journey for many territories at once."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, identify, launcher, require_operator
from gouvernance.clock import Clock
from gouvernance.engagements.progress import find_engagement_id
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import file_not_found, plural
from gouvernance.notifications.listing import (
    STATUS_LABELS,
    Told,
    notifications_created_at,
    recent_notifications,
)

if TYPE_CHECKING:
    from rich.progress import Progress

reminders_app = french_app(help="Rappels et escalades.", no_args_is_help=True)
notifications_app = french_app(help="Notifications : courriels, webhooks, application.", no_args_is_help=True)
deliverables_app = french_app(help="Livrables (HTML, PDF, DOCX).", no_args_is_help=True)


def _clock_at(now: str | None) -> Clock:
    if now is None:
        return context.clock()
    try:
        moment = datetime.fromisoformat(now)
    except ValueError:
        raise InvalidInput(
            Message(
                "cli.now",
                f"date illisible « {now} » (AAAA-MM-JJTHH:MM)",
                f"unreadable date '{now}' (YYYY-MM-DDTHH:MM)",
            )
        ) from None
    return context.runtime().clock_at(moment)


def _progress() -> Progress:
    # Imported by the commands that show a bar, not by every command (nor `serve`) at start.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def worker_command(
    limit: Annotated[
        int | None, typer.Option(metavar="N", help="Nombre maximal d'exécutions simultanées.")
    ] = None,
) -> None:
    """Sert tous les flux Prefect avec leur planification (serveur éphémère par défaut)."""
    from gouvernance.flows.worker import schedules, serve_all

    every = schedules(context.settings())
    listed = ", ".join(f"{name} {_every(seconds)}" for name, seconds in every.items())
    console.print(f"Travailleur gouvernance : {listed}")
    serve_all(limit=limit)


def _every(seconds: int) -> str:
    if seconds % 60:
        return f"toutes les {seconds} s"
    return f"toutes les {seconds // 60} min"


@reminders_app.command("sweep", cls=FrenchCommand)
@handle_errors
def sweep_command(
    now: Annotated[
        str | None,
        typer.Option(metavar="AAAA-MM-JJTHH:MM", help="Instant du balayage (par défaut : maintenant)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(metavar="N", help="Étapes lues par lot.", min=1)] = 1000,
) -> None:
    """Crée les rappels, retards et escalades dus (une seule fois chacun), puis, à partir de 7 h, les
    récapitulatifs quotidiens : le même passage que le flux sweep-reminders du travailleur."""
    from gouvernance.notifications.sweeping import run_sweep

    settings = context.settings()
    instant = _clock_at(now).now()
    outcome = run_sweep(
        context.database(),
        now=instant,
        base_url=settings.base_url,
        tz=context.runtime().tz,
        batch_size=batch_size,
    )
    console.print(
        f"{plural(outcome.created, 'notification créée', 'notifications créées')} pour "
        f"{plural(outcome.candidates, 'étape')} à échéance ; "
        f"{plural(outcome.digests, 'récapitulatif quotidien', 'récapitulatifs quotidiens')}.",
        highlight=False,
    )
    for engagement_id, why in sorted(outcome.skipped.items()):
        console.print(f"  ⚠ accompagnement {engagement_id} ignoré : {why}", highlight=False, style="yellow")
    with context.database().reading() as session:
        told = notifications_created_at(session, instant)
    _print_told(told)


def _print_told(told: list[Told]) -> None:
    """One line per notification: what, for which role, and to whom by which channel."""
    for item in told:
        notification = item.notification
        whom = "; ".join(f"{who} ({', '.join(channels)})" for who, channels in item.recipients().items())
        role = f" — rôle {notification.role}" if notification.role else ""
        console.print(
            f"  • {notification.subject}{role} → {whom or 'personne (aucun titulaire du rôle)'}",
            highlight=False,
        )


@notifications_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(
    engagement: Annotated[
        str | None,
        typer.Option(metavar="ACCOMPAGNEMENT", help="Seulement cet accompagnement (identifiant ou début)."),
    ] = None,
    limit: Annotated[int, typer.Option(metavar="N", help="Combien, les plus récentes d'abord.", min=1)] = 50,
    operator: Operator = False,
) -> None:
    """Les dernières notifications : à qui, par quel canal, et où en est chaque envoi."""
    require_operator(operator, "notifications list")
    with context.database().reading() as session:
        engagement_id = find_engagement_id(session, engagement) if engagement else None
        told = recent_notifications(session, limit=limit, engagement_id=engagement_id)
    if not told:
        console.print("Aucune notification.", highlight=False)
        return
    table = Table("Créée le", "Type", "Objet", "Rôle", "Destinataires", "Envois")
    for item in told:
        notification = item.notification
        statuses = sorted({STATUS_LABELS.get(d.status, d.status) for d in item.deliveries})
        table.add_row(
            notification.created_at.astimezone(context.runtime().tz).strftime("%d/%m/%Y %H:%M"),
            notification.kind,
            notification.subject,
            notification.role or "—",
            ", ".join(item.recipients()) or "—",
            ", ".join(statuses) or "—",
        )
    console.print(table)


@notifications_app.command("dispatch", cls=FrenchCommand)
@handle_errors
def dispatch_command(
    now: Annotated[
        str | None,
        typer.Option(metavar="AAAA-MM-JJTHH:MM", help="Instant de l'envoi (par défaut : maintenant)."),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(metavar="N", help="Envois réservés par lot (GOUVERNANCE_DISPATCH_BATCH_SIZE)."),
    ] = None,
    worker: Annotated[
        str | None,
        typer.Option(metavar="NOM", help="Nom du travailleur (GOUVERNANCE_WORKER_NAME, sinon hôte:pid)."),
    ] = None,
) -> None:
    """Transforme les événements en notifications puis envoie courriels et webhooks en attente."""
    from gouvernance.notifications.dispatch import run_dispatch

    runtime = context.runtime()
    handled, report = run_dispatch(
        context.database(),
        mailer=runtime.mailer,
        webhooks=runtime.webhooks,
        clock=_clock_at(now),
        worker=worker or runtime.worker_id,
        batch_size=batch_size or runtime.settings.dispatch_batch_size,
    )
    console.print(
        f"{plural(handled, 'événement traité', 'événements traités')} ; {plural(report.sent, 'envoi')}, "
        f"{plural(report.failed, 'échec définitif', 'échecs définitifs')}, "
        f"{report.retried_later} à réessayer."
    )


@deliverables_app.command("build", cls=FrenchCommand)
@handle_errors
def build_command(
    engagement: Annotated[
        str, typer.Argument(metavar="ACCOMPAGNEMENT", help="Identifiant (ou début) de l'accompagnement.")
    ],
    out: Annotated[
        Path | None, typer.Option(metavar="CHEMIN", help="Répertoire où écrire aussi les fichiers.")
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(metavar="CLÉ", help="Livrable à produire (répétable ; tous par défaut)."),
    ] = None,
) -> None:
    """Produit les livrables d'un accompagnement (nouvelle version de chacun)."""
    from gouvernance.deliverables.production import build_on_demand
    from gouvernance.engagements.progress import find_engagement_id
    from gouvernance.spec.catalog import model_for

    db = context.database()
    store = context.runtime().store
    with db.reading() as session:
        engagement_id = find_engagement_id(session, engagement)
        from gouvernance.engagements.records import EngagementRow

        row = session.get(EngagementRow, engagement_id)
        assert row is not None
        total = len(key or model_for(session, row.model_key, row.model_version).deliverables)
    with _progress() as progress:
        task = progress.add_task("Livrables", total=total)
        produced = build_on_demand(
            db,
            engagement_id,
            renderer=context.runtime().renderer,
            store=store,
            clock=context.clock(),
            keys=key,
            progress=lambda _: progress.advance(task),
        )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for item in produced:
            (out / item.filename).write_bytes(store.get(item.sha256))
    for item in produced:
        where = f" → {out / item.filename}" if out else ""
        console.print(f"{item.key} v{item.version} ({item.format}){where}", highlight=False)


def calendar_command(
    engagement: Annotated[
        str, typer.Argument(metavar="ACCOMPAGNEMENT", help="Identifiant (ou début) de l'accompagnement.")
    ],
    out: Annotated[
        Path | None, typer.Option(metavar="CHEMIN", help="Fichier .ics (par défaut : sortie standard).")
    ] = None,
) -> None:
    """Exporte les échéances et jalons au format iCalendar (.ics)."""
    from gouvernance.calendars.ics import engagement_entries, render
    from gouvernance.engagements.progress import find_engagement_id
    from gouvernance.engagements.records import EngagementRow

    db = context.database()
    with db.reading() as session:
        row = session.get(EngagementRow, find_engagement_id(session, engagement))
        assert row is not None
        clock = context.clock()
        entries = engagement_entries(session, row, tz=clock.tz)
        text = render(f"Échéances — {row.territory_name}", entries, now=clock.now(), tz=clock.tz)
    if out:
        out.write_text(text, encoding="utf-8", newline="")
        console.print(f"Calendrier écrit : {out}")
    else:
        typer.echo(text, nl=False)


def launch_many_command(
    model_key: Annotated[str, typer.Argument(metavar="MODÈLE", help="Clé du modèle.")],
    territories: Annotated[
        Path,
        typer.Option(
            metavar="FICHIER",
            help="CSV : nom;type;insee, puis une colonne par paramètre du modèle (avec une ligne d'en-tête "
            "« nom;type;insee;population… ») ; une cellule vide prend la valeur de --param ou le défaut.",
        ),
    ],
    start: Annotated[str, typer.Option(metavar="AAAA-MM-JJ", help="Date de début AAAA-MM-JJ.")],
    key: Annotated[
        str,
        typer.Option(metavar="CLÉ", help="Clé d'idempotence : relancer avec la même clé ne duplique rien."),
    ],
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param", metavar="CLÉ=VALEUR", help="Paramètre commun à tous les territoires (répétable)."
        ),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--org",
            "--organisation",
            metavar="ORGANISATION",
            help="Organisation propriétaire (en mode opérateur ; sinon la vôtre).",
        ),
    ] = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Lance le même parcours pour plusieurs territoires (ex. les communes d'un EPCI), chacun avec ses
    paramètres. Tout ou rien : une ligne invalide, et rien n'est lancé (chaque ligne fautive est listée)."""
    from gouvernance.cli.engagements import parse_params, start_date_of
    from gouvernance.engagements.bulk import launch_many
    from gouvernance.engagements.service import LaunchRequest, Territory

    common = parse_params(params or [])
    rows = territory_rows(territories)
    model = context.catalog().get(model_key)
    start_date = start_date_of(start)
    with context.database().reading() as session:
        actor, owner = launcher(identify(session, login, operator, "launch-many"), organisation)
    requests = [
        (
            f"{key}:{i}:{row.name}",
            LaunchRequest(
                model,
                Territory(row.name, row.kind, row.insee),
                start_date,
                {**common, **row.parameters},
                organisation_id=owner,
            ),
        )
        for i, row in enumerate(rows)
    ]
    with _progress() as progress:
        task = progress.add_task("Lancements", total=len(requests))
        outcomes = launch_many(
            context.database(),
            requests,
            actor=actor,
            clock=context.clock(),
            progress=lambda n: progress.advance(task, n),
        )
    for row, outcome in zip(rows, outcomes, strict=True):
        console.print(
            f"{outcome.engagement_id}  {row.name}{'' if outcome.created else '  (déjà lancé)'}",
            highlight=False,
        )


@dataclass(frozen=True)
class TerritoryRow:
    name: str
    kind: str
    insee: str | None
    parameters: dict[str, str]


_HEADER_NAMES = ("nom", "name", "territoire")


def territory_rows(path: Path) -> list[TerritoryRow]:
    """The territories of a CSV as a spreadsheet writes it (``;`` or ``,``): name, kind, code, then one
    column per launch parameter, named in the header row."""
    if not path.is_file():
        raise InvalidInput(file_not_found(path))
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,")
    rows = [r for r in csv.reader(text.splitlines(), dialect) if r and r[0].strip()]
    parameter_keys: list[str] = []
    if rows and rows[0][0].strip().lower() in _HEADER_NAMES:
        parameter_keys = [cell.strip() for cell in rows[0][3:]]
        rows = rows[1:]
    return [
        TerritoryRow(
            r[0].strip(),
            (r[1].strip() or "commune") if len(r) > 1 else "commune",
            (r[2].strip() or None) if len(r) > 2 else None,
            {k: cell.strip() for k, cell in zip(parameter_keys, r[3:], strict=False) if k and cell.strip()},
        )
        for r in rows
    ]
