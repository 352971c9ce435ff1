"""The examples in the analytics docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "analytics.intervals",
    "analytics.scales",
    "analytics.prevalence",
    "analytics.reliability",
    "analytics.representativeness",
    "analytics.comparison",
    "analytics.suppression",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.attempted > 0
    assert result.failed == 0
