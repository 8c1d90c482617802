"""`gouvernance users` and `gouvernance tokens`: who may use the API, with which roles; and
`gouvernance serve`, which runs it."""

from __future__ import annotations

import gc
import getpass
import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.admin import invite
from gouvernance.access.service import (
    ORGANISATION_KINDS,
    ROLES,
    add_user,
    create_token,
    grant,
    revoke_tokens,
    set_org_admin,
    tokens_of,
)
from gouvernance.access.web_login import set_password
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, require_operator, user
from gouvernance.engagements.progress import find_engagement_id
from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural
from gouvernance.privacy.accounts import delete_user

users_app = french_app(help="Utilisateurs de l'API et leurs rôles.", no_args_is_help=True)
tokens_app = french_app(help="Jetons d'API (stockés hachés).", no_args_is_help=True)


@users_app.command("add", cls=FrenchCommand)
@handle_errors
def users_add(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant, ex. julien.robert.")],
    org: Annotated[
        str,
        typer.Option(
            "--org", metavar="ORGANISATION", help="Organisation (créée si besoin), ex. cc-val-fleuri."
        ),
    ],
    org_kind: Annotated[
        str,
        typer.Option(
            "--org-kind",
            metavar="TYPE",
            help=f"Type d'une nouvelle organisation : {' | '.join(ORGANISATION_KINDS)}.",
        ),
    ] = "collectivite",
    name: Annotated[str | None, typer.Option(metavar="NOM", help="Nom affiché.")] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Administrateur de l'organisation (ses webhooks).")
    ] = False,
    operator: Operator = False,
) -> None:
    """Ajoute un utilisateur à une organisation (collectivité ou cabinet)."""
    require_operator(operator, "users add")
    with context.database().transaction() as session:
        add_user(
            session,
            login,
            organisation=org,
            organisation_kind=org_kind,
            display_name=name,
            org_admin=admin,
            clock=context.clock(),
        )
    role = " (administrateur de l'organisation)" if admin else ""
    console.print(f"Utilisateur « {login} » ajouté à l'organisation « {org} »{role}.", highlight=False)


@users_app.command("delete", cls=FrenchCommand)
@handle_errors
def users_delete(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    operator: Operator = False,
) -> None:
    """Supprime un compte, avec ses jetons d'API et de calendrier, son mot de passe web, ses sessions, ses
    rôles, ses coordonnées et ses notifications."""
    system_user = require_operator(operator, "users delete")
    with context.database().transaction() as session:
        counts = delete_user(session, login, by=f"cli:{system_user}", clock=context.clock())
    console.print(
        f"Compte « {login} » supprimé ({plural(counts['api_tokens'], 'jeton')}, "
        f"{plural(counts['web_sessions'], 'session')}, {plural(counts['grants'], 'rôle')}).",
        highlight=False,
    )


