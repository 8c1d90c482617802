"""A bad template in GOUVERNANCE_TEMPLATES_DIR is not silently ignored by the API: start-up logs it, and
/readyz names it with its problems."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gouvernance.api.app import create_app
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.settings import Settings
from gouvernance.spec.catalog import Catalog, shipped_directory


def test_a_bad_template_is_logged_at_start_up_and_shown_in_readyz(
    db, clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extra = tmp_path / "modeles"
    extra.mkdir()
    (extra / "casse.yaml").write_text(
        "key: casse\nversion: 1\ntitle: Cassé\nstages: []\nroles: nope\n", "utf-8"
    )
    catalog = Catalog([shipped_directory(), extra])
    app = create_app(
        Settings(data_dir=tmp_path), database=db, clock=clock, blob_store=MemoryBlobStore(), catalog=catalog
    )
    with caplog.at_level(logging.WARNING, logger="gouvernance.api"), TestClient(app) as client:
        ready = client.get("/readyz").json()
    assert any(
        "Modèle ignoré (invalide)" in record.getMessage() and "casse.yaml" in record.getMessage()
        for record in caplog.records
    )
    [ignored] = ready["ignored_templates"]
    assert ignored["file"].endswith("casse.yaml")
    assert ignored["problems"]
    assert ready["status"] == "ok"  # the valid journeys are served all the same
