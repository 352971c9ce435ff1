"""Files the command line writes: whole or not at all, new unless asked, never through a link.

Every output is first written to a temporary file in its target folder (created exclusively,
mode 0600, so a planted name cannot redirect it), flushed to disk, and only then given its
name: with a hard link, which fails if the name exists, or, when the operator asked to replace
(``--force``), with a rename, which replaces a file but never writes into what a symbolic link
points to. A set of files (a report and its charts) is put in place together: if one cannot
be, none stays. A full disk, an unwritable folder or a name that is a folder is one clear
error, with nothing half-written left behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from veilig.errors import InvalidInput


def open_new(path: Path) -> TextIO:
    """Open ``path`` for writing text only if no file has that name yet, with mode 0600.

    O_EXCL: never overwrite a file, even one created since an earlier check; O_NOFOLLOW:
    never write through a symbolic link.
    """
    refuse_link(path)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise InvalidInput(f"{path} exists already; choose a new file name") from None
    except OSError as exc:
        raise cannot_write(path, exc) from None
    return os.fdopen(descriptor, "w", newline="", encoding="utf-8")


def refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise InvalidInput(
            f"{path} is a symbolic link; veilig writes its files only under their own name: "
            "give another name"
        )


def check_targets(paths: list[Path], *, force: bool) -> None:
    """Refuse, before any work, names that are links or folders, or files that exist (unless
    ``force``), and folders that do not exist."""
    for path in paths:
        refuse_link(path)
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder; give a file name")
        if path.exists() and not force:
            raise InvalidInput(
                f"{path} exists already; choose a new name, or pass --force to replace it"
            )
        if not path.parent.is_dir():
            raise InvalidInput(f"folder {path.parent} does not exist; create it first")


def write_all(files: Mapping[Path, bytes], *, force: bool = False) -> list[Path]:
    """Write every file whole, then give each its name (see the module docstring); returns
    the paths written. On any failure none of them stays."""
    check_targets(list(files), force=force)
    temporary: dict[Path, Path] = {}
    placed: list[Path] = []
    try:
        for path, data in files.items():
            temporary[path] = _written(path, data)
        for path, source in temporary.items():
            _place(source, path, force=force)
            placed.append(path)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    finally:
        for source in temporary.values():
            source.unlink(missing_ok=True)
    return placed


def _written(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``path``, flushed to disk."""
    try:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    except OSError as exc:
        raise cannot_write(path, exc) from None
    source = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        source.unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    return source


def _place(source: Path, path: Path, *, force: bool) -> None:
    try:
        if force:
            os.replace(source, path)
        else:
            os.link(source, path)
    except FileExistsError:
        raise InvalidInput(f"{path} exists already; choose a new name") from None
    except OSError as exc:
        raise cannot_write(path, exc) from None


def cannot_write(path: Path, exc: OSError) -> InvalidInput:
    """What a failed write says: the file, the reason, and that nothing was written."""
    return InvalidInput(f"cannot write {path}: {exc.strerror or exc}; nothing was written")
