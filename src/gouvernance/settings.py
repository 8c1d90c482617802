"""One settings object, read from the environment with the GOUVERNANCE_ prefix."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gouvernance"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOUVERNANCE_", env_file=None, extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, description="Files: SQLite database, evidence.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file (WAL) in data_dir."
    )
    templates_dir: Path | None = Field(
        default=None,
        description="An extra directory of process-model YAML files, searched after the shipped ones.",
    )
    timezone: str = "Europe/Paris"
    log_level: str = "INFO"
    max_evidence_bytes: int = 20 * 1024 * 1024
    # Threads per API process for the routes that touch the database. The GIL runs one of them at a time, so
    # more threads only add contention: 2 lets one request's Python run while another waits on PostgreSQL,
    # and gave the lowest p99 in api_bench.py (2 vs 4: 76-86 ms vs 96 ms, 16 clients). Raise it if several
    # slow requests (deliverables rendered on demand, large imports) often run at once.
    api_threads: int = Field(default=2, ge=1, le=200)
    # The largest register exported as a graph (GraphML, GEXF) over HTTP: the file carries the analysis and
    # is made whole in memory (100,000 stakeholders: about a minute of CPU and 50 MB; see the README). The
    # CSV export streams, whatever the size.
    max_graph_export_stakeholders: int = Field(default=100_000, ge=1)
    # Transport: how long an idle keep-alive connection stays open, and how long the API waits for the next
    # piece of a request body before it answers 408 and closes the connection (a stalled or hostile client).
    keep_alive_seconds: int = Field(default=5, ge=1, le=300)
    body_timeout_seconds: float = Field(default=10, gt=0, le=600)
    # Outgoing e-mail (notifications).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "gouvernance <ne-pas-repondre@gouvernance.local>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    # Where people open gouvernance: links in e-mails point there (…/engagements/<id>/steps/<key>).
    base_url: str = "http://127.0.0.1:8000"
    # Web interface: the session cookie gets the Secure flag when the site is served over HTTPS (behind a
    # reverse proxy that terminates TLS); a session ends after this many hours.
    web_secure_cookies: bool = False
    web_session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # The reverse proxies trusted for X-Forwarded-For/-Proto (uvicorn's --forwarded-allow-ips):
    # comma-separated addresses or networks, "*" for any. Nginx's address when it runs on another machine.
    forwarded_allow_ips: str = Field(default="127.0.0.1", max_length=2000)
    # Background work (`gouvernance worker`, prefect.yaml): how often each periodic flow runs, in seconds.
    sweep_interval_seconds: int = Field(default=15 * 60, ge=1)
    deliverables_interval_seconds: int = Field(default=60, ge=1)
    dispatch_interval_seconds: int = Field(default=60, ge=1)
    # How often every engagement's audit chain is verified (admins are told of an altered one): each night.
    audit_interval_seconds: int = Field(default=24 * 60 * 60, ge=1)
    # RGPD retention: stakeholder contact details and evidence files are deleted this many days after their
    # engagement closed (completed or cancelled), by the `apply-retention` flow, run at this interval.
    retention_contacts_days: int = Field(default=365, ge=0)
    retention_evidence_days: int = Field(default=5 * 365, ge=0)
    retention_interval_seconds: int = Field(default=24 * 60 * 60, ge=1)
    # The same flow deletes web sessions, failed sign-ins and invitation or reset links this many days after
    # they ended, expired or were used.
    access_purge_days: int = Field(default=30, ge=0)
    # How many deliveries one dispatch run claims at a time.
    dispatch_batch_size: int = Field(default=100, ge=1, le=10_000)
    # The name this worker writes into delivery receipts (claimed_by); defaults to host:pid.
    worker_name: str | None = Field(default=None, max_length=80)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"fuseau horaire inconnu : {value} (exemple : Europe/Paris)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'gouvernance.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
