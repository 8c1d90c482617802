"""Layers point inwards: the domain (``src/gouvernance/``) imports none of the outer layers — the HTTP API,
the command line, the flows — nor the frameworks they are built on. Read from the source, so a lazy import
inside a function counts too. ``__main__.py`` is the ``python -m gouvernance`` entry point: it names the
CLI."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).parent.parent / "src" / "gouvernance"
OUTER = (
    "gouvernance.api",
    "gouvernance.cli",
    "gouvernance.flows",
    "fastapi",
    "starlette",
    "uvicorn",
    "prefect",
    "typer",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_domain_imports_no_outer_layer() -> None:
    offending = {
        f"{path.relative_to(DOMAIN)}: {name}"
        for path in DOMAIN.rglob("*.py")
        if path.name != "__main__.py"
        for name in _imports(path)
        if any(name == outer or name.startswith(f"{outer}.") for outer in OUTER)
    }
    assert not offending, sorted(offending)
    assert len(list(DOMAIN.rglob("*.py"))) > 50  # the walk did read the domain
