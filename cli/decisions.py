"""`gouvernance decisions …`: the decision register of an engagement — deliberations and decisions with their
number, body, legal basis, votes, transmission to the contrôle de légalité and publication."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.service import LEAD_ROLES
from gouvernance.cli import context, values
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.decisions import service
from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody, DecisionData
from gouvernance.messages import plural

RECORD = ("decisions.record", LEAD_ROLES)  # as the API's RECORD_DECISIONS permission

decisions_app = french_app(
    help="Registre des décisions : délibérations et décisions des instances, votes, transmission, "
    "publication.",
    no_args_is_help=True,
)

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


def _body_label(body: DecidingBody) -> str:
    return body.label


@decisions_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(
    engagement: Engagement,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Le registre, de la plus ancienne décision à la plus récente."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "decisions list")
        rows = service.decisions(session, readable(session, caller, engagement))
    if as_json:
        typer.echo(json.dumps([_as_dict(row) for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table(
        "N°", "Date", "Instance", "Titre", "Pour", "Contre", "Abst.", "Transmise", "Publiée", "Étape"
    )
    for row in rows:
        table.add_row(
            row.number,
            f"{row.decided_on:%d/%m/%Y}",
            DecidingBody(row.body).label,
            row.title + ("" if row.public else " (non publique)"),
            _count(row.votes_for),
            _count(row.votes_against),
            _count(row.abstentions),
            f"{row.transmitted_on:%d/%m/%Y}" if row.transmitted_on else "—",
            f"{row.published_on:%d/%m/%Y}" if row.published_on else "—",
            row.step_key or "—",
        )
    console.print(table)
    console.print(f"{plural(len(rows), 'décision')} au registre.", highlight=False)


@decisions_app.command("show", cls=FrenchCommand)
@handle_errors
def show_command(
    engagement: Engagement,
    number: Annotated[str, typer.Argument(metavar="NUMÉRO", help="Le numéro que lui a donné l'instance.")],
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Une décision du registre, en entier."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "decisions show")
        row = service.decision(session, readable(session, caller, engagement), number)
    if as_json:
        typer.echo(json.dumps(_as_dict(row), ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]Décision n° {row.number}[/] — {row.title}", highlight=False)
    lines = [
        ("Date", f"{row.decided_on:%d/%m/%Y}"),
        ("Instance", DecidingBody(row.body).label),
        ("Base légale", row.legal_basis or "non renseignée"),
        ("Votes", _votes(row)),
        ("Transmission au contrôle de légalité", _day(row.transmitted_on)),
        ("Publication", _day(row.published_on)),
        ("Étape", row.step_key or "aucune"),
        ("Consultations liées", ", ".join(f"n° {i}" for i in row.consultation_ids) or "aucune"),
        ("Registre public", "oui" if row.public else "non"),
        ("Inscrite par", row.recorded_by),
    ]
    for label, value in lines:
        console.print(f"  {label} : {value}", highlight=False)
    if row.text:
        console.print(f"\n{row.text}", highlight=False)


@decisions_app.command("add", cls=FrenchCommand)
@handle_errors
def add_command(
    engagement: Engagement,
    number: Annotated[
        str, typer.Option("--number", metavar="NUMÉRO", help="Le numéro que lui donne l'instance (2027-014).")
    ],
    title: Annotated[str, typer.Option("--title", metavar="TITRE", help="L'objet de la décision.")],
    decided_on: Annotated[
        str, typer.Option("--date", metavar="JJ/MM/AAAA", help="Date de la séance ou de l'arrêté.")
    ],
    body: Annotated[
        str,
        typer.Option(
            "--body",
            metavar="INSTANCE",
            help=f"L'instance qui a décidé : {values.choices(DecidingBody, _body_label)}.",
        ),
    ],
    text: Annotated[str, typer.Option("--text", metavar="TEXTE", help="Le dispositif, ou son résumé.")] = "",
    legal_basis: Annotated[
        str, typer.Option("--legal-basis", metavar="ARTICLE", help="La base légale (CGCT L2121-29).")
    ] = "",
    votes_for: Annotated[int | None, typer.Option("--for", metavar="N", help="Voix pour.")] = None,
    votes_against: Annotated[
        int | None,
        typer.Option("--against", metavar="N", help="Voix contre."),
    ] = None,
    abstentions: Annotated[
        int | None,
        typer.Option("--abstentions", metavar="N", help="Abstentions."),
    ] = None,
    transmitted_on: Annotated[
        str | None,
        typer.Option(
            "--transmitted", metavar="JJ/MM/AAAA", help="Date de transmission au contrôle de légalité."
        ),
    ] = None,
    published_on: Annotated[
        str | None, typer.Option("--published", metavar="JJ/MM/AAAA", help="Date de publication.")
    ] = None,
    step: Annotated[
        str | None, typer.Option("--step", metavar="ÉTAPE", help="Clé de l'étape que la décision sert.")
    ] = None,
    consultations: Annotated[
        list[str] | None,
        typer.Option(
            "--consultation", metavar="N°", help="Consultation qui a préparé la décision (répétable)."
        ),
    ] = None,
    private: Annotated[
        bool, typer.Option("--private", help="Ne la publie pas dans le registre public.")
    ] = False,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Inscrit une décision au registre (les pilotes de l'accompagnement)."""
    data = DecisionData(
        number=number.strip(),
        title=title.strip(),
        decided_on=values.day(decided_on, "--date"),
        body=values.choice(body, DecidingBody, _body_label, "--body"),
        text=text,
        legal_basis=legal_basis.strip(),
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        transmitted_on=values.optional_day(transmitted_on, "--transmitted"),
        published_on=values.optional_day(published_on, "--published"),
        step_key=step,
        consultation_ids=values.identifiers(consultations or [], "--consultation"),
        public=not private,
    )
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "decisions add")
        engagement_id, actor = engagement_for(session, caller, engagement, RECORD, role)
        row = service.record_decision(
            session, engagement_id=engagement_id, data=data, actor=actor, clock=context.clock()
        )
        recorded = row.number
    console.print(f"[green]✓[/] Décision n° {recorded} inscrite au registre.", highlight=False)


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else "non renseignée"


def _votes(row: DecisionRow) -> str:
    if row.votes_for is None and row.votes_against is None and row.abstentions is None:
        return "non renseignés"
    abstentions = "abstentions non renseignées"
    if row.abstentions is not None:
        abstentions = plural(row.abstentions, "abstention")
    return f"{_count(row.votes_for)} pour, {_count(row.votes_against)} contre, {abstentions}"


def _as_dict(row: DecisionRow) -> dict[str, object]:
    return {
        "number": row.number,
        "title": row.title,
        "text": row.text,
        "decided_on": row.decided_on.isoformat(),
        "body": row.body,
        "legal_basis": row.legal_basis,
        "votes_for": row.votes_for,
        "votes_against": row.votes_against,
        "abstentions": row.abstentions,
        "transmitted_on": row.transmitted_on.isoformat() if row.transmitted_on else None,
        "published_on": row.published_on.isoformat() if row.published_on else None,
        "step_key": row.step_key,
        "consultation_ids": row.consultation_ids,
        "public": row.public,
    }
