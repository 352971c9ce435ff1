"""``veilig questionnaire``: lint, show and try the questionnaires; manage the catalogues.

``lint`` checks every questionnaire file and every enabled language's catalogue; ``show``
prints a band as pupils see it; ``try`` walks it in the terminal as a pupil would, through
the pupils' use case on a scratch database. ``catalogue update`` and
``catalogue add`` are the translators' tools: they write ``flows/locales``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from flows import catalogues, engine
from flows.bands import AgeBand, parse_band
from flows.i18n import DOMAIN, Language, enabled_languages, language, languages
from flows.loader import (
    DEFAULT_QUESTIONNAIRE_ID,
    available_questionnaires,
    load_questionnaire,
)
from flows.model import Questionnaire
from flows.render import render, render_preview
from flows.steps import Notice, SchoolContext, Text
from veilig.errors import InvalidInput, QuestionnaireError

app = typer.Typer(help="Check, print and try the questionnaires.", no_args_is_help=True)
catalogue_app = typer.Typer(
    help="Translation catalogues: update them after a text change, or add a language.",
    no_args_is_help=True,
)
app.add_typer(catalogue_app, name="catalogue")

BandOption = Annotated[str, typer.Option("--band", help="Age band: po, vo or so.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language code, e.g. nl or en.")]
QuestionnaireOption = Annotated[
    str, typer.Option("--questionnaire", "-q", help="Questionnaire id.")
]
ContactOption = Annotated[
    str | None,
    typer.Option("--contact", help="The school's support contact, as on the school record."),
]
LocalesOption = Annotated[
    Path | None,
    typer.Option("--locales", help="The locales folder (default: the one in flows/)."),
]


@dataclass(frozen=True, slots=True)
class _Chosen:
    """What ``show`` and ``try`` were asked for, checked: questionnaire, band, language."""

    q: Questionnaire
    band: AgeBand
    lang: Language
    school: SchoolContext


def _chosen(band: str, lang: str, questionnaire: str, contact: str | None) -> _Chosen:
    """The options of ``show`` and ``try``, parsed; a bad one is a one-line error."""
    chosen_band = parse_band(band)
    found = language(lang)
    if found is None:
        valid = ", ".join(choice.code for choice in enabled_languages())
        raise InvalidInput(f"language {lang!r} is not enabled; use one of {valid}")
    q = load_questionnaire(questionnaire)
    return _Chosen(q, chosen_band, found, SchoolContext(support_contact=contact))


def _status(lang: Language) -> str:
    """How a language is marked for staff: draft, right-to-left."""
    marks = ["draft translation, not yet checked by a native speaker"] if lang.draft else []
    marks += ["right-to-left"] if lang.rtl else []
    return f" ({'; '.join(marks)})" if marks else ""


def _draft_warnings() -> list[str]:
    return [
        f"warning: {lang.code} ({lang.name}) is a draft translation: pupils can choose it and "
        "are told it is new; after a native speaker has checked every string, set "
        "draft: false in flows/data/languages.yaml"
        for lang in enabled_languages()
        if lang.draft
    ]


@app.command()
def lint() -> None:
    """Check every questionnaire and every enabled language; exit 1 listing the problems."""
    problems: list[str] = []
    items = 0
    ids = available_questionnaires()
    for questionnaire_id in ids:
        try:
            items += sum(1 for _ in load_questionnaire(questionnaire_id).items())
        except QuestionnaireError as error:
            lines = str(error).splitlines()
            problems += [line.strip() for line in lines[1:]] or lines
    if not problems:
        problems += catalogues.missing_translations()
    for line in (*problems, *_draft_warnings()):
        typer.echo(line)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    enabled = enabled_languages()
    drafts = [lang.code for lang in enabled if lang.draft]
    typer.echo(
        f"OK: {len(ids)} questionnaire(s), {items} items, {len(enabled)} languages enabled "
        f"({', '.join(lang.code for lang in enabled)}; drafts needing a native reviewer: "
        f"{', '.join(drafts) or 'none'}), {len(catalogues.template())} strings each"
    )


def _band_command(name: str) -> Callable[[Callable[[_Chosen], None]], Callable[[_Chosen], None]]:
    """Register an action as command ``name`` with the options ``show`` and ``try`` share.

    The options are declared and parsed once, here; the action gets them checked.
    """

    def register(action: Callable[[_Chosen], None]) -> Callable[[_Chosen], None]:
        def command(
            band: BandOption,
            lang: LangOption = "nl",
            questionnaire: QuestionnaireOption = DEFAULT_QUESTIONNAIRE_ID,
            contact: ContactOption = None,
        ) -> None:
            action(_chosen(band, lang, questionnaire, contact))

        command.__doc__ = action.__doc__
        app.command(name=name)(command)
        return action

    return register


@_band_command("show")
def show(chosen: _Chosen) -> None:
    """Print a band's questionnaire as a pupil sees it, conditions marked, support card too."""
    q = chosen.q
    screens = engine.preview(q, chosen.band, chosen.lang.code, chosen.school)
    where = f"band {chosen.band.value} · {chosen.lang.code}{_status(chosen.lang)}"
    typer.echo(f"# {q.id} {q.version[:12]} · {where}")
    typer.echo("")
    typer.echo(render_preview(q, screens))


