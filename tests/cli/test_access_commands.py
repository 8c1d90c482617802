"""`gouvernance users add|grant` and `gouvernance tokens create`, on a fresh embedded
database."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gouvernance.access.records import ApiTokenRow
from gouvernance.access.service import Grant, authenticate
from gouvernance.cli.app import app
from gouvernance.db.engine import Database
from gouvernance.settings import get_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GOUVERNANCE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GOUVERNANCE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str, operator: bool = True) -> Any:
    """Users and tokens are an operator's business: these tests run as one (GOUVERNANCE_OPERATOR=1)."""
    return runner.invoke(app, list(args), env={"GOUVERNANCE_OPERATOR": "1" if operator else "0"})


def test_users_grants_and_a_token_that_authenticates(data_dir: Path) -> None:
    assert _run("users", "add", "julien.robert", "--org", "cc-val-fleuri").exit_code == 0
    granted = _run("users", "grant", "julien.robert", "--role", "chef_de_projet", "--org-wide")
    assert granted.exit_code == 0
    assert "toute son organisation" in granted.stdout
    created = _run("tokens", "create", "julien.robert")
    assert created.exit_code == 0
    token = created.stdout.strip()
    assert re.fullmatch(r"gv_[A-Za-z0-9_\-]{40,}", token), "stdout carries the token and nothing else"
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    with db.reading() as session:
        principal = authenticate(session, token)
        stored = list(session.scalars(select(ApiTokenRow.token_sha256)))
    db.dispose()
    assert principal is not None
    assert (principal.organisation, principal.grants) == ("cc-val-fleuri", (Grant("chef_de_projet", None),))
    assert token not in stored
    assert len(stored) == 1


def test_a_revoked_token_no_longer_authenticates_and_the_others_still_do(data_dir: Path) -> None:
    _run("users", "add", "julien.robert", "--org", "cc-val-fleuri")
    first, second, third = (_run("tokens", "create", "julien.robert").stdout.strip() for _ in range(3))
    listed = _run("tokens", "list", "julien.robert")
    assert listed.exit_code == 0
    assert all(token[:12] in listed.stdout for token in (first, second, third))
    assert first not in listed.stdout, "a listing never shows a whole token"

    revoked = _run("tokens", "revoke", "julien.robert", "--prefix", first[:12])
    assert revoked.exit_code == 0, revoked.output
    assert "1 jeton révoqué" in revoked.stdout
    assert _run("tokens", "revoke", "julien.robert", "--prefix", second).exit_code == 0  # the whole token
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    try:
        with db.reading() as session:
            assert [authenticate(session, t) is not None for t in (first, second, third)] == [
                False,
                False,
                True,
            ]
        assert "actif" in _run("tokens", "list", "julien.robert").stdout
        assert "1 jeton révoqué" in _run("tokens", "revoke", "julien.robert", "--all").stdout
        with db.reading() as session:
            assert authenticate(session, third) is None
        again = _run("tokens", "revoke", "julien.robert", "--prefix", first[:12])
        assert again.exit_code == 1
        assert "(token.not_found)" in again.stderr
    finally:
        db.dispose()


def test_a_prefix_shared_by_several_tokens_revokes_none(data_dir: Path) -> None:
    _run("users", "add", "julien.robert", "--org", "cc-val-fleuri")
    tokens = [_run("tokens", "create", "julien.robert").stdout.strip() for _ in range(2)]
    refused = _run("tokens", "revoke", "julien.robert", "--prefix", "gv_")
    assert refused.exit_code == 1
    assert "(token.ambiguous)" in refused.stderr
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    with db.reading() as session:
        assert all(authenticate(session, token) is not None for token in tokens)
    db.dispose()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("users", "grant", "julien.robert", "--role", "elu"), "grant.scope"),
        (("users", "grant", "julien.robert", "--role", "roi", "--org-wide"), "grant.role"),
        (
            ("users", "grant", "julien.robert", "--role", "elu", "--engagement", "0000"),
            "engagement.not_found",
        ),
        (("users", "grant", "personne", "--role", "elu", "--org-wide"), "user.not_found"),
        (("tokens", "create", "personne"), "user.not_found"),
        (("tokens", "revoke", "julien.robert"), "token.scope"),
        (("tokens", "revoke", "julien.robert", "--all", "--prefix", "gv_x"), "token.scope"),
        (("tokens", "list", "personne"), "user.not_found"),
        (("users", "add", "julien.robert", "--org", "autre-org"), "user.exists"),
        (("users", "add", "Julien Robert", "--org", "cc"), "user.login"),
    ],
)
def test_refusals_are_printed_in_french_without_traceback(
    data_dir: Path, args: tuple[str, ...], code: str
) -> None:
    _run("users", "add", "julien.robert", "--org", "cc-val-fleuri")
    result = _run(*args)
    assert result.exit_code == 1
    assert f"({code})" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("users", "add", "intrus", "--org", "cc-val-fleuri"),
        ("users", "grant", "julien.robert", "--role", "consultant", "--org-wide"),
        ("tokens", "create", "julien.robert"),
        ("tokens", "list", "julien.robert"),
        ("db", "upgrade"),
    ],
)
def test_users_tokens_and_migrations_are_refused_outside_operator_mode(
    data_dir: Path, args: tuple[str, ...]
) -> None:
    _run("users", "add", "julien.robert", "--org", "cc-val-fleuri")
    refused = _run(*args, operator=False)
    assert refused.exit_code == 1
    assert "réservé aux opérateurs : ajoutez --operateur" in " ".join(refused.stderr.split())
    assert "(cli.operator_required)" in refused.stderr
    assert "Traceback" not in refused.output
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    with db.reading() as session:
        assert session.scalars(select(ApiTokenRow)).first() is None
    db.dispose()


def test_operator_mode_is_logged_with_the_system_user(data_dir: Path) -> None:
    added = _run("users", "add", "julien.robert", "--org", "cc-val-fleuri")
    assert added.exit_code == 0
    assert f"Mode opérateur : {getpass.getuser()} — gouvernance users add" in added.stderr
    assert "Mode opérateur" not in added.stdout


def test_set_password_reads_stdin_hashes_with_argon2_and_opens_a_web_session(data_dir: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from gouvernance.access.records import PasswordRow
    from gouvernance.access.web_login import sign_in

    _run("users", "add", "julien.robert", "--org", "cc-val-fleuri")
    refused = runner.invoke(app, ["users", "set-password", "julien.robert"], input="secret-long-enough\n")
    assert refused.exit_code != 0, "an operator's command"
    short = runner.invoke(
        app, ["users", "set-password", "julien.robert"], input="court\n", env={"GOUVERNANCE_OPERATOR": "1"}
    )
    assert short.exit_code != 0
    assert "au moins 12" in short.output
    done = runner.invoke(
        app,
        ["users", "set-password", "julien.robert"],
        input="un mot de passe assez long\n",
        env={"GOUVERNANCE_OPERATOR": "1"},
    )
    assert done.exit_code == 0, done.output
    db = Database(f"sqlite:///{data_dir / 'gouvernance.db'}")
    now = datetime(2027, 1, 12, tzinfo=UTC)
    with db.transaction() as session:
        stored = session.get(PasswordRow, "julien.robert")
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
        wrong = sign_in(
            session, "julien.robert", "faux", address="test", now=now, lifetime=timedelta(hours=1)
        )
        right = sign_in(
            session,
            "julien.robert",
            "un mot de passe assez long",
            address="test",
            now=now,
            lifetime=timedelta(hours=1),
        )
    db.dispose()
    assert wrong is None
    assert right is not None
    assert right.principal.login == "julien.robert"
