from __future__ import annotations

import stat
from pathlib import Path

import pytest

from veilig.errors import ConfigurationError
from veilig.settings import load_settings

GOOD_KEY = "k" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "VEILIG_DATABASE_URL",
        "VEILIG_SECRET_KEY",
        "VEILIG_DATA_DIR",
        "VEILIG_PUBLIC_URL",
        "VEILIG_WEBHOOK_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_embedded_default_lives_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VEILIG_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.url == f"sqlite+aiosqlite:///{tmp_path / 'veilig.db'}"
    assert settings.embedded


def test_secret_is_made_once_with_mode_0600(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VEILIG_DATA_DIR", str(tmp_path / "data"))
    first = load_settings().secret_key_bytes()
    assert load_settings().secret_key_bytes() == first
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.chmod(0o644)
    with pytest.raises(ConfigurationError, match="can be read by others"):
        load_settings().secret_key_bytes()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_plain_schemes_get_the_async_driver(
    monkeypatch: pytest.MonkeyPatch, url: str, expected: str
) -> None:
    monkeypatch.setenv("VEILIG_DATABASE_URL", url)
    monkeypatch.setenv("VEILIG_SECRET_KEY", GOOD_KEY)
    assert load_settings().url == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VEILIG_DATABASE_URL": "mysql://h/db"}, "VEILIG_DATABASE_URL: unknown scheme 'mysql'"),
        (
            {"VEILIG_DATABASE_URL": "nonsense"},
            "VEILIG_DATABASE_URL: 'nonsense' is not a database URL",
        ),
        ({"VEILIG_DATABASE_URL": "postgresql://h/db"}, "VEILIG_SECRET_KEY is not set"),
        ({"VEILIG_SECRET_KEY": "short"}, "VEILIG_SECRET_KEY: is shorter than 32 characters"),
    ],
)
def test_bad_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message) as caught:
        load_settings()
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_the_public_url_of_the_web_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().chat_url == "http://127.0.0.1:8080/"
    monkeypatch.setenv("VEILIG_PUBLIC_URL", " https://chat.example.nl ")
    assert load_settings().chat_url == "https://chat.example.nl/"
    monkeypatch.setenv("VEILIG_PUBLIC_URL", "chat.example.nl")
    with pytest.raises(ConfigurationError, match=r"VEILIG_PUBLIC_URL: .* is not a web address"):
        load_settings()


def test_telegram_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILIG_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("VEILIG_TELEGRAM_API", "http://127.0.0.1:8081/")
    monkeypatch.setenv("VEILIG_TELEGRAM_BOT_USERNAME", "@veilig_bot")
    settings = load_settings()
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == "123:abc"
    assert settings.telegram_api == "http://127.0.0.1:8081"
    assert settings.deep_link("K7Q-FM3-XAP") == "https://t.me/veilig_bot?start=K7Q-FM3-XAP"
    assert load_settings(telegram_bot_username="").deep_link("x") is None
    assert load_settings().webhook_url == ""


def test_a_webhook_needs_its_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILIG_WEBHOOK_URL", "https://bot.example.nl/telegram")
    with pytest.raises(ConfigurationError, match="VEILIG_WEBHOOK_SECRET is not set"):
        load_settings()
    with pytest.raises(ConfigurationError, match="VEILIG_WEBHOOK_SECRET: must be 1-256"):
        load_settings(webhook_secret="not allowed!")
    assert load_settings(webhook_secret="s3cret_token-1").webhook_secret is not None
