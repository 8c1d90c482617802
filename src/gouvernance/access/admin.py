"""An organisation's admins manage its people: who holds which role, organisation-wide or on one of its
engagements (people of other organisations included: the consultant, the partners), and invitations.

An invitation or a password reset is a link sent by e-mail through the notification outbox (dispatch sends
it over SMTP). The link's token is random, stored as its SHA-256, good once and for a limited time; the
person chooses their password there and is signed in.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from gouvernance.access.journal import (
    INVITATION_ACCEPTED,
    INVITATION_SENT,
    ROLE_REVOKED,
    organisation_events,
    record_access_change,
)
from gouvernance.access.records import (
    AccessLinkRow,
    GrantRow,
    LoginAttemptRow,
    OrganisationEventRow,
    UserRow,
)
from gouvernance.access.service import (
    ROLES,
    add_user,
    grant,
    held,
    require_org_admin,
    require_user,
    token_digest,
)
from gouvernance.access.web_login import check_throttle, set_password
from gouvernance.clock import Clock
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Forbidden, InvalidInput, Message, NotFound
from gouvernance.messages import engagement_not_found
from gouvernance.notifications.records import BODY_AFTER_SENDING, ContactRow, DeliveryRow, NotificationRow

# The address becomes the login, so it takes the login's characters.
_ADDRESS = re.compile(r"^[a-z0-9][a-z0-9._\-]*@[a-z0-9\-]+(\.[a-z0-9\-]+)+$")
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=2)
INVITATION, RESET = "invitation", "reset"

LINK_INVALID = Message(
    "access_link.invalid",
    "Ce lien n'est plus valable : il a déjà servi, a expiré ou n'existe pas. "
    "Demandez un nouveau lien depuis « Mot de passe oublié ».",
    "This link is no longer valid: it was used, has expired or does not exist.",
    "token",
)


@dataclass(frozen=True)
class MemberGrant:
    role: str
    engagement_id: str | None
    territory: str | None = None


@dataclass
class Member:
    login: str
    organisation: str
    display_name: str | None
    email: str | None
    admin: bool
    grants: list[MemberGrant] = field(default_factory=list)


def organisation_admin(session: Session, by: str) -> UserRow:
    """``by`` if they administer their organisation; Forbidden otherwise."""
    row = session.get(UserRow, by)
    return require_org_admin(session, by, row.organisation_key if row else "?")


def members(session: Session, *, by: str) -> list[Member]:
    """The organisation's people and the outsiders granted a role on its engagements, with those grants."""
    organisation = organisation_admin(session, by).organisation_key
    owned = select(EngagementRow.id).where(EngagementRow.organisation_id == organisation)
    rows = session.execute(
        select(GrantRow.login, GrantRow.role, GrantRow.engagement_id, EngagementRow.territory_name)
        .join(UserRow, UserRow.login == GrantRow.login)
        .outerjoin(EngagementRow, EngagementRow.id == GrantRow.engagement_id)
        .where(
            or_(
                GrantRow.engagement_id.in_(owned),
                (GrantRow.engagement_id.is_(None)) & (UserRow.organisation_key == organisation),
            )
        )
        .order_by(GrantRow.id)
    ).all()
    logins = {login for login, *_ in rows}
    users = session.execute(
        select(UserRow, ContactRow.email)
        .outerjoin(ContactRow, ContactRow.login == UserRow.login)
        .where(or_(UserRow.organisation_key == organisation, UserRow.login.in_(sorted(logins))))
        .order_by(UserRow.login)
    ).all()
    found = {
        user.login: Member(user.login, user.organisation_key, user.display_name, email, user.org_admin)
        for user, email in users
    }
    for login, role, engagement_id, territory in rows:
        found[login].grants.append(MemberGrant(role, engagement_id, territory))
    return list(found.values())


def access_history(session: Session, *, by: str, limit: int, offset: int) -> list[OrganisationEventRow]:
    """For the organisation's admins: its access changes that belong to no engagement, oldest first (those
    on an engagement are in the engagement's timeline)."""
    organisation = organisation_admin(session, by).organisation_key
    return organisation_events(session, organisation, limit=limit, offset=offset)


def owned_engagements(session: Session, *, by: str) -> list[tuple[str, str]]:
    """(id, territory) of every engagement the admin's organisation owns, by territory."""
    organisation = organisation_admin(session, by).organisation_key
    rows = session.execute(
        select(EngagementRow.id, EngagementRow.territory_name)
        .where(EngagementRow.organisation_id == organisation)
        .order_by(EngagementRow.territory_name, EngagementRow.id)
    ).all()
    return [(engagement_id, territory) for engagement_id, territory in rows]


