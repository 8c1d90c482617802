"""`gouvernance privacy …` and `gouvernance users delete` as an operator runs them."""

from __future__ import annotations

import json

from gouvernance.db.base import Base
from gouvernance.privacy.registre import PERSONAL_COLUMNS, personal_tables, registre_markdown
from gouvernance.settings import Settings


def test_export_then_erase_then_verify(cli, case) -> None:
    exported = json.loads(cli("privacy", "export", case.login, "--json", "--operateur").stdout)
    assert [s["nom"] for s in exported["parties_prenantes"]] == [case.name]
    assert case.other_name not in json.dumps(exported, ensure_ascii=False)
    assert "Données détenues sur" in cli("privacy", "export", case.login, "--operateur").stdout
    cli("privacy", "erase", case.login, ok=False)  # operators only
    erased = cli("privacy", "erase", case.login, "--operateur").stdout
    assert "1 fiche(s) pseudonymisée(s)" in erased
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
