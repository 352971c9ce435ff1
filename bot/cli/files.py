"""Files the CLI writes with pupil-related content: created new, readable by the operator only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO


def open_new(path: Path) -> TextIO:
    """Open ``path`` for writing text only if no file has that name yet, with mode 0600.

    O_EXCL: never overwrite a file, even one created since an earlier check.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "w", newline="", encoding="utf-8")


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` only if no file has that name yet, with mode 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
