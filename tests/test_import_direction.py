"""Imports point one way: pure code never reaches for the I/O of other layers.

Every ``.py`` under flows/, storage/, analytics/, bot/ and veilig/ is parsed with ``ast``;
``import x.y`` and ``from x.y import z`` count, at any depth (also inside functions and
``if TYPE_CHECKING``), because a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IO_LIBRARIES = {"aiogram", "aiohttp", "sqlalchemy", "alembic", "asyncpg", "aiosqlite", "pandas"}
# Adapters (the command line and the chat channels) translate and nothing more: they reach
# storage and analytics only through the application layer, bot.service.
ADAPTER = {"storage", "analytics", "sqlalchemy", "pandas", "alembic"}
FORBIDDEN: dict[str, set[str]] = {
    "flows": IO_LIBRARIES | {"storage", "bot", "analytics"},
    "storage": {"bot", "analytics", "aiogram", "aiohttp", "pandas"},
    "analytics": {"bot", "aiogram", "aiohttp"},
    "veilig": {"flows", "storage", "analytics", "bot"},
    "bot/service": {"aiogram", "aiohttp", "bot.cli", "bot.web", "bot.telegram"},
    "bot/cli": ADAPTER | {"bot.web", "bot.telegram"},
    "bot/web": ADAPTER | {"bot.cli", "bot.telegram", "aiogram"},
    "bot/telegram": ADAPTER | {"bot.cli", "bot.web"},
    # The serving process composes the channels; like them, it reaches data only through
    # the application layer.
    "bot/serve.py": ADAPTER | {"bot.cli"},
}


def imported_roots(source: str) -> set[str]:
    """The names a module imports, each as its top-level name and, for ``bot``, also its
    second level (``bot.cli``), so that one adapter may be told apart from another."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            roots.add(parts[0])
            if parts[0] == "bot" and len(parts) > 1:
                roots.add(".".join(parts[:2]))
    return roots


def violations(package: str, files: dict[str, str]) -> list[str]:
    """``path: imports x`` for every forbidden import in ``files`` (path -> source)."""
    banned = FORBIDDEN[package]
    return [
        f"{path}: imports {name}"
        for path, source in sorted(files.items())
        for name in sorted(imported_roots(source) & banned)
    ]


def sources(package: str) -> dict[str, str]:
    root = ROOT / package
    paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in paths}


# Channels not written yet are checked as soon as they exist.
NOT_YET = {"bot/web", "bot/telegram"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    found = sources(package)
    if not found and package in NOT_YET:
        return
    assert found, f"{package}/ has no Python files; is ROOT right?"
    assert violations(package, found) == []


def test_the_checker_catches_forbidden_imports() -> None:
    snippet = """
import json
import sqlalchemy.orm
from aiogram import Bot
from storage.models import Answer
from .model import Item

def later():
    import pandas as pd
"""
    assert violations("flows", {"flows/bad.py": snippet}) == [
        "flows/bad.py: imports aiogram",
        "flows/bad.py: imports pandas",
        "flows/bad.py: imports sqlalchemy",
        "flows/bad.py: imports storage",
    ]
    assert violations("veilig", {"veilig/x.py": "from flows import engine\n"}) == [
        "veilig/x.py: imports flows"
    ]
    adapter = "from bot.service import pupils\nfrom storage.repositories import answers\n"
    assert violations("bot/cli", {"bot/cli/x.py": adapter}) == ["bot/cli/x.py: imports storage"]
    climb = "def f():\n    from bot.cli.runtime import OPERATOR\n"
    assert violations("bot/service", {"bot/service/x.py": climb}) == [
        "bot/service/x.py: imports bot.cli"
    ]
