"""Every module of the package imports on its own, first, in a fresh interpreter: an import loop (a module
that needs a name from one still half-initialised) shows up here, whichever of its modules is imported first.

One subprocess imports the third-party libraries once, then forks a child per module of ours: each child
starts with none of our modules imported, as a fresh interpreter would, for the price of a fork.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gouvernance

PACKAGE = Path(gouvernance.__file__).parent

_IMPORT_EACH_ALONE = """
import os, sys, traceback
import alembic.command, docx, httpx, jinja2, networkx, numpy, pydantic, pydantic_settings, rich.console
import sqlalchemy.orm, statemachine, typer, weasyprint, yaml
assert not [name for name in sys.modules if name.startswith("gouvernance")], "imported too early"
failed = []
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(module)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(module)
        print(f"cannot be imported first: {module}", file=sys.stderr, flush=True)
sys.exit(1 if failed else 0)
"""


def domain_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        if "migrations" in relative.parts or relative.name == "__main__":
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        names.append(".".join(("gouvernance", *parts)))
    return names


@pytest.mark.slow  # a fork and a first import per module: about 25 s of CPU
@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a child per module")
def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    modules = domain_modules()
    assert "gouvernance.engagements.transitions" in modules
    assert "gouvernance.composition" in modules
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_ALONE, *modules], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
