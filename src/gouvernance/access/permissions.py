"""The grant checks every entry point shares: the API's permission dependencies and the command line call
these, so that a person may do the same things whichever door they use.

An engagement where the caller holds no role at all is reported as not found, so that another
organisation's engagements do not even show they exist."""

from __future__ import annotations

from gouvernance import messages
from gouvernance.access.service import Principal
from gouvernance.errors import Forbidden, Message, NotFound


def engagement_not_found(engagement_id: str) -> NotFound:
    return NotFound(messages.engagement_not_found(engagement_id))


def role_required(
    permission: str, required: frozenset[str], held: frozenset[str], where: str, where_en: str
) -> Forbidden:
    wanted = ", ".join(sorted(required))
    return Forbidden(
        Message(
            "access.role_required",
            f"Action réservée aux rôles {wanted} {where} (vos rôles : {', '.join(sorted(held)) or 'aucun'})",
            f"Reserved to the roles {wanted} {where_en} (your roles: {', '.join(sorted(held)) or 'none'})",
            details={"permission": permission, "required_roles": sorted(required)},
        )
    )


def organisation_roles(principal: Principal, *, permission: str, required: frozenset[str]) -> frozenset[str]:
    """The principal's organisation-wide roles, if one of them is ``required``; Forbidden otherwise."""
    held = principal.organisation_roles
    if not held & required:
        raise role_required(permission, required, held, "dans votre organisation", "in your organisation")
    return held


def engagement_roles(
    principal: Principal,
    engagement_id: str,
    *,
    exists: bool,
    owner: str | None,
    permission: str,
    required: frozenset[str],
) -> frozenset[str]:
    """The principal's roles on the engagement, if one of them is ``required``. NotFound where they hold no
    role at all (or the engagement does not exist), Forbidden where they hold only other roles."""
    held = principal.roles_on(engagement_id, owner) if exists else frozenset()
    if not held:
        raise engagement_not_found(engagement_id)
    if not held & required:
        raise role_required(permission, required, held, "sur cet accompagnement", "on this engagement")
    return held
