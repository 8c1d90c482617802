"""What changed between two versions of a process model, step by step: the basis of ``gouvernance models
diff`` and of the migration of running engagements (``engagements.migration``).

Steps and stages are matched by key, as the migration matches them: a step whose key changed is a step
removed and another added. Pure: no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gouvernance.messages import french_value
from gouvernance.spec.schema import ProcessModel, StageSpec, StepSpec

# The step fields a consultant edits, with their French names, in the order the diff shows them.
STEP_FIELDS: dict[str, str] = {
    "title": "titre",
    "kind": "type",
    "role": "rôle",
    "reviewer": "relecteur",
    "duration": "durée",
    "after": "après",
    "skippable": "facultative",
    "sends_back": "renvoie à",
    "deliverables": "livrables",
    "guards": "conditions",
    "reminders": "rappels",
    "description": "description",
}
STAGE_FIELDS: dict[str, str] = {"title": "titre", "after": "après", "description": "description"}


@dataclass(frozen=True)
class FieldChange:
    name: str  # the field's key in the template format
    before: Any
    after: Any

    @property
    def label(self) -> str:
        return STEP_FIELDS.get(self.name) or STAGE_FIELDS.get(self.name, self.name)


@dataclass(frozen=True)
class StepChange:
    """A step present in both versions whose definition changed (``moved_from`` when its stage changed)."""

    key: str
    stage_key: str
    changes: tuple[FieldChange, ...]
    moved_from: str | None = None


@dataclass(frozen=True)
class StageChange:
    key: str
    changes: tuple[FieldChange, ...]


@dataclass
class ModelDiff:
    key: str
    old_version: int
    new_version: int
    stages_added: list[str] = field(default_factory=list)
    stages_removed: list[str] = field(default_factory=list)
    stages_changed: list[StageChange] = field(default_factory=list)
    steps_added: list[tuple[str, str]] = field(default_factory=list)  # (stage key, step key)
    steps_removed: list[tuple[str, str]] = field(default_factory=list)
    steps_changed: list[StepChange] = field(default_factory=list)
    other_changes: list[FieldChange] = field(default_factory=list)  # parameters, roles, deliverables…

    @property
    def empty(self) -> bool:
        return not (
            self.stages_added
            or self.stages_removed
            or self.stages_changed
            or self.steps_added
            or self.steps_removed
            or self.steps_changed
            or self.other_changes
        )

    def as_dict(self) -> dict[str, Any]:
        def change(c: FieldChange) -> dict[str, Any]:
            return {"field": c.name, "before": _plain(c.before), "after": _plain(c.after)}

        return {
            "key": self.key,
            "from_version": self.old_version,
            "to_version": self.new_version,
            "stages_added": self.stages_added,
            "stages_removed": self.stages_removed,
            "stages_changed": [
                {"stage": s.key, "changes": [change(c) for c in s.changes]} for s in self.stages_changed
            ],
            "steps_added": [{"stage": stage, "step": step} for stage, step in self.steps_added],
            "steps_removed": [{"stage": stage, "step": step} for stage, step in self.steps_removed],
            "steps_changed": [
                {
                    "step": s.key,
                    "stage": s.stage_key,
                    "moved_from": s.moved_from,
                    "changes": [change(c) for c in s.changes],
                }
                for s in self.steps_changed
            ],
            "other_changes": [change(c) for c in self.other_changes],
        }


def diff_models(old: ProcessModel, new: ProcessModel) -> ModelDiff:
    """The changes from ``old`` to ``new``, stages and steps in the new version's order."""
    result = ModelDiff(new.key, old.version, new.version)
    old_stages, new_stages = old.stages_by_key, new.stages_by_key
    result.stages_added = [key for key in new_stages if key not in old_stages]
    result.stages_removed = [key for key in old_stages if key not in new_stages]
    for key, stage in new_stages.items():
        if key in old_stages and (changes := _stage_changes(old_stages[key], stage)):
            result.stages_changed.append(StageChange(key, changes))

    old_steps, new_steps = old.steps_by_key, new.steps_by_key
    for key, step in new_steps.items():
        stage_key = new.stage_of_step[key]
        if key not in old_steps:
            result.steps_added.append((stage_key, key))
            continue
        previous_stage = old.stage_of_step[key]
        changes = _step_changes(old_steps[key], step)
        moved_from = previous_stage if previous_stage != stage_key else None
        if changes or moved_from:
            result.steps_changed.append(StepChange(key, stage_key, changes, moved_from))
    result.steps_removed = [(old.stage_of_step[key], key) for key in old_steps if key not in new_steps]

    for name in ("title", "parameters", "roles", "default_reviewer", "reopen_roles", "deliverables"):
        before, after = _plain(getattr(old, name)), _plain(getattr(new, name))
        if before != after:
            result.other_changes.append(FieldChange(name, before, after))
    return result


