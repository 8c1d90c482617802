"""Simultaneous retries with one Idempotency-Key, against a real server: every client gets the stored
response (or is told the first request is still at work) and the write happens once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gouvernance.api import writes
from gouvernance.api.engagements import LaunchIn
from gouvernance.engagements.records import EngagementRow
from gouvernance.history.records import EventRow
from gouvernance.idempotency.service import CLAIM_SECONDS, Claim, claim, fingerprint
from gouvernance.stakeholders.tables import StakeholderRow
from tests.api.conftest import launch_body, step_path


def _simultaneously(
    count: int, url: str, body: dict[str, Any], headers: dict[str, str]
) -> list[httpx.Response]:
    """``count`` clients, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(count)

    def one(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            barrier.wait()
            return http.post(url, json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def _count(db, table: Any, *where: Any) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)))


def _assert_one_answer(responses: list[httpx.Response], status: int) -> None:
    """The response the first request stored, given to each retry, or 409 « en cours » with Retry-After."""
    done = [r for r in responses if r.status_code == status]
    waiting = [r for r in responses if r.status_code != status]
    assert [r.headers.get("idempotent-replayed") for r in done].count(None) == 1
    assert len({r.content for r in done}) == 1
    for response in waiting:
        assert (response.status_code, response.json()["code"]) == (409, "idempotency.in_progress")
        assert response.headers["retry-after"] == "1"


@pytest.mark.parametrize("clients", [10, 32])
def test_simultaneous_retries_of_a_stakeholder_add_write_it_once(live_url, db, make_team, clients) -> None:
    team = make_team()
    consultant = team["consultant"]
    body = {"name": "Comité des fêtes", "category": "association", "power": 2, "interest": 4}
    headers = {**consultant.headers, "Idempotency-Key": f"ajout-comite-{clients}"}
    url = f"{live_url}/engagements/{team.engagement_id}/stakeholders"
    responses = _simultaneously(clients, url, body, headers)
    _assert_one_answer(responses, 201)
    assert _count(db, StakeholderRow, StakeholderRow.engagement_id == team.engagement_id) == 1


@pytest.mark.parametrize("clients", [10, 32])
def test_simultaneous_retries_of_a_step_event_send_it_once(live_url, db, make_team, clients) -> None:
    team = make_team()
    consultant = team["consultant"]
    url = f"{live_url}{step_path(team.engagement_id, 'a1')}"
    etag = httpx.get(url, headers=consultant.headers).headers["etag"]
    headers = {**consultant.headers, "If-Match": etag, "Idempotency-Key": f"demarrage-a1-{clients}"}
    responses = _simultaneously(clients, f"{url}/events", {"event": "start"}, headers)
    _assert_one_answer(responses, 200)
    where = (
        EventRow.engagement_id == team.engagement_id,
        EventRow.step_key == "a1",
        EventRow.event == "start",
    )
    assert _count(db, EventRow, *where) == 1


def _claim_as_another_request(db, clock, consultant, key: str) -> None:
    """What a request that took the key for the same launch holds until it commits (or dies)."""
    with db.transaction() as session:
        held = claim(
            session,
            principal=consultant.login,
            key=key,
            method="POST",
            path="/engagements",
            request_sha256=fingerprint(
                "POST", "/engagements", LaunchIn(**launch_body()).model_dump(mode="json")
            ),
            now=clock.now(),
        )
    assert isinstance(held, Claim)


def _launched(db, consultant) -> int:
    return _count(db, EngagementRow, EngagementRow.organisation_id == consultant.organisation)


def test_a_request_whose_key_is_being_worked_on_is_told_to_retry(
    client, db, clock, consultant, monkeypatch
) -> None:
    monkeypatch.setattr(writes, "WAIT_SECONDS", 0.2)
    _claim_as_another_request(db, clock, consultant, "en-cours")
    headers = {**consultant.headers, "Idempotency-Key": "en-cours"}
    response = client.post("/engagements", json=launch_body(), headers=headers)
    assert (response.status_code, response.json()["code"]) == (409, "idempotency.in_progress")
    assert response.headers["retry-after"] == "1"
    assert "réessayez" in response.json()["detail"]
    assert _launched(db, consultant) == 0


def test_a_claim_left_by_a_crashed_request_expires(client, db, clock, consultant) -> None:
    _claim_as_another_request(db, clock, consultant, "orpheline")
    clock.advance(timedelta(seconds=CLAIM_SECONDS + 1))
    headers = {**consultant.headers, "Idempotency-Key": "orpheline"}
    response = client.post("/engagements", json=launch_body(), headers=headers)
    assert response.status_code == 201
    assert _launched(db, consultant) == 1
    retry = client.post("/engagements", json=launch_body(), headers=headers)
    assert (retry.status_code, retry.json()) == (201, response.json())


def test_a_failed_request_gives_its_key_back(client, db, consultant) -> None:
    headers = {**consultant.headers, "Idempotency-Key": "premier-essai"}
    refused = client.post("/engagements", json=launch_body(model_key="inconnu"), headers=headers)
    assert refused.status_code in (404, 422)
    assert client.post("/engagements", json=launch_body(), headers=headers).status_code == 201
