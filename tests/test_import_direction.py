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
FORBIDDEN: dict[str, set[str]] = {
    "flows": IO_LIBRARIES | {"storage", "bot", "analytics"},
    "storage": {"bot", "analytics", "aiogram", "aiohttp", "pandas"},
    "analytics": {"bot", "aiogram", "aiohttp"},
    "veilig": {"flows", "storage", "analytics", "bot"},
}


def imported_roots(source: str) -> set[str]:
    """The top-level names a module imports (relative imports stay inside the package)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
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
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / package).rglob("*.py"))
    }


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    found = sources(package)
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
