"""Everything held about a person (RGPD art. 15), as JSON-ready data and as a French summary in Markdown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.records import ApiTokenRow, GrantRow, PasswordRow, UserRow, WebSessionRow
from gouvernance.history.records import EventRow
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow
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
    return {
        "personne": person.query,
        "compte": _account(session, person.login) if person.login else None,
        "parties_prenantes": _stakeholders(session, person, organisation),
        "notifications": _deliveries(session, person.login) if person.login else [],
        "evenements": _events(session, person, organisation),
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
            f"{len(item['consultations'])} consultation(s)"
        )
    if not data["parties_prenantes"]:
        lines.append("Aucune fiche.")
    lines += ["", "## Notifications", "", f"{len(data['notifications'])} envoi(s)."]
    lines += [
        "",
        "## Actions enregistrées",
        "",
        f"{len(data['evenements'])} événement(s) dont la personne est l'auteur.",
    ]
    return "\n".join(lines) + "\n"