def _stage_changes(old: StageSpec, new: StageSpec) -> tuple[FieldChange, ...]:
    return _changes(old, new, STAGE_FIELDS)


def _step_changes(old: StepSpec, new: StepSpec) -> tuple[FieldChange, ...]:
    return _changes(old, new, STEP_FIELDS)


def _changes(old: Any, new: Any, fields: dict[str, str]) -> tuple[FieldChange, ...]:
    changes = []
    for name in fields:
        before, after = _plain(getattr(old, name)), _plain(getattr(new, name))
        if before != after:
            changes.append(FieldChange(name, before, after))
    return tuple(changes)


def _plain(value: Any) -> Any:
    """A field's value as JSON-like data, so that two versions compare by content."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if hasattr(value, "total_seconds"):  # a duration: in days, as the template writes it
        days = value.total_seconds() / 86400
        return int(days) if days.is_integer() else round(days, 2)
    return value


def describe(diff: ModelDiff, old: ProcessModel, new: ProcessModel) -> list[str]:
    """The diff as French lines, step by step, for the command line."""
    if diff.empty:
        return [f"Aucune différence entre les versions {diff.old_version} et {diff.new_version}."]
    lines = [f"Modèle « {diff.key} » : version {diff.old_version} → {diff.new_version}"]
    for key in diff.stages_added:
        lines.append(f"+ étape de parcours ajoutée : {key} — {new.stages_by_key[key].title.fr}")
    for key in diff.stages_removed:
        lines.append(f"- étape de parcours supprimée : {key} — {old.stages_by_key[key].title.fr}")
    for stage in diff.stages_changed:
        lines.append(f"~ étape de parcours modifiée : {stage.key}")
        lines.extend(f"    {_change_line(c)}" for c in stage.changes)
    for stage_key, key in diff.steps_added:
        step = new.steps_by_key[key]
        lines.append(f"+ étape ajoutée : {key} ({stage_key}) — {step.title.fr}, rôle {step.role}")
    for stage_key, key in diff.steps_removed:
        lines.append(f"- étape supprimée : {key} ({stage_key}) — {old.steps_by_key[key].title.fr}")
    for changed in diff.steps_changed:
        lines.append(f"~ étape modifiée : {changed.key} ({changed.stage_key})")
        if changed.moved_from:
            lines.append(f"    déplacée de l'étape de parcours {changed.moved_from} vers {changed.stage_key}")
        lines.extend(f"    {_change_line(c)}" for c in changed.changes)
    for change in diff.other_changes:
        lines.append(f"~ {_change_line(change)}")
    return lines


def _change_line(change: FieldChange) -> str:
    if change.name in ("guards", "parameters", "roles", "deliverables") and isinstance(change.before, list):
        return f"{change.label} : {_list_change(change.name, change.before, change.after)}"
    return f"{change.label} : {_short(change.before)} → {_short(change.after)}"


def _list_change(name: str, before: list[Any], after: list[Any]) -> str:
    """A list field as what was added, removed or changed in it: guards by rule, the others by key."""

    def label(item: Any) -> str:
        if not isinstance(item, dict):
            return str(item)
        if name == "guards":
            details = ", ".join(f"{k} {_short(v, 40)}" for k, v in item.items() if k != "rule")
            return f"{item.get('rule')}" + (f" ({details})" if details else "")
        return str(item.get("key", item))

    def key(item: Any) -> str:
        return label(item) if name == "guards" else str(item.get("key") if isinstance(item, dict) else item)

    old = {key(item): item for item in before}
    new = {key(item): item for item in after}
    parts = [f"+ {label(new[k])}" for k in new if k not in old]
    parts += [f"- {label(old[k])}" for k in old if k not in new]
    parts += [f"~ {k}" for k in new if k in old and new[k] != old[k]]
    return " ; ".join(parts) or "ordre modifié"


def _short(value: Any, limit: int = 120) -> str:
    if value is None or value == [] or value == {}:
        text = "(vide)"
    elif isinstance(value, bool):
        text = french_value(value)
    elif isinstance(value, dict) and set(value) <= {"fr", "en"} and "fr" in value:
        text = f"« {value['fr']} »"
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = ", ".join(value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
