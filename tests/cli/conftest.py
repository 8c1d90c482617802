"""People the command line acts as: an organisation of its own per test (the test database is shared by the
session), a consultant with an organisation-wide role, an elected member with no role yet, and a user of
another organisation; or a team of a project lead and an observer."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
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


@dataclass(frozen=True)
class Team:
    """Runs `gouvernance …` as the project lead of a fresh organisation, or as an observer of it."""

    lead: Callable[..., subprocess.CompletedProcess[str]]
    observer: Callable[..., subprocess.CompletedProcess[str]]

    def launch(self, model: str = "gouvernance-partagee", *params: str) -> str:
        """A new engagement of ``model`` (``KEY=VALUE`` parameters); the first 8 characters of its id."""
        args = ["launch", model, "--territory", "Val Fleuri", "--start", "2026-01-05", "--kind", "epci"]
        for param in params:
            args += ["--param", param]
        return self.lead(*args).stdout.strip()[:8]


@pytest.fixture
def team(cli, db: Database, clock: FrozenClock) -> Team:
    suffix = uuid.uuid4().hex[:8]
    lead, observer = f"julien.{suffix}", f"olga.{suffix}"
    with db.transaction() as session:
        add_user(session, lead, organisation=f"org-{suffix}", clock=clock)
        add_user(session, observer, organisation=f"org-{suffix}", clock=clock)
        grant(session, lead, "chef_de_projet", clock=clock)
        grant(session, observer, "observateur", clock=clock)

    def as_user(login: str) -> Callable[..., subprocess.CompletedProcess[str]]:
        def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
            return cli(*args, "--login", login, ok=ok)

        return run

    return Team(as_user(lead), as_user(observer))
