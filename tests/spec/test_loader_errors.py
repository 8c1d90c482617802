"""Malformed templates: every problem named with the file, the YAML path and the line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from gouvernance.spec.schema import parse_duration
from gouvernance.spec.validation import TemplateInvalid, load_model_file, load_model_text
from tests.conftest import FIXTURES

MINI = (FIXTURES / "models" / "mini.yaml").read_text(encoding="utf-8")


def _problems(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text(text, "parcours.yaml")
    return [(p.path, p.line, p.message.code) for p in invalid.value.problems]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_fixture_loads() -> None:
    model = load_model_text(MINI, "mini.yaml")
    assert [stage.key for stage in model.stages] == ["a", "b"]


def test_yaml_syntax_error_names_the_line() -> None:
    broken = MINI.replace("  - key: b\n", "  - key: [b\n")
    [(_path, line, code)] = _problems(broken)
    assert code == "template.yaml_syntax"
    assert line is not None
    assert line >= _line_of(broken, "key: [b")


def test_unknown_role_names_path_and_line() -> None:
    text = MINI.replace(
        "role: chef_de_projet, reviewer: elu, kind: decision", "role: maire, reviewer: elu, kind: decision"
    )
    problems = _problems(text)
    assert problems == [("stages[1].steps[0].role", _line_of(text, "role: maire"), "template.unknown_role")]


def test_missing_field_and_unknown_field_both_reported() -> None:
    text = MINI.replace("    title: Phase B\n", "    titre: Phase B\n")
    problems = _problems(text)
    assert ("stages[1].title", _line_of(text, "- key: b"), "template.missing") in problems
    assert ("stages[1].titre", _line_of(text, "titre: Phase B"), "template.extra_forbidden") in problems


def test_stage_cycle_is_refused_with_the_cycle() -> None:
    text = MINI.replace(
        "  - key: a\n    title: Phase A\n", "  - key: a\n    title: Phase A\n    after: [b]\n"
    )
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text(text, "parcours.yaml")
    [problem] = invalid.value.problems
    assert problem.message.code == "template.cycle"
    assert "a → b → a" in problem.message.fr or "b → a → b" in problem.message.fr


def test_unknown_stage_and_step_references() -> None:
    text = MINI.replace("    after: [a]\n", "    after: [z]\n").replace("after: [a1]", "after: [a9]")
    codes = {(path, code) for path, _, code in _problems(text)}
    assert ("stages[1].after[0]", "template.unknown_stage") in codes
    assert ("stages[0].steps[1].after[0]", "template.unknown_step") in codes


def test_bad_guard_parameters_point_inside_the_guard() -> None:
    text = MINI.replace(
        "{rule: approved_by, role: elu, on: [approve]}", "{rule: approved_by, role: pape, on: [approve]}"
    )
    assert _problems(text) == [
        ("stages[0].steps[2].guards[0].role", _line_of(text, "role: pape"), "template.unknown_role")
    ]
    text = MINI.replace("{rule: approved_by, role: elu, on: [approve]}", "{rule: approuve_par, role: elu}")
    [(path, _, code)] = _problems(text)
    assert (path, code) == ("stages[0].steps[2].guards[0].rule", "template.unknown_guard")


def test_guard_on_an_event_the_step_kind_does_not_have() -> None:
    text = MINI.replace(
        "guards: [{rule: stage_steps_done, on: [submit]}]",
        "guards: [{rule: stage_steps_done, on: [approve]}]",
    )
    [(path, _, code)] = _problems(text)
    assert (path, code) == ("stages[1].steps[0].guards[0].on", "template.unknown_event")


def test_duplicate_keys_and_bad_durations() -> None:
    text = MINI.replace("key: a2,", "key: a1,")
    assert (
        "stages[0].steps[1].key",
        _line_of(text, "key: a1, title: Deux"),
        "template.duplicate",
    ) in _problems(text)
    text = MINI.replace("duration: 2w", "duration: bientôt")
    [(path, line, code)] = _problems(text)
    assert (path, line, code) == (
        "stages[0].steps[1].duration",
        _line_of(text, "bientôt"),
        "template.value_error",
    )


def test_yaml_aliases_and_duplicate_mapping_keys_are_refused() -> None:
    assert _problems("key: x\nkey: y\n")[0][2] == "template.duplicate_key"
    bomb = "a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert _problems(bomb)[0][2] == "template.alias"


def test_a_python_tag_is_refused_by_its_name() -> None:
    [(_path, line, code)] = _problems("key: x\nversion: 1\ntitle: !!python/object:os.system {}\n")
    assert (line, code) == (3, "template.forbidden_tag")
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text("key: x\ntitle: !!python/object/apply:os.system [ls]\n", "parcours.yaml")
    assert "Étiquette YAML interdite : !!python/object/apply:os.system" in invalid.value.render()


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cassé.yaml"
    path.write_bytes(b"key: \xff\xfe\n")
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_file(path)
    assert str(path) in invalid.value.render()


def test_rendered_problem_reads_file_line_path_message() -> None:
    text = MINI.replace(
        "role: chef_de_projet, reviewer: elu, kind: decision", "role: maire, reviewer: elu, kind: decision"
    )
    with pytest.raises(TemplateInvalid) as invalid:
        load_model_text(text, "process_models/parcours.yaml")
    line = _line_of(text, "role: maire")
    assert invalid.value.render().startswith(
        f"process_models/parcours.yaml:{line}: stages[1].steps[0].role: rôle inconnu"
    )


@pytest.mark.parametrize(
    ("text", "days"),
    [("10 jours", 10), ("3w", 21), ("2 semaines", 14), ("P10D", 10), ("P2W", 14), ("1 mois", 30), (7, 7)],
)
def test_durations(text: object, days: int) -> None:
    assert parse_duration(text).days == days


def test_required_deliverable_must_come_from_an_earlier_step() -> None:
    text = MINI.replace(
        "{key: b1, title: B un,", "{key: b1, title: B un, deliverables: {requires: [note]},"
    ).replace("deliverables: {produces: [note]}", "deliverables: {}")
    [(path, _, code)] = _problems(text)
    assert (path, code) == (
        "stages[1].steps[0].deliverables.requires[0]",
        "template.deliverable_not_upstream",
    )
    upstream = MINI.replace(
        "{key: b1, title: B un,", "{key: b1, title: B un, deliverables: {requires: [note]},"
    )
    load_model_text(upstream, "ok.yaml")


def test_a_closing_guard_that_could_never_pass_is_refused() -> None:
    text = MINI.replace("after: [a2]\n        sends_back", "after: [a2]\n        sends_back").replace(
        "{key: a1, title: Un, role: consultant, duration: 5 jours,\n         guards: [",
        "{key: a1, title: Un, role: consultant, duration: 5 jours,\n         guards: "
        "[{rule: stage_steps_done}, ",
    )
    [(path, _, code)] = _problems(text)
    assert (path, code) == ("stages[0].steps[0].guards", "template.guard_deadlock")


def test_parameter_values_must_fit_their_type() -> None:
    text = MINI.replace(
        "type: integer, title: Population, default: 1000",
        "type: integer, title: Population, default: beaucoup",
    )
    [(path, _, code)] = _problems(text)
    assert (path, code) == ("parameters[0].default", "template.parameter_default")
    text = MINI.replace("op: lt, value: 3500", "op: lt, value: 'trois mille'")
    [(path, _, code)] = _problems(text)
    assert (path, code) == ("stages[1].steps[1].guards[0].value", "template.parameter_value")
