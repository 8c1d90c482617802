"""Who is told: the users holding a role on an engagement, with how to reach them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gouvernance.access.records import GrantRow, UserRow
from gouvernance.notifications.records import ContactRow


@dataclass(frozen=True)
class Recipient:
    """Someone to tell. ``email`` is where their e-mails go: None when they have no address or want none
    (delivery ``none``: the application only); with ``daily_digest`` they get one e-mail a day instead."""

    login: str
    email: str | None
    daily_digest: bool


def holders(
    session: Session, engagements: Iterable[tuple[str, str | None]]
) -> dict[tuple[str, str], list[Recipient]]:
    """For each (engagement id, owning organisation), the recipients per role: {(engagement id, role): […]}.
    One query for the whole batch: a sweep asks for hundreds of engagements at once."""
    pairs = list(dict.fromkeys(engagements))
    if not pairs:
        return {}
    ids = [engagement_id for engagement_id, _ in pairs]
    organisations = {organisation for _, organisation in pairs if organisation}
    rows = session.execute(
        select(
            GrantRow.engagement_id,
            GrantRow.role,
            UserRow.login,
            UserRow.organisation_key,
            ContactRow.email,
            ContactRow.delivery,
        )
        .join(UserRow, UserRow.login == GrantRow.login)
        .outerjoin(ContactRow, ContactRow.login == UserRow.login)
        .where(
            or_(
                GrantRow.engagement_id.in_(ids),
                and_(GrantRow.engagement_id.is_(None), UserRow.organisation_key.in_(organisations)),
            )
        )
    ).all()
    result: dict[tuple[str, str], list[Recipient]] = defaultdict(list)
    for engagement_id, organisation in pairs:
        for granted_on, role, login, user_org, email, delivery in rows:
            if granted_on == engagement_id or (granted_on is None and user_org == organisation):
                recipient = Recipient(login, _reached_at(email, delivery), delivery == "daily_digest")
                if recipient not in result[(engagement_id, role)]:
                    result[(engagement_id, role)].append(recipient)
    return dict(result)


def _reached_at(email: str | None, delivery: str | None) -> str | None:
    return None if delivery == "none" else email
