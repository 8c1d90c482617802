"""Every input a town hall can type: free JSON of bounded depth and size, text without control characters,
NUL refused everywhere (422 naming the field, never a 500), and a timeline that reads whatever is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gouvernance.history.log import append_event
from gouvernance.inputs import MAX_JSON_BYTES, MAX_JSON_DEPTH, TRUNCATED, code_point, forbidden_character
from tests.api.conftest import Team, launch, launch_body, send, step_path


def nested(depth: int) -> dict[str, Any]:
    """``depth`` objects, each inside the previous one."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def send_event(client, person, engagement_id: str, body: dict[str, Any], lang: str = "fr"):
    etag = client.get(step_path(engagement_id, "a1"), headers=person.headers).headers["etag"]
    headers = {**person.headers, "If-Match": etag, "Accept-Language": lang}
    return client.post(f"{step_path(engagement_id, 'a1')}/events", json=body, headers=headers)


def started(client, make_team) -> Team:
    """A team whose step a1 is in progress, so that an élu may endorse it."""
    team = make_team()
    assert send(client, team["consultant"], team.engagement_id, "a1", "start").status_code == 200
    return team


def reasons(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {reason["path"]: reason["code"] for reason in response.json()["reasons"]}


# --- free-form JSON -------------------------------------------------------------------------------------


def test_event_data_nested_too_deep_is_a_422_naming_the_field(client, make_team) -> None:
    team = started(client, make_team)
    elu = team["elu"]
    response = send_event(client, elu, team.engagement_id, {"event": "endorse", "data": nested(256)})
    assert reasons(response) == {"data": "validation.json_too_deep"}
    [reason] = response.json()["reasons"]
    assert reason["message"] == f"JSON trop imbriqué (au plus {MAX_JSON_DEPTH} niveaux)"
    english = send_event(client, elu, team.engagement_id, {"event": "endorse", "data": nested(256)}, "en")
    assert (
        english.json()["reasons"][0]["message"] == f"JSON nested too deep (at most {MAX_JSON_DEPTH} levels)"
    )
    accepted = send_event(
        client, elu, team.engagement_id, {"event": "endorse", "data": nested(MAX_JSON_DEPTH)}
    )
    assert accepted.status_code == 200, accepted.text


def test_event_data_too_large_is_a_422(client, make_team) -> None:
    team = started(client, make_team)
    big = {"texte": "x" * MAX_JSON_BYTES}
    response = send_event(client, team["elu"], team.engagement_id, {"event": "endorse", "data": big})
    assert reasons(response) == {"data": "validation.json_too_large"}


def test_launch_parameters_are_bounded_too(client, consultant) -> None:
    body = launch_body("mini", population=nested(40))
    assert reasons(client.post("/engagements", json=body, headers=consultant.headers)) == {
        "parameters": "validation.json_too_deep"
    }


def test_the_timeline_reads_an_event_stored_with_data_too_deep(client, db, clock, make_team) -> None:
    team = make_team()
    with db.transaction() as session:
        append_event(
            session,
            engagement_id=team.engagement_id,
            step=None,
            event="endorse",
            from_state=None,
            to_state=None,
            actor="ancien",
            actor_role="elu",
            at=clock.now(),
            comment=None,
            payload=nested(256),
            version=None,
        )
    response = client.get(f"/engagements/{team.engagement_id}/timeline", headers=team["elu"].headers)
    assert response.status_code == 200, response.text
    payload = response.json()["items"][-1]["payload"]
    for _ in range(MAX_JSON_DEPTH - 1):
        payload = payload["a"]
    assert payload == {"a": TRUNCATED}


# --- control characters and NUL -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["ctl\u0001\u0002\u000b end", "nul\u0000", "del\u007f", "c1\u0085", "\ud800"])
def test_a_stakeholder_name_with_a_control_character_is_a_422(client, make_team, bad: str) -> None:
    team = make_team()
    base = f"/engagements/{team.engagement_id}"
    body = {"name": bad, "category": "association", "power": 2, "interest": 3, "tags": ["ok", bad]}
    headers = {**team["chef_de_projet"].headers, "Content-Type": "application/json"}
    # JSON escapes (ensure_ascii), so that a lone surrogate travels as the client would send it: \ud800.
    response = client.post(f"{base}/stakeholders", content=json.dumps(body), headers=headers)
    found = reasons(response)
    assert set(found) == {"name", "tags.1"}
    # pydantic finds a lone surrogate itself when it measures the length of the text
    assert set(found.values()) <= {"validation.text_control_character", "validation.string_unicode"}
    assert {r["message"] for r in response.json()["reasons"]} <= {
        "caractère de contrôle ou invalide interdit (" + code_point(str(forbidden_character(bad))) + ")",
        "texte Unicode invalide",
    }
    assert client.get(f"{base}/stakeholders", headers=team["chef_de_projet"].headers).json() == []


def test_comments_keep_line_breaks_and_tabs_but_not_other_controls(client, make_team) -> None:
    team = started(client, make_team)
    elu = team["elu"]
    kept = send_event(client, elu, team.engagement_id, {"event": "endorse", "comment": "un\r\ndeux\tfin"})
    assert kept.status_code == 200, kept.text
    refused = send_event(client, elu, team.engagement_id, {"event": "endorse", "comment": "bip\u0007"}, "en")
    assert reasons(refused) == {"comment": "validation.text_control_character"}
    assert refused.json()["reasons"][0]["message"] == "control or invalid character not allowed (U+0007)"
    in_data = send_event(client, elu, team.engagement_id, {"event": "endorse", "data": {"k\u0000": "v"}})
    assert reasons(in_data) == {"data": "validation.text_control_character"}


@pytest.mark.parametrize(
    "territory",
    [{"name": "Nul\u0000le"}, {"name": "Retour\rchariot"}, {"name": "Orléans", "insee": "45\u00004"}],
)
def test_a_territory_with_a_control_character_is_refused_at_launch(client, consultant, territory) -> None:
    body = launch_body()
    body["territory"] = {"kind": "commune", **territory}
    found = reasons(client.post("/engagements", json=body, headers=consultant.headers))
    assert set(found.values()) == {"validation.text_control_character"}
    assert set(found) <= {"territory.name", "territory.insee"}


def multipart(label: str, filename: str) -> tuple[bytes, dict[str, str]]:
    """A form as a client may send it, bytes as they are: httpx would percent-encode a NUL in a filename."""
    body = (
        f'--b\r\nContent-Disposition: form-data; name="label"\r\n\r\n{label}\r\n'
        f'--b\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\ntexte\r\n--b--\r\n"
    )
    return body.encode(), {"Content-Type": "multipart/form-data; boundary=b"}


def test_nul_in_an_evidence_filename_or_label_is_a_422(client, make_team) -> None:
    team = make_team()
    path = f"{step_path(team.engagement_id, 'a1')}/evidence"
    headers = team["consultant"].headers
    content, form = multipart("compte rendu", "cr\u0000.txt")
    filename = client.post(path, content=content, headers={**headers, **form})
    assert reasons(filename) == {"file.filename": "text.control_character"}
    assert "file.filename" in filename.json()["detail"]
    content, form = multipart("compte\u0000rendu", "cr.txt")
    assert reasons(client.post(path, content=content, headers={**headers, **form})) == {
        "label": "validation.text_control_character"
    }
    content, form = multipart("compte rendu", "cr.txt")
    assert client.post(path, content=content, headers={**headers, **form}).status_code == 201


@pytest.mark.parametrize(
    "query",
    [
        "/engagements?territory=%00",
        "/engagements?model=a%00b",
        "/engagements/{id}/timeline?actor=%00",
        "/engagements/{id}/timeline?type=start%00",
        "/engagements/{id}/timeline?step=%01",
    ],
)
def test_nul_in_a_query_parameter_is_a_422(client, consultant, query: str) -> None:
    engagement_id = launch(client, consultant)
    response = client.get(query.format(id=engagement_id), headers=consultant.headers)
    assert set(reasons(response).values()) == {"validation.text_control_character"}


@pytest.mark.parametrize(
    "path", ["/engagements/%00", "/engagements/{id}/steps/a%00", "/process-models/mini%00"]
)
def test_nul_in_a_path_parameter_is_a_422(client, consultant, path: str) -> None:
    engagement_id = launch(client, consultant)
    response = client.get(path.format(id=engagement_id), headers=consultant.headers)
    assert set(reasons(response).values()) == {"validation.text_control_character"}


# --- dates and numbers ----------------------------------------------------------------------------------


def test_a_start_date_out_of_range_is_a_422_in_both_languages(client, consultant) -> None:
    body = launch_body()
    body["start_date"] = "9999-12-31"
    response = client.post("/engagements", json=body, headers=consultant.headers)
    assert reasons(response) == {"start_date": "validation.date_out_of_range"}
    assert response.json()["reasons"][0]["message"] == "date hors limites : du 2000-01-01 au 2100-12-31"
    english = client.post("/engagements", json=body, headers={**consultant.headers, "Accept-Language": "en"})
    assert english.json()["reasons"][0]["message"] == "date out of range: from 2000-01-01 to 2100-12-31"
    body["start_date"] = "2100-12-31"
    assert client.post("/engagements", json=body, headers=consultant.headers).status_code == 201


def test_the_schema_says_which_dates_are_accepted(client) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["LaunchIn"]["properties"]
    assert schema["start_date"]["formatMinimum"] == "2000-01-01"
    assert schema["start_date"]["formatMaximum"] == "2100-12-31"


def test_the_template_publishes_the_range_of_population(client, consultant) -> None:
    model = client.get("/process-models/gouvernance-partagee", headers=consultant.headers).json()
    population = next(p for p in model["parameters"] if p["key"] == "population")
    assert (population["minimum"], population["maximum"]) == (1, 100_000_000)


@pytest.mark.parametrize(
    ("population", "code"),
    [(-1, "parameter.invalid"), (0, "parameter.invalid"), (10**1000, "validation.int_out_of_range")],
)
def test_population_gets_its_range_from_the_template(client, consultant, population, code) -> None:
    body = launch_body("gouvernance-partagee", population=population)
    response = client.post("/engagements", json=body, headers={**consultant.headers, "Accept-Language": "en"})
    assert code in set(reasons(response).values()) | {response.json()["code"]}
    if code == "parameter.invalid":
        assert (
            response.json()["reasons"][0]["message"]
            == f"'population': at least 1 expected (got {population})"
        )


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_launch_parameter_is_a_422_on_every_backend(client, consultant, number: str) -> None:
    body = json.dumps(launch_body()).replace('"parameters": {}', f'"parameters": {{"population": {number}}}')
    headers = {**consultant.headers, "Content-Type": "application/json"}
    response = client.post("/engagements", content=body, headers=headers)
    assert reasons(response) == {"parameters": "validation.number_not_finite"}


def test_a_non_finite_number_in_event_data_is_a_422(client, make_team) -> None:
    team = started(client, make_team)
    etag = client.get(step_path(team.engagement_id, "a1"), headers=team["elu"].headers).headers["etag"]
    headers = {**team["elu"].headers, "If-Match": etag, "Content-Type": "application/json"}
    body = '{"event": "endorse", "data": {"note": [1, NaN]}}'
    response = client.post(f"{step_path(team.engagement_id, 'a1')}/events", content=body, headers=headers)
    assert reasons(response) == {"data": "validation.number_not_finite"}


def test_relation_weights_and_dates_are_bounded(client, make_team) -> None:
    team = make_team()
    path = f"/engagements/{team.engagement_id}/stakeholder-relations"
    headers = team["chef_de_projet"].headers
    for weight in (1e-200, 0.001, 101):
        body = {"source_id": 1, "target_id": 2, "type": "partenaire", "weight": weight}
        assert set(reasons(client.post(path, json=body, headers=headers))) == {"weight"}
    body = {"source_id": 1, "target_id": 2, "type": "partenaire", "start": "9999-12-31"}
    assert reasons(client.post(path, json=body, headers=headers)) == {"start": "validation.date_out_of_range"}


@pytest.mark.parametrize("url", ["http://[::1", "http://example.fr:99999/", "https://", "ftp://example.fr"])
def test_a_malformed_evidence_link_is_a_422(client, make_team, url: str) -> None:
    team = make_team()
    path = f"{step_path(team.engagement_id, 'a1')}/evidence"
    response = client.post(path, data={"label": "lien", "url": url}, headers=team["consultant"].headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "evidence.bad_url"
    assert response.json()["detail"] == f"lien invalide : « {url} » (http ou https attendu)"
