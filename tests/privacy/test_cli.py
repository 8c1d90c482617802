"""`gouvernance privacy …` and `gouvernance users delete` as an operator runs them."""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from gouvernance.access.records import WebSessionRow
from gouvernance.access.service import add_user
from gouvernance.clock import FrozenClock
from gouvernance.db.base import Base
from gouvernance.privacy.registre import PERSONAL_COLUMNS, personal_tables, registre_markdown
from gouvernance.settings import Settings
from tests.processes import output_of
from tests.processes import run as run_process


def test_export_then_erase_then_verify(cli, case) -> None:
    exported = json.loads(cli("privacy", "export", case.login, "--json", "--operateur").stdout)
    assert [s["nom"] for s in exported["parties_prenantes"]] == [case.name]
    assert case.other_name not in json.dumps(exported, ensure_ascii=False)
    assert "Données détenues sur" in cli("privacy", "export", case.login, "--operateur").stdout
    cli("privacy", "erase", case.login, ok=False)  # operators only
    erased = cli("privacy", "erase", case.login, "--operateur").stdout
    assert "1 fiche pseudonymisée, 1 coordonnée supprimée" in erased
    assert "Chaîne intègre" in cli("audit", "verify", case.engagement_id, "--operateur").stdout
    after = json.loads(cli("privacy", "export", case.email, "--json", "--operateur").stdout)
    assert after["parties_prenantes"] == []
    assert case.phone not in json.dumps(after, ensure_ascii=False)


def test_a_person_who_is_not_a_lead_may_not_export(cli, case) -> None:
    result = cli("privacy", "export", case.other_name, "--login", case.login, ok=False)
    assert "administrateurs et les responsables" in result.stdout + result.stderr


def test_users_delete(cli, case) -> None:
    cli("users", "delete", case.login, ok=False)
    assert f"Compte « {case.login} » supprimé" in cli("users", "delete", case.login, "--operateur").stdout
    cli("users", "delete", case.login, "--operateur", ok=False)


def test_the_registre_names_every_table_holding_personal_data(cli, tmp_path) -> None:
    listed = {p.table for p in personal_tables()}
    expected = {
        table.name
        for table in Base.metadata.tables.values()
        if any(column.name in PERSONAL_COLUMNS for column in table.columns)
    } - {"organisations", "process_models"}
    assert listed == expected
    assert {"stakeholders", "stakeholder_contacts", "users", "events", "evidence", "deliveries"} <= listed
    text = registre_markdown(Settings(retention_contacts_days=42))
    assert "42 jours après la clôture" in text
    for table in listed:
        assert f"Table `{table}`" in text
    out = tmp_path / "registre.html"
    cli("privacy", "registre", "--out", str(out), "--operateur")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert all(f"<code>{table}</code>" in page for table in listed)


def test_retention_now_also_purges_the_expired_sign_in_traces(database_url, db, tmp_path) -> None:
    login = f"purge.{uuid.uuid4().hex[:8]}"
    long_ago = datetime(1700, 1, 1, tzinfo=UTC)  # before the cut-off below, and before any other test's rows
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{uuid.uuid4().hex[:8]}", clock=FrozenClock(long_ago))
        session.add(
            WebSessionRow(
                login=login, token_sha256=uuid.uuid4().hex, created_at=long_ago, expires_at=long_ago
            )
        )
    env = {
        **os.environ,
        "GOUVERNANCE_DATA_DIR": str(tmp_path / "data"),
        "GOUVERNANCE_DATABASE_URL": database_url,
        # Only what is some 300 years old: the other tests' rows stay, whatever today's date.
        "GOUVERNANCE_ACCESS_PURGE_DAYS": str(300 * 365),
        "GOUVERNANCE_RETENTION_CONTACTS_DAYS": str(300 * 365),
        "GOUVERNANCE_RETENTION_EVIDENCE_DAYS": str(300 * 365),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    result = run_process(
        [sys.executable, "-m", "gouvernance", "privacy", "retention", "--operateur"], env=env, check=False
    )
    assert result.returncode == 0, output_of(result)
    assert "1 session web" in result.stdout
    with db.reading() as session:
        assert session.scalars(select(WebSessionRow).where(WebSessionRow.login == login)).all() == []
