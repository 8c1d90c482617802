"""Deleting a user account, with everything that hangs on it: API and calendar tokens, web password and
sessions, grants, contact and preferences, failed sign-ins, in-app and e-mail deliveries, and the responses
stored for its retried requests and forms (``Idempotency-Key``: they hold what it sent back and forth).
Events the user made stay in the append-only log (their salts go with ``privacy erase``); the deletion itself
is an organisation event."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from gouvernance.access.journal import ACCOUNT_DELETED, record_access_change
from gouvernance.access.records import (
    AccessLinkRow,
    ApiTokenRow,
    GrantRow,
    LoginAttemptRow,
    PasswordRow,
    UserRow,
    WebSessionRow,
)
from gouvernance.access.service import require_user
from gouvernance.clock import Clock
from gouvernance.errors import Message, NotFound
from gouvernance.idempotency.records import IdempotencyRow
from gouvernance.notifications.records import ContactRow, DeliveryRow


def delete_user(
    session: Session, login: str, *, by: str, clock: Clock, organisation: str | None = None
) -> dict[str, int]:
    """Deletes ``login`` (NotFound if unknown, or not of ``organisation`` when one is given), recorded among
    its organisation's events as ``by``'s doing. Returns how many rows of each table went."""
    user = require_user(session, login)
    if organisation is not None and user.organisation_key != organisation:
        raise NotFound(
            Message("user.not_found", f"Utilisateur inconnu : « {login} »", f"Unknown user: '{login}'")
        )
    counts: dict[str, int] = {}
    for name, statement in (
        ("api_tokens", delete(ApiTokenRow).where(ApiTokenRow.login == login)),
        ("web_sessions", delete(WebSessionRow).where(WebSessionRow.login == login)),
        ("user_passwords", delete(PasswordRow).where(PasswordRow.login == login)),
        ("grants", delete(GrantRow).where(GrantRow.login == login)),
        ("user_contacts", delete(ContactRow).where(ContactRow.login == login)),
        ("login_attempts", delete(LoginAttemptRow).where(LoginAttemptRow.login == login)),
        ("access_links", delete(AccessLinkRow).where(AccessLinkRow.login == login)),  # invitations, resets
        (
            "deliveries",
            delete(DeliveryRow).where(DeliveryRow.recipient == login, DeliveryRow.channel != "webhook"),
        ),
        ("idempotency_keys", delete(IdempotencyRow).where(IdempotencyRow.principal == login)),
        ("users", delete(UserRow).where(UserRow.login == login)),
    ):
        counts[name] = cast(CursorResult[Any], session.execute(statement)).rowcount
    session.expunge(user)  # deleted by a statement: not to be found again in the identity map
    record_access_change(
        session,
        event=ACCOUNT_DELETED,
        login=login,
        actor=by,
        at=clock.now(),
        organisation=user.organisation_key,
        details={"grants": counts["grants"]},
    )
    return counts
