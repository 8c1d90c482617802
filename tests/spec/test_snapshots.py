"""Editing a template file never changes an engagement already launched from it."""

from __future__ import annotations

import pytest

from gouvernance.engagements.records import EngagementRow, ProcessModelRow
from gouvernance.errors import Conflict
from gouvernance.spec.catalog import SNAPSHOT_FORMAT, model_for, snapshot
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


def test_a_snapshot_is_stored_in_the_current_format(db, launch_engagement) -> None:
    launch_engagement(load_model_text(_variant("format-actuel", 1, "Un"), "format-actuel.yaml"))
    with db.reading() as session:
        row = session.get(ProcessModelRow, ("format-actuel", 1))
        assert row is not None
        assert row.format_version == SNAPSHOT_FORMAT


def test_a_snapshot_in_an_unknown_format_is_refused_in_french(db, clock) -> None:
    with db.transaction() as session:
        snapshot(session, load_model_text(_variant("format-futur", 1, "Un"), "f.yaml"), now=clock.now())
        row = session.get(ProcessModelRow, ("format-futur", 1))
        assert row is not None
        row.format_version = SNAPSHOT_FORMAT + 1  # as a newer gouvernance would write it
    with db.reading() as session, pytest.raises(Conflict) as refused:
        model_for(session, "format-futur", 1)
    assert refused.value.code == "model.snapshot_format_unknown"
    assert "format inconnu" in refused.value.text()
    assert "Mettez gouvernance à jour" in refused.value.text()


def test_a_snapshot_stored_before_the_format_gained_a_field_still_matches_its_unchanged_file(
    db, launch_engagement, clock
) -> None:
    # A snapshot as an older gouvernance stored it: the same journey, without the fields added since (here
    # ``recurrence``), hence another digest. The file has not changed: launching again must work.
    model = load_model_text(_variant("avant-champ", 1, "Diagnostic"), "avant.yaml")
    document, _ = model.fingerprint
    older = {name: value for name, value in document.items() if name != "recurrence"}
    with db.transaction() as session:
        session.add(
            ProcessModelRow(
                key=model.key,
                version=model.version,
                sha256="0" * 64,
                title=model.title.fr,
                document=older,
                registered_at=clock.now(),
                format_version=SNAPSHOT_FORMAT,
            )
        )
    assert launch_engagement(model)
    edited = load_model_text(_variant("avant-champ", 1, "Diagnostic partagé"), "avant.yaml")
    with pytest.raises(Conflict):
        launch_engagement(edited)
