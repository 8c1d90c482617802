"""The API starts without Prefect: importing it must not pull Prefect in (its start-up costs seconds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from gouvernance.api.app import create_app
create_app()
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect',))
print(','.join(loaded))
"""


def test_importing_and_building_the_api_does_not_import_prefect(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        check=True,
        env={"GOUVERNANCE_DATA_DIR": str(tmp_path), "PATH": ""},
    )
    assert result.stdout.strip() == ""


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
