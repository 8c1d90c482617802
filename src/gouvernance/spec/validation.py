"""Checks a process-model document end to end and reports every problem with its YAML path and line.

Three passes, each only if the previous one succeeded: YAML syntax, the pydantic schema, then the
cross-references (a DAG of stages and of steps, known roles, deliverables and guard rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gouvernance.errors import DomainError, Message
from gouvernance.guards.registry import Guard, guard_rules, parse_guard
from gouvernance.lifecycle.machines import MACHINE_BY_KIND, machine_events
from gouvernance.messages import plural
from gouvernance.spec.dependencies import DependencyGraph
from gouvernance.spec.schema import ProcessModel, StepSpec
from gouvernance.spec.yaml_source import SourceMap, YamlPath, YamlSourceError, format_path, load_yaml


@dataclass(frozen=True)
class TemplateProblem:
    path: str
    line: int | None
    message: Message

    def render(self, filename: str, lang: str = "fr") -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.path}: {self.message.text(lang)}"


class TemplateInvalid(DomainError):
    status = 422

    def __init__(self, filename: str, problems: list[TemplateProblem]) -> None:
        self.filename = filename
        self.problems = problems
        count = len(problems)
        super().__init__(
            Message(
                "template.invalid",
                f"Modèle invalide {filename} : {plural(count, 'problème')}",
                f"Invalid template {filename}: {count} problem(s)",
                details={"file": filename},
            ),
            reasons=[
                Message(p.message.code, p.render(filename, "fr"), p.render(filename, "en"), p.path)
                for p in problems
            ],
        )

    def render(self, lang: str = "fr") -> str:
        return "\n".join(problem.render(self.filename, lang) for problem in self.problems)


# French wording for the pydantic errors a template author meets most.
_PYDANTIC_FR = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu (faute de frappe ?)",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "bool_type": "booléen attendu (true/false)",
    "bool_parsing": "booléen attendu (true/false)",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
    "dict_type": "dictionnaire (clé: valeur) attendu",
    "model_type": "dictionnaire (clé: valeur) attendu",
    "model_attributes_type": "dictionnaire (clé: valeur) attendu",
    "literal_error": "valeur non autorisée",
    "string_pattern_mismatch": (
        "identifiant invalide : minuscules, chiffres, « _ » ou « - », commençant par une lettre"
    ),
    "too_short": "ne peut pas être vide",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "string_too_long": "texte trop long",
    "string_too_short": "ne peut pas être vide",
}


# The shipped journeys weigh under 60 KB. A file far larger is a mistake (a data dump, a generated file) and
# would be parsed in full before being refused: it is refused at once, unread.
MAX_TEMPLATE_BYTES = 1024 * 1024


def too_large(size: int) -> TemplateProblem:
    return TemplateProblem(
        "(fichier)",
        None,
        Message(
            "template.too_large",
            f"fichier trop volumineux pour un modèle ({_kilobytes(size)} ; {_kilobytes(MAX_TEMPLATE_BYTES)} "
            "au plus) : il n'a pas été lu",
            f"file too large for a template ({size} bytes; at most {MAX_TEMPLATE_BYTES}): not read",
            details={"size": size, "limit": MAX_TEMPLATE_BYTES},
        ),
    )


def _kilobytes(size: int) -> str:
    return f"{-(-size // 1024):,} ko".replace(",", "\u202f")  # rounded up, thin spaces between thousands


def load_model_file(path: Path) -> ProcessModel:
    size = path.stat().st_size
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateInvalid(str(path), [too_large(size)])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateInvalid(
            str(path),
            [
                TemplateProblem(
                    "(fichier)",
                    None,
                    Message("template.encoding", "le fichier n'est pas en UTF-8", "the file is not UTF-8"),
                )
            ],
        ) from None
    return load_model_text(text, str(path))


def load_model_text(text: str, filename: str) -> ProcessModel:
    if (size := len(text.encode("utf-8"))) > MAX_TEMPLATE_BYTES:
        raise TemplateInvalid(filename, [too_large(size)])
    try:
        data, source_map = load_yaml(text)
    except YamlSourceError as exc:
        raise TemplateInvalid(filename, [TemplateProblem("(document)", exc.line, exc.message)]) from None
    except RecursionError:
        raise TemplateInvalid(
            filename,
            [
                TemplateProblem(
                    "(document)",
                    None,
                    Message("template.too_deep", "document trop imbriqué", "document nested too deeply"),
                )
            ],
        ) from None
    return build_model(data, filename, source_map)


def build_model(data: Any, filename: str, source_map: SourceMap | None = None) -> ProcessModel:
    source_map = source_map or SourceMap()
    if not isinstance(data, dict):
        raise TemplateInvalid(
            filename,
            [
                TemplateProblem(
                    "(racine)",
                    source_map.line_of(()),
                    Message(
                        "template.root",
                        "le document doit être un dictionnaire (key, version, stages…)",
                        "the document must be a mapping (key, version, stages…)",
                    ),
                )
            ],
        )
    try:
        model = ProcessModel.model_validate(data)
    except ValidationError as exc:
        raise TemplateInvalid(filename, _schema_problems(exc, source_map)) from None
    problems = _cross_reference_problems(model, source_map)
    if problems:
        raise TemplateInvalid(filename, problems)
    return model


def _schema_problems(exc: ValidationError, source_map: SourceMap) -> list[TemplateProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc: YamlPath = tuple(part for part in error["loc"] if isinstance(part, str | int))
        # Localized texts accept a plain string; pydantic reports the inner dict branch, which is noise.
        loc = tuple(part for part in loc if part not in ("function-before[_localized(), Localized]",))
        english = error["msg"]
        french = _PYDANTIC_FR.get(error["type"], english)
        if error["type"] == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            french = f"valeur non autorisée, attendu : {expected}"
        elif error["type"] == "value_error":
            french = english = str(error.get("ctx", {}).get("error", english))
        problems.append(
            TemplateProblem(
                format_path(loc),
                source_map.line_of(loc),
                Message(f"template.{error['type']}", french, english),
            )
        )
    return problems


class _Problems:
    def __init__(self, source_map: SourceMap) -> None:
        self.source_map = source_map
        self.items: list[TemplateProblem] = []

    def add(self, path: YamlPath, code: str, fr: str, en: str) -> None:
        self.items.append(
            TemplateProblem(
                format_path(path), self.source_map.line_of(path), Message(f"template.{code}", fr, en)
            )
        )


def _cross_reference_problems(model: ProcessModel, source_map: SourceMap) -> list[TemplateProblem]:
    problems = _Problems(source_map)
    _check_unique_keys(model, problems)
    if problems.items:
        return problems.items  # the indexes below assume unique keys
    _check_stage_graph(model, problems)
    _check_roles(model, problems)
    _check_parameter_defaults(model, problems)
    _check_recurrence(model, problems)
    _check_conditions(model, problems)
    for stage_index, stage in enumerate(model.stages):
        _check_step_order(stage_index, model, problems)
        for step_index, step in enumerate(stage.steps):
            path: YamlPath = ("stages", stage_index, "steps", step_index)
            _check_step(model, stage.key, step, path, problems)
    if not problems.items:
        _check_deliverable_flow(model, problems)
        _check_closing_guards(model, problems)
    return problems.items


def _check_conditions(model: ProcessModel, problems: _Problems) -> None:
    """``when:`` conditions name parameters of the model, with values of their type."""
    for stage_index, stage in enumerate(model.stages):
        places: list[tuple[YamlPath, tuple[Any, ...]]] = [(("stages", stage_index, "when"), stage.when)]
        places += [
            (("stages", stage_index, "steps", step_index, "when"), step.when)
            for step_index, step in enumerate(stage.steps)
        ]
        for path, conditions in places:
            for index, condition in enumerate(conditions):
                spec = model.parameters_by_key.get(condition.parameter)
                if spec is None:
                    problems.add(
                        (*path, index, "parameter"),
                        "when_parameter",
                        f"paramètre inconnu « {condition.parameter} » dans la condition",
                        f"unknown parameter '{condition.parameter}' in the condition",
                    )
                    continue
                values = condition.value if condition.op in ("in", "not_in") else [condition.value]
                for value in values if isinstance(values, list) else [values]:
                    try:
                        fits = spec.coerce(value) == value
                    except (ValueError, TypeError):
                        fits = False
                    if not fits:
                        problems.add(
                            (*path, index, "value"),
                            "when_value",
                            f"valeur {value!r} incompatible avec le paramètre « {spec.key} » ({spec.type})",
                            f"value {value!r} does not fit parameter '{spec.key}' ({spec.type})",
                        )


def _check_recurrence(model: ProcessModel, problems: _Problems) -> None:
    counter = model.recurrence.cycle_parameter if model.recurrence else None
    if counter is None:
        return
    spec = model.parameters_by_key.get(counter)
    if spec is None or spec.type != "integer":
        problems.add(
            ("recurrence", "cycle_parameter"),
            "recurrence_parameter",
            f"« {counter} » doit être un paramètre entier du modèle (il compte les cycles)",
            f"'{counter}' must be an integer parameter of the model (it counts the cycles)",
        )


def _check_unique_keys(model: ProcessModel, problems: _Problems) -> None:
    groups: list[tuple[str, list[tuple[YamlPath, str]]]] = [
        (
            "étape",
            [
                (("stages", i, "steps", j, "key"), step.key)
                for i, stage in enumerate(model.stages)
                for j, step in enumerate(stage.steps)
            ],
        ),
        ("phase", [(("stages", i, "key"), stage.key) for i, stage in enumerate(model.stages)]),
        ("rôle", [(("roles", i, "key"), role.key) for i, role in enumerate(model.roles)]),
        ("paramètre", [(("parameters", i, "key"), p.key) for i, p in enumerate(model.parameters)]),
        ("livrable", [(("deliverables", i, "key"), d.key) for i, d in enumerate(model.deliverables)]),
    ]
    for label, entries in groups:
        seen: set[str] = set()
        for path, key in entries:
            if key in seen:
                problems.add(
                    path,
                    "duplicate",
                    f"{label} « {key} » déclarée deux fois",
                    f"{label} '{key}' declared twice",
                )
            seen.add(key)


def _check_stage_graph(model: ProcessModel, problems: _Problems) -> None:
    graph = DependencyGraph(model.stages_by_key)
    for i, stage in enumerate(model.stages):
        for j, before in enumerate(stage.after):
            if before not in model.stages_by_key:
                problems.add(
                    ("stages", i, "after", j),
                    "unknown_stage",
                    f"phase inconnue « {before} »",
                    f"unknown stage '{before}'",
                )
            else:
                graph.add_edge(before, stage.key)
    _report_cycle(graph, problems, ("stages",), "phases")


def _report_cycle(graph: DependencyGraph, problems: _Problems, path: YamlPath, label: str) -> None:
    cycle = graph.find_cycle()
    if cycle is None:
        return
    chain = " → ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    problems.add(
        path,
        "cycle",
        f"les dépendances entre {label} forment un cycle : {chain}",
        f"the dependencies form a cycle: {chain}",
    )


def _check_parameter_defaults(model: ProcessModel, problems: _Problems) -> None:
    for i, parameter in enumerate(model.parameters):
        if parameter.type == "choice" and not parameter.choices:
            problems.add(
                ("parameters", i, "choices"),
                "choices_missing",
                "un paramètre « choice » liste ses choix",
                "a 'choice' parameter lists its choices",
            )
            continue
        if parameter.default is None:
            continue
        try:
            parameter.coerce(parameter.default)
        except (ValueError, TypeError) as exc:
            problems.add(
                ("parameters", i, "default"),
                "parameter_default",
                f"valeur par défaut invalide : {exc}",
                f"invalid default: {exc}",
            )


def _upstream_steps(model: ProcessModel, step_key: str) -> set[str]:
    """Steps certainly finished before ``step_key`` starts: earlier stages, and earlier steps of its stage."""
    stage_graph = DependencyGraph(model.stages_by_key)
    for stage in model.stages:
        for before in stage.after:
            stage_graph.add_edge(before, stage.key)
    stage_key = model.stage_of_step[step_key]
    upstream = {
        s.key for before in stage_graph.ancestors(stage_key) for s in model.stages_by_key[before].steps
    }
    step_graph = DependencyGraph(model.steps_by_key)
    for key, before_all in model.step_prerequisites.items():
        for before in before_all:
            step_graph.add_edge(before, key)
    return upstream | step_graph.ancestors(step_key)


def _check_deliverable_flow(model: ProcessModel, problems: _Problems) -> None:
    """A deliverable a step requires is produced by a step that is done before it."""
    producers: dict[str, set[str]] = {}
    for step in model.steps_by_key.values():
        for key in step.deliverables.produces:
            producers.setdefault(key, set()).add(step.key)
    for i, stage in enumerate(model.stages):
        for j, step in enumerate(stage.steps):
            if not step.deliverables.requires:
                continue
            upstream = _upstream_steps(model, step.key)
            for k, key in enumerate(step.deliverables.requires):
                if not producers.get(key, set()) & upstream:
                    problems.add(
                        ("stages", i, "steps", j, "deliverables", "requires", k),
                        "deliverable_not_upstream",
                        f"le livrable « {key} » n'est produit par aucune étape terminée avant celle-ci",
                        f"deliverable '{key}' is not produced by any step finished before this one",
                    )


def _check_closing_guards(model: ProcessModel, problems: _Problems) -> None:
    """stage_steps_done on a step that others of the stage wait for can never pass: the stage would stall."""
    for i, stage in enumerate(model.stages):
        for j, step in enumerate(stage.steps):
            closing = [
                g
                for g in step.compiled_guards
                if g.rule == "stage_steps_done" and getattr(g, "stage", None) in (None, stage.key)
            ]
            waiting = [s.key for s in stage.steps if step.key in model.step_prerequisites[s.key]]
            if closing and waiting:
                problems.add(
                    ("stages", i, "steps", j, "guards"),
                    "guard_deadlock",
                    f"« stage_steps_done » ne peut jamais passer ici : {', '.join(waiting)} attend(ent) "
                    "cette étape",
                    f"'stage_steps_done' can never pass here: {', '.join(waiting)} wait(s) for this step",
                )


def _check_roles(model: ProcessModel, problems: _Problems) -> None:
    if model.default_reviewer not in model.roles_by_key:
        problems.add(
            ("default_reviewer",),
            "unknown_role",
            f"rôle inconnu « {model.default_reviewer} »",
            f"unknown role '{model.default_reviewer}'",
        )
    for i, role in enumerate(model.reopen_roles):
        if role not in model.roles_by_key:
            problems.add(
                ("reopen_roles", i), "unknown_role", f"rôle inconnu « {role} »", f"unknown role '{role}'"
            )


def _check_step(
    model: ProcessModel, stage_key: str, step: StepSpec, path: YamlPath, problems: _Problems
) -> None:
    _check_step_roles(model, step, path, problems)
    _check_step_references(model, stage_key, step, path, problems)
    _compile_guards(model, step, path, problems)


def _check_step_roles(model: ProcessModel, step: StepSpec, path: YamlPath, problems: _Problems) -> None:
    roles = model.roles_by_key
    for where, role in (
        ((*path, "role"), step.role),
        ((*path, "reviewer"), step.reviewer),
        ((*path, "reminders", "escalate_to"), step.reminders.escalate_to),
    ):
        if role is not None and role not in roles:
            problems.add(
                where,
                "unknown_role",
                f"rôle inconnu « {role} » (rôles : {', '.join(roles)})",
                f"unknown role '{role}' (roles: {', '.join(roles)})",
            )


def _check_step_references(
    model: ProcessModel, stage_key: str, step: StepSpec, path: YamlPath, problems: _Problems
) -> None:
    stage_steps = {s.key for s in model.stages_by_key[stage_key].steps}
    for j, before in enumerate(step.after):
        if before not in stage_steps or before == step.key:
            problems.add(
                (*path, "after", j),
                "unknown_step",
                f"« {before} » n'est pas une autre étape de la même phase",
                f"'{before}' is not another step of the same stage",
            )
    if step.sends_back and step.kind != "review":
        problems.add(
            (*path, "sends_back"),
            "sends_back_kind",
            "seule une étape de revue (kind: review) peut renvoyer",
            "only a review step (kind: review) can send work back",
        )
    for j, target in enumerate(step.sends_back):
        if target not in model.steps_by_key or target == step.key:
            problems.add(
                (*path, "sends_back", j),
                "unknown_step",
                f"étape inconnue « {target} »",
                f"unknown step '{target}'",
            )
    for field in ("requires", "produces"):
        for j, key in enumerate(getattr(step.deliverables, field)):
            if key not in model.deliverables_by_key:
                problems.add(
                    (*path, "deliverables", field, j),
                    "unknown_deliverable",
                    f"livrable non déclaré « {key} » (à ajouter dans « deliverables: »)",
                    f"undeclared deliverable '{key}'",
                )


def _check_step_order(stage_index: int, model: ProcessModel, problems: _Problems) -> None:
    stage = model.stages[stage_index]
    graph = DependencyGraph()
    for step in stage.steps:
        for before in step.after:
            if before in graph or any(s.key == before for s in stage.steps):
                graph.add_edge(before, step.key)
    _report_cycle(graph, problems, ("stages", stage_index, "steps"), "étapes")


def _compile_guards(model: ProcessModel, step: StepSpec, path: YamlPath, problems: _Problems) -> None:
    compiled: list[Guard] = []
    rules = guard_rules()
    if step.guards and not rules:
        # A wiring mistake, not a template problem: every entry point starts from the composition root.
        raise RuntimeError("no guard rule registered: build the runtime first (gouvernance.composition)")
    for j, raw in enumerate(step.guards):
        where: YamlPath = (*path, "guards", j)
        rule = raw.get("rule")
        if rule not in rules:
            problems.add(
                (*where, "rule"),
                "unknown_guard",
                f"règle de garde inconnue « {rule} » (connues : {', '.join(sorted(rules))})",
                f"unknown guard rule '{rule}' (known: {', '.join(sorted(rules))})",
            )
            continue
        try:
            guard = parse_guard(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
                french = _PYDANTIC_FR.get(error["type"], error["msg"])
                problems.add((*where, *loc), f"guard.{error['type']}", french, error["msg"])
            continue
        events = machine_events(MACHINE_BY_KIND[step.kind])
        for k, event in enumerate(guard.on):
            if event not in events:
                problems.add(
                    (*where, "on") if len(guard.on) == 1 else (*where, "on", k),
                    "unknown_event",
                    f"« {event} » n'est pas un événement d'une étape « {step.kind} » "
                    f"(événements : {', '.join(events)})",
                    f"'{event}' is not an event of a '{step.kind}' step (events: {', '.join(events)})",
                )
        for message in guard.validate_against(model, step):
            problems.add(
                (*where, *(message.path or "").split(".")) if message.path else where,
                message.code,
                message.fr,
                message.en,
            )
        compiled.append(guard)
    step._compiled_guards = tuple(compiled)
