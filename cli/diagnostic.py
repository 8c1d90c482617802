"""`gouvernance diagnostic …`: the findings of an engagement's diagnostic (needs, assets, critical points,
projects under way), each traced to the consultations and stakeholders it came from."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gouvernance.access.service import PARTICIPANT_ROLES
from gouvernance.cli import context, values
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.diagnostic import service
from gouvernance.diagnostic.service import FindingData, FindingKind
from gouvernance.messages import plural
from gouvernance.stakeholders.register_service import find_stakeholder, list_stakeholders

RECORD = ("diagnostic.record", PARTICIPANT_ROLES)  # as the API's RECORD_FINDINGS permission

diagnostic_app = french_app(
    help="Diagnostic : besoins, atouts, points critiques et projets en cours, avec leurs sources.",
    no_args_is_help=True,
)

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]
_HEADINGS = {
    FindingKind.BESOIN: ("Besoin", "Besoins"),
    FindingKind.ATOUT: ("Atout", "Atouts"),
    FindingKind.POINT_CRITIQUE: ("Point critique", "Points critiques"),
    FindingKind.PROJET_EN_COURS: ("Projet en cours", "Projets en cours"),
}


def _kind_label(kind: FindingKind) -> str:
    return kind.label


@diagnostic_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(
    engagement: Engagement,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Les constats, par nature, avec les consultations et parties prenantes d'où ils viennent."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "diagnostic list")
        engagement_id = readable(session, caller, engagement)
        rows = service.findings(session, engagement_id)
        names = {row.id: row.name for row in list_stakeholders(session, engagement_id)}
    if as_json:
        data = [
            {
                "id": row.id,
                "kind": row.kind,
                "title": row.title,
                "detail": row.detail,
                "stakeholder_ids": row.stakeholder_ids,
                "consultation_ids": row.consultation_ids,
            }
            for row in rows
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("Aucun constat n'est encore inscrit au diagnostic.", highlight=False)
        return
    for kind in FindingKind:
        found = [row for row in rows if row.kind == kind.value]
        if not found:
            continue
        one, many = _HEADINGS[kind]
        console.print(f"\n[bold]{many if len(found) > 1 else one} ({len(found)})[/]", highlight=False)
        for row in found:
            console.print(f"  • {row.title}  [dim](n° {row.id})[/]", highlight=False)
            if row.detail:
                console.print(f"    {row.detail}", highlight=False)
            sources = [names.get(i, f"n° {i}") for i in row.stakeholder_ids]
            sources += [f"consultation n° {i}" for i in row.consultation_ids]
            if sources:
                console.print(f"    sources : {', '.join(sources)}", highlight=False)
    console.print(f"\n{plural(len(rows), 'constat')}.", highlight=False)


@diagnostic_app.command("add", cls=FrenchCommand)
@handle_errors
def add_command(
    engagement: Engagement,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="NATURE",
            help=f"Nature du constat : {values.choices(FindingKind, _kind_label)}.",
        ),
    ],
    title: Annotated[str, typer.Option("--title", metavar="TITRE", help="Le constat, en une phrase.")],
    detail: Annotated[str, typer.Option("--detail", metavar="TEXTE", help="Précisions.")] = "",
    stakeholders: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            metavar="PARTIE",
            help="Partie prenante d'où vient le constat : n°, identifiant ou nom (répétable).",
        ),
    ] = None,
    consultations: Annotated[
        list[str] | None,
        typer.Option("--consultation", metavar="N°", help="Consultation d'où vient le constat (répétable)."),
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Inscrit un constat au diagnostic."""
    chosen = values.choice(kind, FindingKind, _kind_label, "--kind")
    consultation_ids = values.identifiers(consultations or [], "--consultation")
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "diagnostic add")
        engagement_id, actor = engagement_for(session, caller, engagement, RECORD, role)
        ids = tuple(
            find_stakeholder(session, engagement_id, reference).id for reference in stakeholders or []
        )
        row = service.record_finding(
            session,
            engagement_id=engagement_id,
            data=FindingData(chosen, title.strip(), detail, ids, consultation_ids),
            actor=actor,
            clock=context.clock(),
        )
        recorded = row.id
    console.print(f"[green]✓[/] Constat n° {recorded} inscrit ({chosen.label}).", highlight=False)
