"""Settings come from one object reading GOUVERNANCE_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gouvernance.settings import Settings


def test_defaults_are_an_embedded_sqlite_file_in_paris_time(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GOUVERNANCE_DATABASE_URL", raising=False)
    monkeypatch.setenv("GOUVERNANCE_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'gouvernance.db'}"
    assert settings.timezone == "Europe/Paris"
    assert settings.templates_dir is None


def test_environment_overrides(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOUVERNANCE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("GOUVERNANCE_TEMPLATES_DIR", str(tmp_path))
    monkeypatch.setenv("GOUVERNANCE_TIMEZONE", "America/Cayenne")
    settings = Settings()
    assert settings.resolved_database_url.startswith("postgresql://")
    assert settings.templates_dir == tmp_path
    assert settings.tz.key == "America/Cayenne"


def test_an_unknown_timezone_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("GOUVERNANCE_TIMEZONE", "Europe/Atlantis")
    with pytest.raises(ValidationError):
        Settings()
