"""Idempotency-Key on POST: a retry returns the same response and writes nothing new; the same key with a
different request is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from gouvernance.deliverables.records import DeliverableRow
from gouvernance.engagements.records import EngagementRow
from gouvernance.history.records import EventRow
from tests.api.conftest import launch_body, step_path


def _count(db, table, *where) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)))


def test_a_retried_launch_returns_the_same_engagement_and_launches_nothing_new(
    client, db, consultant
) -> None:
    headers = {**consultant.headers, "Idempotency-Key": "lancement-val-fleuri-1"}
    first = client.post("/engagements", json=launch_body(), headers=headers)
    owned = _count(db, EngagementRow, EngagementRow.organisation_id == consultant.organisation)
    retry = client.post("/engagements", json=launch_body(), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _count(db, EngagementRow, EngagementRow.organisation_id == consultant.organisation) == owned == 1


def test_the_same_key_with_another_body_is_422(client, consultant) -> None:
    headers = {**consultant.headers, "Idempotency-Key": "cle-unique"}
    assert client.post("/engagements", json=launch_body(), headers=headers).status_code == 201
    other = client.post("/engagements", json=launch_body(population=99), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"


def test_keys_belong_to_their_principal(client, directory, consultant) -> None:
    colleague = directory.person(consultant.organisation, org_roles=("consultant",))
    key = {"Idempotency-Key": "partagee"}
    mine = client.post("/engagements", json=launch_body(), headers={**consultant.headers, **key})
    theirs = client.post("/engagements", json=launch_body(), headers={**colleague.headers, **key})
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_retried_step_event_replays_instead_of_conflicting(client, db, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    etag = client.get(step_path(team.engagement_id, "a1"), headers=consultant.headers).headers["etag"]
    headers = {**consultant.headers, "If-Match": etag, "Idempotency-Key": "demarrage-a1"}
    path = f"{step_path(team.engagement_id, 'a1')}/events"
    first = client.post(path, json={"event": "start"}, headers=headers)
    events = _count(db, EventRow, EventRow.engagement_id == team.engagement_id)
    retry = client.post(path, json={"event": "start"}, headers=headers)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.headers["etag"] == first.headers["etag"]
    assert _count(db, EventRow, EventRow.engagement_id == team.engagement_id) == events
    without_key = client.post(path, json={"event": "start"}, headers={**consultant.headers, "If-Match": etag})
    assert without_key.status_code == 409


def test_a_refused_request_stores_nothing_so_it_can_be_retried(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    path = f"{step_path(team.engagement_id, 'a1')}/events"
    headers = {**consultant.headers, "If-Match": '"99"', "Idempotency-Key": "tentative"}
    assert client.post(path, json={"event": "start"}, headers=headers).status_code == 409
    etag = client.get(step_path(team.engagement_id, "a1"), headers=consultant.headers).headers["etag"]
    fixed = client.post(path, json={"event": "start"}, headers={**headers, "If-Match": etag})
    assert fixed.status_code == 200


def test_an_evidence_upload_retried_with_a_new_multipart_boundary_is_the_same_request(
    client, db, make_team
) -> None:
    team = make_team()
    consultant = team["consultant"]
    path = f"{step_path(team.engagement_id, 'a1')}/evidence"
    headers = {**consultant.headers, "Idempotency-Key": "note-a1"}
    files = {"file": ("note.pdf", b"%PDF-1.7 note", "application/pdf")}
    first = client.post(path, data={"label": "note juridique"}, files=files, headers=headers)
    retry = client.post(path, data={"label": "note juridique"}, files=files, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    other = client.post(path, data={"label": "autre"}, files=files, headers=headers)
    assert other.status_code == 422


def test_a_retried_deliverable_rebuild_replays_and_writes_no_new_version(client, db, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}/deliverables"
    headers = {**team["chef_de_projet"].headers, "Idempotency-Key": "reproduire-note-1"}
    first = client.post(base, json={"keys": ["note"]}, headers=headers)
    versions = _count(db, DeliverableRow, DeliverableRow.engagement_id == team.engagement_id)
    retry = client.post(base, json={"keys": ["note"]}, headers=headers)
    other = client.post(base, json={}, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"
    assert _count(db, DeliverableRow, DeliverableRow.engagement_id == team.engagement_id) == versions == 3
