"""Migration through the API: the diff of two versions, a dry run, the move, and a refusal in problem+json
naming each blocking step."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gouvernance.api.app import create_app
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.settings import Settings
from gouvernance.spec.catalog import Catalog
from tests.api.conftest import Directory, Person, launch_body

MINI = Path(__file__).parent.parent / "fixtures" / "models" / "mini.yaml"
NEW_STEP = "    steps:\n      - {key: a0, title: Zéro, role: chef_de_projet, duration: 3 jours}\n"


@pytest.fixture
def two_versions(tmp_path: Path) -> Catalog:
    """The small journey in version 1, and a version 2 with a first step added to phase A."""
    text = MINI.read_text(encoding="utf-8")
    (tmp_path / "mini-v1.yaml").write_text(text, encoding="utf-8")
    v2 = text.replace("version: 1\n", "version: 2\n", 1).replace("    steps:\n", NEW_STEP, 1)
    (tmp_path / "mini-v2.yaml").write_text(v2, encoding="utf-8")
    return Catalog([tmp_path])


@pytest.fixture
def client(db, clock, two_versions, tmp_path) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings, database=db, clock=clock, blob_store=MemoryBlobStore(), catalog=two_versions)
    with TestClient(app) as client:
        yield client


def _launch(client: TestClient, person: Person, version: int) -> str:
    body = {**launch_body("mini"), "model_version": version}
    response = client.post("/engagements", json=body, headers=person.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _consultant(db, clock) -> Person:
    directory = Directory(db, clock)
    return directory.person(directory.organisation("cabinet"), org_roles=("consultant",))


def test_the_diff_of_two_versions(client, db, clock) -> None:
    consultant = _consultant(db, clock)
    response = client.get("/process-models/mini/diff?from=1&to=2", headers=consultant.headers)
    assert response.status_code == 200
    assert response.json()["steps_added"] == [{"stage": "a", "step": "a0"}]
    missing = client.get("/process-models/mini/diff?from=1&to=7", headers=consultant.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_dry_run_then_the_migration(client, db, clock) -> None:
    consultant = _consultant(db, clock)
    engagement_id = _launch(client, consultant, 1)
    url = f"/engagements/{engagement_id}/migration"
    dry = client.post(url, json={"to_version": 2, "dry_run": True}, headers=consultant.headers)
    assert dry.status_code == 200, dry.text
    assert dry.json()["migrated"] is False
    assert {
        "step": "a0",
        "action": "add",
        "state": None,
        "stage": "a",
        "changes": [],
        "blocking": None,
    } in dry.json()["steps"]
    assert (
        client.get(f"/engagements/{engagement_id}", headers=consultant.headers).json()["model"]["version"]
        == 1
    )

    moved = client.post(url, json={"to_version": 2}, headers=consultant.headers)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["migrated"], moved.json()["readied"]) == (True, ["a0"])
    step = client.get(f"/engagements/{engagement_id}/steps/a0", headers=consultant.headers).json()
    assert step["state"] == "ready"
    events = client.get(f"/engagements/{engagement_id}/timeline", headers=consultant.headers).json()
    assert any(item["event"] == "model_migrated" for item in events["items"])


def test_a_blocked_migration_is_a_409_naming_the_steps(client, db, clock) -> None:
    consultant = _consultant(db, clock)
    engagement_id = _launch(client, consultant, 2)  # a0 and a1 are ready
    back = client.post(
        f"/engagements/{engagement_id}/migration", json={"to_version": 1}, headers=consultant.headers
    )
    assert back.status_code == 409
    assert back.headers["content-type"] == "application/problem+json"
    problem = back.json()
    assert problem["code"] == "migration.blocked"
    assert problem["details"]["blocking_steps"] == ["a0"]
    assert "a0" in problem["detail"] or "a0" in problem["title"]
