"""Real parallel requests against a real uvicorn server on a loopback port (SQLite by default, PostgreSQL
when GOUVERNANCE_TEST_DATABASE_URL is set): optimistic locking and idempotency keys hold under a race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from gouvernance.engagements.records import EngagementRow
from gouvernance.history.records import EventRow
from tests.api.conftest import step_path

CLIENTS = 32


def _race(count: int, request: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    """``count`` clients, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(count)

    def one(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            barrier.wait()
            return request(http)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def _count(db, table: Any, *where: Any) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)))


def test_one_winner_among_32_clients_sending_the_same_event_with_the_same_if_match(
    live_url, db, make_team
) -> None:
    team = make_team()
    consultant = team["consultant"]
    url = f"{live_url}{step_path(team.engagement_id, 'a1')}"
    etag = httpx.get(url, headers=consultant.headers).headers["etag"]
    responses = _race(
        CLIENTS,
        lambda http: http.post(
            f"{url}/events", json={"event": "start"}, headers={**consultant.headers, "If-Match": etag}
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (CLIENTS - 1)
    winner = next(r for r in responses if r.status_code == 200).json()
    for loser in (r.json() for r in responses if r.status_code == 409):
        assert (loser["current_state"], loser["current_version"]) == ("in_progress", winner["version"])
    started = _count(
        db,
        EventRow,
        EventRow.engagement_id == team.engagement_id,
        EventRow.step_key == "a1",
        EventRow.event == "start",
    )
    assert started == 1


def test_one_launch_among_16_clients_retrying_with_the_same_idempotency_key(live_url, db, consultant) -> None:
    body = {
        "model_key": "mini",
        "territory": {"name": "Fleury-les-Aubrais", "kind": "commune", "insee": "45147"},
        "start_date": "2026-03-02",
    }
    headers = {**consultant.headers, "Idempotency-Key": "course-au-lancement"}
    responses = _race(16, lambda http: http.post(f"{live_url}/engagements", json=body, headers=headers))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert _count(db, EngagementRow, EngagementRow.organisation_id == consultant.organisation) == 1
