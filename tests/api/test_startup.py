"""The API starts without what it only needs later: importing and building it must not pull in Prefect, nor
the document renderers (WeasyPrint, python-docx), which cost seconds of start-up."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.processes import run

CHECK = """
import json, sys
from gouvernance.api.app import create_app
create_app()
print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""


@pytest.fixture(scope="module")
def loaded_at_start(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The top-level packages a fresh process holds once it has built the API."""
    data = tmp_path_factory.mktemp("startup")
    result = run([sys.executable, "-c", CHECK], env={"GOUVERNANCE_DATA_DIR": str(data), "PATH": ""})
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_and_building_the_api_does_not_import_prefect(loaded_at_start: set[str]) -> None:
    assert "prefect" not in loaded_at_start


def test_the_document_renderers_are_imported_on_first_use_not_at_start(loaded_at_start: set[str]) -> None:
    assert {"weasyprint", "docx"} & loaded_at_start == set()


def test_the_domain_core_never_imports_the_outer_layers() -> None:
    core = Path(__file__).resolve().parents[2] / "src" / "gouvernance"  # the sources, not site-packages
    outer = ("fastapi", "starlette", "prefect")
    offenders = [
        f"{path.relative_to(core)}: {line.strip()}"
        for path in core.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(tuple(f"{verb} {name}" for name in outer for verb in ("import", "from")))
    ]
    assert offenders == []
