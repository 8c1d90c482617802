"""Access control: users of an organisation, the roles they hold, API tokens, and what a principal may see.

A role is granted on one engagement or organisation-wide (every engagement the user's organisation owns).
A user never sees an engagement where they hold no role, so another organisation's engagements stay
invisible unless someone grants access to them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from gouvernance.access.journal import ROLE_GRANTED, record_access_change
from gouvernance.access.records import ApiTokenRow, GrantRow, OrganisationRow, UserRow
from gouvernance.clock import Clock
from gouvernance.engagements.actors import SYSTEM_LOGIN, ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Conflict, Forbidden, InvalidInput, Message, NotFound
from gouvernance.messages import engagement_not_found

ROLES: tuple[str, ...] = ("consultant", "chef_de_projet", "elu", "agent", "partenaire", "observateur")
# Roles that take part in the work (the process models' roles); an observer only reads.
PARTICIPANT_ROLES = frozenset(ROLES) - {"observateur"}
LEAD_ROLES = frozenset({"consultant", "chef_de_projet"})
ORGANISATION_KINDS: tuple[str, ...] = ("collectivite", "cabinet")
TOKEN_PREFIX = "gv_"
# Calendar feed tokens: read-only, accepted only by the .ics routes, in the URL (?jeton=…), because calendar
# applications subscribe to a URL and cannot send a header. An API token never goes in a URL.
FEED_TOKEN_PREFIX = "gc_"

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@\-]{0,119}$")
_ORG_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,79}$")


@dataclass(frozen=True)
class Grant:
    role: str
    engagement_id: str | None  # None: every engagement of the user's organisation


@dataclass(frozen=True)
class Principal:
    """An authenticated user, with every role they hold."""

    login: str
    organisation: str
    grants: tuple[Grant, ...]

    @property
    def organisation_roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants if g.engagement_id is None)

    @property
    def granted_engagements(self) -> frozenset[str]:
        return frozenset(g.engagement_id for g in self.grants if g.engagement_id is not None)

    def roles_on(self, engagement_id: str, owner: str | None) -> frozenset[str]:
        return frozenset(
            g.role
            for g in self.grants
            if g.engagement_id == engagement_id or (g.engagement_id is None and owner == self.organisation)
        )

    def actor(self, roles: frozenset[str]) -> ActorRef:
        return ActorRef(self.login, roles)


def roles_for(principal: Principal, engagement: EngagementRow) -> frozenset[str]:
    """The roles ``principal`` holds on ``engagement``; empty means the engagement is invisible to them."""
    return principal.roles_on(engagement.id, engagement.organisation_id)


def visible_engagements(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause selecting the engagements where ``principal`` holds at least one role."""
    conditions: list[ColumnElement[bool]] = []
    if principal.organisation_roles:
        conditions.append(EngagementRow.organisation_id == principal.organisation)
    if principal.granted_engagements:
        conditions.append(EngagementRow.id.in_(sorted(principal.granted_engagements)))
    return or_(*conditions) if conditions else false()


# --- organisations and users ----------------------------------------------------------------------------


def ensure_organisation(
    session: Session, key: str, *, clock: Clock, name: str | None = None, kind: str = "collectivite"
) -> OrganisationRow:
    """The organisation ``key``, created if it does not exist yet."""
    problems = []
    if not _ORG_KEY.match(key):
        problems.append(
            Message(
                "organisation.key",
                f"identifiant d'organisation invalide « {key} » (minuscules, chiffres, - et _)",
                f"invalid organisation key '{key}' (lower case, digits, - and _)",
                path="organisation",
            )
        )
    if kind not in ORGANISATION_KINDS:
        problems.append(
            Message(
                "organisation.kind",
                f"type d'organisation inconnu « {kind} » ({', '.join(ORGANISATION_KINDS)})",
                f"unknown organisation kind '{kind}' ({', '.join(ORGANISATION_KINDS)})",
                path="kind",
            )
        )
    if problems:
        raise InvalidInput(
            Message("organisation.invalid", "Organisation invalide", "Invalid organisation"), reasons=problems
        )
    row = session.get(OrganisationRow, key)
    if row is None:
        row = OrganisationRow(key=key, name=name or key, kind=kind, created_at=clock.now())
        session.add(row)
        session.flush()
    return row


