"""Configuration, from ``GATEHOUSE_*`` environment variables.

With neither ``GATEHOUSE_DATABASE_URL`` nor ``GATEHOUSE_BROKER_URL`` set, Gatehouse runs on
its embedded default: a SQLite store and the embedded transport, both files under
``GATEHOUSE_DATA_DIR``. Nested values use a double underscore, e.g.
``GATEHOUSE_PARTNER_URLS__DELIUS=https://delius.example/custody``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.transports.sftp_config import SftpInterface
from adapters.transports.tls import PartnerTls
from core_records.bookkeeping.sign_in_throttle import ThrottlePolicy
from core_records.identity.matching import MatchRules
from core_records.store.database import with_tls
from routing.rabbitmq.tls import BrokerTls
from routing.retry import RetryPolicy
from routing.topology import DEFAULT_DELAY_TIERS_MS, DEFAULT_NAMESPACE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEHOUSE_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str | None = None
    """SQLAlchemy URL of the record store, e.g. ``postgresql+psycopg://gatehouse@db/gatehouse``;
    absent means SQLite under data_dir."""
    broker_url: str | None = None
    """``amqp://`` URL of RabbitMQ (``amqps://`` over TLS); absent means the embedded
    transport under data_dir. For a cluster, each node's URL, comma-separated: connections
    try them in turn."""
    broker_quorum_group_size: int | None = Field(default=None, ge=1)
    """Nodes each new quorum queue is replicated on (``x-quorum-initial-group-size``), e.g. 3
    on a cluster; unset leaves it to RabbitMQ. Set it before the queues are first declared:
    RabbitMQ refuses to redeclare a queue with different arguments."""
    broker_ca_file: Path | None = None
    """PEM file of the CA that signs the broker's certificate (amqps://); absent means the
    system's CAs."""
    broker_cert_file: Path | None = None
    """Our client certificate (PEM), for a broker that asks for one."""
    broker_key_file: Path | None = None
    """The client certificate's private key, unless the certificate file holds it."""
    database_sslmode: str | None = None
    """libpq ``sslmode`` for a PostgreSQL store: disable, allow, prefer, require, verify-ca,
    verify-full."""
    database_sslrootcert: Path | None = None
    """PEM file of the CA that signs the database server's certificate."""
    database_sslcert: Path | None = None
    """Our client certificate for the database server, if it asks for one."""
    database_sslkey: Path | None = None
    """The database client certificate's private key."""
    data_dir: Path = Path("var")
    """Where the embedded default keeps its files (the SQLite store and queues), and spools."""
    namespace: str = DEFAULT_NAMESPACE
    """Prefix of every exchange and queue name."""

    http_host: str = "127.0.0.1"
    """Address ``gatehouse serve`` listens on."""
    http_port: int = 8000
    """Port ``gatehouse serve`` listens on."""
    public_url: str | None = None
    """The API's address as partners reach it (e.g. ``https://gatehouse.example``), under
    which every event's ``detailUrl`` is absolute; absent means ``http://`` http_host and
    http_port."""
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    """Largest inbound document accepted, in bytes."""
    keep_documents: bool = True
    """Keep every inbound partner document and every rendered outbound one, compressed with
    its SHA-256, beside the journal (README, "Message history")."""
    submission_retention_days: float = Field(default=30.0, gt=0)
    """How long a partner's message reference is remembered, so that a resend of the same
    document is answered as the first post was (``core_records.bookkeeping.submissions``)."""
    replay_rate_per_s: float = Field(default=20.0, gt=0)
    """Documents a second a replay or resend sends its partner at most, on top of live
    traffic (``gatehouse messages replay --rate`` sets one run's own)."""

    partner_urls: dict[str, str] = Field(default_factory=dict)
    """Where each outbound adapter delivers, by adapter name."""
    partner_tls: dict[str, PartnerTls] = Field(default_factory=dict)
    """The CA and client certificate for each HTTPS partner, keyed as ``partner_urls``:
    ``GATEHOUSE_PARTNER_TLS__DELIUS='{"ca_file": "/etc/gatehouse/delius-ca.pem"}'``."""
    delivery_timeout_s: float = Field(default=5.0, gt=0)
    """Seconds a partner has to answer one delivery."""
    delivery_attempts: int = Field(default=3, ge=1)
    """Short in-process tries of one delivery before it waits in a delay tier."""
    delivery_lanes: int = Field(default=4, ge=1)
    """Deliveries to one partner in flight at once (each person's in order)."""
    validate_events: bool = False
    """Check every raised event against the event catalogue (``schemas/events/``) as it is
    written to the outbox, failing the change that raised an invalid one. On in the test
    suite; off by default, as it costs seconds on a whole-estate batch drop."""
    subscriber_secret_key: str | None = None
    """Fernet key (``gatehouse subscribers key`` prints a new one) that encrypts event
    subscribers' signing secrets in the store; needed to add or deliver to subscribers."""
    subscriber_poll_s: float = Field(default=5.0, gt=0)
    """How often a delivery worker looks in the store for event subscribers added, changed
    or removed since it started."""

    delay_tiers_ms: tuple[int, ...] = DEFAULT_DELAY_TIERS_MS
    """Waits before each retry of a transient failure, in milliseconds (a JSON list)."""
    max_attempts: int = Field(default=5, ge=1)
    """Tries in all before a transiently failing message is dead-lettered."""
    batch_size: int = Field(default=200, ge=1)
    """Messages a worker loop takes in one go (ingest, relay, delivery)."""
    prefetch: int = Field(default=300, ge=1)
    """Unacknowledged messages RabbitMQ hands one consumer at once."""
    ingest_partitions: int = Field(default=1, ge=1, le=64)
    """Ingest queues, each keeping its people's messages in order; workers share them. Change
    it with ``gatehouse ingest repartition`` (README, "Partitioned ingest")."""

    sla_file: Path | None = None
    """TOML file of the interfaces' service levels; absent means monitoring/sla.toml."""
    health_interval_s: float = Field(default=15.0, gt=0)
    """How often the monitor worker role checks every interface's health."""
    interface_pause_check_s: float = Field(default=2.0, gt=0)
    """How often a delivery worker reads whether its interface is paused (README, "Pausing
    an interface")."""
    dead_letter_retry_interval_s: int = Field(default=600, ge=1)
    """How long a dead letter waits before the ``dead-letters`` worker role sends it back to
    its queue, in seconds; ``gatehouse dead-letters schedule`` sets one interface's own."""
    dead_letter_retry_max: int = Field(default=6, ge=0)
    """Scheduled retries of one dead message at most; 0 turns scheduled retry off."""
    retention_documents_days: float = Field(default=90.0, gt=0)
    """How long stored partner documents are kept, in days (README, "Retention")."""
    retention_journal_days: float = Field(default=730.0, gt=0)
    """How long the message journal's hops are kept, in days (two years)."""
    retention_data_share_audit_days: float = Field(default=2557.0, gt=0)
    """How long the audit of data-share reads is kept, in days (seven years, leap days in)."""
    retention_interval_s: float = Field(default=3600.0, gt=0)
    """How often the ``retention`` worker role prunes what has outlived its period."""
    retention_months_ahead: int = Field(default=3, ge=1)
    """Monthly partitions kept ready ahead of this month on PostgreSQL (journal, documents)."""
    dead_letter_retry_check_s: float = Field(default=30.0, gt=0)
    """How often the scheduler looks for dead letters due a retry, in seconds."""
    alert_webhook_url: str | None = None
    """Where health changes are POSTed as JSON."""
    alert_smtp_host: str | None = None
    """SMTP server health changes are e-mailed through; absent means no e-mail."""
    alert_smtp_port: int = 25
    """Port of the SMTP server."""
    alert_email_from: str = "gatehouse@localhost"
    """Sender of the alert e-mails."""
    alert_email_to: tuple[str, ...] = ()
    """Recipients of the alert e-mails (a JSON list)."""
    dashboard_session_minutes: int = Field(default=480, gt=0)
    """A dashboard sign-in lasts this long."""
    dashboard_secure_cookies: bool = False
    """Mark dashboard cookies Secure (set behind HTTPS)."""
    sftp_interfaces: dict[str, SftpInterface] = Field(default_factory=dict)
    """Batch file interfaces over SFTP, by interface name (``adapters.transports.sftp_config``)."""
    sftp_spool_dir: Path | None = None
    """Where files being processed are copied; absent means ``data_dir/sftp-spool``."""
    canteen_drop_dir: Path | None = None
    """A local drop directory for canteen order files (``incoming/``, ``receipts/``, ...),
    watched by the ``canteen-files`` worker role; absent means no local file drop."""

    identity_rules: dict[str, float] = Field(default_factory=dict)
    """Overrides of the identity matcher's weights and thresholds, by ``MatchRules`` field,
    e.g. ``GATEHOUSE_IDENTITY_RULES__LINK_THRESHOLD=16`` (README, "Identity matching")."""
    partner_rate_per_s: float = Field(default=50.0, gt=0)
    """Requests per second each partner may make to the HTTP API, all api processes together."""
    partner_rate_burst: int = Field(default=100, ge=1)
    """Requests a partner may make at once; past that and its rate, requests are answered 429."""
    partner_rate_overrides: dict[str, float] = Field(default_factory=dict)
    """Per-partner rates, e.g. ``GATEHOUSE_PARTNER_RATE_OVERRIDES__DELIUS=200``."""
    redis_url: str | None = None
    """``redis://`` URL where the api processes share their rate limits; absent means the
    record store keeps them."""
    sign_in_max_failures: int = Field(default=5, ge=1)
    """Failed dashboard sign-ins as one user name, within the window, that lock it."""
    sign_in_max_failures_per_address: int = Field(default=20, ge=1)
    """Failed dashboard sign-ins from one client address, within the window, that lock it."""
    sign_in_window_minutes: float = Field(default=15.0, gt=0)
    """The window failed sign-ins are counted in."""
    sign_in_lockout_minutes: float = Field(default=15.0, gt=0)
    """How long a lockout lasts, unless ``gatehouse users unlock`` lifts it sooner."""
    log_format: Literal["json", "text"] | None = None
    """How the long-running commands log: ``json`` (one JSON object a line, with the ids of
    the message being handled) or ``text``; absent means json for ``serve`` and ``worker``,
    text for ``demo``."""
    worker_metrics_port: int = Field(default=9464, ge=0, le=65535)
    """Port each ``gatehouse worker`` process serves its Prometheus ``/metrics`` on; 0 means
    none."""
    worker_metrics_host: str = "0.0.0.0"
    """Address the worker's ``/metrics`` listens on."""

    @field_validator("identity_rules")
    @classmethod
    def _known_rules(cls, rules: dict[str, float]) -> dict[str, float]:
        try:
            MatchRules(**rules)  # type: ignore[arg-type]
        except TypeError as error:
            known = ", ".join(sorted(MatchRules.__dataclass_fields__))
            raise ValueError(f"{error}; identity rules are: {known}") from error
        return rules

    @property
    def detail_url_base(self) -> str:
        """Where ``detailUrl`` points: ``public_url``, else the address ``serve`` listens on."""
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def match_rules(self) -> MatchRules:
        return MatchRules(**self.identity_rules)  # type: ignore[arg-type]

    @field_validator("delay_tiers_ms")
    @classmethod
    def _tiers_positive(cls, tiers: tuple[int, ...]) -> tuple[int, ...]:
        if not tiers or any(t <= 0 for t in tiers):
            raise ValueError("delay tiers must be positive milliseconds, at least one")
        return tiers

    @property
    def store_url(self) -> str:
        url = self.database_url or f"sqlite:///{(self.data_dir / 'gatehouse.sqlite3').resolve()}"
        return with_tls(
            url,
            sslmode=self.database_sslmode,
            sslrootcert=self.database_sslrootcert,
            sslcert=self.database_sslcert,
            sslkey=self.database_sslkey,
        )

    @property
    def broker_tls(self) -> BrokerTls | None:
        files = (self.broker_ca_file, self.broker_cert_file, self.broker_key_file)
        if all(f is None for f in files):
            return None
        return BrokerTls(*files)

    @property
    def embedded_queue_path(self) -> Path:
        return self.data_dir / "queues.sqlite3"

    @property
    def uses_embedded_transport(self) -> bool:
        return not self.broker_url

    @property
    def sign_in_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            max_failures=self.sign_in_max_failures,
            max_failures_per_address=self.sign_in_max_failures_per_address,
            window=timedelta(minutes=self.sign_in_window_minutes),
            lockout=timedelta(minutes=self.sign_in_lockout_minutes),
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(delay_tiers_ms=self.delay_tiers_ms, max_attempts=self.max_attempts)

    def describe(self) -> dict[str, str]:
        """Where the hub keeps things, without secrets (for start-up logs)."""
        return {
            "store": _without_password(self.store_url),
            "transport": ",".join(_without_password(u) for u in self.broker_url.split(","))
            if self.broker_url
            else f"embedded ({self.embedded_queue_path})",
            "namespace": self.namespace,
        }


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
