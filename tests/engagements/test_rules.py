"""The door's rules and stamps declare where they apply: a declaration naming an event or a state that no
lifecycle has would silently never apply."""

from __future__ import annotations

import pytest

from gouvernance.engagements.rules import RULES, STAMPS, Where
from gouvernance.lifecycle.machines import ENGAGEMENT, LIFECYCLE_BY_KIND

LIFECYCLES = [*LIFECYCLE_BY_KIND.values(), ENGAGEMENT]
EVENTS = {event for lifecycle in LIFECYCLES for _, event, _ in lifecycle.transitions}
STATES = {state for lifecycle in LIFECYCLES for state in lifecycle.states}
DECLARED = {**{f"rule {r.name}": r.where for r in RULES}, **{f"stamp {s.name}": s.where for s in STAMPS}}


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_each_declaration_names_known_events_and_states(name: str) -> None:
    where: Where = DECLARED[name]
    assert (where.events or set()) <= EVENTS
    assert (where.from_states or set()) <= STATES
    assert (where.to_states or set()) <= STATES