@users_app.command("invite", cls=FrenchCommand)
@handle_errors
def users_invite(
    email: Annotated[
        str, typer.Argument(metavar="COURRIEL", help="Adresse de la personne (son identifiant).")
    ],
    role: Annotated[str, typer.Option("--role", metavar="RÔLE", help=f"Rôle : {' | '.join(ROLES)}.")],
    engagement: Annotated[
        str | None,
        typer.Option(
            "--engagement",
            metavar="ACCOMPAGNEMENT",
            help="Sur cet accompagnement ; absent : toute l'organisation.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(metavar="NOM", help="Nom affiché.")] = None,
    login: Login = None,
) -> None:
    """Invite une personne (administrateurs de l'organisation) : compte, rôle, et lien par courriel pour
    choisir son mot de passe."""
    with context.database().transaction() as session:
        admin = user(session, login)
        engagement_id = find_engagement_id(session, engagement) if engagement else None
        invited = invite(
            session,
            by=admin.login,
            email=email,
            name=name,
            role=role,
            engagement_id=engagement_id,
            clock=context.clock(),
            base_url=context.settings().base_url,
        )
    state = "Compte créé" if invited.created else "Rôle donné"
    console.print(
        f"{state} pour « {invited.login} » ; l'invitation part par courriel au prochain envoi.",
        highlight=False,
    )


@users_app.command("set-admin", cls=FrenchCommand)
@handle_errors
def users_set_admin(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    remove: Annotated[bool, typer.Option("--remove", help="Lui retire ce rôle.")] = False,
    operator: Operator = False,
) -> None:
    """Fait d'un utilisateur un administrateur de son organisation (ou ne l'est plus, avec --remove)."""
    require_operator(operator, "users set-admin")
    with context.database().transaction() as session:
        row = set_org_admin(session, login, admin=not remove)
        organisation = row.organisation_key
    state = "n'est plus" if remove else "est désormais"
    console.print(
        f"« {login} » {state} administrateur de l'organisation « {organisation} ».", highlight=False
    )


@users_app.command("set-password", cls=FrenchCommand)
@handle_errors
def users_set_password(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    operator: Operator = False,
) -> None:
    """Définit le mot de passe de l'interface web (demandé deux fois, ou lu sur l'entrée standard)."""
    require_operator(operator, "users set-password")
    password = _read_password()
    with context.database().transaction() as session:
        set_password(session, login, password, now=context.clock().now())
    console.print(
        f"Mot de passe de « {login} » défini ; ses sessions ouvertes sont fermées.", highlight=False
    )


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (encore) : ") != first:
        raise InvalidInput(
            Message(
                "web.password_mismatch",
                "Les deux saisies diffèrent : rien n'a été changé.",
                "The two entries differ: nothing was changed.",
                "password",
            )
        )
    return first


@users_app.command("grant", cls=FrenchCommand)
@handle_errors
def users_grant(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    role: Annotated[str, typer.Option("--role", metavar="RÔLE", help=" | ".join(ROLES))],
    engagement: Annotated[
        str | None,
        typer.Option(
            "--engagement", metavar="ACCOMPAGNEMENT", help="Sur cet accompagnement (identifiant ou début)."
        ),
    ] = None,
    org_wide: Annotated[
        bool, typer.Option("--org-wide", help="Sur tous les accompagnements de son organisation.")
    ] = False,
    operator: Operator = False,
) -> None:
    """Donne un rôle, sur un accompagnement ou sur toute l'organisation de l'utilisateur."""
    system_user = require_operator(operator, "users grant")
    if (engagement is None) == (not org_wide):
        raise InvalidInput(
            Message(
                "grant.scope",
                "précisez --engagement ID ou --org-wide (l'un des deux)",
                "give --engagement ID or --org-wide (exactly one)",
            )
        )
    with context.database().transaction() as session:
        engagement_id = find_engagement_id(session, engagement) if engagement else None
        grant(
            session, login, role, engagement_id=engagement_id, clock=context.clock(), by=f"cli:{system_user}"
        )
    where = f"l'accompagnement {engagement_id}" if engagement_id else "toute son organisation"
    console.print(f"Rôle « {role} » donné à « {login} » sur {where}.", highlight=False)


@tokens_app.command("create", cls=FrenchCommand)
@handle_errors
def tokens_create(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    calendar: Annotated[
        bool,
        typer.Option(
            "--calendar",
            help="Un jeton de calendrier (gc_…) : il n'ouvre que les calendriers .ics, dans l'adresse "
            "d'abonnement (…/me/calendar.ics?jeton=gc_…).",
        ),
    ] = False,
    operator: Operator = False,
) -> None:
    """Crée un jeton d'API et l'affiche (une seule fois : seul son hachage est conservé)."""
    require_operator(operator, "tokens create")
    with context.database().transaction() as session:
        token = create_token(session, login, clock=context.clock(), feed=calendar)
    typer.echo(token)


@tokens_app.command("list", cls=FrenchCommand)
@handle_errors
def tokens_list(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    operator: Operator = False,
) -> None:
    """Liste les jetons d'un utilisateur : préfixe, création, révocation (jamais le jeton lui-même)."""
    require_operator(operator, "tokens list")
    with context.database().reading() as session:
        rows = tokens_of(session, login)
    table = Table("Préfixe", "Créé le", "Révoqué le")
    for row in rows:
        table.add_row(row.prefix + "…", _moment(row.created_at), _moment(row.revoked_at) or "actif")
    console.print(table)


@tokens_app.command("revoke", cls=FrenchCommand)
@handle_errors
def tokens_revoke(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix", metavar="PRÉFIXE", help="Le préfixe affiché par « tokens list », ou le jeton entier."
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Révoque tous ses jetons actifs.")] = False,
    operator: Operator = False,
) -> None:
    """Révoque un jeton (ou tous) : il est refusé dans les secondes qui suivent."""
    require_operator(operator, "tokens revoke")
    if (prefix is None) == (not every):
        raise InvalidInput(
            Message(
                "token.scope",
                "précisez --prefix PRÉFIXE ou --all (l'un des deux)",
                "give --prefix PREFIX or --all (exactly one)",
            )
        )
    with context.database().transaction() as session:
        revoked = revoke_tokens(session, login, prefix=prefix, clock=context.clock())
    cache = "les serveurs en marche le refusent d'ici 5 secondes"
    console.print(
        f"{plural(len(revoked), 'jeton révoqué', 'jetons révoqués')} pour « {login} » ; {cache}.",
        highlight=False,
    )


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(context.settings().tz).strftime("%d/%m/%Y %H:%M")


@handle_errors
def serve_command(
    host: Annotated[str, typer.Option(metavar="ADRESSE", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option("--demo/--no-demo", help="Prépare un accompagnement et des jetons de démonstration."),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Processus servant l'API (au-delà de 1 : PostgreSQL seulement) ; "
            "un par cœur pour commencer.",
        ),
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Une ligne de journal par requête.")
    ] = True,
) -> None:
    """Démarre l'API HTTP (documentation sur /docs)."""
    gc.disable()  # until the application's start-up freezes what was built (create_app's lifespan)
    from gouvernance.api.app import create_app
    from gouvernance.api.server import ServeOptions, bind, check_workers, serve

    db = context.database()
    check_workers(workers, db.dialect)
    sock = bind(host, port)  # before the demo's tokens: a busy port is said first, and nothing is prepared
    clock = context.clock()
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if demo:
        from gouvernance.demo.server import prepare_server_demo

        prepared = prepare_server_demo(db, context.catalog(), clock)
        _print_demo(prepared, base)
    console.print(f"Interface web : [link]{base}/connexion[/]", highlight=False)
    console.print(f"Documentation de l'API : [link]{base}/docs[/]", highlight=False)
    options = ServeOptions(
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        keep_alive_seconds=context.settings().keep_alive_seconds,
        forwarded_allow_ips=context.settings().forwarded_allow_ips,
    )
    if workers == 1:
        serve(options, create_app(runtime=context.runtime()), sock)
        return
    db.dispose()  # each of uvicorn's workers builds its app, and its connections, from the same settings
    gc.enable()  # this process only supervises the workers
    serve(options, sock=sock)


def _print_demo(prepared: object, base: str) -> None:
    from gouvernance.demo.server import ServerDemo

    assert isinstance(prepared, ServerDemo)
    console.print(
        f"[bold]Démonstration[/] — {prepared.territory}\nAccompagnement : [cyan]{prepared.engagement_id}[/]",
        highlight=False,
    )
    console.print("Jetons d'API (affichés une seule fois) :", highlight=False)
    for item in prepared.tokens:  # one per line, never truncated: they are meant to be copied
        console.print(f"  {item.role:<15} {item.login:<25} {item.token}", highlight=False, soft_wrap=True)
    console.print("Connexion à l'interface web (mots de passe affichés une seule fois) :", highlight=False)
    for item in prepared.tokens:
        console.print(f"  {item.role:<15} {item.login:<25} {item.password}", highlight=False, soft_wrap=True)
    consultant = prepared.tokens[0].token
    console.print("Exemples :", highlight=False)
    console.print(
        f'  curl -H "Authorization: Bearer {consultant}" {base}/engagements/{prepared.engagement_id}/steps',
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f'  curl -H "Authorization: Bearer {consultant}" {base}/me/tasks', highlight=False, soft_wrap=True
    )
