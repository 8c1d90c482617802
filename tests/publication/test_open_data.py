"""The open-data package: a valid Frictionless Data Package (checked by the frictionless library), with no
private person's name, e-mail or phone in any file, organisations by name, no CSV cell that a spreadsheet
would run as a formula, and the verifiable record's heads as the public record publishes them."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from frictionless import Package, validate

from gouvernance.access.service import ensure_organisation
from gouvernance.audit.verify import verify
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.errors import NotFound
from gouvernance.publication.record import chain_heads, engagement_open_data, portfolio_open_data
from gouvernance.publication.service import set_public
from gouvernance.publication.tables import TABLE_NAMES
from tests.conftest import People
from tests.publication.helpers import (
    CHEF,
    FORMULA_TITLE,
    PRIVATE_DECISION,
    PRIVATE_INDICATOR,
    demo_register,
    private_traces,
    seed_record,
)

TODAY = date(2026, 3, 2)


@pytest.fixture
def package(db, clock, shipped_catalog, launch_engagement) -> tuple[str, bytes]:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        seed_record(session, engagement_id, clock)
    with db.reading() as session:
        return engagement_id, engagement_open_data(session, engagement_id, now=clock.now(), as_of=TODAY)


def test_the_package_is_a_valid_data_package(package, tmp_path: Path) -> None:
    _, content = package
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path)
        names = set(archive.namelist())
    assert names == {"datapackage.json"} | {
        f"{fmt}/{t}.{fmt}" for t in TABLE_NAMES for fmt in ("csv", "json")
    }
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert "Licence Ouverte" in descriptor["licenses"][0]["title"]
    for resource in descriptor["resources"]:
        assert "schema" not in resource or all(field["description"] for field in resource["schema"]["fields"])
    decisions = Package(str(tmp_path / "datapackage.json")).get_resource("decisions").read_rows()
    assert [row["numero"] for row in decisions] == ["2026-014", "2026-015"]
    assert decisions[0]["date_decision"] == date(2026, 2, 10)


def test_no_private_person_is_named_anywhere(package) -> None:
    _, content = package
    traces = private_traces()
    assert "Hélène Marchand" in traces
    assert "marc.petit@courriel.example" in traces
    assert "06 12 34 56 78" in traces
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            found = [trace for trace in traces if trace.casefold() in text.casefold()]
            assert not found, f"{name}: {found}"
            assert PRIVATE_DECISION not in text, name
            assert PRIVATE_INDICATOR not in text, name
            assert "julien.secret-login" not in text, name  # no login
            assert "appel de Marc Petit" not in text, name  # no measurement comment


def test_organisations_keep_their_names_and_persons_get_a_pseudonym(package) -> None:
    _, content = package
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        stakeholders = json.loads(archive.read("json/parties_prenantes.json"))
        consultations = json.loads(archive.read("json/consultations.json"))
    names = [row["nom"] for row in stakeholders]
    organisations = [row["Nom"] for row in demo_register() if row["Type"] == "organisation"]
    assert set(organisations) <= set(names)
    persons = [row for row in stakeholders if row["type"] == "personne"]
    assert persons
    assert all(row["nom"].split(" n° ")[0] in ("Habitant·e", "Personne") for row in persons)
    assert "Habitant·e n° " in " ".join(names)
    assert consultations
    assert all(
        row["participants"] == sum(v for k, v in row.items() if k.startswith("participants_"))
        for row in consultations
    )


def test_a_cell_cannot_run_as_a_formula(package) -> None:
    _, content = package
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith(".csv"):
                for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8"))):
                    for cell in row:
                        assert not cell.lstrip(" ").startswith(("=", "+", "@")), (name, cell)
                        assert not (cell.startswith("-") and not _number(cell)), (name, cell)
        decisions = archive.read("csv/decisions.csv").decode("utf-8")
        assert "'" + FORMULA_TITLE.replace('"', '""') in decisions
        # JSON is not run by anything: the title is kept as it is.
        assert FORMULA_TITLE in [d["titre"] for d in json.loads(archive.read("json/decisions.json"))]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_a_public_engagement_with_nothing_published_yet_is_a_valid_package(
    db, clock, shipped_catalog, launch_engagement, tmp_path: Path
) -> None:
    """Just marked public: no decision, indicator or stakeholder yet. Its empty tables still make a package
    that Frictionless reads (an empty JSON array is no table to it, so those files are described as data)."""
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        set_public(session, engagement_id=engagement_id, public=True, actor=CHEF, clock=clock)
    with db.reading() as session:
        content = engagement_open_data(session, engagement_id, now=clock.now(), as_of=TODAY)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path)
    assert json.loads((tmp_path / "json" / "decisions.json").read_text(encoding="utf-8")) == []
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert Package(str(tmp_path / "datapackage.json")).get_resource("decisions").read_rows() == []


def test_a_non_public_engagement_has_no_package(db, clock, shipped_catalog, launch_engagement) -> None:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        seed_record(session, engagement_id, clock, stakeholders=False, public=False)
    with db.reading() as session, pytest.raises(NotFound):
        engagement_open_data(session, engagement_id, now=clock.now(), as_of=TODAY)


def test_the_portfolio_holds_the_organisations_public_engagements(db, clock, shipped_catalog) -> None:
    organisation = f"cc-portefeuille-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        ensure_organisation(session, organisation, name="CC du Portefeuille", clock=clock)
    launched = {}
    for name, public in (("Olivet", True), ("Saran", True), ("Ingré", False)):
        with db.transaction() as session:
            result = launch(
                session,
                LaunchRequest(
                    shipped_catalog.get("gouvernance-partagee"),
                    Territory(name, "commune", None),
                    date(2026, 3, 2),
                    organisation_id=organisation,
                ),
                actor=People.consultant,
                clock=clock,
            )
            seed_record(session, result.engagement_id, clock, stakeholders=False, public=public)
        launched[name] = result.engagement_id
    with db.reading() as session:
        content = portfolio_open_data(session, organisation, now=clock.now(), as_of=TODAY, tz=clock.tz)
        published = {
            launched[name]: chain_heads(session, launched[name], tz=clock.tz) for name in ("Olivet", "Saran")
        }
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        engagements = json.loads(archive.read("json/accompagnements.json"))
        descriptor = json.loads(archive.read("datapackage.json"))
        heads = json.loads(archive.read("json/tetes_registre.json"))
    assert sorted(e["territoire"] for e in engagements) == ["Olivet", "Saran"]
    assert all(e["organisation"] == "CC du Portefeuille" for e in engagements)
    assert "1 non publics" in descriptor["description"]
    # Each public engagement's heads, as its public record publishes them; none of the non-public one.
    assert sorted((r["accompagnement"], r["date"], r["numero"], r["empreinte"]) for r in heads) == sorted(
        (engagement_id, d["date"], d["seq"], d["hash"])
        for engagement_id, record in published.items()
        for d in record["daily"]
    )


def _decide(session, engagement_id: str, number: str, clock) -> None:
    record_decision(
        session,
        engagement_id=engagement_id,
        data=DecisionData(
            number=number,
            title=f"Décision {number}",
            decided_on=clock.now().date(),
            body=DecidingBody.CONSEIL_MUNICIPAL,
            public=True,
        ),
        actor=CHEF,
        clock=clock,
    )


def test_the_chain_heads_table_holds_each_days_head_as_the_record_publishes_it(
    db, clock, shipped_catalog, launch_engagement, tmp_path: Path
) -> None:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    with db.transaction() as session:
        seed_record(session, engagement_id, clock)  # every table has rows: frictionless reads no empty JSON
    # 23:30 then 00:30 in Paris, both on 4 March in UTC: heads are cut at local midnight, as the JSON route's.
    clock.advance(timedelta(days=2, hours=14, minutes=30))
    with db.transaction() as session:
        _decide(session, engagement_id, "2026-030", clock)
    clock.advance(timedelta(hours=1))
    with db.transaction() as session:
        _decide(session, engagement_id, "2026-031", clock)
    with db.reading() as session:
        content = engagement_open_data(session, engagement_id, now=clock.now(), as_of=TODAY, tz=clock.tz)
        published = chain_heads(session, engagement_id, tz=clock.tz)
        report = verify(session, engagement_id)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path)
    validation = validate(str(tmp_path / "datapackage.json"))
    assert validation.valid, validation.flatten(["rowNumber", "fieldName", "type", "note"])
    package = Package(str(tmp_path / "datapackage.json"))
    for name in ("tetes_registre", "tetes_registre-json"):
        rows = [dict(row) for row in package.get_resource(name).read_rows()]
        assert [(r["date"].isoformat(), r["numero"], r["empreinte"]) for r in rows] == [
            (d["date"], d["seq"], d["hash"]) for d in published["daily"]
        ]
        assert [r["date"] for r in rows] == [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 5)]
        assert {(r["accompagnement"], r["algorithme"]) for r in rows} == {(engagement_id, "sha256")}
        assert (rows[-1]["numero"], rows[-1]["empreinte"]) == (report.head_seq, report.head_hash)
    schema = package.get_resource("tetes_registre").schema
    assert schema.primary_key == ["accompagnement", "date"]
    assert all(field.description for field in schema.fields)
