"""The command line acts as a named person, with the grants the API would check for their token; an operator
works across organisations, logged. Real processes on the test database."""

from __future__ import annotations

import getpass

from sqlalchemy import select

from gouvernance.access.service import grant
from gouvernance.cli import identity
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.engagements.records import EngagementRow

LAUNCH = ("launch", "gouvernance-partagee", "--territory", "Olivet", "--start", "2026-03-02")


def test_launch_needs_someone_and_belongs_to_their_organisation(cli, crew, db: Database) -> None:
    nobody = cli(*LAUNCH, ok=False)
    assert "Qui agit ? Donnez votre identifiant avec --login" in nobody.stderr
    assert "(cli.login_required)" in nobody.stderr
    not_a_lead = cli(*LAUNCH, "--login", crew.elu, ok=False)
    assert "(access.role_required)" in not_a_lead.stderr
    assert "dans votre organisation" in not_a_lead.stderr
    unknown = cli(*LAUNCH, "--login", "personne.inconnue", ok=False)
    assert "(user.not_found)" in unknown.stderr

    engagement_id = cli(*LAUNCH, "--login", crew.consultant).stdout.strip()
    with db.reading() as session:
        owner = session.scalar(select(EngagementRow.organisation_id).where(EngagementRow.id == engagement_id))
    assert owner == crew.organisation


def test_an_engagement_of_another_organisation_does_not_show(cli, crew) -> None:
    engagement_id = cli(*LAUNCH, "--login", crew.consultant).stdout.strip()
    hidden = cli("status", engagement_id[:8], "--login", crew.outsider, ok=False)
    assert f"Accompagnement introuvable : {engagement_id}" in hidden.stderr
    assert engagement_id[:8] not in cli("engagements", "list", "--login", crew.outsider).stdout
    listed = cli("engagements", "list", "--login", crew.consultant, "--territory", "Olivet").stdout
    assert engagement_id[:8] in listed
    assert "gouvernance-partagee" in listed


def test_a_user_acts_with_the_roles_they_hold_and_no_other(cli, crew, db, clock: FrozenClock) -> None:
    engagement_id = cli(*LAUNCH, "--login", crew.consultant).stdout.strip()
    with db.transaction() as session:
        grant(session, crew.elu, "elu", engagement_id=engagement_id, clock=clock)
    as_elu = cli("advance", engagement_id, "cadrage_accompagnement", "start", "--login", crew.elu, ok=False)
    assert "rôle non autorisé" in as_elu.stderr
    assert "Consultant" in as_elu.stderr
    borrowed = cli(
        "advance",
        engagement_id,
        "cadrage_accompagnement",
        "start",
        "--login",
        crew.elu,
        "--as",
        "consultant",
        ok=False,
    )
    assert (
        "Vous n'avez pas le rôle « consultant » sur cet accompagnement (vos rôles : elu)" in borrowed.stderr
    )


def test_a_refusal_prints_each_reason_once(cli, crew) -> None:
    me = ("--login", crew.consultant)
    engagement_id = cli(*LAUNCH, *me).stdout.strip()
    cli("advance", engagement_id, "cadrage_accompagnement", "start", *me)
    refused = cli("advance", engagement_id, "cadrage_accompagnement", "submit", *me, ok=False).stderr
    reason = "fichier « compte rendu de cadrage » joint à l'étape (0 sur 1)"
    assert refused.count(reason) == 1, refused
    lines = refused.strip().splitlines()
    assert (
        lines[0]
        == "Erreur (transition.refused) : « Soumettre » refusé pour l'étape « cadrage_accompagnement »"
    )
    assert lines[1:] == [f"  • {reason}  (guard.evidence_missing)"]


def test_my_tasks_are_the_steps_my_roles_answer_for(cli, crew) -> None:
    engagement_id = cli(*LAUNCH, "--login", crew.consultant).stdout.strip()
    mine = cli("tasks", "--login", crew.consultant).stdout
    assert engagement_id[:8] in mine
    assert "cadrage_accompagnement" in mine
    assert "Réunion de cadrage" in mine
    assert engagement_id[:8] not in cli("tasks", "--login", crew.elu).stdout


def test_an_operator_works_across_organisations_and_is_logged(cli, crew) -> None:
    refused = cli(*LAUNCH, "--operateur", ok=False)
    assert "(cli.organisation_required)" in refused.stderr
    engagement_id = cli(*LAUNCH, "--operateur", "--org", crew.organisation).stdout.strip()
    moved = cli(
        "advance", engagement_id, "cadrage_accompagnement", "start", "--operateur", "--as", "consultant"
    )
    assert "prête → en cours" in moved.stdout
    assert f"Mode opérateur : {getpass.getuser()} — gouvernance advance" in moved.stderr
    assert engagement_id[:8] in cli("engagements", "list", "--operateur").stdout
    assert engagement_id[:8] in cli("tasks", "--login", crew.consultant).stdout, "owned by the organisation"


def test_the_command_line_asks_for_the_roles_the_api_asks_for() -> None:
    from gouvernance.api import permissions as api
    from gouvernance.api.stakeholders import access as api_stakeholders

    pairs = [
        (identity.LAUNCH, api.LAUNCH_ENGAGEMENT),
        (identity.READ, api.READ_ENGAGEMENT),
        (identity.STEP_EVENT, api.SEND_STEP_EVENT),
        (identity.ATTACH, api.ATTACH_EVIDENCE),
        (identity.WRITE_STAKEHOLDERS, api_stakeholders.WRITE_STAKEHOLDERS),
        (identity.PERSONAL_DATA, api_stakeholders.PERSONAL_DATA),
    ]
    for (name, roles), permission in pairs:
        assert (name, roles) == (permission.name, permission.roles)
