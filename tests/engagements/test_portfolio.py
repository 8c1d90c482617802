"""The portfolio's overdue filter splits engagements by whether one of their steps is late, and the totals
count the same ones as the page."""

from __future__ import annotations

from datetime import timedelta

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.engagements.portfolio import PortfolioFilter, figures, list_engagements
from gouvernance.engagements.records import EngagementRow
from gouvernance.spec.schema import ProcessModel


def test_overdue_filter_splits_late_engagements_from_the_others(
    db: Database, clock: FrozenClock, mini_model: ProcessModel, launch_engagement
) -> None:
    late = launch_engagement(mini_model)
    clock.advance(timedelta(days=30))
    on_time = launch_engagement(mini_model)
    visible = EngagementRow.id.in_([late, on_time])
    now = clock.now()
    with db.reading() as session:
        assert figures(session, [late], now=now)[late].overdue >= 1
        assert figures(session, [on_time], now=now)[on_time].overdue == 0
        for overdue, expected in ((True, late), (False, on_time)):
            rows, total = list_engagements(
                session, now=now, visible=visible, filters=PortfolioFilter(overdue=overdue)
            )
            assert ([row.id for row in rows], total) == ([expected], 1)
        rows, total = list_engagements(session, now=now, visible=visible)
        assert (sorted(row.id for row in rows), total) == (sorted([late, on_time]), 2)
