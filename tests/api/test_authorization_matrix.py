"""The authorization matrix: every role × every route, plus a foreign organisation and no token at all.

Each case asks one question: did the access layer let the request through or not? Requests that get
through are built so the domain then refuses them without writing (stale version, invalid link, unknown
model…): the matrix never changes the engagement it probes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES, ROLES
from gouvernance.api.app import create_app
from gouvernance.api.permissions import Scope
from gouvernance.clock import FrozenClock
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.settings import Settings
from tests.api.conftest import Directory, Person, launch, launch_body
from tests.publication.helpers import CHEF, PRIVATE_DECISION, PRIVATE_INDICATOR, private_traces, seed_record

ALL = frozenset(ROLES)


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str
    allowed: frozenset[str]
    json: dict[str, object] | None = None
    data: dict[str, str] | None = None
    headers: dict[str, str] | None = None


ENGAGEMENT_ROUTES = [
    Route("read engagement", "GET", "/engagements/{e}", ALL),
    Route("engagement event", "POST", "/engagements/{e}/events", LEAD_ROLES, json={"event": "complete"}),
    Route("list steps", "GET", "/engagements/{e}/steps", ALL),
    Route("read step", "GET", "/engagements/{e}/steps/a1", ALL),
    Route(
        "step event",
        "POST",
        "/engagements/{e}/steps/a1/events",
        PARTICIPANT_ROLES,
        json={"event": "start"},
        headers={"If-Match": '"999"'},
    ),
    Route(
        "attach evidence",
        "POST",
        "/engagements/{e}/steps/a1/evidence",
        PARTICIPANT_ROLES,
        data={"label": "note", "url": "ftp://nope"},
    ),
    Route("download evidence", "GET", "/engagements/{e}/steps/a1/evidence/999999999", ALL),
    Route("timeline", "GET", "/engagements/{e}/timeline", ALL),
    Route("objectives", "GET", "/engagements/{e}/objectives", ALL),
    Route("indicator chart", "GET", "/engagements/{e}/indicators/inconnu/chart.svg", ALL),
    Route("decisions", "GET", "/engagements/{e}/decisions", ALL),
    Route("findings", "GET", "/engagements/{e}/findings", ALL),
    Route(
        "record finding",
        "POST",
        "/engagements/{e}/findings",
        PARTICIPANT_ROLES,
        json={"kind": "besoin", "title": "t", "consultation_ids": [999999999]},
    ),
    Route(
        "plan action",
        "POST",
        "/engagements/{e}/objectives/inconnu/actions",
        LEAD_ROLES,
        json={"title": "t", "owner": "o", "due_on": "2027-01-01"},
    ),
    Route(
        "move action",
        "POST",
        "/engagements/{e}/actions/999999/status",
        PARTICIPANT_ROLES,
        json={"status": "en_cours"},
    ),
    Route("budget proposals", "GET", "/engagements/{e}/budget/proposals", ALL),
    Route("budget results", "GET", "/engagements/{e}/budget/results", ALL),
    # Let through, refused by the domain without writing: there is no proposal 999 / nothing in the vote.
    Route(
        "move proposal",
        "POST",
        "/engagements/{e}/budget/proposals/999/status",
        LEAD_ROLES | {"agent"},
        json={"status": "recevable"},
    ),
    Route(
        "count votes",
        "POST",
        "/engagements/{e}/budget/votes",
        LEAD_ROLES | {"agent"},
        json={"proposal": 999, "channel": "urne", "votes": 1},
    ),
    Route("close vote", "POST", "/engagements/{e}/budget/vote/close", LEAD_ROLES),
    # Let through, refused by the domain without writing: the model has no version 999.
    Route("migrate", "POST", "/engagements/{e}/migration", LEAD_ROLES, json={"to_version": 999}),
    # Let through, refused by the domain without writing: the mini journey has no such step.
    Route(
        "record decision",
        "POST",
        "/engagements/{e}/decisions",
        LEAD_ROLES,
        json={
            "number": "1",
            "title": "t",
            "decided_on": "2027-01-01",
            "body": "bureau",
            "step_key": "inconnue",
        },
    ),
    # Let through, these are refused by the domain without writing: the objective does not exist.
    Route(
        "add indicator",
        "POST",
        "/engagements/{e}/objectives/inconnu/indicators",
        LEAD_ROLES,
        json={
            "key": "k",
            "label": "l",
            "baseline": 0,
            "baseline_on": "2027-01-01",
            "target": 1,
            "deadline": "2028-01-01",
            "direction": "hausse",
            "frequency": "annuelle",
            "source": "s",
        },
    ),
    Route("approve objective", "POST", "/engagements/{e}/objectives/inconnu/approval", PARTICIPANT_ROLES),
    Route("convention parties", "GET", "/engagements/{e}/convention/parties", ALL),
    Route("training sessions", "GET", "/engagements/{e}/training/sessions", ALL),
    Route("training review", "GET", "/engagements/{e}/training/review", ALL),
    Route("session attendees", "GET", "/engagements/{e}/training/sessions/999999/attendees", ALL),
    Route("communication actions", "GET", "/engagements/{e}/communication/actions", ALL),
    # Let through, these are refused by the domain without writing: no such stakeholder, session or action;
    # a DIF-funded session without an approved body.
    Route(
        "add convention party",
        "POST",
        "/engagements/{e}/convention/parties",
        LEAD_ROLES,
        json={"name": "n", "kind": "association", "stakeholder_id": 999999999},
    ),
    Route(
        "update convention party",
        "PATCH",
        "/engagements/{e}/convention/parties/999999",
        LEAD_ROLES,
        json={"representative": "r"},
    ),
    Route("remove convention party", "DELETE", "/engagements/{e}/convention/parties/999999", LEAD_ROLES),
    Route(
        "plan training session",
        "POST",
        "/engagements/{e}/training/sessions",
        LEAD_ROLES | {"agent"},
        json={
            "title": "t",
            "held_on": "2027-01-01",
            "duration_hours": "2",
            "audience": "elus",
            "trainer": "f",
            "dif_funded": True,
        },
    ),
    Route(
        "update training session",
        "PATCH",
        "/engagements/{e}/training/sessions/999999",
        LEAD_ROLES | {"agent"},
        json={"status": "tenue"},
    ),
    Route(
        "remove training session",
        "DELETE",
        "/engagements/{e}/training/sessions/999999",
        LEAD_ROLES | {"agent"},
    ),
    Route(
        "register attendee",
        "POST",
        "/engagements/{e}/training/sessions/999999/attendees",
        LEAD_ROLES | {"agent"},
        json={"name": "n"},
    ),
    Route(
        "take attendance",
        "PATCH",
        "/engagements/{e}/training/sessions/999999/attendees/999999",
        LEAD_ROLES | {"agent"},
        json={"present": True},
    ),
    Route(
        "unregister attendee",
        "DELETE",
        "/engagements/{e}/training/sessions/999999/attendees/999999",
        LEAD_ROLES | {"agent"},
    ),
    Route(
        "add communication action",
        "POST",
        "/engagements/{e}/communication/actions",
        LEAD_ROLES,
        json={
            "title": "t",
            "audience": "a",
            "channel": "presse",
            "starts_on": "2027-02-01",
            "ends_on": "2027-01-01",
            "owner": "o",
        },
    ),
    Route(
        "update communication action",
        "PATCH",
        "/engagements/{e}/communication/actions/999999",
        LEAD_ROLES,
        json={"status": "realisee"},
    ),
    Route(
        "remove communication action", "DELETE", "/engagements/{e}/communication/actions/999999", LEAD_ROLES
    ),
    Route("read publication", "GET", "/engagements/{e}/public", ALL),
    # Let through, writes nothing: the engagement is not public, and closing it changes nothing.
    Route("set publication", "PUT", "/engagements/{e}/public", LEAD_ROLES, json={"public": False}),
    Route(
        "record measurements",
        "POST",
        "/engagements/{e}/measurements",
        PARTICIPANT_ROLES,
        json={"measurements": [{"indicator": "inconnu", "date": "2027-03-01", "value": 1}]},
    ),
]


# Scope.PUBLIC: no token. An engagement that is not public answers 404 on each, whoever asks.
PUBLIC_ENGAGEMENT_ROUTES = [
    "/public/engagements/{e}",
    "/public/engagements/{e}/decisions",
    "/public/engagements/{e}/indicators",
    "/public/engagements/{e}/decisions.atom",
    "/public/engagements/{e}/open-data.zip",
]


@dataclass
class World:
    client: TestClient
    engagement_id: str
    by_role: dict[str, Person]  # granted on the engagement, in the client collectivité
    colleague: Person  # organisation-wide agent in the owning consultancy
    foreign: Person  # every role organisation-wide, in another organisation


@pytest.fixture(scope="module")
def world(db, api_catalog, tmp_path_factory) -> Iterator[World]:
    clock = FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    settings = Settings(data_dir=tmp_path_factory.mktemp("matrix"))
    app = create_app(settings, database=db, clock=clock, blob_store=MemoryBlobStore(), catalog=api_catalog)
    directory = Directory(db, clock)
    consultancy = directory.organisation("cabinet")
    with TestClient(app) as client:
        owner = directory.person(consultancy, org_roles=("consultant",))
        engagement_id = launch(client, owner)
        collectivite = directory.organisation("commune")
        by_role = {role: directory.person(collectivite, on={engagement_id: (role,)}) for role in ROLES}
        yield World(
            client,
            engagement_id,
            by_role,
            directory.person(consultancy, org_roles=("agent",)),
            directory.person(directory.organisation("ailleurs"), org_roles=ROLES),
        )


def _call(world: World, route: Route, headers: dict[str, str]):
    return world.client.request(
        route.method,
        route.path.format(e=world.engagement_id),
        json=route.json,
        data=route.data,
        headers={**(route.headers or {}), **headers},
    )


def _denied_by_access(response) -> bool:
    return response.status_code in (401, 403, 404) and response.json()["code"] in {
        "auth.token_required",
        "auth.token_invalid",
        "access.role_required",
        "engagement.not_found",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ENGAGEMENT_ROUTES, ids=lambda r: r.name)
def test_role_on_the_engagement(world: World, route: Route, role: str) -> None:
    response = _call(world, route, world.by_role[role].headers)
    if role in route.allowed:
        assert not _denied_by_access(response), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "access.role_required"


@pytest.mark.parametrize("route", ENGAGEMENT_ROUTES, ids=lambda r: r.name)
def test_a_foreign_organisation_does_not_even_see_it(world: World, route: Route) -> None:
    response = _call(world, route, world.foreign.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "engagement.not_found"


@pytest.mark.parametrize("route", ENGAGEMENT_ROUTES, ids=lambda r: r.name)
def test_an_organisation_wide_role_reaches_the_organisations_engagements(world: World, route: Route) -> None:
    response = _call(world, route, world.colleague.headers)
    if "agent" in route.allowed:
        assert not _denied_by_access(response), response.text
    else:
        assert response.json()["code"] == "access.role_required"


@pytest.mark.parametrize("route", ENGAGEMENT_ROUTES, ids=lambda r: r.name)
def test_no_token_or_a_wrong_one_is_401(world: World, route: Route) -> None:
    for headers in ({}, {"Authorization": "Bearer gv_not-a-token"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
        response = _call(world, route, headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_lists_only_show_what_the_caller_may_see(world: World) -> None:
    client, engagement_id = world.client, world.engagement_id
    for person in (*world.by_role.values(), world.colleague):
        listed = client.get("/engagements", headers=person.headers).json()["items"]
        assert engagement_id in [e["id"] for e in listed]
    foreign = client.get("/engagements", headers=world.foreign.headers).json()
    assert engagement_id not in [e["id"] for e in foreign["items"]]
    foreign_tasks = client.get("/me/tasks", headers=world.foreign.headers).json()
    assert engagement_id not in [t["engagement_id"] for t in foreign_tasks]
    consultant_tasks = client.get("/me/tasks", headers=world.by_role["consultant"].headers).json()
    assert ("a1", "consultant") in [(t["step_key"], t["role"]) for t in consultant_tasks]


@pytest.mark.parametrize("role", ROLES)
def test_launching_needs_an_organisation_wide_lead_role(world: World, role: str, db) -> None:
    directory = Directory(db, FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)))
    organisation_wide = directory.person(directory.organisation(), org_roles=(role,))
    body = launch_body("nulle-part")  # gets past the access layer only to be refused: nothing is written
    response = world.client.post("/engagements", json=body, headers=organisation_wide.headers)
    if role in LEAD_ROLES:
        assert (response.status_code, response.json()["code"]) == (422, "launch.model")
    else:
        assert (response.status_code, response.json()["code"]) == (403, "access.role_required")
    granted_on_one = world.client.post("/engagements", json=body, headers=world.by_role[role].headers)
    assert (granted_on_one.status_code, granted_on_one.json()["code"]) == (403, "access.role_required")


def test_public_and_authenticated_routes(world: World) -> None:
    client = world.client
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    for path in ("/process-models", "/process-models/mini", "/me", "/me/tasks", "/engagements"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=world.foreign.headers).status_code == 200


def test_the_public_routes_declare_the_public_scope(world: World) -> None:
    paths = world.client.get("/openapi.json").json()["paths"]
    for path in [
        *PUBLIC_ENGAGEMENT_ROUTES,
        "/public/engagements",
        "/public/organisations/{e}/decisions.atom",
    ]:
        documented = paths[path.replace("{e}", "{key}" if "organisations" in path else "{engagement_id}")]
        assert documented["get"]["x-permission"]["scope"] == Scope.PUBLIC, path


@pytest.mark.parametrize("path", PUBLIC_ENGAGEMENT_ROUTES)
def test_a_non_public_engagement_is_not_found_on_the_public_routes(world: World, path: str) -> None:
    everyone = [
        {},
        {"Authorization": "Bearer gv_not-a-token"},
        world.foreign.headers,
        world.colleague.headers,
    ]
    everyone += [person.headers for person in world.by_role.values()]
    for headers in everyone:
        response = world.client.get(path.format(e=world.engagement_id), headers=headers)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "engagement.not_found"
    listed = world.client.get("/public/engagements").json()
    assert world.engagement_id not in [e["id"] for e in listed]


@pytest.fixture(scope="module")
def public_engagement(world: World, db) -> str:
    """A public engagement with the demo's register (private persons with contacts), public and private
    decisions and indicators, opened by its lead."""
    clock = FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    directory = Directory(db, clock)
    lead = directory.person(directory.organisation("cc"), org_roles=("chef_de_projet",))
    engagement_id = launch(world.client, lead, "gouvernance-partagee")
    with db.transaction() as session:
        seed_record(session, engagement_id, clock, public=False)
    opened = world.client.put(
        f"/engagements/{engagement_id}/public", json={"public": True}, headers=lead.headers
    )
    assert opened.status_code == 200, opened.text
    return engagement_id


@pytest.mark.parametrize("path", PUBLIC_ENGAGEMENT_ROUTES)
def test_a_public_engagement_needs_no_token_and_leaks_nothing_private(
    world: World, public_engagement: str, path: str
) -> None:
    response = world.client.get(path.format(e=public_engagement))
    assert response.status_code == 200, response.text
    texts = [response.text] if not path.endswith(".zip") else _zip_texts(response.content)
    for text in texts:
        found = [trace for trace in private_traces() if trace.casefold() in text.casefold()]
        assert not found, found
        for private in (PRIVATE_DECISION, PRIVATE_INDICATOR, CHEF.login, "appel de Marc Petit", "@"):
            assert private not in text, private


def _zip_texts(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [archive.read(name).decode("utf-8") for name in archive.namelist()]


# Past the access layer for any token; then only the caller's organisation's admins (none in this world).
ADMIN_ROUTES = [
    Route("list people", "GET", "/organisation/people", frozenset()),
    Route("access events", "GET", "/organisation/events", frozenset()),
    Route(
        "invite", "POST", "/organisation/invitations", frozenset(), json={"email": "a@b.fr", "role": "elu"}
    ),
    Route("grant", "POST", "/organisation/people/personne/grants", frozenset(), json={"role": "elu"}),
    Route("revoke", "DELETE", "/organisation/people/personne/grants/elu", frozenset()),
]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.name)
def test_administration_is_for_the_organisations_admins(world: World, route: Route) -> None:
    for person in (*world.by_role.values(), world.colleague, world.foreign):
        response = _call(world, route, person.headers)
        assert (response.status_code, response.json()["code"]) == (403, "organisation.admin_required")
    assert _call(world, route, {}).status_code == 401
