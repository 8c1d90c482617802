"""Who may read and write an engagement's stakeholder register, and who may see contact details (the
engagement's leads only, RGPD); the small pieces every stakeholder router shares."""

from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, Response
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.api.permissions import Access, Permission, Scope, requires
from gouvernance.api.writes import Writes
from gouvernance.errors import Forbidden, Message

READ_STAKEHOLDERS = Permission("stakeholders.read", Scope.ENGAGEMENT)
WRITE_STAKEHOLDERS = Permission("stakeholders.write", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
PERSONAL_DATA = Permission("stakeholders.personal_data", Scope.ENGAGEMENT, LEAD_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_STAKEHOLDERS))]
WriteAccess = Annotated[Access, Depends(requires(WRITE_STAKEHOLDERS))]
PersonalDataAccess = Annotated[Access, Depends(requires(PERSONAL_DATA))]

ENGAGEMENT_PREFIX = "/engagements/{engagement_id}"
TAGS: list[str | Enum] = ["Parties prenantes"]


def no_content(writes: Writes, access: Access, request: dict[str, Any], action: Any) -> Response:
    """A write that answers 204: ``action(session)`` in the write transaction, with idempotency."""

    def work(session: Session) -> Response:
        action(session)
        return Response(status_code=204)

    return writes.run(access.user.login, request, work)


def check_personal_data(access: Access, wanted: bool) -> None:
    if wanted and not access.roles & LEAD_ROLES:
        raise Forbidden(
            Message(
                "stakeholders.personal_data",
                "Les coordonnées sont réservées aux consultants et chefs de projet (RGPD)",
                "Contact details are reserved to consultants and project leads (GDPR)",
            )
        )
