"""The project's one exception hierarchy.

Every error raised on purpose by veilig's own code is a ``VeiligError``; library exceptions
(SQLAlchemy, asyncpg, YAML, pydantic) are converted at the edge where they enter. Each message
says what happened and what to do, so the command line and the chat can show it as it is::

    VeiligError
    ├── ConfigurationError      a setting is missing or malformed (the CLI exits with 2)
    ├── InvalidInput            a value a person typed is not acceptable (exit 1)
    │   └── CsvImportError      one or more rows of an import file are bad
    ├── NotAllowed              the actor may not do this (another school, a revoked coordinator)
    ├── QuestionnaireError      a questionnaire file or catalogue is invalid
    └── StorageError            the database refused or could not be reached
        ├── DatabaseUnavailable the server cannot be reached or the URL is wrong (exit 2)
        ├── DatabaseBusy        every connection is in use: try again in a moment
        ├── NotFound            a school, group, round or code that does not exist
        ├── AlreadyExists       a second school, group or round where only one may be
        └── Conflict            the action does not fit the current state (a closed round...)
"""

from __future__ import annotations


class VeiligError(Exception):
    """Base of every error veilig raises on purpose; its message is meant for people."""

    exit_code = 1


class ConfigurationError(VeiligError):
    """A setting is missing or malformed; the message names the setting."""

    exit_code = 2


class InvalidInput(VeiligError):
    """A value given by a person is not acceptable; the message says what would be."""


class CsvImportError(InvalidInput):
    """Rows of an import file are bad; ``problems`` holds one line per bad row."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"{path}: {count} {noun}, nothing was imported; fix the file and run the import again"
        )


class NotAllowed(VeiligError):
    """The actor may not do this action at this school; says whom to ask."""


class QuestionnaireError(VeiligError):
    """A questionnaire file or translation catalogue is invalid; names the file and item."""


class StorageError(VeiligError):
    """The database refused an operation or could not be reached."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached with the configured URL."""

    exit_code = 2


class DatabaseBusy(StorageError):
    """Every database connection of this process stayed in use too long (overload)."""


class NotFound(StorageError):
    """The school, group, round or code asked for does not exist."""


class AlreadyExists(StorageError):
    """Something that must be unique exists already."""


class Conflict(StorageError):
    """The action does not fit the current state, e.g. codes for a closed round."""
