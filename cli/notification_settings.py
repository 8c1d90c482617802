"""`gouvernance users set-email|set-preferences` (how notifications reach someone) and
`gouvernance webhooks` (where an organisation's events are posted, managed by its admins)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Operator, require_operator
from gouvernance.errors import InvalidInput, Message
from gouvernance.notifications.preferences import LANGUAGES, Preferences
from gouvernance.notifications.preferences import preferences_of as read_preferences
from gouvernance.notifications.preferences import set_preferences as write_preferences
from gouvernance.notifications.webhooks import add_webhook, remove_webhook, webhooks_of

webhooks_app = french_app(
    help="Webhooks d'une organisation (réservés à ses administrateurs).", no_args_is_help=True
)
Organisation = Annotated[
    str, typer.Argument(metavar="ORGANISATION", help="Identifiant de l'organisation, ex. cc-val-fleuri.")
]
Admin = Annotated[
    str,
    typer.Option(
        "--as", metavar="IDENTIFIANT", help="Votre identifiant : un administrateur de l'organisation."
    ),
]

_DELIVERY_FR = {
    "immediate": "un courriel par notification",
    "daily_digest": "un récapitulatif par jour",
    "none": "dans l'application seulement",
}


@handle_errors
def users_set_preferences(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    email: Annotated[
        str | None, typer.Option("--email", metavar="ADRESSE", help="Adresse des courriels.")
    ] = None,
    no_email: Annotated[bool, typer.Option("--no-email", help="Efface l'adresse.")] = False,
    language: Annotated[
        str | None, typer.Option("--language", metavar="LANGUE", help=" | ".join(LANGUAGES))
    ] = None,
    delivery: Annotated[
        str | None,
        typer.Option(
            "--delivery",
            metavar="MODE",
            help="immediate (un courriel par notification) | daily_digest (un par jour) | none "
            "(application seulement).",
        ),
    ] = None,
    operator: Operator = False,
) -> None:
    """Préférences de notification d'un utilisateur : seules les options données changent."""
    require_operator(operator, "users set-preferences")
    if no_email and email is not None:
        raise InvalidInput(
            Message(
                "preferences.email_or_none",
                "précisez --email ADRESSE ou --no-email, pas les deux",
                "give --email ADDRESS or --no-email, not both",
            )
        )
    with context.database().transaction() as session:
        current = read_preferences(session, login)
        wanted = Preferences(
            email=None if no_email else (current.email if email is None else email),
            language=current.language if language is None else language,
            delivery=current.delivery if delivery is None else delivery,
        )
        saved = write_preferences(session, login, preferences=wanted)
    _print_preferences(login, saved)


@handle_errors
def users_set_email(
    login: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de l'utilisateur.")],
    email: Annotated[str, typer.Argument(metavar="ADRESSE", help="Adresse des courriels.")],
    operator: Operator = False,
) -> None:
    """Adresse des courriels d'un utilisateur (le reste de ses préférences ne change pas)."""
    require_operator(operator, "users set-email")
    with context.database().transaction() as session:
        current = read_preferences(session, login)
        saved = write_preferences(
            session,
            login,
            preferences=Preferences(email=email, language=current.language, delivery=current.delivery),
        )
    _print_preferences(login, saved)


def _print_preferences(login: str, preferences: Preferences) -> None:
    console.print(
        f"Préférences de « {login} » : courriel {preferences.email or '(aucun)'}, "
        f"langue {preferences.language}, "
        f"envoi {preferences.delivery} ({_DELIVERY_FR.get(preferences.delivery, '')}).",
        highlight=False,
        soft_wrap=True,
    )


@webhooks_app.command("add", cls=FrenchCommand)
@handle_errors
def webhooks_add(
    organisation: Organisation,
    url: Annotated[str, typer.Argument(metavar="URL", help="Adresse http(s) qui reçoit les POST signés.")],
    admin: Admin,
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret", metavar="SECRET", help="Secret de signature (16 caractères ou plus) ; généré sinon."
        ),
    ] = None,
    events: Annotated[
        list[str] | None,
        typer.Option(
            "--event",
            metavar="ÉVÉNEMENT",
            help="Type d'événement à envoyer (répétable, ex. step.submit) ; tous par défaut.",
        ),
    ] = None,
) -> None:
    """Ajoute un webhook et affiche son secret (une seule fois)."""
    with context.database().transaction() as session:
        created = add_webhook(
            session,
            organisation=organisation,
            url=url,
            by=admin,
            clock=context.clock(),
            secret=secret,
            events=events or (),
        )
    webhook = created.webhook
    console.print(
        f"Webhook {webhook.id} ajouté à l'organisation « {organisation} » "
        f"(événements : {', '.join(webhook.events) or 'tous'}).",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"Secret de signature (affiché une seule fois) : {created.secret}", highlight=False, soft_wrap=True
    )


@webhooks_app.command("list", cls=FrenchCommand)
@handle_errors
def webhooks_list(organisation: Organisation, admin: Admin) -> None:
    """Liste les webhooks de l'organisation (jamais leurs secrets)."""
    with context.database().reading() as session:
        found = webhooks_of(session, organisation=organisation, by=admin)
    table = Table("Id", "Adresse", "Événements", "Actif", "Créé le")
    for webhook in found:
        table.add_row(
            str(webhook.id),
            webhook.url,
            ", ".join(webhook.events) or "tous",
            "oui" if webhook.active else "non",
            webhook.created_at.astimezone(context.settings().tz).strftime("%d/%m/%Y %H:%M"),
        )
    console.print(table)


@webhooks_app.command("remove", cls=FrenchCommand)
@handle_errors
def webhooks_remove(
    organisation: Organisation,
    webhook_id: Annotated[
        int, typer.Argument(metavar="N", help="Identifiant du webhook (voir webhooks list).")
    ],
    admin: Admin,
) -> None:
    """Retire un webhook : ce qui attendait d'y être envoyé ne l'est plus."""
    with context.database().transaction() as session:
        remove_webhook(session, organisation=organisation, webhook_id=webhook_id, by=admin)
    console.print(f"Webhook {webhook_id} retiré de l'organisation « {organisation} ».", highlight=False)
