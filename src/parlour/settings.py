"""Server settings: one typed object read from environment variables (`PARLOUR_*`).

Business policy (per account) lives in database rows, never here. Every field is listed in the
README; `parlour settings` is not needed because `--help` of each command names what it reads.
"""

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLOUR_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    database_url: str = "sqlite+aiosqlite:///./var/parlour.db"
    # Needed to run several server processes: Redis carries events between them.
    redis_url: str | None = None
    redis_channel: str = "parlour:events"
    realtime_resync_seconds: float = Field(default=2.0, gt=0)
    # With Redis: how often each process says it is alive; one silent for three times this is
    # taken as gone, and the customers connected to it as offline.
    presence_beat_seconds: float = Field(default=5.0, gt=0)
    # Encrypts stored API-key and signing-key secrets (they must be recoverable to verify JWTs).
    secret_key: str = DEV_SECRET_KEY
    public_url: str | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"
    max_body_bytes: int = Field(default=100 * 1024, ge=1024)
    # Attachment uploads: the server-wide cap on one upload (accounts set lower limits) and where
    # the files are kept.
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    data_dir: str = "var"
    run_jobs: bool = True
    job_poll_seconds: float = Field(default=0.5, gt=0)
    # Under load the worker's rounds start at least this far apart, so that one fan-out takes the
    # events of many commits (jobs/worker.py); an idle worker that is woken starts at once.
    worker_batch_seconds: float = Field(default=0.05, ge=0, le=5)
    job_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)
    # Webhook targets on loopback, private or link-local addresses are refused (an account must
    # not make the server call its own network); an operator whose receivers live there allows it.
    webhooks_allow_private_targets: bool = False
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    ws_heartbeat_seconds: float = Field(default=25.0, gt=0)
    ws_heartbeat_timeout_seconds: float = Field(default=60.0, gt=0)
    # Optional OpenAI-compatible endpoint (base URL ending in /v1) that rephrases the AI agent's
    # article answers, grounded in the retrieved articles. Off when unset; never needed offline.
    llm_url: str | None = None
    llm_model: str = "default"
    llm_api_key: str | None = None
    llm_timeout_seconds: float = Field(default=8.0, gt=0, le=60)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> "Settings":
        if self.env == "production" and (self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32):
            raise ValueError(
                "PARLOUR_SECRET_KEY must be set to a random value of at least 32 characters "
                "when PARLOUR_ENV=production"
            )
        return self

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
