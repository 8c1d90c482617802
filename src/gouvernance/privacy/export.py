"""Everything held about a person (RGPD art. 15), as JSON-ready data and as a French summary in Markdown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.records import ApiTokenRow, GrantRow, PasswordRow, UserRow, WebSessionRow
from gouvernance.history.records import EventRow
from gouvernance.messages import plural
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow
from gouvernance.privacy import mentions
from gouvernance.privacy.people import (
    Person,
    engagements_in_scope,
    find_person,
    matching_stakeholders,
)
from gouvernance.stakeholders.tables import (
    ConsultationParticipantRow,
    ConsultationRow,
    StakeholderContactRow,
)


def export_person(session: Session, query: str, *, organisation: str | None) -> dict[str, Any]:
    """What the instance holds about ``query`` within ``organisation`` (None: every organisation)."""
    person = find_person(session, query, organisation=organisation)
    stakeholders = _stakeholders(session, person, organisation)
    return {
        "personne": person.query,
        "compte": _account(session, person.login) if person.login else None,
        "parties_prenantes": stakeholders,
        "notifications": _deliveries(session, person.login) if person.login else [],
        "evenements": _events(session, person, organisation),
        "formations": _training(session, person, organisation),
        "conventions": _conventions(session, person, organisation),
        "communication": _communication(session, person, organisation),
        "plans_d_actions": _actions(session, person, organisation),
        "mentions": _mentions(session, person, organisation, excluded=[s["id"] for s in stakeholders]),
    }


def _account(session: Session, login: str) -> dict[str, Any]:
    user = session.get(UserRow, login)
    assert user is not None
    contact = session.get(ContactRow, login)
    password = session.get(PasswordRow, login)
    return {
        "login": user.login,
        "organisation": user.organisation_key,
        "nom": user.display_name,
        "admin_organisation": user.org_admin,
        "cree_le": _iso(user.created_at),
        "courriel": contact.email if contact else None,
        "langue": contact.language if contact else None,
        "envoi": contact.delivery if contact else None,
        "roles": [
            {"role": g.role, "accompagnement": g.engagement_id, "depuis": _iso(g.granted_at)}
            for g in session.scalars(select(GrantRow).where(GrantRow.login == login).order_by(GrantRow.id))
        ],
        "jetons": [
            {"prefixe": t.prefix, "cree_le": _iso(t.created_at), "revoque_le": _iso(t.revoked_at)}
            for t in session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.login == login).order_by(ApiTokenRow.id)
            )
        ],
        "mot_de_passe_defini_le": _iso(password.set_at) if password else None,
        "sessions_web": [
            {"ouverte_le": _iso(s.created_at), "expire_le": _iso(s.expires_at), "fermee_le": _iso(s.ended_at)}
            for s in session.scalars(
                select(WebSessionRow).where(WebSessionRow.login == login).order_by(WebSessionRow.id)
            )
        ],
    }


def _stakeholders(session: Session, person: Person, organisation: str | None) -> list[dict[str, Any]]:
    found = []
    for row in matching_stakeholders(session, person, organisation=organisation):
        contact = session.get(StakeholderContactRow, row.id)
        consultations = session.scalars(
            select(ConsultationRow)
            .join(
                ConsultationParticipantRow, ConsultationParticipantRow.consultation_id == ConsultationRow.id
            )
            .where(ConsultationParticipantRow.stakeholder_id == row.id)
            .order_by(ConsultationRow.held_on, ConsultationRow.id)
        )
        found.append(
            {
                "accompagnement": row.engagement_id,
                "id": row.id,
                "nom": row.name,
                "nature": row.kind,
                "categorie": row.category,
                "notes": row.notes,
                "etiquettes": list(row.tags or []),
                "contact": {"courriel": contact.email, "telephone": contact.phone} if contact else None,
                "consultations": [
                    {"id": c.id, "tenue_le": _iso(c.held_on), "format": c.format, "etape": c.step_key}
                    for c in consultations
                ],
            }
        )
    return found


def _deliveries(session: Session, login: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(DeliveryRow, NotificationRow)
        .join(NotificationRow, NotificationRow.id == DeliveryRow.notification_id)
        .where(DeliveryRow.recipient == login)
        .order_by(DeliveryRow.id)
    )
    return [
        {
            "canal": delivery.channel,
            "adresse": delivery.address,
            "etat": delivery.status,
            "envoye_le": _iso(delivery.sent_at),
            "lu_le": _iso(delivery.read_at),
            "objet": notification.subject,
            "accompagnement": notification.engagement_id,
            "cree_le": _iso(notification.created_at),
        }
        for delivery, notification in rows
    ]


def _events(session: Session, person: Person, organisation: str | None) -> list[dict[str, Any]]:
    if person.login is None:
        return []
    rows = session.scalars(
        select(EventRow)
        .where(
            EventRow.actor == person.login,
            EventRow.engagement_id.in_(engagements_in_scope(organisation)),
        )
        .order_by(EventRow.id)
    )
    return [
        {
            "accompagnement": e.engagement_id,
            "id": e.id,
            "evenement": e.event,
            "etape": e.step_key,
            "role": e.actor_role,
            "le": _iso(e.occurred_at),
            "commentaire": e.comment,
        }
        for e in rows
    ]


def _training(session: Session, person: Person, organisation: str | None) -> dict[str, Any]:
    return {
        "emargements": [
            {
                "accompagnement": parent.engagement_id,
                "session": parent.title,
                "tenue_le": _iso(parent.held_on),
                "nom": attendee.name,
                "qualite": attendee.quality,
                "organisme": attendee.organisation,
                "present": attendee.present,
            }
            for attendee, parent in mentions.attendances(session, person, organisation=organisation)
        ],
        "animations": [
            {"accompagnement": row.engagement_id, "session": row.title, "tenue_le": _iso(row.held_on)}
            for row in mentions.trained_sessions(session, person, organisation=organisation)
        ],
    }


def _conventions(session: Session, person: Person, organisation: str | None) -> list[dict[str, Any]]:
    return [
        {
            "accompagnement": row.engagement_id,
            "partie": row.name,
            "representant": row.representative,
            "qualite": row.representative_title,
        }
        for row in mentions.represented_parties(session, person, organisation=organisation)
    ]


def _communication(session: Session, person: Person, organisation: str | None) -> list[dict[str, Any]]:
    return [
        {
            "accompagnement": row.engagement_id,
            "action": row.title,
            "porteur": row.owner,
            "public": row.audience,
            "message": row.message,
            "debut": _iso(row.starts_on),
        }
        for row in mentions.communication_actions(session, person, organisation=organisation)
    ]


def _actions(session: Session, person: Person, organisation: str | None) -> list[dict[str, Any]]:
    return [
        {
            "accompagnement": objective.engagement_id,
            "objectif": objective.title,
            "action": action.title,
            "porteur": action.owner,
            "echeance": _iso(action.due_on),
            "etat": action.status,
        }
        for action, objective in mentions.owned_actions(session, person, organisation=organisation)
    ]


def _mentions(
    session: Session, person: Person, organisation: str | None, *, excluded: list[int]
) -> dict[str, list[dict[str, Any]]]:
    """Free texts that name the person: notes on other register entries, consultations, the diagnostic's
    findings, the indicators' measurements, decisions."""
    return {
        "notes_parties_prenantes": [
            {"accompagnement": row.engagement_id, "id": row.id, "fiche": row.name, "notes": row.notes}
            for row in mentions.noted_stakeholders(
                session, person, organisation=organisation, excluded=excluded
            )
        ],
        "consultations": [
            {
                "accompagnement": row.engagement_id,
                "id": row.id,
                "tenue_le": _iso(row.held_on),
                "compte_rendu": row.summary,
                "suites": row.outcome,
            }
            for row in mentions.mentioning_consultations(session, person, organisation=organisation)
        ],
        "constats": [
            {
                "accompagnement": row.engagement_id,
                "id": row.id,
                "nature": row.kind,
                "titre": row.title,
                "detail": row.detail,
            }
            for row in mentions.mentioning_findings(session, person, organisation=organisation)
        ],
        "mesures": [
            {
                "accompagnement": indicator.engagement_id,
                "indicateur": indicator.label,
                "mesuree_le": _iso(row.measured_on),
                "valeur": row.value,
                "commentaire": row.comment,
            }
            for row, indicator in mentions.commented_measurements(session, person, organisation=organisation)
        ],
        "decisions": [
            {"accompagnement": row.engagement_id, "numero": row.number, "titre": row.title, "texte": row.text}
            for row in mentions.mentioning_decisions(session, person, organisation=organisation)
        ],
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def summary(data: dict[str, Any]) -> str:
    """The export as a French summary in Markdown."""
    lines = [f"# Données détenues sur « {data['personne']} »", ""]
    account = data["compte"]
    if account:
        lines += [
            "## Compte utilisateur",
            "",
            f"- Identifiant : {account['login']} (organisation {account['organisation']})",
            f"- Nom : {account['nom'] or '—'} ; courriel : {account['courriel'] or '—'}",
            f"- Rôles : {len(account['roles'])} ; jetons d'API et de calendrier : {len(account['jetons'])} ; "
            f"sessions web : {len(account['sessions_web'])} ; mot de passe web : "
            f"{'oui' if account['mot_de_passe_defini_le'] else 'non'}",
            "",
        ]
    else:
        lines += ["## Compte utilisateur", "", "Aucun compte à ce nom.", ""]
    lines += ["## Registres des parties prenantes", ""]
    for item in data["parties_prenantes"] or []:
        contact = item["contact"] or {}
        lines.append(
            f"- {item['nom']} (accompagnement {item['accompagnement']}, {item['nature']}, "
            f"{item['categorie']}) ; "
            f"courriel : {contact.get('courriel') or '—'} ; téléphone : {contact.get('telephone') or '—'} ; "
            f"{plural(len(item['consultations']), 'consultation')}"
        )
    if not data["parties_prenantes"]:
        lines.append("Aucune fiche.")
    lines += ["", "## Notifications", "", f"{plural(len(data['notifications']), 'envoi')}."]
    lines += ["", "## Formations", ""]
    training = data["formations"]
    lines += [
        f"- Émargement : {item['nom']}, session « {item['session']} » du {item['tenue_le']} "
        f"(accompagnement {item['accompagnement']}) ; présence : {_presence(item['present'])}"
        for item in training["emargements"]
    ]
    lines += [
        f"- Formateur ou formatrice : session « {item['session']} » du {item['tenue_le']} "
        f"(accompagnement {item['accompagnement']})"
        for item in training["animations"]
    ]
    if not training["emargements"] and not training["animations"]:
        lines.append("Aucune.")
    lines += ["", "## Conventions de partenariat", ""]
    lines += [
        f"- Représentant de « {item['partie']} » (accompagnement {item['accompagnement']})"
        + (f", {item['qualite']}" if item["qualite"] else "")
        for item in data["conventions"]
    ]
    if not data["conventions"]:
        lines.append("Aucune.")
    lines += ["", "## Plan de communication", ""]
    lines += [
        f"- Action « {item['action']} » (accompagnement {item['accompagnement']}) ; "
        f"porteur : {item['porteur']}"
        for item in data["communication"]
    ]
    if not data["communication"]:
        lines.append("Aucune action.")
    lines += ["", "## Plans d'actions des objectifs", ""]
    lines += [
        f"- Action « {item['action']} » de l'objectif « {item['objectif']} » "
        f"(accompagnement {item['accompagnement']}) ; porteur : {item['porteur']} ; "
        f"échéance : {item['echeance']}"
        for item in data["plans_d_actions"]
    ]
    if not data["plans_d_actions"]:
        lines.append("Aucune action.")
    found = data["mentions"]
    lines += [
        "",
        "## Textes libres qui nomment la personne",
        "",
        f"- Notes d'autres fiches des registres : {len(found['notes_parties_prenantes'])}",
        f"- Comptes rendus de consultation : {len(found['consultations'])}",
        "- Constats du diagnostic : "
        + (", ".join(f"« {item['titre']} »" for item in found["constats"]) or "aucun"),
        "- Commentaires de mesures d'indicateurs : "
        + (
            ", ".join(f"« {item['indicateur']} » du {item['mesuree_le']}" for item in found["mesures"])
            or "aucun"
        ),
        "- Décisions (registre des délibérations, conservé tel quel) : "
        + (", ".join(f"n° {item['numero']}" for item in found["decisions"]) or "aucune"),
    ]
    lines += [
        "",
        "## Actions enregistrées",
        "",
        f"{plural(len(data['evenements']), 'événement')} dont la personne est l'auteur.",
    ]
    return "\n".join(lines) + "\n"


def _presence(present: bool | None) -> str:
    return {None: "non relevée", True: "oui", False: "non"}[present]
