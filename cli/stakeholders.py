"""`gouvernance stakeholders …`: the stakeholder register of an engagement from the command line — import a
spreadsheet (all or nothing), record a consultation, list, export (CSV, GraphML, GEXF), analyse, and erase a
stakeholder's contact details (RGPD)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from gouvernance.cli import context
from gouvernance.cli.context import console, errors, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import (
    PERSONAL_DATA,
    READ,
    WRITE_STAKEHOLDERS,
    Login,
    Operator,
    Role,
    engagement_for,
    identify,
    readable,
)
from gouvernance.errors import InvalidInput
from gouvernance.messages import file_not_found, plural
from gouvernance.stakeholders.vocabulary import Category, Quadrant, SalienceClass

if TYPE_CHECKING:
    from gouvernance.spec.schema import ProcessModel
    from gouvernance.stakeholders.analysis.results import Analysis

# The service (networkx, numpy) is imported by the commands that use it: `gouvernance --help` stays quick.

stakeholders_app = french_app(
    help="Cartographie des parties prenantes : import, consultations, export, analyse, RGPD.",
    no_args_is_help=True,
)

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


def _read(file: Path) -> bytes:
    if not file.is_file():
        raise InvalidInput(file_not_found(file))
    return file.read_bytes()


@stakeholders_app.command("import", cls=FrenchCommand)
@handle_errors
def import_command(
    engagement: Engagement,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FICHIER", help="Tableur enregistré en CSV (« ; » ou « , », UTF-8 ou Windows)."
        ),
    ],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Importe un tableur de parties prenantes : tout ou rien, chaque ligne fautive est signalée."""
    from gouvernance.stakeholders import importing as service

    content = _read(file)
    console.print(f"Lecture de {file.name} ({len(content)} octets)…", highlight=False)
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "stakeholders import")
        engagement_id, actor = engagement_for(session, caller, engagement, WRITE_STAKEHOLDERS, role)
        summary = service.import_csv(
            session,
            engagement_id=engagement_id,
            content=content,
            actor=actor,
            clock=context.clock(),
        )
    console.print(
        f"[green]✓[/] {plural(summary.rows, 'partie prenante importée', 'parties prenantes importées')} : "
        f"{plural(summary.created, 'ajoutée')}, {plural(summary.updated, 'mise à jour', 'mises à jour')}, "
        f"{summary.with_contacts} avec coordonnées "
        f"(séparateur « {summary.separator} », encodage {summary.encoding}).",
        highlight=False,
    )
    if summary.ignored_columns:
        console.print(f"Colonnes ignorées : {', '.join(summary.ignored_columns)}", highlight=False)


@stakeholders_app.command("import-relations", cls=FrenchCommand)
@handle_errors
def import_relations_command(
    engagement: Engagement,
    file: Annotated[
        Path,
        typer.Argument(metavar="FICHIER", help="CSV : Source;Cible;Type;Poids, avec les noms du registre."),
    ],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Importe des relations d'un tableur nommant les parties prenantes : tout ou rien."""
    from gouvernance.stakeholders import relations_import as service

    content = _read(file)
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "stakeholders import-relations")
        engagement_id, actor = engagement_for(session, caller, engagement, WRITE_STAKEHOLDERS, role)
        summary = service.import_relations(
            session, engagement_id=engagement_id, content=content, actor=actor, clock=context.clock()
        )
    console.print(
        f"[green]✓[/] {plural(summary.rows, 'ligne')} : "
        f"{plural(summary.created, 'relation ajoutée', 'relations ajoutées')}, "
        f"{plural(summary.already_there, 'déjà présente', 'déjà présentes')}.",
        highlight=False,
    )


@stakeholders_app.command("import-consultations", cls=FrenchCommand)
@handle_errors
def import_consultations_command(
    engagement: Engagement,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FICHIER",
            help="CSV : Date;Partie prenante;Méthode;Sujet;Notes (et Étape), une ligne par partie prenante.",
        ),
    ],
    step: Annotated[
        str | None,
        typer.Option(
            "--step", metavar="ÉTAPE", help="Étape (clé ou titre) des lignes sans colonne « Étape »."
        ),
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Importe des consultations d'un tableur nommant les parties prenantes : tout ou rien."""
    from gouvernance.stakeholders import consultations_import as service

    content = _read(file)
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "stakeholders import-consultations")
        engagement_id, actor = engagement_for(session, caller, engagement, WRITE_STAKEHOLDERS, role)
        summary = service.import_consultations(
            session,
            engagement_id=engagement_id,
            content=content,
            default_step=step,
            actor=actor,
            clock=context.clock(),
        )
    recorded = plural(summary.consultations, "consultation enregistrée", "consultations enregistrées")
    console.print(
        f"[green]✓[/] {recorded} ({plural(summary.rows, 'ligne')}).",
        highlight=False,
    )


