"""Editing a template file never changes an engagement already launched from it."""

from __future__ import annotations

import pytest

from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Conflict
from gouvernance.spec.catalog import model_for
from gouvernance.spec.validation import load_model_text
from tests.conftest import FIXTURES

MINI = (FIXTURES / "models" / "mini.yaml").read_text(encoding="utf-8")


def _variant(key: str, version: int, step_title: str) -> str:
    return (
        MINI.replace("key: mini\n", f"key: {key}\n")
        .replace("version: 1\n", f"version: {version}\n")
        .replace("title: Un,", f"title: {step_title},")
    )


def test_a_running_engagement_keeps_the_version_it_was_launched_from(db, launch_engagement) -> None:
    original = load_model_text(_variant("snap", 1, "Diagnostic"), "snap.yaml")
    engagement_id = launch_engagement(original)

    edited_same_version = load_model_text(_variant("snap", 1, "Diagnostic partagé"), "snap.yaml")
    with pytest.raises(Conflict) as conflict:
        launch_engagement(edited_same_version)
    assert conflict.value.code == "model.version_changed"
    assert "Augmentez « version »" in conflict.value.text()

    bumped = load_model_text(_variant("snap", 2, "Diagnostic partagé"), "snap.yaml")
    newer_id = launch_engagement(bumped)
    with db.reading() as session:
        old = session.get(EngagementRow, engagement_id)
        new = session.get(EngagementRow, newer_id)
        assert old is not None
        assert new is not None
        assert (old.model_version, new.model_version) == (1, 2)
        assert model_for(session, "snap", old.model_version).steps_by_key["a1"].title.fr == "Diagnostic"
        assert (
            model_for(session, "snap", new.model_version).steps_by_key["a1"].title.fr == "Diagnostic partagé"
        )
