"""`gouvernance budget …`: the participatory budget of an engagement — proposals submitted and reviewed
(recevable, faisable, soumise au vote… with the reason of a refusal), votes counted per channel, the vote
closed within the envelope, and its results."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.table import Table

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.budget import service
from gouvernance.budget.records import ProposalRow
from gouvernance.budget.service import ProposalStatus, VoteChannel
from gouvernance.cli import context, values
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.deliverables.french import format_euros
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural

# As the API's permissions (api/budget.py) for the same actions.
SUBMIT = ("budget.submit", PARTICIPANT_ROLES)
REVIEW = ("budget.review", LEAD_ROLES | {"agent"})
COUNT = ("budget.count", LEAD_ROLES | {"agent"})
CLOSE = ("budget.close", LEAD_ROLES)

budget_app = french_app(
    help="Budget participatif : propositions, instruction, voix par canal, clôture du vote et résultats.",
    no_args_is_help=True,
)

Engagement = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]
Number = Annotated[int, typer.Argument(metavar="N°", help="Numéro de la proposition.")]


def _status_label(status: ProposalStatus) -> str:
    return status.label


@budget_app.command("list", cls=FrenchCommand)
@handle_errors
def list_command(
    engagement: Engagement,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Les propositions, par numéro : coût estimé, statut et motif d'un refus."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "budget list")
        rows = service.proposals(session, readable(session, caller, engagement))
    if as_json:
        typer.echo(json.dumps([_as_dict(row) for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table("N°", "Titre", "Quartier", "Coût estimé", "Statut", "Motif")
    for row in rows:
        table.add_row(
            str(row.number),
            row.title,
            row.district or "—",
            format_euros(row.estimated_cost) if row.estimated_cost is not None else "—",
            ProposalStatus(row.status).label,
            row.status_reason or "",
        )
    console.print(table)
    console.print(f"{plural(len(rows), 'proposition')}.", highlight=False)


@budget_app.command("add", cls=FrenchCommand)
@handle_errors
def add_command(
    engagement: Engagement,
    title: Annotated[str, typer.Option("--title", metavar="TITRE", help="Le titre de la proposition.")],
    description: Annotated[str, typer.Option("--description", metavar="TEXTE", help="Le projet.")] = "",
    district: Annotated[
        str, typer.Option("--district", metavar="QUARTIER", help="Quartier ou commune.")
    ] = "",
    cost: Annotated[
        str | None, typer.Option("--cost", metavar="MONTANT", help="Coût estimé en € TTC (28 500).")
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Dépose une proposition (elle est « déposée » et reçoit un numéro)."""
    estimated = values.amount(cost, "--cost") if cost is not None else None
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "budget add")
        engagement_id, actor = engagement_for(session, caller, engagement, SUBMIT, role)
        row = service.submit_proposal(
            session,
            engagement_id=engagement_id,
            title=title.strip(),
            description=description,
            district=district.strip(),
            estimated_cost=estimated,
            actor=actor,
            clock=context.clock(),
        )
        number = row.number
    console.print(f"[green]✓[/] Proposition n° {number} déposée.", highlight=False)


@budget_app.command("cost", cls=FrenchCommand)
@handle_errors
def cost_command(
    engagement: Engagement,
    number: Number,
    cost: Annotated[str, typer.Argument(metavar="MONTANT", help="Coût estimé par les services, en € TTC.")],
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Estime le coût d'une proposition (jusqu'à ce qu'elle soit soumise au vote)."""
    amount = values.amount(cost, "MONTANT")
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "budget cost")
        engagement_id, actor = engagement_for(session, caller, engagement, REVIEW, role)
        service.estimate_cost(
            session,
            engagement_id=engagement_id,
            number=number,
            cost=amount,
            actor=actor,
            clock=context.clock(),
        )
    console.print(
        f"[green]✓[/] Proposition n° {number} : coût estimé à {format_euros(amount)}.", highlight=False
    )


@budget_app.command("move", cls=FrenchCommand)
@handle_errors
def move_command(
    engagement: Engagement,
    number: Number,
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUT",
            help="recevable, irrecevable, faisable, non faisable, soumise au vote ou réalisée.",
        ),
    ],
    reason: Annotated[
        str,
        typer.Option("--reason", metavar="MOTIF", help="Obligatoire pour un refus ; le motif est publié."),
    ] = "",
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Fait avancer une proposition dans l'instruction."""
    to = values.choice(status, ProposalStatus, _status_label, "STATUT")
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "budget move")
        engagement_id, actor = engagement_for(session, caller, engagement, REVIEW, role)
        service.move_proposal(
            session,
            engagement_id=engagement_id,
            number=number,
            to=to,
            reason=reason,
            actor=actor,
            clock=context.clock(),
        )
    console.print(f"[green]✓[/] Proposition n° {number} : {to.label}.", highlight=False)


