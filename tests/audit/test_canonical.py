"""The canonical form: sorted keys, fixed separators, UTC timestamps, salted personal fields, the same text
however the values arrive."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

from gouvernance.audit.canonical import FIELDS, canonical, digest, event_canonical, new_salts, salted

EVENT = {
    "id": 7,
    "engagement_id": "e-1",
    "step_id": None,
    "step_key": "a1",
    "event": "submit",
    "from_state": "in_progress",
    "to_state": "in_review",
    "actor": "claire",
    "actor_role": "consultant",
    "occurred_at": datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1))),
    "comment": "« Première » version\n",
    "payload": {"round": 1, "b": [1, 2], "a": {"z": None, "é": True}},
    "version": 3,
}


def test_the_text_is_canonical_json_with_utc_times_and_salted_personal_fields() -> None:
    salts = {"actor": "00" * 16, "comment": "11" * 16}
    at = datetime(2026, 3, 2, 8, 0, 0, 5, tzinfo=UTC)
    text = canonical("event", EVENT, seq=3, prev="ab" * 32, at=at, salts=salts)
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert document["occurred_at"] == "2026-03-02T08:00:00.000000Z"
    assert document["at"] == "2026-03-02T08:00:00.000005Z"
    assert (document["v"], document["seq"], document["prev"], document["kind"]) == (1, 3, "ab" * 32, "event")
    expected = hashlib.sha256(("00" * 16 + "\x00claire").encode()).hexdigest()
    assert document["actor"] == {"h": expected} == salted("00" * 16, "claire")
    assert "claire" not in text
    assert "Première" not in text
    assert document["payload"] == EVENT["payload"]
    assert digest(text) == hashlib.sha256(text.encode()).hexdigest()


def test_the_same_values_give_the_same_text_and_any_change_another() -> None:
    salts = new_salts("event", EVENT)
    assert set(salts) == {"actor", "comment"}
    at = datetime(2026, 3, 2, 8, tzinfo=UTC)
    text = canonical("event", EVENT, seq=1, prev=None, at=at, salts=salts)
    reordered = dict(reversed(list(EVENT.items())))
    reordered["occurred_at"] = EVENT["occurred_at"].astimezone(UTC)
    assert canonical("event", reordered, seq=1, prev=None, at=at, salts=salts) == text
    for change in ({"actor": "claude"}, {"version": 4}, {"payload": {"round": 2}}):
        assert canonical("event", {**EVENT, **change}, seq=1, prev=None, at=at, salts=salts) != text
    assert canonical("event", EVENT, seq=2, prev=None, at=at, salts=salts) != text
    erased = canonical("event", EVENT, seq=1, prev=None, at=at, salts={"comment": salts["comment"]})
    assert json.loads(erased)["actor"] == {"h": None}


def test_the_event_fast_path_gives_the_same_text_as_the_generic_form() -> None:
    salts = {"actor": "00" * 16, "comment": "11" * 16}
    variants = [
        {},
        {"comment": None, "step_id": 12, "payload": None},
        {"actor": 42, "comment": {"nested": ["« x »", 1.5]}, "version": True},
        {"occurred_at": datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5)))},
        {"payload": {"z": {"b": 1, "a": [{"d": 2, "c": None}]}, "é": "ü", "A": False}},
    ]
    for change in variants:
        values = {**EVENT, **change}
        row = tuple(values[name] for name in FIELDS["event"])
        for kept in (salts, {"comment": salts["comment"]}, {}):
            for seq, prev in ((1, None), (9, "ab" * 32)):
                at = datetime(2026, 3, 2, 8, 0, 0, 5, tzinfo=UTC)
                generic = canonical("event", values, seq=seq, prev=prev, at=at, salts=kept)
                assert event_canonical(row, seq=seq, prev=prev, at=at, salts=kept) == generic
