"""Authoring templates: the format's JSON Schema accepts the shipped journeys and catches what an editor
should flag while a consultant types; a new template starts from an existing one and validates; a huge file
is refused at once, unread."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from gouvernance.composition import register_plugins
from gouvernance.errors import Conflict
from gouvernance.spec.catalog import Catalog, shipped_directory
from gouvernance.spec.json_schema import template_schema
from gouvernance.spec.scaffold import scaffold
from gouvernance.spec.validation import MAX_TEMPLATE_BYTES, TemplateInvalid, load_model_file, load_model_text
from gouvernance.spec.yaml_source import load_yaml


def _yaml(text: str) -> dict:
    """As editors read it (YAML 1.2: ``on`` is a key, not a boolean), like the template loader."""
    data, _ = load_yaml(text)
    return data


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    register_plugins()
    schema = template_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("path", sorted(shipped_directory().glob("*.yaml")), ids=lambda p: p.stem)
def test_the_schema_accepts_every_shipped_journey(validator, path: Path) -> None:
    document = _yaml(path.read_text(encoding="utf-8"))
    assert [error.message for error in validator.iter_errors(document)] == []


def _shipped() -> dict:
    return _yaml((shipped_directory() / "gouvernance-partagee.yaml").read_text(encoding="utf-8"))


def test_the_schema_flags_a_misspelt_field_and_a_guard_rule_with_a_wrong_parameter(validator) -> None:
    misspelt = _shipped()
    misspelt["stages"][0]["steps"][0]["rôle"] = misspelt["stages"][0]["steps"][0].pop("role")
    assert not validator.is_valid(misspelt)

    wrong_guard = _shipped()
    wrong_guard["stages"][0]["steps"][0]["guards"] = [{"rule": "evidence_attached", "kind": "fax"}]
    assert not validator.is_valid(wrong_guard)
    unknown_rule = _shipped()
    unknown_rule["stages"][0]["steps"][0]["guards"] = [{"rule": "inconnue"}]
    assert not validator.is_valid(unknown_rule)
    fine = _shipped()
    fine["stages"][0]["steps"][0]["guards"] = [{"rule": "evidence_attached", "kind": "file", "on": "submit"}]
    assert validator.is_valid(fine)


def test_a_new_template_starts_from_an_existing_one_with_its_comments(tmp_path: Path) -> None:
    register_plugins()
    catalog = Catalog([shipped_directory()])
    text, model = scaffold(catalog, "mon-parcours", "gouvernance-partagee", title="Mon parcours « test »")
    assert (model.key, model.version, model.title.fr) == ("mon-parcours", 1, "Mon parcours « test »")
    assert "# 1. État des lieux" in text  # the source's comments are kept
    assert len(model.steps_by_key) == len(catalog.get("gouvernance-partagee").steps_by_key)
    (tmp_path / "mon-parcours.yaml").write_text(text, encoding="utf-8")
    assert load_model_file(tmp_path / "mon-parcours.yaml").key == "mon-parcours"
    with pytest.raises(Conflict):
        scaffold(catalog, "budget-participatif", "gouvernance-partagee")


def test_a_template_over_the_size_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "enorme.yaml"
    huge.write_text("key: enorme\n" + "# " + "x" * MAX_TEMPLATE_BYTES + "\n", encoding="utf-8")
    with pytest.raises(TemplateInvalid) as refused:
        load_model_file(huge)
    [problem] = refused.value.problems
    assert problem.message.code == "template.too_large"
    assert (
        "fichier trop volumineux pour un modèle (1\u202f025 ko ; 1\u202f024 ko au plus)" in problem.message.fr
    )
    with pytest.raises(TemplateInvalid):
        load_model_text(huge.read_text(encoding="utf-8"), "enorme.yaml")
