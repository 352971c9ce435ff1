"""Fixtures shared by the flows tests; participant scripts and shared item lists are in
:mod:`tests.flows.participant`."""

from __future__ import annotations

import pytest

from flows.loader import load_questionnaire
from flows.model import Questionnaire


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    """The packaged pupil questionnaire (loaded once per process anyway)."""
    return load_questionnaire()