def add_user(
    session: Session,
    login: str,
    *,
    organisation: str,
    clock: Clock,
    display_name: str | None = None,
    organisation_kind: str = "collectivite",
    exist_ok: bool = False,
    org_admin: bool = False,
) -> UserRow:
    """A user of ``organisation`` (created if needed), its admin with ``org_admin``. A login belongs to one
    organisation for good."""
    if not _LOGIN.match(login):
        raise InvalidInput(
            Message(
                "user.login",
                f"identifiant invalide « {login} » (minuscules, chiffres, . _ - @)",
                f"invalid login '{login}' (lower case, digits, . _ - @)",
                path="login",
            )
        )
    ensure_organisation(session, organisation, clock=clock, kind=organisation_kind)
    existing = session.get(UserRow, login)
    if existing is not None:
        if exist_ok and existing.organisation_key == organisation:
            return existing
        raise Conflict(
            Message(
                "user.exists",
                f"L'utilisateur « {login} » existe déjà (organisation « {existing.organisation_key} »)",
                f"User '{login}' already exists (organisation '{existing.organisation_key}')",
                details={"login": login, "organisation": existing.organisation_key},
            )
        )
    row = UserRow(
        login=login,
        organisation_key=organisation,
        display_name=display_name,
        org_admin=org_admin,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def require_user(session: Session, login: str) -> UserRow:
    """The user ``login``; NotFound when there is none."""
    row = session.get(UserRow, login)
    if row is None:
        raise NotFound(
            Message(
                "user.not_found",
                f"Utilisateur inconnu : « {login} » (créez-le avec « gouvernance users add »)",
                f"Unknown user: '{login}' (create it with 'gouvernance users add')",
                details={"login": login},
            )
        )
    return row


def set_org_admin(session: Session, login: str, *, admin: bool = True) -> UserRow:
    """Makes ``login`` an admin of their organisation (or no longer one, with ``admin=False``)."""
    row = require_user(session, login)
    row.org_admin = admin
    session.flush()
    return row


def require_org_admin(session: Session, login: str, organisation: str) -> UserRow:
    """The user ``login`` if they administer ``organisation``; Forbidden otherwise (an unknown organisation
    too, so that a refusal does not tell which organisations exist)."""
    row = session.get(UserRow, login)
    if row is None or not row.org_admin or row.organisation_key != organisation:
        raise Forbidden(
            Message(
                "organisation.admin_required",
                f"Action réservée aux administrateurs de l'organisation « {organisation} » "
                "(gouvernance users set-admin LOGIN).",
                f"Reserved to the admins of organisation '{organisation}' "
                "(gouvernance users set-admin LOGIN).",
                details={"organisation": organisation},
            )
        )
    return row


def grant(
    session: Session,
    login: str,
    role: str,
    *,
    clock: Clock,
    engagement_id: str | None = None,
    by: str = SYSTEM_LOGIN,
) -> GrantRow:
    """Gives ``role`` to ``login`` on one engagement, or organisation-wide when ``engagement_id`` is None,
    recorded as ``by``'s doing. Granting a role the user already holds returns the existing grant and records
    nothing."""
    user = require_user(session, login)
    if role not in ROLES:
        raise InvalidInput(
            Message(
                "grant.role",
                f"rôle inconnu « {role} » (rôles : {', '.join(ROLES)})",
                f"unknown role '{role}' (roles: {', '.join(ROLES)})",
                path="role",
            )
        )
    if engagement_id is not None and session.get(EngagementRow, engagement_id) is None:
        raise NotFound(engagement_not_found(engagement_id))
    existing = session.scalar(select(GrantRow).where(held(login, role, engagement_id)))
    if existing is not None:
        return existing
    now = clock.now()
    row = GrantRow(login=login, role=role, engagement_id=engagement_id, granted_at=now)
    session.add(row)
    session.flush()
    record_access_change(
        session,
        event=ROLE_GRANTED,
        login=login,
        actor=by,
        at=now,
        organisation=user.organisation_key,
        engagement_id=engagement_id,
        details={"role": role},
    )
    return row


def held(login: str, role: str, engagement_id: str | None) -> ColumnElement[bool]:
    """A WHERE clause selecting the grant of ``role`` to ``login`` there (organisation-wide when
    ``engagement_id`` is None)."""
    where = (
        GrantRow.engagement_id.is_(None) if engagement_id is None else GrantRow.engagement_id == engagement_id
    )
    return and_(GrantRow.login == login, GrantRow.role == role, where)


# --- tokens ---------------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, login: str, *, clock: Clock, feed: bool = False) -> str:
    """A new API token for ``login`` (a calendar feed token with ``feed``). Only its hash is stored: the
    clear token is returned this once."""
    require_user(session, login)
    token = (FEED_TOKEN_PREFIX if feed else TOKEN_PREFIX) + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRow(login=login, token_sha256=token_digest(token), prefix=token[:12], created_at=clock.now())
    )
    session.flush()
    return token