@budget_app.command("votes", cls=FrenchCommand)
@handle_errors
def votes_command(
    engagement: Engagement,
    number: Number,
    online: Annotated[
        int | None,
        typer.Option("--en-ligne", metavar="VOIX", help="Voix exprimées en ligne."),
    ] = None,
    ballot_box: Annotated[
        int | None,
        typer.Option("--urne", metavar="VOIX", help="Voix dépouillées dans l'urne."),
    ] = None,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Saisit les voix d'une proposition, par canal (une nouvelle saisie d'un canal remplace la première)."""
    counts = {VoteChannel.EN_LIGNE: online, VoteChannel.URNE: ballot_box}
    given = {channel: votes for channel, votes in counts.items() if votes is not None}
    if not given:
        raise InvalidInput(
            Message(
                "cli.votes_missing",
                "précisez les voix d'au moins un canal : --en-ligne VOIX et/ou --urne VOIX",
                "give the votes of at least one channel: --en-ligne VOTES and/or --urne VOTES",
            )
        )
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "budget votes")
        engagement_id, actor = engagement_for(session, caller, engagement, COUNT, role)
        for channel, votes in given.items():
            service.record_votes(
                session,
                engagement_id=engagement_id,
                number=number,
                channel=channel,
                votes=votes,
                actor=actor,
                clock=context.clock(),
            )
    counted = ", ".join(
        f"{plural(votes, 'voix', 'voix')} {_channel(channel)}" for channel, votes in given.items()
    )
    console.print(f"[green]✓[/] Proposition n° {number} : {counted}.", highlight=False)


@budget_app.command("close", cls=FrenchCommand)
@handle_errors
def close_command(
    engagement: Engagement,
    role: Role = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Clôt le vote : les propositions sont prises par voix décroissantes tant qu'elles tiennent dans
    l'enveloppe. Une seule fois."""
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "budget close")
        engagement_id, actor = engagement_for(session, caller, engagement, CLOSE, role)
        results = service.close_vote(session, engagement_id=engagement_id, actor=actor, clock=context.clock())
        closed = service.closed_vote(session, engagement_id)
        assert closed is not None
        envelope = closed.envelope
    console.print("[green]✓[/] Vote clos.", highlight=False)
    _print_results(envelope, [result.as_dict() for result in results])


@budget_app.command("results", cls=FrenchCommand)
@handle_errors
def results_command(
    engagement: Engagement,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Les résultats du vote, une fois clos."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "budget results")
        closed = service.closed_vote(session, readable(session, caller, engagement))
        found = (closed.envelope, list(closed.results)) if closed is not None else None
    if as_json:
        data: dict[str, Any] = {"closed": found is not None}
        if found is not None:
            data |= {"envelope": str(found[0]), "results": found[1]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if found is None:
        console.print("Le vote n'est pas encore clos : pas de résultats.", highlight=False)
        return
    _print_results(*found)


def _print_results(envelope: Decimal, results: list[dict[str, Any]]) -> None:
    table = Table("Rang", "N°", "Proposition", "Voix", "En ligne", "Urne", "Coût", "Résultat")
    spent = Decimal(0)
    for rank, result in enumerate(results, start=1):
        cost = Decimal(str(result["cost"]))
        if result["won"]:
            spent += cost
        by_channel = result["by_channel"]
        table.add_row(
            str(rank),
            str(result["number"]),
            result["title"],
            str(result["votes"]),
            str(by_channel.get(VoteChannel.EN_LIGNE.value, 0)),
            str(by_channel.get(VoteChannel.URNE.value, 0)),
            format_euros(cost),
            "lauréate" if result["won"] else "non retenue",
        )
    console.print(table)
    winners = sum(1 for result in results if result["won"])
    console.print(
        f"{plural(winners, 'lauréate')} pour {format_euros(spent)} sur une enveloppe de "
        f"{format_euros(envelope)}.",
        highlight=False,
    )


def _channel(channel: VoteChannel) -> str:
    return "en ligne" if channel is VoteChannel.EN_LIGNE else "à l'urne"


def _as_dict(row: ProposalRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "title": row.title,
        "description": row.description,
        "district": row.district,
        "estimated_cost": str(row.estimated_cost) if row.estimated_cost is not None else None,
        "status": row.status,
        "status_reason": row.status_reason,
    }
