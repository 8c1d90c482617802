"""The help speaks French, Typer's own words included, and shows no programmer types."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gouvernance.cli.app import app
from gouvernance.cli.french import CATALOGUE, compiled_catalogue

ENGLISH = ("Usage", "Show this message", "[required]", "[default:", "Commands", "Error", "for help")
PROGRAMMER_TYPES = re.compile(r"<(list\[\w+\]|bool|int|float|str|path|file|datetime)>|\bTEXT\b|\bINTEGER\b")


def _command_paths(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*path, name))


def test_the_root_help_and_a_command_help_in_a_real_process(cli) -> None:
    root = cli("--help").stdout
    assert "Utilisation : gouvernance [OPTIONS] COMMANDE [ARGUMENTS]..." in root
    assert "Commandes" in root
    assert "Afficher cette aide et quitter." in root
    launch = cli("launch", "--help").stdout
    assert "[obligatoire]" in launch
    assert "[par défaut : commune]" in launch
    assert "--param            CLÉ=VALEUR" in launch
    for word in ENGLISH:
        assert word not in root + launch, word
    assert not PROGRAMMER_TYPES.search("\n".join(line for line in launch.splitlines() if "--" in line)), (
        "options show French metavars, not types"
    )


def test_a_usage_error_is_framed_in_french() -> None:
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "gouvernance", "advance", "abc"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Utilisation : gouvernance advance [OPTIONS]" in result.stderr
    assert "Pour l'aide : « gouvernance advance --help »." in result.stderr
    assert "─ Erreur ─" in result.stderr
    assert "Argument manquant : ÉTAPE." in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (("launch", "gouvernance-partagee"), "Option obligatoire manquante : --territory."),
        (("status", "abc", "--nope"), "Option inconnue : --nope."),
        (("status", "abc", "de", "trop"), "Argument(s) en trop : de trop."),
        (
            ("engagements", "list", "--limit", "beaucoup"),
            "Valeur invalide pour '--limit' : un nombre entier est attendu.",
        ),
        (("engagements", "list", "--limit", "0"), "Valeur invalide pour '--limit' : au moins 1."),
        (("launch", "x", "--territory"), "L'option --territory attend une valeur."),
        (("lauch",), "Commande inconnue : lauch. Vouliez-vous dire 'launch', 'launch-many' ?"),
    ],
)
def test_usage_errors_are_worded_in_french(args: tuple[str, ...], french: str) -> None:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 2
    assert french in result.stderr


@pytest.mark.parametrize("path", list(_command_paths(get_command(app))), ids=" ".join)
def test_every_help_page_is_french(path: tuple[str, ...]) -> None:
    page = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"}).stdout
    assert page.lstrip().startswith("Utilisation : gouvernance"), page
    assert "Afficher cette aide et quitter." in page
    options = [line for line in page.splitlines() if "--" in line]
    assert options, page
    for line in options:
        assert not PROGRAMMER_TYPES.search(line), line


def test_the_compiled_catalogue_is_up_to_date() -> None:
    assert CATALOGUE.with_suffix(".mo").read_bytes() == compiled_catalogue(), (
        "run python -m gouvernance.cli.french after editing messages.po"
    )
