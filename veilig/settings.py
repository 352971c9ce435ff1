"""The one settings object, read from ``VEILIG_*`` environment variables.

Built once in ``main()`` with :func:`load_settings` and passed down. Reading the environment is
the only thing construction does; the secret file in the data dir is read or made by
:meth:`Settings.secret_key_bytes`, which only commands that open the database call.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from veilig.errors import ConfigurationError

ENV_PREFIX = "VEILIG_"
KEY_FILE_NAME = "secret.key"
MIN_SECRET_LENGTH = 32
HOW_TO_MAKE_A_KEY = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"

TELEGRAM_API = "https://api.telegram.org"
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

# Schemes people type, mapped to the async driver veilig uses for them.
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class Settings(BaseSettings):
    """All of veilig's configuration; see the README for the table of settings."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path(".veilig"),
        description="Where the embedded database, the secret and generated files live.",
    )
    database_url: str = Field(
        default="",
        description="sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db; "
        "empty means the embedded SQLite database in the data dir.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key for pseudonyms (HMAC of codes and chat identities); at least 32 "
        "characters. Generated in the data dir on the embedded default.",
    )

    public_url: str = Field(
        default="",
        description="The web chat's address as pupils reach it (printed on the code slips); "
        "empty means http://127.0.0.1:8080/, the address of a local `veilig serve`.",
    )

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not a web address; use https://chat.example.nl/")
        if value and not value.endswith("/"):
            value += "/"
        return value

    @property
    def chat_url(self) -> str:
        """The web chat's address for slips and QR codes, ending in ``/``."""
        return self.public_url or "http://127.0.0.1:8080/"

    telegram_token: SecretStr | None = Field(
        default=None, description="The bot's token from @BotFather; no token, no Telegram bot."
    )
    telegram_api: str = Field(
        default=TELEGRAM_API,
        description="Base URL of the Bot API server: Telegram's, a self-hosted one, or the "
        "local emulator in tests.",
    )
    telegram_bot_username: str = Field(
        default="",
        description="The bot's username (without @), for deep links printed by the command line.",
    )
    webhook_url: str = Field(
        default="",
        description="Public HTTPS URL Telegram posts updates to; empty means long polling.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; required with "
        "a webhook (1-256 characters of A-Z a-z 0-9 _ -).",
    )

    @field_validator("telegram_api", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _username(cls, value: str) -> str:
        return value.strip().removeprefix("@")

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule)")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        scheme, sep, rest = value.partition("://")
        if not sep or not rest:
            raise ValueError(
                f"{value!r} is not a database URL; use sqlite+aiosqlite:///path/veilig.db "
                "or postgresql+asyncpg://user@host:5432/dbname"
            )
        driver = _DRIVERS.get(scheme.lower())
        if driver is None:
            raise ValueError(
                f"unknown scheme {scheme!r}; use sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return f"{driver}://{rest}"

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < MIN_SECRET_LENGTH:
            raise ValueError(f"is shorter than {MIN_SECRET_LENGTH} characters; {HOW_TO_MAKE_A_KEY}")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "VEILIG_WEBHOOK_SECRET is not set; a webhook without it would accept updates "
                "from anyone. Set it to a random string of A-Z a-z 0-9 _ -"
            )
        return self

    @model_validator(mode="after")
    def _server_needs_secret(self) -> Settings:
        if self.backend is Backend.POSTGRESQL and self.secret_key is None:
            raise ValueError(
                "VEILIG_SECRET_KEY is not set; with PostgreSQL veilig refuses to start "
                f"without it. {HOW_TO_MAKE_A_KEY[0].upper()}{HOW_TO_MAKE_A_KEY[1:]}, "
                "put it in VEILIG_SECRET_KEY and keep it safe: codes and pseudonyms depend on it"
            )
        return self

    @property
    def url(self) -> str:
        """The database URL in effect: the configured one or the embedded default."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'veilig.db'}"

    @property
    def backend(self) -> Backend:
        return Backend.POSTGRESQL if self.url.startswith("postgresql") else Backend.SQLITE

    @property
    def embedded(self) -> bool:
        """True when running on the default database, which upgrades itself at start."""
        return not self.database_url

    def deep_link(self, payload: str) -> str | None:
        """``https://t.me/<bot>?start=<payload>`` when the bot's username is configured."""
        if not self.telegram_bot_username:
            return None
        return f"https://t.me/{self.telegram_bot_username}?start={payload}"

    def secret_key_bytes(self) -> bytes:
        """The pseudonymisation key; on SQLite made once in the data dir with mode 0600."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().strip().encode()
        return _read_or_make_secret(self.data_dir / KEY_FILE_NAME)


def _read_or_make_secret(path: Path) -> bytes:
    if path.parent.exists() and not path.parent.is_dir():
        raise ConfigurationError(
            f"VEILIG_DATA_DIR: {path.parent} is a file, not a folder; point it at a folder"
        )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    except OSError as exc:
        raise ConfigurationError(
            f"VEILIG_DATA_DIR: cannot create {path}: {exc.strerror}; choose a writable directory"
        ) from exc
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"VEILIG_SECRET_KEY: {path} can be read by others (mode {mode:o}); "
            f"run: chmod 600 {path}"
        )
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"VEILIG_SECRET_KEY: {path} holds no usable key (under {MIN_SECRET_LENGTH} "
            "characters); restore it from your backup"
        )
    return key.encode()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment; bad values end in one ``ConfigurationError``."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = error["loc"][0] if error["loc"] else ""
        name = f"{ENV_PREFIX}{str(location).upper()}: " if location else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{name}{message}") from None
