"""The grant checks the API and the command line share."""

from __future__ import annotations

import pytest

from gouvernance.access.permissions import engagement_roles, organisation_roles
from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES, Grant, Principal
from gouvernance.errors import Forbidden, NotFound

CLAIRE = Principal("claire", "cc-val", (Grant("consultant", None), Grant("elu", "e-autre")))


def test_organisation_roles_must_include_a_required_one() -> None:
    assert organisation_roles(CLAIRE, permission="engagements.launch", required=LEAD_ROLES) == {"consultant"}
    elu_only = Principal("sophie", "cc-val", (Grant("elu", None),))
    with pytest.raises(Forbidden) as refused:
        organisation_roles(elu_only, permission="engagements.launch", required=LEAD_ROLES)
    assert refused.value.code == "access.role_required"
    assert "dans votre organisation (vos rôles : elu)" in refused.value.text()


@pytest.mark.parametrize(
    ("engagement", "owner", "exists", "expected"),
    [
        ("e-1", "cc-val", True, {"consultant"}),  # organisation-wide role on an engagement it owns
        ("e-autre", "ailleurs", True, {"elu"}),  # a role granted on one engagement of another organisation
    ],
)
def test_engagement_roles_are_those_held_there(engagement, owner, exists, expected) -> None:
    held = engagement_roles(
        CLAIRE, engagement, exists=exists, owner=owner, permission="steps.events", required=PARTICIPANT_ROLES
    )
    assert held == expected


@pytest.mark.parametrize(("owner", "exists"), [("ailleurs", True), ("cc-val", False)])
def test_no_role_or_no_engagement_is_not_found(owner, exists) -> None:
    with pytest.raises(NotFound):
        engagement_roles(
            CLAIRE,
            "e-1",
            exists=exists,
            owner=owner,
            permission="engagements.read",
            required=PARTICIPANT_ROLES,
        )


def test_other_roles_only_are_forbidden() -> None:
    with pytest.raises(Forbidden) as refused:
        engagement_roles(
            CLAIRE,
            "e-autre",
            exists=True,
            owner="ailleurs",
            permission="evidence.attach",
            required=LEAD_ROLES,
        )
    assert "sur cet accompagnement (vos rôles : elu)" in refused.value.text()
