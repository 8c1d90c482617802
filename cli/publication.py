"""`gouvernance publish …` opens (or closes) an engagement's public record; `gouvernance export …` writes the
open-data package (ZIP: CSV, JSON, datapackage.json) of a public engagement or of an organisation's public
engagements."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gouvernance.access.permissions import organisation_roles
from gouvernance.access.service import LEAD_ROLES
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.identity import Login, Operator, Role, engagement_for, identify, readable
from gouvernance.errors import InvalidInput, Message
from gouvernance.publication import record
from gouvernance.publication.service import organisation_not_found, publication, set_public

SET_PUBLICATION = ("publication.set", LEAD_ROLES)  # as the API's SET_PUBLICATION permission
EXPORT_PORTFOLIO = "open_data.portfolio"  # as the API's EXPORT_PORTFOLIO permission

EngagementArgument = Annotated[
    str,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]
OptionalEngagement = Annotated[
    str | None,
    typer.Argument(
        metavar="ACCOMPAGNEMENT", help="Identifiant (ou début d'identifiant) de l'accompagnement."
    ),
]


@handle_errors
def publish_command(
    engagement: EngagementArgument,
    withdraw: Annotated[bool, typer.Option("--retirer", help="Fermer le registre public.")] = False,
    login: Login = None,
    operator: Operator = False,
    role: Role = None,
) -> None:
    """Ouvrir le registre public de l'accompagnement (sans connexion : avancement, décisions et indicateurs
    publics, flux Atom, données ouvertes), ou le fermer avec --retirer. Réservé à ses responsables."""
    with context.database().transaction() as session:
        caller = identify(session, login, operator, "publish")
        engagement_id, actor = engagement_for(session, caller, engagement, SET_PUBLICATION, role)
        found = set_public(
            session, engagement_id=engagement_id, public=not withdraw, actor=actor, clock=context.clock()
        )
    if found.public:
        console.print(
            f"Registre public ouvert : /public/engagements/{engagement_id} "
            f"(flux : /public/engagements/{engagement_id}/decisions.atom)",
            highlight=False,
        )
    else:
        console.print("Registre public fermé : les routes publiques répondent 404.", highlight=False)


@handle_errors
def export_command(
    out: Annotated[Path, typer.Option("--out", metavar="FICHIER.zip", help="Le fichier ZIP à écrire.")],
    engagement: OptionalEngagement = None,
    portfolio: Annotated[
        str | None,
        typer.Option(
            "--portfolio", metavar="ORGANISATION", help="Tous les accompagnements publics de l'organisation."
        ),
    ] = None,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Les données ouvertes (Licence Ouverte 2.0) d'un accompagnement public, ou avec --portfolio de tous
    les accompagnements publics d'une organisation (ses responsables) : CSV et JSON décrits par un
    datapackage.json."""
    if (engagement is None) == (portfolio is None):
        raise InvalidInput(
            Message(
                "cli.export_target",
                "Donnez un accompagnement, ou --portfolio ORGANISATION (l'un ou l'autre).",
                "Give an engagement, or --portfolio ORGANISATION (one or the other).",
                path="portfolio",
            )
        )
    clock = context.clock()
    now = clock.now()
    today = now.astimezone(context.settings().tz).date()
    with context.database().reading() as session:
        caller = identify(session, login, operator, "export")
        if portfolio is not None:
            principal = caller.principal
            if principal is not None:
                organisation_roles(principal, permission=EXPORT_PORTFOLIO, required=LEAD_ROLES)
                if principal.organisation != portfolio:
                    raise organisation_not_found(portfolio)
            content = record.portfolio_open_data(session, portfolio, now=now, as_of=today, tz=clock.tz)
        else:
            assert engagement is not None
            engagement_id = readable(session, caller, engagement)
            if not publication(session, engagement_id).public:
                raise InvalidInput(
                    Message(
                        "open_data.not_public",
                        "Cet accompagnement n'est pas public : ouvrez d'abord son registre public avec "
                        f"« gouvernance publish {engagement_id} ».",
                        "This engagement is not public: open its public record first with "
                        f"'gouvernance publish {engagement_id}'.",
                        details={"engagement": engagement_id},
                    )
                )
            content = record.engagement_open_data(session, engagement_id, now=now, as_of=today, tz=clock.tz)
    out.write_bytes(content)
    console.print(f"Données ouvertes écrites : {out} ({len(content) / 1024:.0f} Kio)", highlight=False)
