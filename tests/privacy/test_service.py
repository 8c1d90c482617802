"""Export, erasure and account deletion, on the suite's database (triggers in place): SQLite, and PostgreSQL
with GOUVERNANCE_TEST_DATABASE_URL."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from gouvernance.access.service import authenticate, create_token
from gouvernance.audit.records import AuditEntryRow
from gouvernance.audit.verify import verify
from gouvernance.idempotency.records import IdempotencyRow
from gouvernance.idempotency.service import Claim, StoredResponse, claim, settle
from gouvernance.privacy.accounts import delete_user
from gouvernance.privacy.erasure import erase_person
from gouvernance.privacy.export import export_person, summary
from gouvernance.stakeholders.tables import StakeholderContactRow, StakeholderRow


def _register_text(db, engagement_id: str) -> str:
    with db.reading() as session:
        rows = session.execute(
            select(StakeholderRow, StakeholderContactRow)
            .outerjoin(StakeholderContactRow, StakeholderContactRow.stakeholder_id == StakeholderRow.id)
            .where(StakeholderRow.engagement_id == engagement_id)
        )
        return " ".join(
            f"{s.name} {s.key} {s.notes} {c.email if c else ''} {c.phone if c else ''}" for s, c in rows
        )


def test_the_export_holds_the_person_and_nobody_else(db, case) -> None:
    with db.reading() as session:
        data = export_person(session, case.login, organisation=None)
    dumped = json.dumps(data, ensure_ascii=False)
    assert data["compte"]["login"] == case.login
    assert data["compte"]["courriel"] == case.email
    (stakeholder,) = data["parties_prenantes"]
    assert stakeholder["nom"] == case.name
    assert stakeholder["contact"] == {"courriel": case.email, "telephone": case.phone}
    assert len(stakeholder["consultations"]) == 1
    assert {e["evenement"] for e in data["evenements"]} >= {"start"}
    assert case.other_name not in dumped
    assert case.other_email not in dumped
    text_ = summary(data)
    assert case.name in text_
    assert "Registres des parties prenantes" in text_


def test_the_export_by_email_finds_the_register_entry(db, case) -> None:
    with db.reading() as session:
        data = export_person(session, case.email.upper(), organisation=None)
    assert [s["nom"] for s in data["parties_prenantes"]] == [case.name]
    assert data["compte"] is None


def test_a_name_with_accented_capitals_is_found_however_it_is_typed(db, case, clock) -> None:
    """« ÉLODIE D'ÉTÉ » and « élodie d'été » are the same person, on SQLite too (whose own lower() folds ASCII
    only)."""
    from gouvernance.engagements.actors import ActorRef
    from tests.privacy.conftest import _stakeholder

    with db.transaction() as session:
        _stakeholder(
            session,
            case.engagement_id,
            f"e{case.login}",
            "Élodie d'Été",
            "ELODIE.ETE@EXEMPLE.FR",
            "06 00 00 00 01",
            clock,
            ActorRef.of(case.login, "consultant"),
        )
    for typed in ("élodie d'été", "ÉLODIE D'ÉTÉ", "elodie.ete@exemple.fr"):
        with db.reading() as session:
            data = export_person(session, typed, organisation=None)
        assert [s["nom"] for s in data["parties_prenantes"]] == ["Élodie d'Été"], typed


def test_the_export_stays_within_the_callers_organisation(db, case) -> None:
    with db.reading() as session:
        data = export_person(session, case.login, organisation="une-autre")
    assert data["compte"] is None
    assert data["parties_prenantes"] == []
    assert data["evenements"] == []


def test_erasure_pseudonymises_and_the_chain_still_verifies(db, case, clock) -> None:
    with db.transaction() as session:
        report = erase_person(session, case.login, clock=clock)
    assert report.pseudonymised == 1
    assert report.contacts_deleted == 1
    assert report.entries[case.engagement_id] >= 3  # the events, the decision, the consultation
    register = _register_text(db, case.engagement_id)
    for value in (case.name, case.email, case.phone):
        assert value not in register
    assert "Personne effacée n° " in register
    assert case.other_name in register
    with db.reading() as session:
        assert verify(session, case.engagement_id).ok, verify(session, case.engagement_id).anomalies
        kinds = [
            e.kind
            for e in session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.engagement_id == case.engagement_id)
                .order_by(AuditEntryRow.seq)
            )
        ]
        assert kinds[-1] == "erasure"
        again = export_person(session, case.name, organisation=None)
    assert again["parties_prenantes"] == []
    dumped = json.dumps(again, ensure_ascii=False)
    assert case.email not in dumped
    assert case.phone not in dumped


def test_a_salt_erased_without_a_recorded_erasure_is_still_an_anomaly(db, case) -> None:
    with db.reading() as session:
        entry = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.engagement_id == case.engagement_id, AuditEntryRow.kind == "event")
            .order_by(AuditEntryRow.seq.desc())
        ).first()
        assert entry is not None
        assert entry.salts.get("actor")
        seq = entry.seq
    with db.engine.begin() as connection:  # the triggers let salts change: that alone must show
        connection.execute(
            text("UPDATE audit_entries SET salts = :s WHERE engagement_id = :e AND seq = :q"),
            {"s": "{}", "e": case.engagement_id, "q": seq},
        )
    with db.reading() as session:
        report = verify(session, case.engagement_id)
    assert not report.ok
    assert "sel effacé sans effacement enregistré" in report.anomalies[0].message


def test_a_deleted_users_token_no_longer_authenticates(db, case, clock) -> None:
    with db.transaction() as session:
        token = create_token(session, case.login, clock=clock)
        feed = create_token(session, case.login, clock=clock, feed=True)
    with db.reading() as session:
        assert authenticate(session, token) is not None
    other = f"autre-{case.login}"
    for principal in (case.login, other):  # a response stored for a retried request of each
        with db.transaction() as session:
            claimed = claim(
                session, principal=principal, key="k-1", method="POST", path="/engagements",
                request_sha256="0" * 64, now=clock.now(),
            )  # fmt: skip
            assert isinstance(claimed, Claim)
            settle(session, claimed, StoredResponse(201, {}, '{"id": "e-1"}'), now=clock.now())
    with db.transaction() as session:
        counts = delete_user(session, case.login, by="cli:operateur", clock=clock)
    assert counts["users"] == 1
    assert counts["api_tokens"] == 2
    assert counts["grants"] == 1
    assert counts["idempotency_keys"] == 1
    with db.reading() as session:
        kept = select(IdempotencyRow.principal).where(IdempotencyRow.principal.in_([case.login, other]))
        assert session.scalars(kept).all() == [other]
    with db.reading() as session:
        assert authenticate(session, token) is None
        assert authenticate(session, feed, feed=True) is None
