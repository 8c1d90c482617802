"""`gouvernance convention|formations|communication …` as a project lead runs them: a real process, French
output, every problem of a refused entry listed, never a traceback."""

from __future__ import annotations

import uuid

import pytest

from gouvernance.access.service import add_user, grant


@pytest.fixture
def lead(cli, db, clock):
    login = f"julien.{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{login.split('.')[1]}", clock=clock)
        grant(session, login, "chef_de_projet", clock=clock)

    def run(*args: str, ok: bool = True):
        return cli(*args, "--login", login, ok=ok)

    return run


def test_parties_sessions_attendance_and_actions_from_the_command_line(lead) -> None:
    engagement = lead(
        "launch", "gouvernance-partagee", "--territory", "Val Fleuri", "--start", "2026-01-05"
    ).stdout.strip()[:8]

    added = lead(
        "convention",
        "add",
        engagement,
        "--nom",
        "Association Les Jardins partagés",
        "--nature",
        "association",
        "--representant",
        "Martine Lefèvre",
        "--qualite",
        "Présidente",
        "--apport",
        "Deux bénévoles",
        "--valorisation",
        "2 400,50",
    )
    assert "Partie n° " in added.stdout
    refused = lead(
        "convention",
        "add",
        engagement,
        "--nom",
        "X",
        "--nature",
        "entreprise",
        "--valorisation",
        "-3",
        ok=False,
    )
    assert "montant positif attendu" in refused.stdout + refused.stderr
    listed = lead("convention", "list", engagement).stdout
    assert "Martine Lefèvre, Présidente" in listed
    assert "Deux bénévoles" in listed

    dif = lead(
        "formations",
        "add",
        engagement,
        "--titre",
        "Le rôle de l'élu",
        "--date",
        "2026-06-12",
        "--duree",
        "3,5",
        "--public",
        "elus",
        "--formateur",
        "Institut",
        "--dif",
        ok=False,
    )
    assert "organisme agréé" in dif.stdout + dif.stderr
    planned = lead(
        "formations",
        "add",
        engagement,
        "--titre",
        "Le rôle de l'élu",
        "--date",
        "2026-06-12",
        "--duree",
        "3,5",
        "--public",
        "elus",
        "--formateur",
        "Institut",
        "--dif",
        "--organisme-agree",
    ).stdout
    session_id = planned.split("n° ")[1].split(" ")[0]
    lead(
        "formations",
        "register",
        engagement,
        session_id,
        "--nom",
        "Hélène Marchand",
        "--qualite",
        "Présidente",
    )
    early = lead("formations", "attendance", engagement, session_id, "--present", "Hélène Marchand", ok=False)
    assert "l'émargement se saisit une fois la séance tenue" in early.stdout + early.stderr
    assert "Séance" in lead("formations", "list", engagement).stdout

    action = lead(
        "communication",
        "add",
        engagement,
        "--action",
        "Réunion publique de lancement",
        "--public",
        "Habitants",
        "--canal",
        "reunion_publique",
        "--debut",
        "2026-05-20",
        "--porteur",
        "Élue référente",
        "--budget",
        "900",
    )
    assert "Action n° " in action.stdout
    plan = lead("communication", "list", engagement).stdout
    assert "Réunion publique de lancement" in plan
    assert "réunion publique" in plan
