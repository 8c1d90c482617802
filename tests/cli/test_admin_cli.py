"""`gouvernance users invite`, as an organisation admin names themselves with --login."""

from __future__ import annotations

import uuid

from gouvernance.access.service import principal_of


def test_users_invite_is_for_the_organisations_admins(cli, db) -> None:
    suffix = uuid.uuid4().hex[:8]
    org, admin, member = f"mairie-{suffix}", f"admin.{suffix}", f"agent.{suffix}"
    cli("users", "add", admin, "--org", org, "--admin", "--operateur")
    cli("users", "add", member, "--org", org, "--operateur")
    address = f"invite.{suffix}@exemple.fr"
    refused = cli("users", "invite", address, "--role", "elu", "--login", member, ok=False)
    assert "(organisation.admin_required)" in refused.stderr
    done = cli("users", "invite", address, "--role", "elu", "--login", admin).stdout
    assert f"Compte créé pour « {address} »" in done
    with db.reading() as session:
        assert principal_of(session, address).organisation_roles == frozenset({"elu"})
