"""The API starts without what it only needs later: importing and building it must not pull in Prefect, nor
the document renderers (WeasyPrint, python-docx), which cost seconds of start-up, nor what the stakeholder
analysis needs (NetworkX, NumPy), nor Alembic when the database is already up to date."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from gouvernance import web
from gouvernance.api.app import ROUTERS
from gouvernance.cli import app as cli_app
from gouvernance.cli import main
from gouvernance.db.engine import Database
from gouvernance.db.migrate import HEAD_REVISION, current_revision, upgrade
from tests.processes import run

CHECK = """
import json, sys
from gouvernance.api.app import create_app
create_app()
print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""


# What ``gouvernance serve`` does before uvicorn runs: the command line, the database checked (migrated if it
# is SQLite and behind), the app built.
SERVE = """
import json, sys
from gouvernance.cli import context
from gouvernance.cli.app import app
from gouvernance.api.app import create_app
from gouvernance.api.server import ServeOptions, check_workers, serve
check_workers(1, context.database().dialect)
create_app(runtime=context.runtime())
print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""
ANALYSIS_AND_MIGRATIONS = {"networkx", "numpy", "scipy", "alembic", "mako"}


@pytest.fixture(scope="module")
def loaded_at_start(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The top-level packages a fresh process holds once it has built the API."""
    data = tmp_path_factory.mktemp("startup")
    result = run([sys.executable, "-c", CHECK], env={"GOUVERNANCE_DATA_DIR": str(data), "PATH": ""})
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_and_building_the_api_does_not_import_prefect(loaded_at_start: set[str]) -> None:
    assert "prefect" not in loaded_at_start


def test_the_document_renderers_are_imported_on_first_use_not_at_start(loaded_at_start: set[str]) -> None:
    assert {"weasyprint", "docx"} & loaded_at_start == set()


def test_the_webhook_client_is_imported_on_first_delivery_not_at_start(loaded_at_start: set[str]) -> None:
    # httpx also loads its command-line tools (click, rich, pygments): a tenth of a second at every start.
    assert {"httpx", "click", "rich", "pygments"} & loaded_at_start == set()


def test_the_feed_writer_is_imported_by_the_first_feed_not_at_start(loaded_at_start: set[str]) -> None:
    assert {"feedgen", "lxml", "dateutil"} & loaded_at_start == set()


def test_the_stakeholder_analysis_and_alembic_are_imported_on_first_use_not_at_start(
    loaded_at_start: set[str],
) -> None:
    assert ANALYSIS_AND_MIGRATIONS & loaded_at_start == set()


def test_serve_imports_neither_the_analysis_nor_alembic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"GOUVERNANCE_DATA_DIR": str(data), "PATH": ""}
    # A fresh data directory: the new database gets the migrated schema from sqlite_schema.sql.
    first = run([sys.executable, "-c", SERVE], env=env)
    assert ANALYSIS_AND_MIGRATIONS & set(json.loads(first.stdout.strip().splitlines()[-1])) == set()
    again = run([sys.executable, "-c", SERVE], env=env)  # up to date
    assert ANALYSIS_AND_MIGRATIONS & set(json.loads(again.stdout.strip().splitlines()[-1])) == set()


def test_serve_on_an_outdated_sqlite_database_migrates_it_with_alembic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = Database(f"sqlite:///{data / 'gouvernance.db'}")
    upgrade(old, "0020")
    old.dispose()
    env = {"GOUVERNANCE_DATA_DIR": str(data), "PATH": ""}
    result = run([sys.executable, "-c", SERVE], env=env)
    assert "alembic" in json.loads(result.stdout.strip().splitlines()[-1])
    migrated = Database(f"sqlite:///{data / 'gouvernance.db'}")
    assert current_revision(migrated) == HEAD_REVISION
    migrated.dispose()


def test_the_domain_core_never_imports_the_outer_layers() -> None:
    core = Path(__file__).resolve().parents[2] / "src" / "gouvernance"  # the sources, not site-packages
    outer = ("fastapi", "starlette", "prefect")
    offenders = [
        f"{path.relative_to(core)}: {line.strip()}"
        for path in core.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(tuple(f"{verb} {name}" for name in outer for verb in ("import", "from")))
    ]
    assert offenders == []


def test_the_collector_off_while_serve_starts_is_on_again_once_the_application_has_started(
    app: FastAPI,
) -> None:
    gc.disable()  # as `gouvernance serve` does before it builds the runtime and the app
    try:
        with TestClient(app) as client:
            assert gc.isenabled()
            assert client.get("/healthz").status_code == 200
    finally:
        gc.enable()


def test_the_commands_run_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(cli_app, "app", lambda prog_name: seen.append(gc.isenabled()))
    main()  # the `gouvernance` command: the collector is off while it imports the commands
    assert seen == [True]
    assert gc.isenabled()


def test_the_application_serves_the_routes_its_routers_built(app: FastAPI) -> None:
    # Routers included (rather than their routes) would have FastAPI build every route again, on the first
    # request: a tenth of a second of the first /readyz.
    built = [route for router in (*ROUTERS, *web.ROUTERS) for route in router.routes]
    assert all(isinstance(route, APIRoute) for route in built)
    assert {id(route) for route in built} <= {id(route) for route in app.routes}
