"""The step actions a town-hall user could take one for the other read apart: « Émettre un avis favorable »
(endorse: any role records its agreement, the step goes on) and « Valider l'étape » (approve: the reviewer
ends the step), each button described by a visible hint saying what it does and who may do it."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from gouvernance.spec.catalog import Catalog
from tests.api.conftest import send
from tests.web.test_pages_in_browser import STEP, attach_minutes
from tests.web.test_portfolio_queries import sign_in


def button_and_hint(page: str, event: str) -> tuple[str, str]:
    """The label of the step's button for ``event`` and the text of the hint the button points to."""
    button = re.search(
        rf'<button type="submit" name="evenement" value="{event}" '
        rf'aria-describedby="([^"]+)">([^<]+)</button>',
        page,
    )
    assert button, f"no described button for {event}"
    hint = re.search(rf'<li id="{button.group(1)}">(.*?)</li>', page, re.S)
    assert hint, f"no hint {button.group(1)}"
    return html.unescape(button.group(2)), html.unescape(re.sub(r"<[^>]+>", "", hint.group(1)))


def test_endorse_and_approve_read_apart_and_say_who_may(
    client: TestClient, make_team, with_password, api_catalog: Catalog
) -> None:
    team = make_team("gouvernance-partagee")
    consultant, lead = team["consultant"], with_password(team["chef_de_projet"])
    assert send(client, consultant, team.engagement_id, STEP, "start").status_code == 200
    sign_in(client, lead)
    page = client.get(f"/accompagnements/{team.engagement_id}").text
    endorse, endorse_hint = button_and_hint(page, "endorse")
    assert endorse == "Émettre un avis favorable"
    assert "sans terminer l'étape" in endorse_hint
    assert "Ouvert à tous les rôles" in endorse_hint

    attach_minutes(client, consultant, team.engagement_id)
    assert send(client, consultant, team.engagement_id, STEP, "submit").status_code == 200
    page = client.get(f"/accompagnements/{team.engagement_id}").text
    approve, approve_hint = button_and_hint(page, "approve")
    assert approve == "Valider l'étape"
    assert "termine l'étape" in approve_hint
    model = api_catalog.get("gouvernance-partagee")
    reviewer = model.role_title(model.reviewer_of(model.steps_by_key[STEP]))
    assert f"Réservé à\u00a0: {reviewer}." in approve_hint
    assert "Approuver" not in page
