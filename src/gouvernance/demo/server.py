"""The demonstration behind `gouvernance serve --demo`: one person per role, each with an API token and a
web password, and a
launched (not walked) engagement, so that there is something to explore through the API."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from gouvernance.access.service import add_user, create_token, grant
from gouvernance.access.web_login import set_password
from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.demo.scenario import DEMO_MODEL, launch_demo
from gouvernance.demo.walkthrough import PEOPLE
from gouvernance.engagements.records import EngagementRow
from gouvernance.spec.catalog import Catalog

CONSULTANCY = ("cabinet-horizons", "cabinet")
COLLECTIVITY = ("cc-val-fleuri", "collectivite")
DEMO_TERRITORY = "Communauté de communes du Val Fleuri"
# Who is who: (role, login, organisation).
DEMO_PEOPLE: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("consultant", PEOPLE["consultant"], CONSULTANCY),
    ("chef_de_projet", PEOPLE["chef_de_projet"], COLLECTIVITY),
    ("elu", PEOPLE["elu"], COLLECTIVITY),
    ("agent", PEOPLE["agent"], COLLECTIVITY),
    ("partenaire", PEOPLE["partenaire"], COLLECTIVITY),
    ("observateur", "observatoire.citoyen", COLLECTIVITY),
)


@dataclass(frozen=True)
class DemoToken:
    role: str
    login: str
    token: str
    password: str  # for the web interface; new on every run, like the token


@dataclass(frozen=True)
class ServerDemo:
    engagement_id: str
    territory: str
    tokens: list[DemoToken]


def _existing_demo(db: Database, territory: str) -> str | None:
    with db.reading() as session:
        return session.scalar(
            select(EngagementRow.id)
            .where(EngagementRow.territory_name == territory, EngagementRow.state == "active")
            .order_by(EngagementRow.created_at)
            .limit(1)
        )


def prepare_server_demo(
    db: Database, catalog: Catalog, clock: Clock, territory: str = DEMO_TERRITORY
) -> ServerDemo:
    """Reuses the demo engagement of an earlier run if it is still active; new tokens every time (a token
    is only ever shown once)."""
    engagement_id = _existing_demo(db, territory)
    if engagement_id is None:
        today = clock.now().date()  # UTC: the demo starts today, its first tasks are due weeks ahead
        engagement_id = launch_demo(db, catalog.get(DEMO_MODEL), territory, start=today).engagement_id
    tokens = []
    with db.transaction() as session:
        for role, login, (organisation, kind) in DEMO_PEOPLE:
            add_user(
                session, login, organisation=organisation, organisation_kind=kind, clock=clock, exist_ok=True
            )
            grant(session, login, role, engagement_id=engagement_id, clock=clock)
            if role == "consultant":
                grant(session, login, role, clock=clock)  # may launch engagements for the consultancy
            password = secrets.token_urlsafe(12)
            set_password(session, login, password, now=clock.now())
            tokens.append(DemoToken(role, login, create_token(session, login, clock=clock), password))
    return ServerDemo(engagement_id, territory, tokens)
