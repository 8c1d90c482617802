"""A register of a few thousand stakeholders over a real uvicorn server (SQLite by default, PostgreSQL when
GOUVERNANCE_TEST_DATABASE_URL is set): an export reads a snapshot and streams it, so writers are not kept
waiting while it is made or read; an import is all or nothing."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from gouvernance.api.app import create_app
from gouvernance.history.records import EventRow
from gouvernance.settings import Settings
from gouvernance.stakeholders.records import StakeholderData
from gouvernance.stakeholders.register_service import add_stakeholder
from gouvernance.stakeholders.tables import StakeholderRow
from gouvernance.stakeholders.vocabulary import Attitude, Category, StakeholderKind
from tests.api.conftest import step_path
from tests.stakeholders.helpers import CHEF

ROWS = 2500  # the CSV export comes in pieces of a thousand rows
MAX_UPLOAD_BYTES = 1024 * 1024


@pytest.fixture
def app(db, clock, blob_store, api_catalog, tmp_path) -> FastAPI:
    """The API's app, with uploads of up to a mebibyte (the other API tests keep a small limit) and graph
    exports of up to ``ROWS`` stakeholders."""
    settings = Settings(
        data_dir=tmp_path, max_evidence_bytes=MAX_UPLOAD_BYTES, max_graph_export_stakeholders=ROWS
    )
    return create_app(settings, database=db, clock=clock, blob_store=blob_store, catalog=api_catalog)


def _register_csv(count: int, *extra: str) -> bytes:
    lines = ["Identifiant;Nom;Type;Catégorie;Pouvoir;Intérêt"]
    lines += [
        f"pp{i:05d};Partie prenante {i};organisation;Association;{1 + i % 5};{1 + i % 3}"
        for i in range(count)
    ]
    return "\n".join([*lines, *extra, ""]).encode()


def _import(http: httpx.Client, base: str, headers: dict[str, str], content: bytes) -> httpx.Response:
    assert len(content) < MAX_UPLOAD_BYTES
    files = {"file": ("registre.csv", content, "text/csv")}
    return http.post(f"{base}/stakeholders/import", headers=headers, files=files)


def _stakeholders(db, engagement_id: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(select(StakeholderRow.key).where(StakeholderRow.engagement_id == engagement_id))
        )


def _events(db, engagement_id: str, event: str) -> int:
    with db.reading() as session:
        where = (EventRow.engagement_id == engagement_id, EventRow.event == event)
        return int(session.scalar(select(func.count()).select_from(EventRow).where(*where)))


NEWCOMER = StakeholderData(
    id="arrivee",
    name="Arrivée pendant l'export",
    kind=StakeholderKind.organisation,
    category=Category.association,
    power=2,
    interest=2,
    attitude=Attitude.neutre,
)


@pytest.mark.parametrize("fmt", ["csv", "graphml"])
def test_an_export_is_served_while_a_writer_works_and_a_step_event_goes_through_while_it_streams(
    live_url, db, clock, make_team, fmt
) -> None:
    team = make_team("mini")
    base = f"{live_url}/engagements/{team.engagement_id}"
    chef, consultant = team["chef_de_projet"].headers, team["consultant"].headers
    with httpx.Client(timeout=60) as http:
        assert _import(http, base, chef, _register_csv(ROWS)).status_code == 200
        with db.transaction() as session:  # a writer at work: on SQLite it holds the write lock
            add_stakeholder(session, engagement_id=team.engagement_id, data=NEWCOMER, actor=CHEF, clock=clock)
            export = http.stream("GET", f"{base}/stakeholders/export?format={fmt}", headers=chef, timeout=20)
            response = export.__enter__()
            pieces = response.iter_bytes()
            body = [next(pieces)]  # the export started while the writer still held its transaction
        try:
            assert response.status_code == 200
            # Meanwhile, with the export not yet read to its end, a step event is written at once.
            step = f"{live_url}{step_path(team.engagement_id, 'a1')}"
            etag = http.get(step, headers=consultant).headers["etag"]
            sent = http.post(
                f"{step}/events", json={"event": "start"}, headers={**consultant, "If-Match": etag}
            )
            assert sent.status_code == 200, sent.text
            body.extend(pieces)
        finally:
            export.__exit__(None, None, None)
    content = b"".join(body)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))[1:]
        keys = {row[0] for row in rows}
    else:
        graph = ET.fromstring(content)
        keys = {node.get("id") for node in graph.iter("{http://graphml.graphdrawing.org/xmlns}node")}
    # The register as it stood when the export read it: the newcomer was not committed yet.
    assert keys == {f"pp{i:05d}" for i in range(ROWS)}
    assert "arrivee" in _stakeholders(db, team.engagement_id)


def test_a_large_import_that_fails_on_one_row_writes_nothing(live_url, db, make_team) -> None:
    team = make_team("mini")
    base = f"{live_url}/engagements/{team.engagement_id}"
    chef = team["chef_de_projet"].headers
    with httpx.Client(timeout=60) as http:
        bad_value = _import(
            http, base, chef, _register_csv(ROWS, "ppbad;Dernière;organisation;Association;9;1")
        )
        assert bad_value.status_code == 422
        assert bad_value.headers["content-type"].startswith("application/problem+json")
        assert [reason["details"].get("line") for reason in bad_value.json()["reasons"]] == [ROWS + 2]
        assert _stakeholders(db, team.engagement_id) == []

        existing = _register_csv(
            0,
            "mq;Maison du quartier;organisation;Association;3;3",
            "cs;Centre social;organisation;Association;2;4",
        )
        assert _import(http, base, chef, existing).status_code == 200
        # Every row is valid on its own, but the last one's name and identifier are two stakeholders'.
        # found while matching the rows with the register, in the write transaction, which rolls back.
        clash = _import(
            http, base, chef, _register_csv(ROWS, "mq;Centre social;organisation;Association;1;1")
        )
        assert clash.status_code == 422, clash.text
        assert clash.json()["reasons"][0]["code"] == "stakeholders.name_taken"
    assert sorted(_stakeholders(db, team.engagement_id)) == ["cs", "mq"]
    assert _events(db, team.engagement_id, "stakeholders_imported") == 1


def test_a_register_above_the_graph_export_limit_is_refused_in_french_and_the_csv_export_still_serves_it(
    live_url, make_team
) -> None:
    team = make_team("mini")
    base = f"{live_url}/engagements/{team.engagement_id}"
    chef = team["chef_de_projet"].headers
    with httpx.Client(timeout=60) as http:
        assert _import(http, base, chef, _register_csv(ROWS + 1)).status_code == 200
        for fmt in ("graphml", "gexf"):
            refused = http.get(f"{base}/stakeholders/export?format={fmt}", headers=chef)
            assert refused.status_code == 422
            assert refused.headers["content-type"].startswith("application/problem+json")
            problem = refused.json()
            assert problem["code"] == "stakeholders.graph_export_too_large"
            assert problem["details"] == {"stakeholders": ROWS + 1, "limit": ROWS}
            assert "L'export CSV n'a pas de limite" in problem["detail"]
        exported = http.get(f"{base}/stakeholders/export?format=csv", headers=chef)
    assert exported.status_code == 200
    assert len(exported.content.decode("utf-8-sig").splitlines()) == ROWS + 2  # the header, then the rows
