"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
GOUVERNANCE_TEST_DATABASE_URL is set), a frozen clock, actors and the small test model."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from gouvernance.clock import FrozenClock
from gouvernance.composition import register_plugins
from gouvernance.db.engine import Database, normalise_url
from gouvernance.db.migrate import upgrade
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.spec.catalog import Catalog, shipped_directory
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import load_model_file
from tests.processes import output_of
from tests.processes import run as run_process

# The suite's composition root: the guard rule packs and deliverable contributors the API, the CLI and the
# flows register through build_runtime. Done at import, before any test module loads a model while collected.
register_plugins()

FIXTURES = Path(__file__).parent / "fixtures"
TEST_DATABASE_URL = os.environ.get("GOUVERNANCE_TEST_DATABASE_URL")


def postgres_schema_url(base_url: str, schema: str) -> str:
    url = make_url(normalise_url(base_url))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test session: a SQLite file, or a PostgreSQL schema of its own
    (dropped at the end) so that runs never see each other's rows."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    schema = f"gv_test_{uuid.uuid4().hex[:12]}"
    admin = Database(TEST_DATABASE_URL)
    with admin.engine.begin() as connection:  # fails loudly if PostgreSQL is unreachable: CI must not skip
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgres_schema_url(TEST_DATABASE_URL, schema)
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def mini_model() -> ProcessModel:
    return load_model_file(FIXTURES / "models" / "mini.yaml")


@pytest.fixture(scope="session")
def shipped_catalog() -> Catalog:
    return Catalog([shipped_directory()])


class People:
    consultant = ActorRef.of("claire", "consultant")
    chef = ActorRef.of("julien", "chef_de_projet")
    elu = ActorRef.of("sophie", "elu")
    agent = ActorRef.of("karim", "agent")
    partenaire = ActorRef.of("asso", "partenaire")


@pytest.fixture
def people() -> type[People]:
    return People


@pytest.fixture
def launch_engagement(db: Database, clock: FrozenClock):
    """Launches an engagement of the given model and returns its id."""

    def _launch(model: ProcessModel, **parameters: object) -> str:
        with db.transaction() as session:
            result = launch(
                session,
                LaunchRequest(
                    model,
                    Territory("Saint-Jean-de-Braye", "commune", "45284"),
                    date(2026, 3, 2),
                    dict(parameters),
                ),
                actor=People.consultant,
                clock=clock,
            )
        return result.engagement_id

    return _launch


@pytest.fixture
def cli(tmp_path: Path, database_url: str, db: Database):
    """Runs `gouvernance …` as a user would: a real process on the test database. French output, never a
    traceback; a refusal exits with 1."""
    env = {
        **os.environ,
        "GOUVERNANCE_DATA_DIR": str(tmp_path / "data"),
        "GOUVERNANCE_DATABASE_URL": database_url,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = run_process([sys.executable, "-m", "gouvernance", *args], env=env, check=False)
        assert "Traceback" not in result.stderr, output_of(result)
        assert result.returncode == (0 if ok else 1), output_of(result)
        return result

    return run
