"""pingzhan's own settings, read once from the environment (prefix PINGZHAN_)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from pingzhan.projections.deadlines import DEFAULT_OFFICE, Deadline, Deadlines
from pydantic import AliasChoices, BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class OfficeDeadline(BaseModel):
    """Hours an office has to acknowledge a problem sent to it, and to report back once it did."""

    model_config = {"extra": "forbid"}
    acknowledge_h: float = Field(gt=0)
    report_back_h: float = Field(gt=0)


DEFAULT_DEADLINES = {DEFAULT_OFFICE: OfficeDeadline(acknowledge_h=24, report_back_h=168)}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PINGZHAN_", extra="ignore", populate_by_name=True)

    store: Literal["sqlite", "postgres"] = "sqlite"
    data_dir: Path = Path("data")
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str = ""  # the NATS user and password of this process (deploy/nats-accounts.conf)
    nats_password: str = Field(default="", repr=False)
    token: str = Field(default="", repr=False)  # PINGZHAN_TOKEN: the operator's own, for `pingzhan switch`
    stream: str = "PINGZHAN"
    subject_prefix: str = "pingzhan"
    duplicate_window_s: float = 120.0
    batch_size: int = Field(default=1000, ge=1, le=5000)
    workers: int = Field(default=1, ge=1, le=16)
    worker_index: int = Field(default=0, ge=0)
    org_file: Path | None = None

    # eventsourcing's own variable names, shared with the event store it configures.
    postgres_dbname: str = Field(default="pingzhan", validation_alias=AliasChoices("POSTGRES_DBNAME"))
    postgres_host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("POSTGRES_HOST"))
    postgres_port: int = Field(default=5432, validation_alias=AliasChoices("POSTGRES_PORT"))
    postgres_user: str = Field(default="postgres", validation_alias=AliasChoices("POSTGRES_USER"))
    postgres_password: str = Field(default="", validation_alias=AliasChoices("POSTGRES_PASSWORD"))

    # CLI and read views: a view older than this (its projector behind the store) gets a warning.
    stale_after_s: float = Field(default=10.0, gt=0)

    # The HTTP API and dashboard that `pingzhan serve` runs beside the projector (role all or
    # project). Loopback unless told otherwise; port 0 picks a free port (printed); http=false: none.
    http: bool = True
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    # Prometheus metrics of this process on a port of their own (for an ingest-only worker; the
    # HTTP API serves /metrics itself). Unset: none; 0 picks a free port (logged).
    metrics_port: int | None = Field(default=None, ge=0, le=65535)

    # The whistle-and-report loop (吹哨报到): per office (its name as the problems give it), "*" for
    # every other office; JSON, e.g. {"*": {"acknowledge_h": 24, "report_back_h": 168}}.
    office_deadlines: dict[str, OfficeDeadline] = Field(default_factory=lambda: dict(DEFAULT_DEADLINES))

    # The roster at any past moment (projections/past.py): a snapshot of the roster every this
    # many positions of the log; a question folds at most this many events after one.
    roster_snapshot_every: int = Field(default=20_000, ge=1)

    # Where an operator action's time goes (services/trace.py): a file of timestamps, or none.
    trace_file: Path | None = None

    # The tamper-evident ledger (services/ledger): the Ed25519 key that signs checkpoints (made by
    # `pingzhan ledger init`, outside the data directory) and its public verifier key; the file
    # the checkpoints are appended to (the auditor's copy); a checkpoint when this many new leaves
    # (events and inbox rows) are in the log, or this many seconds after the last one if any are;
    # the JetStream stream that keeps them (deny delete, deny purge).
    ledger_key: Path = Path("~/.config/pingzhan/ledger.key")
    ledger_public_key: Path | None = None
    ledger_checkpoints: Path = Path("~/.local/share/pingzhan/checkpoints")
    ledger_every_leaves: int = Field(default=1000, ge=1)
    ledger_every_s: float = Field(default=60.0, gt=0)
    ledger_stream: str = "PINGZHAN_LEDGER"

    @field_validator("ledger_key", "ledger_public_key", "ledger_checkpoints")
    @classmethod
    def _absolute_path(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().resolve()

    @property
    def verifier_key(self) -> Path:
        """The ledger's public key: PINGZHAN_LEDGER_PUBLIC_KEY, else the key's path plus `.pub`."""
        return self.ledger_public_key or self.ledger_key.with_name(self.ledger_key.name + ".pub")

    @property
    def ledger_subjects(self) -> str:
        """The checkpoints' subjects: ``{prefix}.ledger.{store id}``, one per store."""
        return f"{self.subject_prefix}.ledger.>"

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """Resolved once, so every message and log line names the directory actually used."""
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _index_within_workers(self) -> Settings:
        if self.worker_index >= self.workers:
            raise ValueError(f"PINGZHAN_WORKER_INDEX must be below PINGZHAN_WORKERS ({self.workers})")
        return self

    def connect_postgres(self) -> psycopg.Connection[Any]:
        """An autocommit connection to the configured PostgreSQL database."""
        return psycopg.connect(
            dbname=self.postgres_dbname,
            host=self.postgres_host,
            port=self.postgres_port,
            user=self.postgres_user,
            password=self.postgres_password or None,
            autocommit=True,
        )

    @property
    def tz(self) -> ZoneInfo:
        """The district's time zone: service days, months and quarters are its dates."""
        return ZoneInfo(self.district_tz)

    @property
    def deadlines(self) -> Deadlines:
        """The offices' deadlines (projections/deadlines.py); the default where "*" is not given."""
        by_office = {k: Deadline(v.acknowledge_h, v.report_back_h) for k, v in self.office_deadlines.items()}
        default = by_office.pop(DEFAULT_OFFICE, Deadline())
        return Deadlines(by_office, default)

    @property
    def nats_credentials(self) -> dict[str, str]:
        """``user`` and ``password`` for ``services.nats.connection.connect``."""
        return {"user": self.nats_user, "password": self.nats_password}

    @property
    def consumer_name(self) -> str:
        return f"ingest-{self.worker_index}-of-{self.workers}"

    # Time (issue 8): the district's wall clock, and how far ahead of the worker's clock a
    # message's occurred_at may be before it is rejected as coming from the future.
    district_tz: str = "Asia/Shanghai"
    clock_skew_s: float = Field(default=600.0, ge=0)

    @field_validator("district_tz")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"PINGZHAN_DISTRICT_TZ {name!r} is not a known time zone (e.g. Asia/Shanghai)"
            ) from None
        return name