def _checked_scope(
    session: Session, admin: UserRow, login: str, role: str, engagement_id: str | None
) -> None:
    if role not in ROLES:
        raise InvalidInput(
            Message(
                "grant.role",
                f"rôle inconnu « {role} » (rôles : {', '.join(ROLES)})",
                f"unknown role '{role}' (roles: {', '.join(ROLES)})",
                path="role",
            )
        )
    organisation = admin.organisation_key
    if engagement_id is not None:
        engagement = session.get(EngagementRow, engagement_id)
        if engagement is None or engagement.organisation_id != organisation:
            raise NotFound(engagement_not_found(engagement_id))
        return
    person = session.get(UserRow, login)  # None: about to be created, in the admin's organisation
    if person is not None and person.organisation_key != organisation:
        raise Forbidden(
            Message(
                "grant.other_organisation",
                f"« {login} » appartient à une autre organisation : donnez-lui un rôle sur un "
                "accompagnement, pas sur toute l'organisation.",
                f"'{login}' belongs to another organisation: grant a role on one engagement instead.",
                path="engagement_id",
            )
        )


def grant_role(
    session: Session, *, by: str, login: str, role: str, engagement_id: str | None, clock: Clock
) -> GrantRow:
    """Gives ``role`` to ``login`` organisation-wide (people of the admin's organisation only) or on one of
    the organisation's engagements (anyone)."""
    admin = organisation_admin(session, by)
    require_user(session, login)
    _checked_scope(session, admin, login, role, engagement_id)
    return grant(session, login, role, clock=clock, engagement_id=engagement_id, by=by)


def revoke_role(
    session: Session, *, by: str, login: str, role: str, engagement_id: str | None, clock: Clock
) -> None:
    """Takes ``role`` back, recorded as ``by``'s doing; NotFound when ``login`` does not hold it there."""
    admin = organisation_admin(session, by)
    person = require_user(session, login)
    _checked_scope(session, admin, login, role, engagement_id)
    removed = session.execute(
        delete(GrantRow).where(held(login, role, engagement_id)).execution_options(synchronize_session=False)
    )
    if not getattr(removed, "rowcount", 0):
        raise NotFound(
            Message(
                "grant.not_found",
                f"« {login} » ne détient pas le rôle « {role} » à cet endroit.",
                f"'{login}' does not hold the role '{role}' there.",
                details={"login": login, "role": role, "engagement_id": engagement_id},
            )
        )
    session.flush()
    record_access_change(
        session,
        event=ROLE_REVOKED,
        login=login,
        actor=by,
        at=clock.now(),
        organisation=person.organisation_key,
        engagement_id=engagement_id,
        details={"role": role},
    )


def normal_email(email: str) -> str:
    return email.strip().lower()


def _valid_email(email: str) -> str:
    address = normal_email(email)
    if len(address) > 120 or not _ADDRESS.match(address):
        raise InvalidInput(
            Message(
                "invitation.email",
                f"Adresse électronique invalide « {email} » (lettres, chiffres, . _ - avant le @).",
                f"Invalid e-mail address '{email}' (letters, digits, . _ - before the @).",
                path="email",
            )
        )
    return address


@dataclass(frozen=True)
class Invited:
    login: str
    created: bool  # a new account (otherwise an existing person got the role)
    link: str  # the link the e-mail carries; shown nowhere else


def invite(
    session: Session,
    *,
    by: str,
    email: str,
    name: str | None,
    role: str,
    engagement_id: str | None,
    clock: Clock,
    base_url: str,
) -> Invited:
    """Creates the person if needed (login: their e-mail address, in the admin's organisation), grants the
    role and e-mails them a link to choose their password."""
    admin = organisation_admin(session, by)
    address = _valid_email(email)
    created = session.get(UserRow, address) is None
    if created:
        _checked_scope(session, admin, address, role, engagement_id)  # before creating anyone
        add_user(
            session,
            address,
            organisation=admin.organisation_key,
            clock=clock,
            display_name=(name or "").strip() or None,
        )
    grant_role(session, by=by, login=address, role=role, engagement_id=engagement_id, clock=clock)
    contact = session.get(ContactRow, address)
    if contact is None:
        session.add(ContactRow(login=address, email=address))
    elif not contact.email:
        contact.email = address
    link = _send_link(session, address, address, INVITATION, by=by, clock=clock, base_url=base_url)
    record_access_change(
        session,
        event=INVITATION_SENT,
        login=address,
        actor=by,
        at=clock.now(),
        organisation=admin.organisation_key,
        engagement_id=engagement_id,
        details={"role": role, "account_created": created},
    )
    return Invited(address, created, link)


