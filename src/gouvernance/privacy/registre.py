"""The register of processing activities (RGPD art. 30), produced from the schema and the settings: every
table with a column that holds personal data (found by the columns' names, so that a new table shows up
without anyone writing it here), why it is held, for how long (the retention settings), who may see it (the
roles of ``access.service``) and where it is stored (the database's kind, the blob store)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import Table
from sqlalchemy.engine import make_url

import gouvernance.db.all_records  # noqa: F401  (every table in the metadata)
from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES, ROLES
from gouvernance.db.base import Base
from gouvernance.settings import Settings

# What a column holds, by its name. A table is listed when one of its columns is here.
PERSONAL_COLUMNS = {
    "login": "identifiant de personne",
    "principal": "identifiant de personne",
    "actor": "identifiant de personne (auteur)",
    "recorded_by": "identifiant de personne (auteur)",
    "attached_by": "identifiant de personne (auteur)",
    "closed_by": "identifiant de personne (auteur)",
    "published_by": "identifiant de personne (auteur)",
    "recipient": "identifiant de personne (destinataire)",
    "lead": "identifiant de personne (responsable)",
    "owner": "nom de personne (porteur)",
    "name": "nom",
    "display_name": "nom",
    "representative": "nom (représentant)",
    "trainer": "nom (formateur)",
    "quality": "qualité ou fonction de la personne",
    "representative_title": "fonction (représentant)",
    "email": "adresse électronique",
    "phone": "téléphone",
    "address": "adresse (électronique, postale ou IP)",
    "notes": "texte libre pouvant nommer des personnes",
    "comment": "texte libre pouvant nommer des personnes",
    "summary": "texte libre pouvant nommer des personnes",
    "outcome": "texte libre pouvant nommer des personnes",
    "message": "texte libre pouvant nommer des personnes",
    "audience": "texte libre pouvant nommer des personnes",
    "text": "texte libre pouvant nommer des personnes",
    "detail": "texte libre pouvant nommer des personnes",
    "password_hash": "mot de passe (haché, Argon2id)",
    "token_sha256": "jeton d'accès (haché)",
    "salts": "sels des empreintes de champs personnels",
}
NOT_PERSONAL = frozenset(
    {
        ("organisations", "name"),
        ("process_models", "title"),
        ("convention_parties", "name"),  # an organisation (PartyKind): its representative is the person
        ("training_sessions", "audience"),  # a code (élus, agents, partenaires)
    }
)

# Why each family of tables exists (by table name; others: the conduct of the engagements).
PURPOSES = {
    "users": "gestion des comptes et des droits d'accès",
    "grants": "gestion des comptes et des droits d'accès",
    "api_tokens": "authentification (API, flux de calendrier)",
    "user_passwords": "authentification (interface web)",
    "web_sessions": "authentification (interface web)",
    "login_attempts": "sécurité : limitation des tentatives de connexion",
    "access_links": "invitations et réinitialisations de mot de passe (liens envoyés par courriel)",
    "organisation_events": "journal des droits d'accès (rôles, invitations, comptes supprimés)",
    "user_contacts": "notifications aux utilisateurs",
    "notifications": "notifications aux utilisateurs",
    "deliveries": "notifications aux utilisateurs",
    "stakeholders": "cartographie et concertation des parties prenantes",
    "stakeholder_contacts": "concertation : joindre les parties prenantes",
    "consultations": "traçabilité de la concertation",
    "events": "journal des actions (traçabilité, registre vérifiable)",
    "audit_entries": "registre vérifiable (intégrité du journal)",
    "idempotency_keys": "fiabilité de l'API et des formulaires web (réponses rejouées)",
    "training_attendees": "feuilles d'émargement des formations",
    "training_sessions": "formations : sessions et formateurs",
    "convention_parties": "convention de partenariat : parties et leurs représentants",
    "communication_actions": "plan de communication : actions et leurs porteurs",
    "decisions": "registre des délibérations et décisions",
    "actions": "plans d'actions des objectifs : actions et leurs porteurs",
    "findings": "diagnostic : constats tirés de la concertation",
    "measurements": "suivi des indicateurs : mesures et leurs commentaires",
    "objective_approvals": "validation des objectifs par les acteurs locaux",
}
ACCOUNT_TABLES = frozenset(
    {"users", "grants", "api_tokens", "user_passwords", "user_contacts", "login_attempts", "deliveries"}
)
DEFAULT_PURPOSE = "conduite des accompagnements de gouvernance partagée"
# Pseudonymised by ``privacy erase`` (erasure.py), kept for the engagement's duration otherwise.
ERASED_ON_REQUEST = frozenset(
    {
        "stakeholders",
        "consultations",
        "training_sessions",
        "convention_parties",
        "communication_actions",
        "actions",
        "findings",
        "measurements",
        "objective_approvals",
        "budget_vote_counts",
        "budget_closed_votes",
        "public_engagements",
    }
)


@dataclass(frozen=True)
class Processing:
    table: str
    fields: tuple[tuple[str, str], ...]  # (column, what it holds)
    purpose: str
    retention: str
    access: str


def personal_tables() -> list[Processing]:
    found = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        fields = tuple(
            (column.name, PERSONAL_COLUMNS[column.name])
            for column in table.columns
            if column.name in PERSONAL_COLUMNS and (table.name, column.name) not in NOT_PERSONAL
        )
        if fields:
            found.append(Processing(table.name, fields, PURPOSES.get(table.name, DEFAULT_PURPOSE), "", ""))
    return found


def _retention(table: Table | str, settings: Settings) -> str:
    name = table if isinstance(table, str) else table.name
    if name == "stakeholder_contacts":
        days = settings.retention_contacts_days
        return f"{days} jours après la clôture de l'accompagnement (terminé ou annulé)"
    if name == "evidence":
        return (
            f"fichiers : {settings.retention_evidence_days} jours après la clôture de l'accompagnement ; "
            "liens : durée de l'accompagnement ; l'auteur du dépôt est pseudonymisé sur demande "
            "(gouvernance privacy erase)"
        )
    if (purged := _purged_after(name, settings)) is not None:
        return purged
    if name == "organisation_events":
        return "permanente (journal en ajout seul)"
    if name in {"users", "grants", "api_tokens", "user_passwords", "user_contacts", "deliveries"}:
        return "jusqu'à la suppression du compte (gouvernance users delete)"
    if name in {"events", "audit_entries"}:
        return (
            "permanente (journal en ajout seul) ; à l'effacement d'une personne, les sels de ses champs sont "
            "effacés et l'effacement est enregistré"
        )
    if name == "training_attendees":
        return (
            f"noms et qualités : {settings.retention_evidence_days} jours après la clôture de "
            "l'accompagnement (remplacés par « Participant n° N », présences conservées) ; "
            "pseudonymisation sur demande (gouvernance privacy erase)"
        )
    if name == "decisions":
        return (
            "permanente (actes publics, conservés tels que votés) ; l'auteur de la saisie est pseudonymisé "
            "sur demande (gouvernance privacy erase)"
        )
    if name in ERASED_ON_REQUEST:
        return "durée de l'accompagnement ; pseudonymisation sur demande (gouvernance privacy erase)"
    return "durée de l'accompagnement (pas encore couvert par gouvernance privacy erase)"


def _purged_after(name: str, settings: Settings) -> str | None:
    """What the retention flow purges ``GOUVERNANCE_ACCESS_PURGE_DAYS`` after it served (access/purge.py)."""
    purge, hours = settings.access_purge_days, settings.web_session_hours
    return {
        "web_sessions": f"{hours} heures (session), puis {purge} jours après sa fin ou son expiration",
        "login_attempts": f"{purge} jours (la limitation ne compte que les dernières minutes)",
        "access_links": f"{purge} jours après son utilisation ou son expiration",
        "idempotency_keys": f"{purge} jours après la requête, ou jusqu'à la suppression du compte",
    }.get(name)


def _access(name: str) -> str:
    leads, participants = ", ".join(sorted(LEAD_ROLES)), ", ".join(sorted(PARTICIPANT_ROLES))
    if name in {"users", "grants", "api_tokens", "user_passwords", "web_sessions", "login_attempts"}:
        return "l'opérateur ; la personne elle-même (/me) ; les administrateurs de son organisation"
    if name in {"access_links", "organisation_events"}:
        return "l'opérateur ; les administrateurs de l'organisation"
    if name == "stakeholder_contacts":
        return f"rôles {leads} de l'accompagnement (permission stakeholders.personal_data) ; l'opérateur"
    if name in {"user_contacts", "deliveries", "notifications"}:
        return "la personne elle-même ; l'opérateur"
    return (
        f"rôles de l'accompagnement ({', '.join(ROLES)}) en lecture ; écriture : {participants} ; l'opérateur"
    )


def processings(settings: Settings) -> list[Processing]:
    return [
        Processing(p.table, p.fields, p.purpose, _retention(p.table, settings), _access(p.table))
        for p in personal_tables()
    ]


def storage(settings: Settings) -> list[str]:
    url = make_url(settings.resolved_database_url)
    where = url.database if url.get_backend_name() == "sqlite" else f"{url.host or 'local'}:{url.port or ''}"
    return [
        f"Base de données : {url.get_backend_name()} ({where})",
        f"Pièces justificatives et livrables (stockage par empreinte) : {settings.blob_dir}",
    ]


def registre_markdown(settings: Settings) -> str:
    lines = [
        "# Registre des activités de traitement (RGPD, article 30)",
        "",
        "Produit par `gouvernance privacy registre` depuis le schéma de la base et les réglages "
        "de l'instance.",
        "",
        "## Lieux de stockage",
        "",
        *(f"- {line}" for line in storage(settings)),
        "",
        "## Traitements par table",
        "",
    ]
    for p in processings(settings):
        lines += [
            f"### Table `{p.table}`",
            "",
            f"- Finalité : {p.purpose}",
            "- Données personnelles : " + " ; ".join(f"`{c}` ({what})" for c, what in p.fields),
            f"- Durée de conservation : {p.retention}",
            f"- Accès : {p.access}",
            "",
        ]
    return "\n".join(lines)


def registre_html(settings: Settings) -> str:
    rows = "".join(
        "<tr>"
        f"<td><code>{html.escape(p.table)}</code></td>"
        f"<td>{html.escape(p.purpose)}</td>"
        f"<td>{'<br>'.join(html.escape(f'{column} ({what})') for column, what in p.fields)}</td>"
        f"<td>{html.escape(p.retention)}</td>"
        f"<td>{html.escape(p.access)}</td>"
        "</tr>"
        for p in processings(settings)
    )
    places = "".join(f"<li>{html.escape(line)}</li>" for line in storage(settings))
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Registre des activités de traitement</title></head><body>"
        "<h1>Registre des activités de traitement (RGPD, article 30)</h1>"
        f"<h2>Lieux de stockage</h2><ul>{places}</ul>"
        "<h2>Traitements par table</h2><table><thead><tr><th>Table</th><th>Finalité</th>"
        "<th>Données personnelles</th><th>Durée de conservation</th><th>Accès</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>\n"
    )
