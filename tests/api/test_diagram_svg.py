"""GET /process-models/{key}/diagram.svg: the model's SVG drawing, as image/svg+xml; 404 for an unknown
model."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def test_the_svg_diagram_is_served(client, consultant) -> None:
    response = client.get("/process-models/gouvernance-partagee/diagram.svg", headers=consultant.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Transmission au contrôle de légalité et publication de la délibération" in response.text
    english = client.get(
        "/process-models/gouvernance-partagee/diagram.svg?version=4",
        headers={**consultant.headers, "Accept-Language": "en"},
    )
    assert english.status_code == 200
    missing = client.get("/process-models/inconnu/diagram.svg", headers=consultant.headers)
    assert missing.status_code == 404
