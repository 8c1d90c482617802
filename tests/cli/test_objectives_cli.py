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
        "2 mesure(s) enregistrée(s)."
        in lead("objectives", "import-measurements", engagement_id[:8], str(sheet)).stdout
    )
    listed = lead("objectives", "list", engagement_id[:8], "--au", "2026-05-01").stdout
    assert "Associer les habitants (associer) — " in listed
    assert "16 % le 30/04/2026" in listed
