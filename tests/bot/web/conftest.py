"""The web chat's app on the service context of each backend, behind aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.service.context import Context
from bot.web.app import make_app
from tests.bot.service import conftest as service

# The application layer's fixtures: a context on each backend, a school with an open round.
ctx = service.ctx
school = service.school


@asynccontextmanager
async def web_client(context: Context) -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(make_app(context))) as client:
        yield client


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[TestClient[object, object]]:
    async with web_client(ctx) as made:
        yield made