@stakeholders_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(engagement: Engagement, login: Login = None, operator: Operator = False) -> None:
    """Liste les parties prenantes (sans leurs coordonnées)."""
    from gouvernance.stakeholders import register_service as service
    from gouvernance.stakeholders.analysis.classification import mendelow_quadrant, threshold_of
    from gouvernance.stakeholders.common import engagement_of

    with context.database().reading() as session:
        caller = identify(session, login, operator, "stakeholders list")
        engagement_id = readable(session, caller, engagement)
        rows = service.list_stakeholders(session, engagement_id)
        threshold = threshold_of(engagement_of(session, engagement_id)[0].parameters)
    table = Table(
        "N°",
        "Identifiant",
        "Nom",
        "Catégorie",
        "Pouvoir",
        "Intérêt",
        f"Stratégie (Mendelow, élevé à partir de {threshold:g})".replace(".", ","),
    )
    for row in rows:
        table.add_row(
            str(row.id),
            row.key,
            row.name,
            Category(row.category).fr,
            str(row.power),
            str(row.interest),
            mendelow_quadrant(row.power, row.interest, threshold).fr,
        )
    console.print(table)
    console.print(f"{plural(len(rows), 'partie prenante', 'parties prenantes')}.", highlight=False)


@stakeholders_app.command("consult", cls=FrenchCommand)
@handle_errors
def consult_command(
    engagement: Engagement,
    step: Annotated[str, typer.Option(metavar="ÉTAPE", help="Clé de l'étape que la consultation a servie.")],
    with_: Annotated[
        list[str],
        typer.Option(
            "--with", metavar="PARTIE", help="Partie prenante consultée : n°, identifiant ou nom (répétable)."
        ),
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="réunion publique, atelier, questionnaire, entretien, plateforme…",
        ),
    ] = "entretien",
    held_on: Annotated[
        str | None,
        typer.Option("--date", metavar="AAAA-MM-JJ", help="Date AAAA-MM-JJ (par défaut : aujourd'hui)."),
    ] = None,
    summary: Annotated[str, typer.Option(metavar="TEXTE", help="Résumé.")] = "",
    outcome: Annotated[str, typer.Option(metavar="TEXTE", help="Résultat, suites données.")] = "",
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Enregistre une consultation au journal des consultations."""
    from gouvernance.stakeholders import consultations as service
    from gouvernance.stakeholders.register_service import find_stakeholder

    clock = context.clock()
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "stakeholders consult")
        engagement_id, actor = engagement_for(session, caller, engagement, WRITE_STAKEHOLDERS, role)
        ids = [find_stakeholder(session, engagement_id, reference).id for reference in with_]
        view = service.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key=step,
            held_on=held_on or clock.now().astimezone(context.settings().tz).date().isoformat(),
            format=format,
            stakeholder_ids=ids,
            summary=summary,
            outcome=outcome,
            actor=actor,
            clock=clock,
        )
    console.print(
        f"Consultation n° {view.row.id} enregistrée pour « {step} » "
        f"({plural(len(view.stakeholder_ids), 'partie prenante', 'parties prenantes')}).",
        highlight=False,
    )


@stakeholders_app.command("export", cls=FrenchCommand)
@handle_errors
def export_command(
    engagement: Engagement,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="csv | graphml | gexf")] = "csv",
    with_contacts: Annotated[
        bool,
        typer.Option("--with-contacts", help="Inclut les coordonnées (données personnelles, usage interne)."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="CHEMIN", help="Fichier à écrire (par défaut : la sortie)."),
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Exporte la cartographie ; les coordonnées n'y figurent que sur demande explicite."""
    from gouvernance.stakeholders import reports as service

    with context.database().transaction() as session:
        caller = identify(session, login, operator, "stakeholders export")
        engagement_id, actor = engagement_for(session, caller, engagement, READ, role)
        exported = service.export(
            session,
            engagement_id=engagement_id,
            fmt=fmt,
            include_contacts=with_contacts,
            actor=actor,
            clock=context.clock(),
        )
    if with_contacts:
        errors.print(
            "[yellow]Attention[/] : cet export contient des données personnelles (RGPD) ; "
            "ne le diffusez pas et supprimez-le après usage.",
            highlight=False,
        )
    if out is None:
        sys.stdout.buffer.write(exported.content)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(exported.content)
    console.print(f"Export écrit : {out} ({len(exported.content)} octets)", highlight=False)


