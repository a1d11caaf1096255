"""One typed settings object, loaded once and validated fail-fast."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that appear in tutorials and sample files; refusing them stops copy-paste deployments.
KNOWN_DEFAULT_SECRETS = frozenset(
    {"", "secret", "changeme", "change-me", "changethis", "dev", "development", "test", "password",
     "wangan", "your-secret-key", "supersecret", "insecure"}
)
MIN_SECRET_LENGTH = 32
SECRET_FILE_NAME = "secret_key"


class ConfigError(Exception):
    """Start-up configuration is wrong; the message names the variable or file."""


class Settings(BaseSettings):
    """All of wangan's settings. Every field can be set with a ``WANGAN_`` environment variable."""

    model_config = SettingsConfigDict(env_prefix="WANGAN_", extra="ignore")

    data_dir: Path = Path("./wangan-data")
    database_url: str | None = None
    secret_key: SecretStr | None = None
    rules_dir: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    instance_name: str = "wangan"
    demo: bool = False
    # Art. 10 scope: this instance is a public platform collecting vulnerabilities in products that are
    # not its operator's own. Intake then needs a recorded MIIT filing, and case reads are logged (Art. 11).
    collection_platform: bool = False

    # First administrator, created on first start when no user exists.
    admin_email: str = "admin@example.org"
    admin_password: SecretStr | None = None

    # security.txt (RFC 9116) and the public intake channel (Art. 5).
    security_contact: str = "mailto:security@example.org"
    security_policy_url: str | None = None
    security_languages: str = "zh, en"
    security_txt_expires_days: int = Field(default=180, ge=1, le=366)
    intake_rate_per_minute: int = Field(default=10, ge=1)
    intake_max_text_bytes: int = Field(default=200_000, ge=1000)
    intake_max_attachment_bytes: int = Field(default=5_000_000, ge=1000)
    intake_max_attachments: int = Field(default=5, ge=0)
    intake_allowed_types: str = (
        "text/plain,application/pdf,image/png,image/jpeg,application/json,application/zip"
    )

    # Deadline reminders and notifications.
    reminder_lead_hours: str = "24,4,1"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "wangan@localhost"
    smtp_starttls: bool = False
    webhook_urls: str = ""
    webhook_secret: SecretStr | None = None
    # Where the webhook receivers sit, for PUB-7; unset means unknown, which the gate treats as overseas.
    webhook_jurisdiction: Literal["domestic", "overseas"] | None = None
    # 12 attempts with doubling backoff keep retrying for about 5 hours, well inside a 48 h clock.
    outbox_max_attempts: int = Field(default=12, ge=1)
    worker_poll_seconds: float = Field(default=5.0, gt=0)

    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    env: Literal["production", "development", "test"] = "production"

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'wangan.sqlite3').resolve()}"

    @cached_property
    def resolved_rules_dir(self) -> Path:
        if self.rules_dir is not None:
            return self.rules_dir
        # The versioned rules live at the repository root (``rules/``) beside ``src/``.
        return Path(__file__).resolve().parents[2] / "rules"

    @property
    def lead_hours(self) -> list[float]:
        try:
            values = sorted({float(v) for v in self.reminder_lead_hours.split(",") if v.strip()},
                            reverse=True)
        except ValueError as exc:
            raise ConfigError(
                f"WANGAN_REMINDER_LEAD_HOURS must be comma-separated numbers, got "
                f"{self.reminder_lead_hours!r}"
            ) from exc
        return values

    @property
    def webhook_url_list(self) -> list[str]:
        return [u.strip() for u in self.webhook_urls.split(",") if u.strip()]

    @property
    def allowed_types(self) -> set[str]:
        return {t.strip() for t in self.intake_allowed_types.split(",") if t.strip()}

    def secret(self) -> str:
        """The signing secret: from ``WANGAN_SECRET_KEY`` or the owner-only file in the data folder."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if value.strip().lower() in KNOWN_DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    "WANGAN_SECRET_KEY is a known default or shorter than "
                    f"{MIN_SECRET_LENGTH} characters; set a random value or unset it to let "
                    "wangan generate one in the data folder"
                )
            return value
        path = self.data_dir / SECRET_FILE_NAME
        if path.exists():
            value = path.read_text(encoding="utf-8").strip()
            if value.lower() in KNOWN_DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH:
                raise ConfigError(f"{path} holds a known default or too short a secret; delete it")
            return value
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        # Created owner-only from the start so the secret is never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        return value


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (plus explicit overrides) and validate them."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except Exception as exc:  # pydantic names the variable; re-raise as our start-up error
        raise ConfigError(f"invalid settings: {exc}") from exc
    settings.lead_hours  # noqa: B018 - validates WANGAN_REMINDER_LEAD_HOURS at start
    return settings
