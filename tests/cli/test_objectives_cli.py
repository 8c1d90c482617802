"""`gouvernance objectives …` as a project lead runs it: a real process, measurements from a spreadsheet all
or nothing, and each objective's standing with its reason."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from gouvernance.access.service import add_user, grant
from gouvernance.engagements.actors import ActorRef
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.plan import plan_action
from gouvernance.objectives.service import Frequency, IndicatorData, add_indicator, add_objective


@pytest.fixture
def lead(cli, db, clock):
    login = f"julien.{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{login.split('.')[1]}", clock=clock)
        grant(session, login, "chef_de_projet", clock=clock)

    def run(*args: str, ok: bool = True):
        return cli(*args, "--login", login, ok=ok)

    return run


def test_measurements_are_imported_all_or_nothing_and_the_objective_says_where_it_stands(
    lead, db, clock, tmp_path: Path
) -> None:
    engagement_id = lead(
        "launch", "gouvernance-partagee", "--territory", "Val Fleuri", "--start", "2026-01-05"
    ).stdout.strip()
    with db.transaction() as session:
        add_objective(
            session, engagement_id=engagement_id, key="associer", title="Associer les habitants",
            actor=ActorRef.of("claire", "consultant"), clock=clock,
        )  # fmt: skip
        add_indicator(
            session,
            engagement_id=engagement_id,
            objective_key="associer",
            data=IndicatorData(
                "participation",
                "Taux de participation",
                "%",
                10,
                date(2026, 1, 1),
                40,
                date(2027, 12, 31),
                Direction.UP,
                Frequency.TRIMESTRIELLE,
                "Registre",
            ),
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
        )
    sheet = tmp_path / "mesures.csv"
    sheet.write_text("Indicateur;Date;Valeur\nparticipation;01/04/2026;15\nparticipation;31/04/2026;16\n")
    refused = lead("objectives", "import-measurements", engagement_id[:8], str(sheet), ok=False)
    assert "Import refusé, aucune mesure n'a été enregistrée : 1 ligne en erreur (3)." in refused.stderr
    assert "Ligne 3 — date illisible : « 31/04/2026 »" in refused.stderr
    sheet.write_text("Indicateur;Date;Valeur\nparticipation;01/04/2026;15\nparticipation;30/04/2026;16\n")
    assert (
        "2 mesures enregistrées."
        in lead("objectives", "import-measurements", engagement_id[:8], str(sheet)).stdout
    )
    listed = lead("objectives", "list", engagement_id[:8], "--au", "2026-05-01").stdout
    assert "Associer les habitants (associer) — " in listed
    assert "16 % le 30/04/2026" in listed


def test_means_and_the_action_plan_with_late_actions(lead, db, clock) -> None:
    engagement_id = lead(
        "launch", "gouvernance-partagee", "--territory", "Val Fleuri", "--start", "2026-01-05"
    ).stdout.strip()
    with db.transaction() as session:
        add_objective(
            session, engagement_id=engagement_id, key="former", title="Former les élus et les agents",
            actor=ActorRef.of("claire", "consultant"), clock=clock,
        )  # fmt: skip
        plan_action(
            session, engagement_id=engagement_id, objective_key="former", title="Bilan des formations",
            owner="DGS", due_on=date(2026, 12, 15), actor=ActorRef.of("claire", "consultant"), clock=clock,
        )  # fmt: skip
    engagement = engagement_id[:8]
    allocated = lead(
        "objectives", "means", "add", engagement, "former", "--label", "Formation des élus",
        "--budget", "12 000", "--days", "4,5",
    ).stdout  # fmt: skip
    assert "✓ Moyens alloués à « former » : 12\u202f000\xa0€ et 4,5 jours de travail." in allocated
    planned = lead(
        "objectives", "actions", "add", engagement, "former", "--title", "Session de formation n° 1",
        "--owner", "Service RH", "--due", "15/03/2026",
    ).stdout  # fmt: skip
    assert "inscrite au plan de « former », échéance le 15/03/2026." in planned
    action = planned.split("Action n° ")[1].split()[0]
    assert f"Action n° {action} : en cours." in lead("objectives", "actions", "status", engagement, action,
                                                       "en cours").stdout  # fmt: skip
    refused = lead("objectives", "actions", "status", engagement, action, "terminée", ok=False)
    assert (
        "STATUT : « terminée » inconnu (possibles : à faire, en cours, réalisée, abandonnée)"
        in refused.stderr
    )

    actions = lead("objectives", "actions", "list", engagement, "--au", "01/04/2026").stdout
    assert "Session de formation n° 1" in actions
    assert "en cours, en retard" in actions
    assert "2 actions, dont 1 en retard au 01/04/2026." in actions
    late = lead("objectives", "actions", "list", engagement, "--au", "2026-04-01", "--late").stdout
    assert "Bilan des formations" not in late
    means = lead("objectives", "means", "list", engagement).stdout
    assert "Former les élus et les agents (former) — 12\u202f000\xa0€ et 4,5 jours de travail" in means
    assert "Formation des élus" in means
