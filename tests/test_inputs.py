"""The input rules: which characters text may hold, how deep and large free JSON may be, and how what was
stored before the rules still leaves as XML or JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gouvernance.errors import InvalidInput
from gouvernance.inputs import (
    MAX_JSON_BYTES,
    TRUNCATED,
    check_texts,
    forbidden_character,
    json_problem,
    within_depth,
    xml_text,
)


@pytest.mark.parametrize(
    ("text", "single_line", "multi_line"),
    [
        ("Saint-Jean-de-Braye « 45 » ☀ 𝄞", None, None),
        ("un\ndeux", "\n", None),
        ("un\r\ndeux\tfin", "\r", None),
        ("nul\x00", "\x00", "\x00"),
        ("bip\x07", "\x07", "\x07"),
        ("del\x7f", "\x7f", "\x7f"),
        ("c1\x85", "\x85", "\x85"),
        ("\ud800", "\ud800", "\ud800"),
        ("\uffff", "\uffff", "\uffff"),
    ],
)
def test_which_characters_text_may_hold(text: str, single_line: str | None, multi_line: str | None) -> None:
    assert forbidden_character(text) == single_line
    assert forbidden_character(text, multiline=True) == multi_line


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_texts({"name": "a\x01", "territory": "ok", "label": "b\x00"})
    assert refused.value.code == "text.control_character"
    assert [(r.path, r.details["character"]) for r in refused.value.reasons] == [
        ("name", "U+0001"),
        ("label", "U+0000"),
    ]
    assert "name, label" in refused.value.message.fr


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_free_json_is_bounded_in_depth_size_and_characters() -> None:
    assert json_problem(_nested(16), "data") is None
    assert json_problem([[[]]], "data", max_depth=3) is None
    deep = json_problem(_nested(17), "data")
    assert deep is not None
    assert (deep.code, deep.path) == ("json.too_deep", "data")
    assert json_problem(_nested(100_000), "data") is not None  # no recursion
    large = json_problem({"k": "x" * MAX_JSON_BYTES}, "data")
    assert large is not None
    assert large.code == "json.too_large"
    control = json_problem({"k": ["ok", {"nul\x00": 1}]}, "data")
    assert control is not None
    assert control.code == "text.control_character"
    assert json_problem({"comment": "un\r\ndeux\tfin"}, "data") is None


def test_what_is_stored_too_deep_reads_cut_at_the_bound() -> None:
    assert within_depth(_nested(3), 3) == _nested(3)
    assert within_depth({"a": [1, {"b": {"c": 2}}], "d": 3}, 2) == {"a": [1, TRUNCATED], "d": 3}
    cut = within_depth(_nested(100_000), 2)
    assert cut == {"a": {"a": TRUNCATED}}


@given(st.text(st.characters(exclude_categories=())))
def test_any_text_becomes_xml_that_parses(text: str) -> None:
    root = ET.fromstring(f"<t>{xml_text(text).replace('&', '&amp;').replace('<', '&lt;')}</t>".encode())
    assert len(root.text or "") <= len(text)
