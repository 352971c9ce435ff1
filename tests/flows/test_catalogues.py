"""Translation catalogues: complete for every enabled language, in line with the texts."""

from __future__ import annotations

from importlib import resources

import pytest
from babel.messages.catalog import Catalog

from flows import catalogues
from flows.i18n import (
    catalogue_text,
    enabled_languages,
    languages,
    mo_bytes,
    source_language,
    translator,
)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogues.template()


def en(template: Catalog) -> Catalog:
    data = catalogue_text("en")
    assert data is not None
    return catalogues.read_po(data, "en")


def test_every_enabled_language_has_every_string() -> None:
    assert catalogues.missing_translations() == []


def test_the_committed_template_is_up_to_date(template: Catalog) -> None:
    committed = resources.files("flows").joinpath("locales", "veilig.pot").read_bytes()
    assert committed == catalogues.po_bytes(template), (
        "run `veilig questionnaire catalogue update` and translate what is new"
    )


def test_languages_and_their_status() -> None:
    listed = {lang.code: lang for lang in languages()}
    assert languages()[0].code == source_language() == "nl"
    assert not listed["en"].draft and listed["en"].enabled
    assert {code for code, lang in listed.items() if lang.draft} == {"tr", "ar", "pl"}
    assert listed["ar"].rtl and not listed["tr"].rtl
    assert {lang.code for lang in enabled_languages()} == {"nl", "en", "tr", "ar", "pl"}


def test_a_missing_string_is_reported(template: Catalog) -> None:
    catalog = en(template)
    first = next(message for message in template if message.id and not message.pluralizable)
    catalog.delete(first.id, first.context)
    problems = catalogues.catalogue_problems(catalog, template)
    assert problems == [f"[{first.context}] {first.id!r}: not translated"]


def test_fuzzy_and_broken_fields_are_reported(template: Catalog) -> None:
    catalog = en(template)
    progress = catalog.get("Vraag {number} van {total}", "ui:progress")
    assert progress is not None
    progress.string = "Question {n} of {total}"
    prefer = catalog.get("Dat zeg ik liever niet", "ui:prefer_not")
    assert prefer is not None
    prefer.flags.add("fuzzy")
    problems = catalogues.catalogue_problems(catalog, template)
    assert any("ui:progress" in p and "differ" in p for p in problems)
    assert any("ui:prefer_not" in p and "fuzzy" in p for p in problems)


def test_a_new_language_starts_with_every_string_to_translate(template: Catalog) -> None:
    catalog = catalogues.new_catalogue("uk", template)
    assert catalog.num_plurals == 3
    problems = catalogues.catalogue_problems(catalog, template)
    assert len(problems) == len([message for message in template if message.id])
    assert all(problem.endswith("not translated") for problem in problems)


def test_contexts_let_equal_dutch_strings_differ(template: Catalog) -> None:
    contexts = {message.context for message in template if message.id == "Ja"}
    assert len(contexts) >= 3  # agreement, frequency (SO), yes/no, ...


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("nl", {1: "Nog 1 vraag", 2: "Nog 2 vragen"}),
        ("en", {1: "1 question to go", 7: "7 questions to go"}),
        ("pl", {1: "Zostało 1 pytanie", 3: "Zostały 3 pytania", 5: "Zostało 5 pytań"}),
        ("ar", {2: "بقي سؤالان", 3: "بقيت 3 أسئلة", 11: "بقي 11 سؤالًا"}),
    ],
)
def test_plural_forms(lang: str, counts: dict[int, str]) -> None:
    t = translator(lang)
    assert {n: t.ui_plural("remaining", n) for n in counts} == counts


def test_compiled_catalogue_round_trips(template: Catalog) -> None:
    mo = mo_bytes(en(template))
    assert mo[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # gettext magic
