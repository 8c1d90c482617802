from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gouvernance.clock import FrozenClock
from gouvernance.deliverables.model import DeliverableKind
from gouvernance.deliverables.registry import BUILDERS, build_document
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.errors import InvalidInput


def test_every_declared_kind_has_a_builder():
    assert set(BUILDERS) == set(DeliverableKind.__args__)


def test_unknown_kinds_fall_back_to_the_generic_builder(clock):
    document = build_document("bilan_annuel", {"bilan": "Positif."}, clock=clock)
    assert document.kind == "bilan_annuel"
    assert document.title == "Bilan annuel"


@pytest.mark.parametrize("kind", ["", "Plan", "../plan", "plan action", "x" * 65, None])
def test_invalid_kinds_are_refused_with_a_readable_error(kind):
    with pytest.raises(InvalidInput) as refused:
        build_document(kind, {})  # type: ignore[arg-type]
    assert refused.value.code == "deliverable.invalid_kind"
    assert refused.value.message.path == "kind"
    assert "Type de livrable invalide" in refused.value.text("fr")


def test_generated_at_comes_from_the_context_then_the_clock(clock):
    given = build_document("plan_action", {"generated_at": "2026-05-01T08:00:00+02:00"}, clock=clock)
    assert given.generated_at == datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
    naive = build_document("plan_action", {"generated_at": datetime(2026, 5, 1, 6, 0)}, clock=clock)
    assert naive.generated_at == datetime(2026, 5, 1, 6, 0, tzinfo=UTC)  # naive means UTC
    assert build_document("plan_action", {}, clock=clock).generated_at == clock.now()


@pytest.mark.parametrize(
    ("timezone", "day", "label"),
    [
        ("Europe/Paris", "2026-11-22", "22 novembre 2026"),
        ("America/Cayenne", "2026-11-21", "21 novembre 2026"),
    ],
)
def test_the_version_date_is_the_day_where_the_readers_live(timezone: str, day: str, label: str) -> None:
    clock = FrozenClock(datetime(2026, 11, 21, 23, 30, tzinfo=UTC), tz=ZoneInfo(timezone))
    document = build_document("plan_action", {"territory": {"name": "Kourou"}}, clock=clock)
    assert document.filename("pdf") == f"plan_action-kourou-{day}.pdf"
    assert label in DocumentRenderer().render(document, "html").content.decode()
