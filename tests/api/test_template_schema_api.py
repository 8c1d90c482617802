"""The template format's JSON Schema is served to editors without a token."""

from __future__ import annotations

import json


def test_the_api_serves_the_schema_without_a_token(client) -> None:
    response = client.get("/process-models/schema.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    schema = json.loads(response.text)
    rules = {
        item["properties"]["rule"]["const"]
        for item in schema["$defs"]["StepSpec"]["properties"]["guards"]["items"]["oneOf"]
    }
    assert {"evidence_attached", "approved_by", "objectives_validated"} <= rules
