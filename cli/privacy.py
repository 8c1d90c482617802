"""`gouvernance privacy`: what is held about a person (export), its pseudonymisation (erase), retention, and
the register of processing activities (registre)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gouvernance.access.purge import purge_expired_access
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.french import FrenchCommand, french_app
from gouvernance.cli.identity import Login, Operator, identify, require_operator
from gouvernance.messages import plural
from gouvernance.privacy.erasure import erase_person
from gouvernance.privacy.export import export_person, summary
from gouvernance.privacy.people import privacy_scope
from gouvernance.privacy.registre import registre_html, registre_markdown
from gouvernance.privacy.retention import apply_retention

privacy_app = french_app(
    help="RGPD : données d'une personne, effacement, conservation, registre.", no_args_is_help=True
)

Person = Annotated[str, typer.Argument(metavar="PERSONNE", help="Identifiant, nom ou adresse électronique.")]


@privacy_app.command("export", cls=FrenchCommand)
@handle_errors
def export_command(
    person: Person,
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON (sinon : résumé en Markdown).")
    ] = False,
    login: Login = None,
    operator: Operator = False,
) -> None:
    """Tout ce que l'instance détient sur une personne (opérateur, ou administrateurs et responsables de
    l'organisation, dans leur organisation)."""
    with context.database().reading() as session:
        caller = identify(session, login, operator, "privacy export")
        scope = None if caller.principal is None else privacy_scope(session, caller.principal)
        data = export_person(session, person, organisation=scope)
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else summary(data))


@privacy_app.command("erase", cls=FrenchCommand)
@handle_errors
def erase_command(person: Person, operator: Operator = False) -> None:
    """Pseudonymise une personne : fiches des registres renommées, coordonnées supprimées, notes effacées ;
    son nom remplacé dans les émargements, les conventions, le plan de communication, les plans d'actions
    des objectifs, les notes, les comptes rendus, les constats du diagnostic et les commentaires des
    mesures ; sels de ses champs personnels effacés dans le registre vérifiable, effacement enregistré."""
    require_operator(operator, "privacy erase")
    with context.database().transaction() as session:
        report = erase_person(session, person, clock=context.runtime().clock)
    others = sum(report.elsewhere.values())
    console.print(
        f"{plural(report.pseudonymised, 'fiche pseudonymisée', 'fiches pseudonymisées')}, "
        f"{plural(report.contacts_deleted, 'coordonnée supprimée', 'coordonnées supprimées')}, "
        f"{plural(others, 'autre donnée pseudonymisée', 'autres données pseudonymisées')}, "
        f"{plural(sum(report.entries.values()), 'entrée')} du registre dont les sels sont effacés.",
        highlight=False,
    )


@privacy_app.command("retention", cls=FrenchCommand)
@handle_errors
def retention_command(operator: Operator = False) -> None:
    """Applique maintenant la durée de conservation (ce que fait le flux planifié « apply-retention »)."""
    require_operator(operator, "privacy retention")
    settings, rt = context.settings(), context.runtime()
    report = apply_retention(
        rt.db,
        blobs=rt.store,
        clock=rt.clock,
        contacts_days=settings.retention_contacts_days,
        evidence_days=settings.retention_evidence_days,
    )
    purged = purge_expired_access(rt.db, clock=rt.clock, days=settings.access_purge_days)
    attendees = plural(report.attendees, "ligne d'émargement anonymisée", "lignes d'émargement anonymisées")
    links = plural(purged.access_links, "lien d'invitation", "liens d'invitation")
    console.print(
        f"Supprimées : {plural(report.contacts, 'coordonnée')} et {plural(report.evidence, 'pièce')} ; "
        f"{attendees} dans {plural(len(report.engagements), 'accompagnement')} ; périmés, supprimés : "
        f"{plural(purged.web_sessions, 'session web', 'sessions web')}, "
        f"{plural(purged.login_attempts, 'tentative de connexion', 'tentatives de connexion')}, "
        f"{links} ou de réinitialisation et "
        f"{plural(purged.stored_responses, 'réponse conservée', 'réponses conservées')} pour des requêtes "
        "rejouées.",
        highlight=False,
    )


@privacy_app.command("registre", cls=FrenchCommand)
@handle_errors
def registre_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FICHIER", help="Fichier .md ou .html (sinon : la sortie)."),
    ] = None,
    operator: Operator = False,
) -> None:
    """Le registre des activités de traitement (RGPD, art. 30), produit depuis le schéma et les réglages."""
    require_operator(operator, "privacy registre")
    settings = context.settings()
    if out is not None and out.suffix.lower() in (".html", ".htm"):
        out.write_text(registre_html(settings), encoding="utf-8")
    elif out is not None:
        out.write_text(registre_markdown(settings), encoding="utf-8")
    else:
        typer.echo(registre_markdown(settings))
    if out is not None:
        console.print(f"Registre écrit dans {out}.", highlight=False)
