"""People the command line acts as: an organisation of its own per test (the test database is shared by the
session), a consultant with an organisation-wide role, an elected member with no role yet, and a user of
another organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from gouvernance.access.service import add_user, grant
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database


@dataclass(frozen=True)
class Crew:
    organisation: str
    consultant: str
    elu: str
    outsider: str


@pytest.fixture
def crew(db: Database, clock: FrozenClock) -> Crew:
    suffix = uuid.uuid4().hex[:8]
    people = Crew(f"cc-{suffix}", f"claire.{suffix}", f"sophie.{suffix}", f"bob.{suffix}")
    with db.transaction() as session:
        add_user(session, people.consultant, organisation=people.organisation, clock=clock)
        add_user(session, people.elu, organisation=people.organisation, clock=clock)
        add_user(session, people.outsider, organisation=f"autre-{suffix}", clock=clock)
        grant(session, people.consultant, "consultant", clock=clock)
        grant(session, people.outsider, "consultant", clock=clock)
    return people
