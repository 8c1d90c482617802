"""Rule packs are registered explicitly (by the composition root): again is harmless, a clash is refused."""

from __future__ import annotations

from typing import ClassVar

import pytest

from gouvernance.errors import Message
from gouvernance.guards.builtin import BUILTIN_GUARDS, EvidenceAttached
from gouvernance.guards.registry import Guard, GuardContext, guard_rules, parse_guard, register_rules


class Impostor(Guard):
    rule_name: ClassVar[str] = "evidence_attached"

    def check(self, ctx: GuardContext) -> Message | None:
        return None


def test_registering_a_pack_again_changes_nothing() -> None:
    before = guard_rules()
    register_rules(BUILTIN_GUARDS)
    assert guard_rules() == before
    assert isinstance(parse_guard({"rule": "evidence_attached", "label": "note"}), EvidenceAttached)


def test_another_rule_under_a_taken_name_is_refused() -> None:
    with pytest.raises(ValueError, match="evidence_attached"):
        register_rules([Impostor])
    assert guard_rules()["evidence_attached"] is EvidenceAttached
