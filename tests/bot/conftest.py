"""The ``cli`` fixture: ``veilig`` on a fresh database of each backend."""

from __future__ import annotations

import pytest

from tests.bot.helpers import Cli
from tests.conftest import TEST_SECRET


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    monkeypatch.setenv("VEILIG_DATABASE_URL", database_url)
    monkeypatch.setenv("VEILIG_SECRET_KEY", TEST_SECRET.decode())
    return Cli(capsys, database_url)
