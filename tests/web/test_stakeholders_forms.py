"""The « Parties prenantes » forms without a browser: every problem of a consultation tied to its field, a
file that is no spreadsheet refused as a whole, an unknown engagement answered 404."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.test_portfolio_queries import sign_in
from tests.web.test_stakeholders_page import GOOD


def form_token(page: str) -> str:
    found = re.search(r'name="jeton_formulaire" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_consultation_problems_are_tied_to_their_fields(client: TestClient, make_team, with_password) -> None:
    team = make_team("mini")
    sign_in(client, with_password(team["chef_de_projet"]))
    url = f"/accompagnements/{team.engagement_id}/parties-prenantes"
    token = form_token(client.get(url).text)
    client.post(
        f"{url}/import", data={"jeton_formulaire": token}, files={"fichier": ("pp.csv", GOOD.encode())}
    )
    refused = client.post(
        f"{url}/consultations",
        data={"date": "2026-13-40", "methode": "atelier", "etape": "inconnue", "jeton_formulaire": token},
    )
    assert refused.status_code == 422
    page = refused.text
    for field in ("date", "etape", "participants"):
        assert f'aria-describedby="cs-{field}-erreur"' in page
        assert f'id="cs-{field}-erreur"' in page
    assert "au moins une partie prenante" in page
    assert 'href="#cs-participants"' in page  # the summary at the top
    assert "n&#39;a pas été enregistrée" in page or "n'a pas été enregistrée" in page


def test_a_file_that_is_no_spreadsheet_is_refused(client: TestClient, make_team, with_password) -> None:
    team = make_team("mini")
    sign_in(client, with_password(team["agent"]))
    url = f"/accompagnements/{team.engagement_id}/parties-prenantes"
    token = form_token(client.get(url).text)
    for content in (b"", b"\x00\x01\x02 pas un tableur"):
        refused = client.post(
            f"{url}/import", data={"jeton_formulaire": token}, files={"fichier": ("pp.csv", content)}
        )
        assert refused.status_code == 422, refused.text
        assert 'id="fichier-erreur"' in refused.text
    missing = client.post(f"{url}/import", data={"jeton_formulaire": token})
    assert missing.status_code == 422
    assert "Choisissez un fichier CSV" in missing.text
    assert client.get("/accompagnements/inconnu/parties-prenantes").status_code == 404
