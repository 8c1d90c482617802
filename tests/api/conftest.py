"""API fixtures: the app built on the test database with a frozen clock and an in-memory blob store, and
people with tokens, created through the access service as `gouvernance users add/grant` and
`gouvernance tokens create` would."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gouvernance.access.service import add_user, create_token, grant
from gouvernance.api.app import create_app
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.settings import Settings
from gouvernance.spec.catalog import Catalog, shipped_directory
from tests.conftest import FIXTURES

MAX_EVIDENCE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Person:
    login: str
    organisation: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Directory:
    """Creates organisations and people with roles; every name is unique to the test run."""

    def __init__(self, db: Database, clock: FrozenClock) -> None:
        self.db, self.clock = db, clock

    def organisation(self, prefix: str = "org") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    def person(
        self,
        organisation: str,
        *,
        org_roles: tuple[str, ...] = (),
        on: dict[str, tuple[str, ...]] | None = None,
        login: str | None = None,
    ) -> Person:
        login = login or f"user.{uuid.uuid4().hex[:10]}"
        with self.db.transaction() as session:
            add_user(session, login, organisation=organisation, clock=self.clock)
            for role in org_roles:
                grant(session, login, role, clock=self.clock)
            for engagement_id, roles in (on or {}).items():
                for role in roles:
                    grant(session, login, role, engagement_id=engagement_id, clock=self.clock)
            token = create_token(session, login, clock=self.clock)
        return Person(login, organisation, token)


@pytest.fixture(scope="session")
def api_catalog() -> Catalog:
    """The shipped models plus the small test models (mini, kinds)."""
    return Catalog([shipped_directory(), FIXTURES / "models"])


@pytest.fixture
def blob_store() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def app(
    db: Database, clock: FrozenClock, blob_store: MemoryBlobStore, api_catalog: Catalog, tmp_path: Path
) -> FastAPI:
    settings = Settings(data_dir=tmp_path, max_evidence_bytes=MAX_EVIDENCE_BYTES)
    return create_app(settings, database=db, clock=clock, blob_store=blob_store, catalog=api_catalog)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def directory(db: Database, clock: FrozenClock) -> Directory:
    return Directory(db, clock)


@pytest.fixture
def consultant(directory: Directory) -> Person:
    """A consultant of a consultancy, with the organisation-wide role that lets them launch engagements."""
    return directory.person(directory.organisation("cabinet"), org_roles=("consultant",))


def launch_body(model_key: str = "mini", **parameters: object) -> dict[str, object]:
    return {
        "model_key": model_key,
        "territory": {"name": "Saint-Jean-de-Braye", "kind": "commune", "insee": "45284"},
        "start_date": "2026-03-02",
        "parameters": parameters,
        "lead": "julien",
    }


def launch(client: TestClient, person: Person, model_key: str = "mini", **parameters: object) -> str:
    response = client.post("/engagements", json=launch_body(model_key, **parameters), headers=person.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@dataclass(frozen=True)
class Team:
    """An engagement launched by a consultancy, with one person per role granted on it."""

    engagement_id: str
    people: dict[str, Person]

    def __getitem__(self, role: str) -> Person:
        return self.people[role]


@pytest.fixture
def make_team(client: TestClient, directory: Directory, consultant: Person):
    def _make(model_key: str = "mini", **parameters: object) -> Team:
        engagement_id = launch(client, consultant, model_key, **parameters)
        collectivite = directory.organisation("commune")
        people = {"consultant": consultant}
        for role in ("chef_de_projet", "elu", "agent", "partenaire", "observateur"):
            people[role] = directory.person(collectivite, on={engagement_id: (role,)})
        return Team(engagement_id, people)

    return _make


def step_path(engagement_id: str, step_key: str) -> str:
    return f"/engagements/{engagement_id}/steps/{step_key}"


def send(
    client: TestClient,
    person: Person,
    engagement_id: str,
    step_key: str,
    event: str,
    *,
    comment: str | None = None,
    headers: dict[str, str] | None = None,
):
    """GET the step for its ETag, then POST the event with If-Match."""
    etag = client.get(step_path(engagement_id, step_key), headers=person.headers).headers["etag"]
    body: dict[str, object] = {"event": event}
    if comment is not None:
        body["comment"] = comment
    return client.post(
        f"{step_path(engagement_id, step_key)}/events",
        json=body,
        headers={**person.headers, "If-Match": etag, **(headers or {})},
    )


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread. The socket listens before the server starts, so clients can
    connect at once: their connections wait in the backlog until uvicorn accepts them."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", limit_concurrency=256))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def live_url(app) -> Iterator[str]:
    with serving(app) as url:
        yield url
