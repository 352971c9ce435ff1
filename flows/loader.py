"""Reading questionnaire files into validated, versioned models.

Packaged questionnaires live in ``flows/questionnaires/<id>.yaml`` and are read through
``importlib.resources``; adding a questionnaire (e.g. one for staff) is adding a file there.
A bad file fails at load with one :class:`~veilig.errors.QuestionnaireError` that names the
file, the item id (or other place) and what is wrong, for every problem found.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flows.model import Questionnaire
from flows.validation import problems
from flows.version import version_of
from veilig.errors import QuestionnaireError

DEFAULT_QUESTIONNAIRE_ID = "veilig-leerlingen"
_PACKAGE = "flows.questionnaires"
_SUFFIX = ".yaml"
_MAX_LISTED = 20


def available_questionnaires() -> list[str]:
    """The ids of the packaged questionnaires, sorted."""
    folder = resources.files(_PACKAGE)
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in folder.iterdir()
        if entry.name.endswith(_SUFFIX)
    )


def load_questionnaire(questionnaire_id: str = DEFAULT_QUESTIONNAIRE_ID) -> Questionnaire:
    """The packaged questionnaire ``questionnaire_id``, validated (cached per process)."""
    return _load(questionnaire_id)


@functools.cache
def _load(questionnaire_id: str) -> Questionnaire:
    known = available_questionnaires()
    if questionnaire_id not in known:
        raise QuestionnaireError(
            f"there is no questionnaire {questionnaire_id!r}; available: {', '.join(known)}"
        )
    name = f"{questionnaire_id}{_SUFFIX}"
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    questionnaire = parse_questionnaire(text, source=f"flows/questionnaires/{name}")
    if questionnaire.id != questionnaire_id:
        raise QuestionnaireError(
            f"flows/questionnaires/{name}: id {questionnaire.id!r} differs from the file name; "
            "rename the file or change the id"
        )
    return questionnaire


def load_questionnaire_file(path: Path) -> Questionnaire:
    """A questionnaire from any file (used by tests and to check a draft before adding it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QuestionnaireError(f"{path}: cannot be read ({error.strerror})") from error
    return parse_questionnaire(text, source=str(path))


def parse_questionnaire(text: str, source: str) -> Questionnaire:
    """Validate the YAML ``text`` of a questionnaire; ``source`` names it in errors."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise QuestionnaireError(f"{source}:{where} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise QuestionnaireError(f"{source}: expected a mapping with id, sections, ... at the top")
    try:
        questionnaire = Questionnaire.model_validate({**raw, "source": source})
    except ValidationError as error:
        lines = [_describe(raw, detail) for detail in error.errors()]
        raise _error(source, lines) from None
    found = problems(questionnaire)
    if found:
        raise _error(source, [str(problem) for problem in found])
    return questionnaire.model_copy(update={"version": version_of(questionnaire)})


def check_version(questionnaire_id: str, version: str) -> Questionnaire:
    """The questionnaire a round was opened with, or an error if its content has changed.

    A channel calls this with the round's stored ``questionnaire_id`` and
    ``questionnaire_version`` before it shows a question, so that every answer of a round
    is to the same questions. It raises :class:`~veilig.errors.QuestionnaireError` when the
    packaged file's version differs (or the questionnaire is gone).
    """
    questionnaire = load_questionnaire(questionnaire_id)
    if questionnaire.version != version:
        raise QuestionnaireError(
            f"questionnaire {questionnaire_id!r} has changed since this round was opened "
            f"(round: version {version[:12]}, file now: {questionnaire.version[:12]}); "
            "all answers of a round must be to the same questions: restore the file as it was "
            "when the round opened; the change can be used from the next school year's round"
        )
    return questionnaire


def _error(source: str, lines: list[str]) -> QuestionnaireError:
    shown = lines[:_MAX_LISTED]
    more = len(lines) - len(shown)
    tail = f"\n  ... and {more} more" if more else ""
    noun = "problem" if len(lines) == 1 else "problems"
    body = "\n".join(f"  {source}: {line}" for line in shown)
    return QuestionnaireError(f"{source}: {len(lines)} {noun}\n{body}{tail}")


def _describe(raw: dict[str, Any], detail: Any) -> str:
    """One pydantic error as 'item <id>: <field>: <message>' using the raw file's ids."""
    loc = tuple(detail["loc"])
    where = ".".join(str(part) for part in loc)
    node: Any = raw
    item_id: str | None = None
    for depth, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if depth >= 1 and loc[depth - 1] == "items" and isinstance(node, dict):
            item_id = str(node.get("id", f"#{part}"))
            where = ".".join(str(p) for p in loc[depth + 1 :]) or "(item)"
    message = detail["msg"]
    if item_id is not None:
        return f"item {item_id}: {where}: {message}"
    return f"{where}: {message}"