@_band_command("try")
def try_(chosen: _Chosen) -> None:
    """Answer the questionnaire in the terminal as a pupil would (Ctrl-D ends).

    Every line goes through the pupils' use case on a scratch database, the path a chat
    message takes; the stored answers are printed at the end.
    """
    from bot.service.trial import trial

    asyncio.run(_try(chosen, trial))


async def _try(chosen: _Chosen, trial: Callable[..., Any]) -> None:
    contact = chosen.school.support_contact
    async with trial(chosen.band.value, chosen.lang.code, chosen.q.id, contact) as pupil:
        typer.echo(render(pupil.first.step))
        for line in sys.stdin:
            turn = await pupil.answer(Text(line.rstrip("\n")))
            typer.echo("")
            typer.echo(render(turn.step))
            # Switching language at the end shows the outro again: go on reading input.
            if turn.completed and not _switched_language(turn.step):
                break
        stored = await pupil.stored()
    typer.echo("")
    typer.echo(f"answers: {json.dumps(stored, ensure_ascii=False, sort_keys=True)}")


def _switched_language(step: object) -> bool:
    return isinstance(step, Notice)


@catalogue_app.command("update")
def catalogue_update(locales: LocalesOption = None) -> None:
    """Rewrite the template (.pot) and bring every language's .po in line with the texts."""
    folder = locales or _default_locales()
    source = catalogues.template()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{DOMAIN}.pot").write_bytes(catalogues.po_bytes(source))
    updated = []
    for lang in languages()[1:]:
        path = folder / lang.code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            continue
        current = catalogues.read_po(path.read_bytes(), lang.code)
        path.write_bytes(catalogues.po_bytes(catalogues.updated_catalogue(current, source)))
        updated.append(lang.code)
    typer.echo(
        f"wrote {folder / (DOMAIN + '.pot')} ({len(source)} strings); "
        f"updated: {', '.join(updated) or 'none'}; now translate the empty msgstr entries "
        "and run `veilig questionnaire lint`"
    )


@catalogue_app.command("add")
def catalogue_add(code: str, locales: LocalesOption = None) -> None:
    """Start a catalogue for a new language (e.g. ``uk``) with every string to translate."""
    folder = locales or _default_locales()
    path = folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        raise InvalidInput(f"{path} exists already; use `veilig questionnaire catalogue update`")
    try:
        catalog = catalogues.new_catalogue(code, catalogues.template())
    except (ValueError, LookupError) as error:
        raise InvalidInput(f"language code {code!r} is not known to babel ({error})") from error
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(catalogues.po_bytes(catalog))
    typer.echo(
        f"wrote {path}; translate every msgstr, then add {code} to flows/data/languages.yaml "
        "with draft: true until a native speaker has checked it"
    )


def _default_locales() -> Path:
    import flows

    return Path(flows.__file__).parent / "locales"
