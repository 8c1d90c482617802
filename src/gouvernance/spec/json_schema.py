"""The JSON Schema of the template format, for editors: VS Code (YAML extension), IntelliJ and others
validate and complete a template as a consultant types, from ``gouvernance models schema`` or
``/process-models/schema.json``.

It is pydantic's schema of ``ProcessModel``, made to accept what the loader accepts (a plain string where a
text may be translated, durations in words), with each registered guard rule as its own shape: a template's
``guards`` are completed rule by rule, parameters included.
"""

from __future__ import annotations

import copy
from typing import Any

from gouvernance.guards.registry import guard_rules
from gouvernance.spec.schema import ProcessModel

SCHEMA_ID = "https://gouvernance.example/schemas/process-model.json"
_DURATION = {
    "anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}],
    "description": "Durée : « 3 semaines », « 10 jours », « 2w », « P10D » (ISO 8601), "
    "ou un nombre de jours.",
    "examples": ["3 semaines", "10 jours", "P10D"],
}


def template_schema() -> dict[str, Any]:
    """The format's JSON Schema (draft 2020-12), guard rules included: call it after the composition root
    has registered the rule packs."""
    schema = copy.deepcopy(ProcessModel.model_json_schema(mode="validation"))
    definitions: dict[str, Any] = schema.setdefault("$defs", {})
    localized = definitions["Localized"]
    definitions["Localized"] = {
        "anyOf": [{"type": "string", "minLength": 1}, localized],
        "description": "Un texte en français, ou {fr: …, en: …}.",
    }
    step = definitions["StepSpec"]["properties"]
    step["duration"] = {
        **_DURATION,
        "description": step["duration"].get("description", "") + " " + _DURATION["description"],
    }
    step["guards"] = {
        "type": "array",
        "description": "Conditions à réunir pour franchir les événements de l'étape "
        "(« on », par défaut submit).",
        "items": {
            "oneOf": [_rule_schema(name, cls, definitions) for name, cls in sorted(guard_rules().items())]
        },
        "default": [],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Modèle de parcours gouvernance",
        **schema,
    }


def _rule_schema(name: str, cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    rule = copy.deepcopy(cls.model_json_schema(mode="validation"))  # type: ignore[attr-defined]
    definitions.update(rule.pop("$defs", {}))
    properties = rule.setdefault("properties", {})
    # Rules take a single value where they take a list (« on: submit », « quadrant: gerer_etroitement »).
    for key, field in list(properties.items()):
        if field.get("type") == "array" and "items" in field:
            properties[key] = {
                "anyOf": [field["items"], {"type": "array", "items": field["items"]}],
                **{k: v for k, v in field.items() if k in ("title", "description", "default")},
            }
    properties["rule"] = {"const": name, "description": rule.get("description", "")}
    rule["required"] = sorted({"rule", *rule.get("required", [])})
    rule["title"] = name
    return rule
