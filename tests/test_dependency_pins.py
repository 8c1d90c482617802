"""The upper bounds in pyproject.toml: each one says why it exists, the installed versions keep within the
pins, and a cap with a known breakage cannot be lifted here without that breakage being checked again."""

from __future__ import annotations

import tomllib
import warnings
from importlib.metadata import version
from itertools import chain
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
PROJECT = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
DECLARED = [*PROJECT["dependencies"], *chain.from_iterable(PROJECT["optional-dependencies"].values())]
UPPER = {"<", "<=", "==", "===", "~="}
CAPPED = [text for text in DECLARED if any(spec.operator in UPPER for spec in Requirement(text).specifier)]


def pin(name: str) -> SpecifierSet:
    return next(r.specifier for r in map(Requirement, DECLARED) if r.name == name)


def installed(name: str) -> Version:
    return Version(version(name))


def locked(name: str) -> Version:
    prefix = f"{name}=="
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return Version(next(line for line in lines if line.startswith(prefix)).removeprefix(prefix).split()[0])


def reason(text: str) -> str:
    """The comment on the requirement's line, or the comment lines just above it if they name the package
    (a heading such as "# Deliverables." says nothing about a cap)."""
    lines = PYPROJECT.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(f'"{text}"'))
    trailing = lines[index].partition(f'"{text}",')[2].strip()
    if trailing.startswith("#"):
        return trailing.lstrip("# ")
    above: list[str] = []
    while index > 0 and lines[index - 1].strip().startswith("#"):
        index -= 1
        above.insert(0, lines[index].strip().lstrip("# "))
    comment = " ".join(above)
    return comment if Requirement(text).name.lower() in comment.lower() else ""


def test_the_known_caps_are_all_there() -> None:
    names = {Requirement(text).name for text in CAPPED}
    assert {"sqlalchemy", "fastapi", "prefect", "networkx", "python-statemachine"} <= names


@pytest.mark.parametrize("text", CAPPED, ids=[Requirement(text).name for text in CAPPED])
def test_each_cap_says_why(text: str) -> None:
    assert reason(text), f"pyproject.toml: say why {text!r} has an upper bound, in a comment beside it"


@pytest.mark.parametrize("text", DECLARED, ids=[Requirement(text).name for text in DECLARED])
def test_the_installed_version_keeps_within_the_pin(text: str) -> None:
    requirement = Requirement(text)
    if requirement.marker is not None and not requirement.marker.evaluate():
        pytest.skip(f"{requirement.name} is not for this platform")
    assert requirement.specifier.contains(installed(requirement.name), prereleases=True), (
        f"{requirement.name} {installed(requirement.name)} is installed, outside {text!r}: bin/setup "
        "installs requirements.lock; regenerate it from pyproject.toml"
    )


# The caps with a known breakage. Lifting one fails below: check the reason again, then update the check.


def test_sqlalchemy_stays_below_2_1_for_prefect_3_8s_scheduler() -> None:
    assert installed("sqlalchemy") < Version("2.1")
    assert not pin("sqlalchemy").contains("2.1.0"), (
        "SQLAlchemy 2.1 makes Prefect 3.8.8's scheduler fail ('Can't evaluate bulk DML statement'), so no "
        "scheduled run is created. Lift the cap only once tests/flows/test_schedules.py passes with 2.1, on "
        "SQLite and PostgreSQL, then update this test."
    )


def test_fastapi_stays_below_0_155_while_prefect_is_3_8() -> None:
    if installed("prefect") >= Version("3.9"):
        pytest.fail("Prefect is 3.9 or later now: check which FastAPI it accepts, then update this test")
    assert not pin("fastapi").contains("0.155.0"), (
        "From FastAPI 0.155 on, Body(min_items=...) raises TypeError, and Prefect 3.8's server declares such "
        "bodies: every flow run fails when the ephemeral server starts (STACK.md)."
    )
    from fastapi import Body

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Body(..., min_items=1)  # as Prefect 3.8's server/api/concurrency_limits_v2.py does at import


def test_prefect_stays_below_3_9_while_the_lock_cannot_hold_its_certifi() -> None:
    if locked("certifi") >= Version("2026.10.19"):
        pytest.fail("requirements.lock has the certifi Prefect 3.9 needs: try Prefect 3.9, update this test")
    assert not pin("prefect").contains("3.9.0"), (
        "Prefect 3.9 needs certifi>=2026.10.19, which requirements.lock cannot hold yet (the package index "
        "did not serve it); 3.9.1 also pins fastapi<0.151."
    )


def test_networkx_stays_below_3_7_while_python_3_11_is_supported() -> None:
    if SpecifierSet(PROJECT["requires-python"]).contains("3.11"):
        assert not pin("networkx").contains("3.7"), "networkx 3.7 needs Python >= 3.12; we support 3.11"


def test_python_statemachine_stays_on_3_2() -> None:
    assert not pin("python-statemachine").contains("3.3.0"), (
        "lifecycle/machines.py reuses machines by setting their model's state field and reads the classes' "
        "states, events and transitions, as 3.2 does. Check a new minor release with "
        "tests/lifecycle/test_machines.py and tests/engagements, then update this test."
    )
