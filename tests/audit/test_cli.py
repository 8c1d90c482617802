"""`gouvernance audit verify` and `audit heads`, run as an operator would: French output, exit 1 when a chain
is altered."""

from __future__ import annotations

import json
import re

from sqlalchemy import text

from tests.engagements.helpers import fire


def test_verify_then_an_inserted_event_fails_with_its_place(
    cli, db, clock, mini_model, people, launch_engagement
):
    engagement_id = launch_engagement(mini_model)
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    intact = cli("audit", "verify", engagement_id, "--operateur")
    assert "Chaîne intègre" in intact.stdout
    assert "0 altérée." in intact.stdout
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (engagement_id, step_key, event, actor, occurred_at, payload) "
                "VALUES (:e, 'a1', 'approve', 'quelquun', '2026-03-01 08:00:00', '{}')"
            ),
            {"e": engagement_id},
        )
    altered = cli("audit", "verify", engagement_id, "--operateur", ok=False)
    assert "Chaîne altérée" in altered.stdout
    assert "absent de la chaîne" in altered.stdout
    (report,) = json.loads(cli("audit", "verify", engagement_id, "--operateur", "--json", ok=False).stdout)
    assert report["anomalies"][0]["code"] == "inserted"


def test_heads_now_and_at_the_end_of_a_day(cli, db, clock, mini_model, launch_engagement):
    engagement_id = launch_engagement(mini_model)
    now = {h["engagement_id"]: h for h in json.loads(cli("audit", "heads", "--operateur", "--json").stdout)}
    assert now[engagement_id]["seq"] >= 2
    assert len(now[engagement_id]["hash"]) == 64
    before = json.loads(cli("audit", "heads", "--operateur", "--json", "--date", "2020-01-01").stdout)
    assert {h["engagement_id"]: h["seq"] for h in before}[engagement_id] == 0
    on_the_day = json.loads(
        cli("audit", "heads", "--operateur", "--json", "--date", clock.now().date().isoformat()).stdout
    )
    assert {h["engagement_id"]: h for h in on_the_day}[engagement_id] == now[engagement_id]
    assert re.search(r"^\d+ têtes? de chaîne \(", cli("audit", "heads", "--operateur").stdout, re.M)


def test_verify_needs_a_target(cli):
    refused = cli("audit", "verify", "--operateur", ok=False)
    assert "Donnez un accompagnement" in refused.stderr + refused.stdout