@stakeholders_app.command("analyse", cls=FrenchCommand)
@handle_errors
def analyse_command(
    engagement: Engagement,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Quadrants, saillance, intermédiaires, communautés, acteurs clés isolés, conflits et couverture."""
    from gouvernance.stakeholders import reports as service

    with context.database().reading() as session:
        engagement_id = readable(
            session, identify(session, login, operator, "stakeholders analyse"), engagement
        )
        analysis = service.analyse(session, engagement_id)
        model = service.model_of(session, engagement_id)
    if as_json:
        typer.echo(json.dumps(analysis.as_dict("fr"), ensure_ascii=False, indent=2, default=str))
        return
    render_analysis(analysis, model)


@stakeholders_app.command("erase-contacts", cls=FrenchCommand)
@handle_errors
def erase_contacts_command(
    engagement: Engagement,
    stakeholder: Annotated[
        str, typer.Argument(metavar="PARTIE", help="Partie prenante : n°, identifiant ou nom.")
    ],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Efface les coordonnées d'une partie prenante (droit à l'effacement, RGPD)."""
    from gouvernance.stakeholders import register_service as service

    with context.database().transaction() as session:
        caller = identify(session, login, operator, "stakeholders erase-contacts")
        engagement_id, actor = engagement_for(session, caller, engagement, PERSONAL_DATA, role)
        row = service.find_stakeholder(session, engagement_id, stakeholder)
        erased = service.erase_contacts(
            session,
            engagement_id=engagement_id,
            stakeholder_id=row.id,
            actor=actor,
            clock=context.clock(),
        )
        name = row.name
    if erased:
        console.print(f"Coordonnées de « {name} » effacées.", highlight=False)
    else:
        console.print(f"Aucune coordonnée enregistrée pour « {name} » : rien à effacer.", highlight=False)


# --- the analysis, in French ------------------------------------------------------------------------------


def render_analysis(analysis: Analysis, model: ProcessModel | None = None, *, top: int = 5) -> None:
    """The analysis as readable French tables (also printed at the end of `gouvernance demo`)."""
    console.print(
        f"[bold]Cartographie des parties prenantes[/] — "
        f"{plural(analysis.stakeholder_count, 'partie prenante', 'parties prenantes')}, "
        f"{plural(analysis.relation_count, 'relation')}",
        highlight=False,
    )
    quadrants: Mapping[Any, int] = analysis.counts.get("quadrant", {})
    high = f"{analysis.threshold:g}".replace(".", ",")
    console.print(
        "Stratégies (Mendelow) : "
        + " · ".join(f"{quadrant.fr} {quadrants.get(quadrant, 0)}" for quadrant in Quadrant)
        + f" (élevé à partir de {high} sur 5, pouvoir comme intérêt)",
        highlight=False,
    )
    classes: Mapping[Any, int] = analysis.counts.get("salience_class", {})
    console.print(
        "Saillance (Mitchell) : "
        + " · ".join(f"{item.fr} {classes[item]}" for item in SalienceClass if classes.get(item)),
        highlight=False,
    )
    _brokers(analysis, top)
    _communities(analysis, top)
    isolated = ", ".join(player.party.name for player in analysis.isolated_key_players) or "aucun"
    console.print(f"Acteurs clés isolés (sans relais) : {isolated}", highlight=False)
    _conflicts(analysis)
    _coverage(analysis, model)


def _brokers(analysis: Analysis, top: int) -> None:
    table = Table("Intermédiaire", "Intermédiarité", "Relations", "Groupes reliés", title="Intermédiaires")
    for broker in analysis.brokers[:top]:
        table.add_row(
            broker.party.name,
            f"{broker.score:.2f}",
            str(broker.degree),
            "—" if broker.communities_linked is None else str(broker.communities_linked),
        )
    console.print(table)


def _communities(analysis: Analysis, top: int) -> None:
    profiles = {profile.party.id: profile for profile in analysis.profiles}
    table = Table("N°", "Taille", "Principaux membres", title="Communautés (Louvain)")
    for community in analysis.communities:
        central = sorted(community.members, key=lambda member: (-profiles[member].betweenness, member))
        members = ", ".join(profiles[member].party.name for member in central[:top])
        more = f" … (+{community.size - top})" if community.size > top else ""
        table.add_row(str(community.index + 1), str(community.size), members + more)
    console.print(table)


def _conflicts(analysis: Analysis) -> None:
    table = Table("Conflit", "Intensité", "Médiateurs possibles", title="Conflits")
    for pair in analysis.conflicts:
        mediators = ", ".join(mediator.party.name for mediator in pair.mediators[:3]) or "aucun identifié"
        table.add_row(f"{pair.first.name} ↔ {pair.second.name}", f"{pair.weight:g}", mediators)
    console.print(table if analysis.conflicts else "Conflits : aucun.")


def _coverage(analysis: Analysis, model: ProcessModel | None) -> None:
    table = Table(
        "Phase", "Consultations", "Consultés", "Couverture", "Manque", title="Couverture des consultations"
    )
    for stage in analysis.coverage:
        title = stage.stage_key
        if model is not None and stage.stage_key in model.stages_by_key:
            title = model.stages_by_key[stage.stage_key].title.fr
        missing = [party.name for party in stage.missing_key_players]
        missing += [f"catégorie {category.fr}" for category in stage.missing_categories]
        required = stage.required_categories or stage.required_key_players
        table.add_row(
            title,
            str(len(stage.consultation_ids)),
            str(len(stage.consulted)),
            f"{round(stage.ratio * 100)} %" if required else "sans exigence",
            ", ".join(missing) or "—",
        )
    console.print(table)
