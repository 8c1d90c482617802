from datetime import UTC, datetime

import pytest

from gouvernance.deliverables.model import DeliverableKind
from gouvernance.deliverables.registry import BUILDERS, build_document
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