def request_reset(session: Session, *, email: str, clock: Clock, base_url: str) -> None:
    """E-mails a reset link to whoever has this address; does nothing (and says nothing) otherwise."""
    address = normal_email(email)
    login = session.scalar(
        select(ContactRow.login).where(func.lower(ContactRow.email) == address).order_by(ContactRow.login)
    )
    if login is not None and address:
        _send_link(session, login, address, RESET, by=None, clock=clock, base_url=base_url)


# A reset request is counted among the sign-in attempts, its e-mail and client addresses under this prefix.
RESET_REQUEST = "reset:"


def request_reset_throttled(
    session: Session, *, email: str, address: str, clock: Clock, base_url: str
) -> None:
    """``request_reset``, counted and throttled like failed sign-ins (raises ``Throttled``): per e-mail
    address, whether anybody has it or not, and per client address. Counted apart from the sign-ins, so that
    asking for links never locks anybody out of signing in."""
    now = clock.now()
    login, client = f"{RESET_REQUEST}{normal_email(email)}"[:120], f"{RESET_REQUEST}{address}"[:64]
    check_throttle(session, login, client, now=now)
    session.add(LoginAttemptRow(login=login, address=client, attempted_at=now))
    session.flush()
    request_reset(session, email=email, clock=clock, base_url=base_url)


def _send_link(
    session: Session, login: str, email: str, purpose: str, *, by: str | None, clock: Clock, base_url: str
) -> str:
    now = clock.now()
    token = secrets.token_urlsafe(32)
    lifetime = INVITATION_LIFETIME if purpose == INVITATION else RESET_LIFETIME
    row = AccessLinkRow(
        login=login,
        purpose=purpose,
        token_sha256=token_digest(token),
        created_by=by,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    link = f"{base_url.rstrip('/')}/invitation/{token}"
    if purpose == INVITATION:
        subject = "Invitation à la gouvernance partagée"
        intro = f"{by} vous invite à rejoindre l'espace de gouvernance partagée (identifiant : {login})."
        days = INVITATION_LIFETIME.days
        validity = f"Ce lien sert une fois et reste valable {days}\u00a0jours."
    else:
        subject = "Choisir un nouveau mot de passe"
        intro = f"Une demande de nouveau mot de passe a été faite pour votre compte (identifiant : {login})."
        hours = int(RESET_LIFETIME.total_seconds() // 3600)
        validity = f"Ce lien sert une fois et reste valable {hours}\u00a0heures. Sans demande de votre part, "
        validity += "ignorez ce message."
    body = f"Bonjour,\n\n{intro}\n\nChoisissez votre mot de passe ici :\n{{link}}\n\n{validity}\n"
    notification = NotificationRow(
        dedupe_key=f"access_link:{row.id}",
        kind="access",
        subject=subject,
        body=body.format(link=link),
        # Whoever reads the database must not find a working link in it: once sent, the body is replaced
        # by this one (dispatch), the link's place marked.
        data={
            "purpose": purpose,
            "login": login,
            BODY_AFTER_SENDING: body.format(link="(lien envoyé par courriel, retiré d'ici après l'envoi)"),
        },
        created_at=now,
    )
    session.add(notification)
    session.flush()
    session.add(
        DeliveryRow(
            notification_id=notification.id,
            channel="email",
            recipient=login,
            address=email,
            status="pending",
            attempts=0,
            created_at=now,
        )
    )
    session.flush()
    return link


def _live_link(session: Session, token: str, now: datetime) -> AccessLinkRow | None:
    row = session.scalar(select(AccessLinkRow).where(AccessLinkRow.token_sha256 == token_digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def link_login(session: Session, token: str, *, now: datetime) -> str | None:
    """Whose link this is, while it is still good; None otherwise. Read-only."""
    row = _live_link(session, token, now)
    return row.login if row else None


def redeem(session: Session, token: str, password: str, *, now: datetime) -> str:
    """Sets the password of the link's owner and spends the link; returns their login."""
    row = _live_link(session, token, now)
    if row is None:
        raise InvalidInput(LINK_INVALID)
    set_password(session, row.login, password, now=now)
    row.used_at = now
    session.flush()
    if row.purpose == INVITATION:
        _record_acceptance(session, row, now)
    return row.login


def _record_acceptance(session: Session, link: AccessLinkRow, now: datetime) -> None:
    """Among the events of the inviting admin's organisation (the person's own if the admin is gone)."""
    inviter = session.get(UserRow, link.created_by) if link.created_by else None
    person = require_user(session, link.login)
    record_access_change(
        session,
        event=INVITATION_ACCEPTED,
        login=link.login,
        actor=link.login,
        at=now,
        organisation=(inviter or person).organisation_key,
        details={"invited_by": link.created_by},
    )
