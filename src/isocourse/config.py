"""Settings of the clinic server: typed, validated, read once from the environment.

Every setting is an environment variable ``ISOCOURSE_<NAME>`` (``ISOCOURSE_DATA_DIR``,
``ISOCOURSE_DATABASE_URL`` ...); ``isocourse serve`` also takes the most used ones as
options (``--data-dir``, ``--database-url``, ``--host``, ``--port``, ``--timezone``). The table in
docs/reference/settings.md is generated from this class, so the two cannot disagree.
``bootstrap.py`` builds one :class:`Settings` and passes it down; nothing else reads the
environment.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from isocourse.services.security.policy import SecurityPolicy

__all__ = ["Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/isocourse``, or ``~/.local/share/isocourse`` when that is unset."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "isocourse"


class Settings(BaseSettings):
    """The clinic server's settings. Field descriptions are the documentation."""

    model_config = SettingsConfigDict(env_prefix="ISOCOURSE_", extra="ignore",
                                      validate_default=True)

    data_dir: Annotated[Path, Field(
        default_factory=default_data_dir,
        description="Folder of the embedded SQLite database (isocourse.db) and its backups. "
                    "Default: $XDG_DATA_HOME/isocourse, else ~/.local/share/isocourse.")]
    database_url: Annotated[str | None, Field(
        default=None,
        description="A PostgreSQL URL (postgresql://user:password@host:port/db, psycopg 3) "
                    "to use instead of SQLite in the data directory. A sqlite:/// URL is "
                    "also accepted.")]
    host: Annotated[str, Field(default="127.0.0.1",
                               description="Address the server listens on.")]
    port: Annotated[int, Field(default=8000, ge=0, le=65535,
                               description="TCP port the server listens on.")]
    timezone: Annotated[str, Field(
        default="UTC",
        description="The clinic's IANA time zone (Europe/London, America/New_York). "
                    "Today's date, and so every window and due date, is read in it.")]
    clinic_id: Annotated[str, Field(
        default="main", min_length=1, max_length=64,
        description="Identifier of this clinic; patients and courses belong to it.")]
    follow_up_days: Annotated[int, Field(
        default=365, ge=0, le=3650,
        description="How long after its end a course stays on the due list (post-course "
                    "pregnancy tests and follow-up). An isocourse setting, not a clinical "
                    "rule: the rules decide what is due, this only bounds the search.")]
    page_size: Annotated[int, Field(default=50, ge=1, le=1000,
                                    description="Default page size of listings.")]
    max_page_size: Annotated[int, Field(default=500, ge=1, le=10000,
                                        description="Largest page a client may ask for.")]
    db_pool_size: Annotated[int, Field(
        default=10, ge=1, le=200,
        description="PostgreSQL connections kept open (as many again may be opened "
                    "under load).")]
    rules_dir: Annotated[Path | None, Field(
        default=None,
        description="A folder of extra rule packs (*.toml) added to the packaged ones.")]
    effective_dates: Annotated[dict[str, dt.date], Field(
        default_factory=dict,
        description="Move rule packs' go-live dates, as JSON: "
                    '{"us-ipledge@2026-08-08": "2026-11-15"} (a programme change whose date '
                    "the clinic's regulator moved).")]
    catalog: Annotated[Path | None, Field(
        default=None,
        description="A product catalog file to use instead of the packaged one.")]
    password_min_length: Annotated[int, Field(
        default=12, ge=8, le=128,
        description="Shortest password accepted (NIST SP 800-63B's floor is 8).")]
    session_idle_minutes: Annotated[int, Field(
        default=30, ge=1, le=24 * 60,
        description="A signed-in session ends after this many minutes without a request.")]
    session_max_hours: Annotated[int, Field(
        default=12, ge=1, le=24 * 30,
        description="A signed-in session ends this many hours after sign-in in any case.")]
    sign_in_max_failures: Annotated[int, Field(
        default=5, ge=1, le=100,
        description="Failed sign-ins for one user name within the window before that name "
                    "is locked for a while (unknown names are locked alike).")]
    sign_in_max_failures_per_address: Annotated[int, Field(
        default=50, ge=1, le=10000,
        description="Failed sign-ins from one address within the window before the "
                    "address is locked for a while.")]
    sign_in_window_minutes: Annotated[int, Field(
        default=15, ge=1, le=24 * 60,
        description="The window in which failed sign-ins are counted.")]
    sign_in_lockout_minutes: Annotated[int, Field(
        default=15, ge=1, le=24 * 60,
        description="How long a locked user name or address waits.")]
    token_max_days: Annotated[int, Field(
        default=365, ge=1, le=3650, description="Longest life of an API token, in days.")]
    bulk_export_expiry_minutes: Annotated[int, Field(
        default=60, ge=1, le=7 * 24 * 60,
        description="How long the files of a finished FHIR $export job are kept for "
                    "download, in minutes; then they are deleted (an operational choice, "
                    "not a clinical one).")]
    secure_cookies: Annotated[Literal["auto", "always", "never"], Field(
        default="auto",
        description="Mark session cookies Secure: 'auto' when the request came over HTTPS "
                    "(behind a proxy, start the server with --forwarded-allow-ips so that "
                    "it sees the proxy's scheme), 'always', or 'never' (plain HTTP tests).")]
    forwarded_allow_ips: Annotated[str, Field(
        default="127.0.0.1",
        description="Addresses of reverse proxies trusted to set X-Forwarded-For/-Proto "
                    "(comma-separated, or '*'); the audit trail records the client address "
                    "they pass on.")]
    cds_clients: Annotated[list[dict[str, Any]], Field(
        default_factory=list,
        description="CDS Hooks clients (EHRs) allowed to call /cds-services, as JSON: "
                    '[{"iss": "https://ehr.example.org", "clinic_id": "main", "jwks": '
                    '{"keys": [...]}}]: the issuer of their signed JWTs (at most 64 '
                    "characters; it is the actor in the audit trail), the clinic they act in "
                    "and their public keys (a JWK Set). No client: every CDS call is "
                    "refused (401).")]
    cds_clients_file: Annotated[Path | None, Field(
        default=None,
        description="A JSON file holding more CDS Hooks clients, in the shape of "
                    'cds_clients (a list, or {"clients": [...]}); read at start-up.')]
    cds_base_url: Annotated[str | None, Field(
        default=None,
        description="The public base URL of this server as CDS clients and browsers reach it "
                    "(https://isocourse.clinic.example). A client JWT's aud must be "
                    "{base}/cds-services/{id}, and cards link to {base}/courses/{id}. Unset: "
                    "the URL each request arrived at (behind a proxy, see "
                    "forwarded_allow_ips).")]
    cds_jwt_algorithms: Annotated[list[str], Field(
        default_factory=lambda: ["ES384", "RS384"],
        description="Signature algorithms accepted on CDS client JWTs (the CDS Hooks "
                    "specification recommends ES384 and RS384; 'none' and HMAC are always "
                    "refused).")]
    cds_jwt_max_lifetime_seconds: Annotated[int, Field(
        default=300, ge=10, le=3600,
        description="Longest a CDS client JWT may still be valid for when it arrives (exp - "
                    "now); its jti is remembered until it expires, so a replay is refused.")]
    cds_patient_identifier_system: Annotated[str | None, Field(
        default=None,
        description="How a CDS hook's patient is found in the clinic. Unset: the hook's "
                    "context.patientId is the clinic's patient id. Set to an identifier "
                    "system URI: the prefetched Patient's identifier of that system is "
                    "(the Patient must be prefetched; without it the answer is 412).")]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a known IANA time zone (for example Europe/London)") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgresql+psycopg://", "sqlite:///",
                                 "sqlite+pysqlite:///", "postgres://")):
            raise ValueError("expected a postgresql:// or sqlite:/// URL")
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        return value

    @model_validator(mode="after")
    def _page_sizes(self) -> Settings:
        if self.page_size > self.max_page_size:
            raise ValueError("page_size must not exceed max_page_size")
        return self

    def security_policy(self) -> SecurityPolicy:
        minutes = dt.timedelta(minutes=1)
        return SecurityPolicy(
            password_min_length=self.password_min_length,
            session_idle=self.session_idle_minutes * minutes,
            session_max=dt.timedelta(hours=self.session_max_hours),
            max_failures=self.sign_in_max_failures,
            max_failures_per_address=self.sign_in_max_failures_per_address,
            failure_window=self.sign_in_window_minutes * minutes,
            lockout=self.sign_in_lockout_minutes * minutes,
            token_max_days=self.token_max_days,
            token_default_days=min(90, self.token_max_days))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "isocourse.db"

    def resolved_database_url(self) -> str:
        """The database to use: ``database_url``, else SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+pysqlite:///{self.sqlite_file}"
