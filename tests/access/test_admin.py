"""Invitations and password resets: the link goes out through the outbox and a real SMTP server, works once,
and not after it expires; a reset request answers the same whether the address is known or not."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gouvernance.access.admin import INVITATION_LIFETIME, invite, request_reset
from gouvernance.access.records import AccessLinkRow
from gouvernance.access.service import add_user
from gouvernance.access.web_login import MAX_FAILURES_PER_LOGIN
from gouvernance.api.app import create_app
from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.notifications.channels import InMemoryWebhookSender, SmtpMailer
from gouvernance.notifications.dispatch import dispatch
from gouvernance.notifications.records import NotificationRow
from gouvernance.settings import Settings
from tests.api.conftest import api_catalog  # noqa: F401  (fixture)
from tests.notifications.conftest import Inbox, smtp_server  # noqa: F401  (fixture)

BASE = "https://gouvernance.exemple.fr"
PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def site(db: Database, clock: FrozenClock, api_catalog, tmp_path: Path) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(
        Settings(data_dir=tmp_path, base_url=BASE),
        database=db,
        clock=clock,
        blob_store=MemoryBlobStore(),
        catalog=api_catalog,
    )
    with TestClient(app, base_url=BASE) as client:
        yield client


@pytest.fixture
def admin(db: Database, clock: FrozenClock) -> str:
    unique = uuid.uuid4().hex[:10]
    with db.transaction() as session:
        add_user(session, f"admin.{unique}", organisation=f"mairie-{unique}", clock=clock, org_admin=True)
    return f"admin.{unique}"


def _send_mail(db: Database, clock: FrozenClock, port: int) -> None:
    report = dispatch(
        db, mailer=SmtpMailer(port=port), webhooks=InMemoryWebhookSender(), clock=clock, worker="test"
    )
    assert report.sent >= 1


def _invite(session, admin: str, address: str, clock: FrozenClock, *, name: str | None, role: str):
    """An organisation-wide invitation from ``admin``, its link built on BASE."""
    return invite(
        session,
        by=admin,
        email=address,
        name=name,
        role=role,
        engagement_id=None,
        clock=clock,
        base_url=BASE,
    )


def _token(text: str) -> str:
    found = re.search(re.escape(BASE) + r"/invitation/([A-Za-z0-9_\-]+)", text)
    assert found, text
    return found.group(1)


def _choose(site: TestClient, token: str, password: str = PASSWORD):
    page = site.get(f"/invitation/{token}")
    if page.status_code != 200:
        return page
    form_token = re.search(r'name="jeton_formulaire" value="([^"]+)"', page.text)
    assert form_token
    return site.post(
        f"/invitation/{token}",
        data={"mot_de_passe": password, "confirmation": password, "jeton_formulaire": form_token.group(1)},
        follow_redirects=False,
    )


def test_once_sent_the_link_is_no_longer_in_the_database(
    db: Database,
    clock: FrozenClock,
    admin: str,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    """Whoever reads the database (a backup, a support session) finds no working link in it."""
    inbox, port = smtp_server
    address = f"invitee.{uuid.uuid4().hex[:10]}@exemple.fr"
    with db.transaction() as session:
        invited = _invite(session, admin, address, clock, name="Iris", role="agent")
    _send_mail(db, clock, port)
    [mail] = inbox.to(address)
    token = _token(mail.get_content())
    with db.reading() as session:
        stored = session.scalars(
            select(NotificationRow).where(
                NotificationRow.kind == "access", NotificationRow.body.contains(invited.login)
            )
        ).one()
    assert token not in stored.body
    assert token not in json.dumps(stored.data)
    assert "lien envoyé par courriel, retiré d'ici après l'envoi" in stored.body
    assert f"identifiant : {invited.login}" in stored.body


def test_an_invitation_is_emailed_and_its_link_works_once(
    db: Database,
    clock: FrozenClock,
    admin: str,
    site: TestClient,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp_server
    address = f"invitee.{uuid.uuid4().hex[:10]}@exemple.fr"
    with db.transaction() as session:
        invited = _invite(session, admin, address, clock, name="Iris", role="agent")
        stored = session.scalars(select(AccessLinkRow).where(AccessLinkRow.login == invited.login)).one()
    _send_mail(db, clock, port)
    [mail] = inbox.to(address)
    assert mail["Subject"] == "Invitation à la gouvernance partagée"
    body = mail.get_content()
    token = _token(body)
    assert token not in stored.token_sha256
    assert len(stored.token_sha256) == 64

    chosen = _choose(site, token)
    assert chosen.status_code == 303, chosen.text
    assert chosen.headers["location"] == "/portefeuille"
    assert "gv_session" in chosen.cookies
    assert site.get("/portefeuille").status_code == 200  # signed in

    site.cookies.clear()
    spent = site.get(f"/invitation/{token}")
    assert spent.status_code == 404
    assert "plus valable" in spent.text


def test_an_expired_link_is_refused(db: Database, clock: FrozenClock, admin: str, site: TestClient) -> None:
    with db.transaction() as session:
        invited = _invite(
            session, admin, f"tard.{uuid.uuid4().hex[:10]}@exemple.fr", clock, name=None, role="elu"
        )
    clock.advance(INVITATION_LIFETIME + timedelta(minutes=1))
    refused = _choose(site, _token(invited.link))
    assert refused.status_code == 404
    assert "plus valable" in refused.text


def test_a_reset_answers_the_same_for_an_unknown_address(
    db: Database,
    clock: FrozenClock,
    admin: str,
    site: TestClient,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp_server
    address = f"oubli.{uuid.uuid4().hex[:10]}@exemple.fr"
    with db.transaction() as session:
        _invite(session, admin, address, clock, name=None, role="elu")
    answers = []
    for typed in (address.upper(), "personne@nulle-part.fr"):
        page = site.get("/mot-de-passe-oublie")
        form_token = re.search(r'name="jeton_formulaire" value="([^"]+)"', page.text)
        assert form_token
        answer = site.post(
            "/mot-de-passe-oublie", data={"courriel": typed, "jeton_formulaire": form_token.group(1)}
        )
        assert answer.status_code == 200
        answers.append(answer.text)
    assert answers[0] == answers[1]
    _send_mail(db, clock, port)
    subjects = [m["Subject"] for m in inbox.to(address)]
    assert subjects == ["Invitation à la gouvernance partagée", "Choisir un nouveau mot de passe"]
    assert inbox.to("personne@nulle-part.fr") == []
    reset_token = _token(inbox.to(address)[1].get_content())
    assert _choose(site, reset_token).status_code == 303
    with db.transaction() as session:
        request_reset(
            session, email="personne@nulle-part.fr", clock=clock, base_url=BASE
        )  # nothing, no error


def test_asking_for_reset_links_again_and_again_is_throttled_and_the_address_is_kept(
    site: TestClient,
) -> None:
    """The page counts requests as the API does (per address asked about and per client): the sixth for one
    address within the window is refused by its field, and what was typed stays in the form."""
    typed = f"insistant.{uuid.uuid4().hex[:10]}@exemple.fr"
    statuses = []
    for _ in range(MAX_FAILURES_PER_LOGIN + 1):
        page = site.get("/mot-de-passe-oublie")
        form_token = re.search(r'name="jeton_formulaire" value="([^"]+)"', page.text)
        assert form_token
        answer = site.post(
            "/mot-de-passe-oublie", data={"courriel": typed, "jeton_formulaire": form_token.group(1)}
        )
        statuses.append(answer.status_code)
    assert statuses == [200] * MAX_FAILURES_PER_LOGIN + [429]
    assert 'id="courriel-erreur"' in answer.text
    assert f'value="{typed}"' in answer.text
