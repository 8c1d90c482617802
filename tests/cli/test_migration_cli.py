"""`gouvernance models diff` and `gouvernance migrate` as a consultant and an operator run them: a real
process, templates in a directory of their own, one engagement moved, then a bulk move refused for each
engagement that would lose its history."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.spec.validation import load_model_text

MINI = Path(__file__).parent.parent / "fixtures" / "models" / "mini.yaml"
NEW_STEP = "    steps:\n      - {key: a0, title: Zéro, role: chef_de_projet, duration: 3 jours}\n"


@pytest.fixture
def versions(tmp_path: Path, monkeypatch, request):
    """A templates directory with the small journey under a key of its own, in versions 1 and 2 (a first
    step added to phase A); the command line reads it."""
    key = f"mini-{uuid.uuid4().hex[:8]}"
    text = MINI.read_text(encoding="utf-8").replace("key: mini\n", f"key: {key}\n", 1)
    v2 = text.replace("version: 1\n", "version: 2\n", 1).replace("    steps:\n", NEW_STEP, 1)
    folder = tmp_path / "modeles"
    folder.mkdir()
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    (folder / "v2.yaml").write_text(v2, encoding="utf-8")
    monkeypatch.setenv("GOUVERNANCE_TEMPLATES_DIR", str(folder))
    cli = request.getfixturevalue("cli")  # after the variable is set: the process inherits it
    return key, load_model_text(text, "v1.yaml"), load_model_text(v2, "v2.yaml"), cli


def _launch(db, clock, model, organisation: str) -> str:
    with db.transaction() as session:
        return launch(
            session,
            LaunchRequest(
                model, Territory("Val Fleuri", "commune"), date(2026, 3, 2), organisation_id=organisation
            ),
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
        ).engagement_id


def test_a_consultant_reads_the_diff_and_moves_an_engagement(versions, crew, db, clock) -> None:
    key, v1, _, cli = versions
    diff = cli("models", "diff", key, "1", "2").stdout
    assert f"Modèle « {key} » : version 1 → 2" in diff
    assert "+ étape ajoutée : a0 (a) — Zéro, rôle chef_de_projet" in diff

    engagement_id = _launch(db, clock, v1, crew.organisation)
    dry = cli("migrate", engagement_id, "--vers", "2", "--dry-run", "--login", crew.consultant).stdout
    assert "+ a0 : ajoutée" in dry
    assert "= a1 [ready] : conservée" in dry
    assert "rien n'a changé" in dry
    assert "a0 :" not in cli("status", engagement_id, "--login", crew.consultant).stdout

    done = cli("migrate", engagement_id, "--vers", "2", "--login", crew.consultant).stdout
    assert "Migration effectuée." in done
    assert "• a0 : Zéro — prête" in cli("status", engagement_id, "--login", crew.consultant).stdout
    refused = cli("migrate", engagement_id, "--vers", "2", "--login", crew.elu, ok=False)
    assert "introuvable" in refused.stderr or "Aucun accompagnement" in refused.stderr


def test_a_bulk_migration_moves_what_it_can_and_names_each_blocked_engagement(
    versions, db, clock, crew
) -> None:
    key, _, v2, cli = versions
    first, second = (_launch(db, clock, v2, crew.organisation) for _ in range(2))
    refused = cli("migrate", "--modele", key, "--depuis", "2", "--vers", "1", "--operateur", ok=False)
    assert f"{key} v2 → v1 : 0 accompagnement migré, 2 bloqués." in refused.stdout
    for engagement_id in (first, second):
        assert f"✗ {engagement_id} : Migration vers la version 1 impossible" in refused.stdout
    assert "« a0 » (ready) a un historique" in refused.stdout
    needs_operator = cli(
        "migrate", "--modele", key, "--depuis", "2", "--vers", "1", "--login", crew.consultant, ok=False
    )
    assert "réservé aux opérateurs" in needs_operator.stderr
