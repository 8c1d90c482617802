"""A Mermaid flowchart of a process model: stages as subgraphs, steps as nodes, rework loops dashed."""

from __future__ import annotations

from gouvernance.spec.schema import ProcessModel

_KIND_SHAPES = {
    "decision": ("{{", "}}"),
    "review": ("[/", "/]"),
    "consultation": ("([", "])"),
}


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def mermaid(model: ProcessModel, lang: str = "fr") -> str:
    lines = ["flowchart TD"]
    for stage in model.stages:
        lines.append(f"  subgraph {stage.key}[{_label(stage.title.text(lang))}]")
        lines.append("    direction TB")
        for step in stage.steps:
            left, right = _KIND_SHAPES.get(step.kind, ("[", "]"))
            role = model.role_title(step.role, lang)
            lines.append(f"    {step.key}{left}{_label(f'{step.title.text(lang)}<br/><i>{role}</i>')}{right}")
        for step in stage.steps:
            lines.extend(f"    {before} --> {step.key}" for before in step.after)
        lines.append("  end")
    for stage in model.stages:
        lines.extend(f"  {before} ==> {stage.key}" for before in stage.after)
    rework = "reprise" if lang == "fr" else "rework"
    for step in model.steps_by_key.values():
        lines.extend(f"  {step.key} -.->|{rework}| {target}" for target in step.sends_back)
    return "\n".join(lines) + "\n"
