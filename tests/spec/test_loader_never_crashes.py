"""Property: whatever a template author's editor does to the file, the loader answers with a model or a
TemplateInvalid naming the problems, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gouvernance.spec.validation import TemplateInvalid, load_model_text
from tests.conftest import FIXTURES

MINI = (FIXTURES / "models" / "mini.yaml").read_text(encoding="utf-8")
YAML_PIECES = [
    ":",
    "-",
    " ",
    "\n",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!!python/object",
    "'",
    '"',
    "#",
    "|",
    ">",
    "~",
    "null",
    "true",
    "1e999",
    "0x1F",
    "2026-13-45",
    "\t",
    "<<: *a",
    "%YAML 1.2",
    "---",
    "...",
    "?",
]


def _load(text: str) -> None:
    try:
        load_model_text(text, "mutated.yaml")
        return
    except TemplateInvalid as invalid:
        problems = invalid.problems
    assert problems, "a refusal always lists at least one problem"
    for problem in problems:
        assert problem.message.fr
        assert problem.message.en
        assert problem.render("mutated.yaml").startswith("mutated.yaml")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = MINI
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace_line", "swap_lines"]))
        if action == "insert":
            piece = draw(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=8)))
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 30)) :]
        else:
            lines = text.splitlines()
            if not lines:
                continue
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if action == "replace_line":
                lines[i] = draw(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=20)))
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_templates_never_crash_the_loader(text: str) -> None:
    _load(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_loader(text: str) -> None:
    _load(text)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_yaml_documents_never_crash_the_loader(document: object) -> None:
    import yaml

    _load(yaml.safe_dump(document, allow_unicode=True))