def tokens_of(session: Session, login: str) -> list[ApiTokenRow]:
    """A user's tokens, oldest first, revoked ones included (their hashes only)."""
    require_user(session, login)
    return list(
        session.scalars(select(ApiTokenRow).where(ApiTokenRow.login == login).order_by(ApiTokenRow.id))
    )


def revoke_tokens(session: Session, login: str, *, prefix: str | None, clock: Clock) -> list[ApiTokenRow]:
    """Revokes the user's live tokens that start with ``prefix`` (every live token when ``prefix`` is None)
    and returns them. The rows stay, marked revoked, so that a listing still shows what existed. A running
    server may accept a revoked token for as long as it caches principals (a few seconds)."""
    live = [row for row in tokens_of(session, login) if row.revoked_at is None]
    if prefix is None:
        chosen = live
    else:  # the prefix a listing shows, or the whole token
        chosen = [r for r in live if r.prefix.startswith(prefix) or r.token_sha256 == token_digest(prefix)]
    if len(chosen) > 1 and prefix is not None:
        raise InvalidInput(
            Message(
                "token.ambiguous",
                f"« {prefix} » désigne {len(chosen)} jetons de « {login} » : donnez le préfixe entier.",
                f"'{prefix}' matches {len(chosen)} tokens of '{login}': give the whole prefix.",
                details={"login": login, "prefix": prefix},
            )
        )
    if prefix is not None and not chosen:
        raise NotFound(
            Message(
                "token.not_found",
                f"Aucun jeton actif de « {login} » ne commence par « {prefix} » "
                "(voir gouvernance tokens list).",
                f"No live token of '{login}' starts with '{prefix}' (see gouvernance tokens list).",
                details={"login": login, "prefix": prefix},
            )
        )
    now = clock.now()
    for row in chosen:
        row.revoked_at = now
    session.flush()
    return chosen


def is_feed_token(token: str) -> bool:
    return token.startswith(FEED_TOKEN_PREFIX)


def authenticate(session: Session, token: str, *, feed: bool = False) -> Principal | None:
    """The principal a token belongs to, or None for an unknown or revoked token, or one of the other kind
    (``feed``: a calendar feed token is wanted; otherwise an API token)."""
    if is_feed_token(token) != feed:
        return None
    found = session.execute(
        select(UserRow.login, UserRow.organisation_key)
        .join(ApiTokenRow, ApiTokenRow.login == UserRow.login)
        .where(ApiTokenRow.token_sha256 == token_digest(token), ApiTokenRow.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    login, organisation = found
    return _with_grants(session, login, organisation)


def principal_of(session: Session, login: str) -> Principal:
    """The user ``login`` with every role they hold, as a token would authenticate them; NotFound when
    there is none. For callers whose identity the system already trusts (the command line)."""
    return _with_grants(session, login, require_user(session, login).organisation_key)


def _with_grants(session: Session, login: str, organisation: str) -> Principal:
    grants = session.execute(
        select(GrantRow.role, GrantRow.engagement_id).where(GrantRow.login == login).order_by(GrantRow.id)
    ).all()
    return Principal(login, organisation, tuple(Grant(role, engagement) for role, engagement in grants))


def describe(principal: Principal) -> dict[str, Any]:
    return {
        "login": principal.login,
        "organisation": principal.organisation,
        "grants": [{"role": g.role, "engagement_id": g.engagement_id} for g in principal.grants],
    }
