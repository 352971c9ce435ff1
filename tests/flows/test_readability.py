"""PO wording is for children of 8 to 12: short sentences, mostly short words.

Two checks over every Dutch text a PO pupil reads (items, section intros, intro, outro, card):

- at most 12 words per sentence (one idea per sentence; Dutch easy-reading guidance for
  this age, taalniveau 1F, keeps sentences around 10 words);
- LIX (Björnsson 1968): words per sentence + percentage of words longer than 6 letters.
  Björnsson's scale puts children's books below about 25-30 and plain adult text at 30-40.
  Dutch compounds make words long, so the whole PO text must stay under 30 (it is about 21),
  and no single text over 50: one short question with two long words ("Heeft een volwassene
  je geholpen?" is 45) is fine, a dense paragraph is not.
"""

from __future__ import annotations

import re

from flows.loader import load_questionnaire
from flows.model import paragraphs_for, wording_for

MAX_WORDS = 12
MAX_LIX_OVERALL = 30
MAX_LIX_TEXT = 50
WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?:])\s+", text) if WORD.search(part)]


def words(text: str) -> list[str]:
    return WORD.findall(text)


def lix(texts: list[str]) -> float:
    all_words = [w for text in texts for w in words(text)]
    count = sum(len(sentences(text)) for text in texts)
    long = sum(1 for w in all_words if len(w) > 6)
    return len(all_words) / count + 100 * long / len(all_words)


def po_texts() -> list[str]:
    q = load_questionnaire()
    texts = [item.text["po"] for _, item in q.items_in_band("po")]
    texts += [wording_for(s.intro, "po") or "" for s in q.sections if s.intro]
    for block in (q.intro, q.outro, q.support_card):
        texts += [*paragraphs_for(block.paragraphs, "po"), wording_for(block.title, "po") or ""]
    return [text for text in texts if text]


def test_lix_measures_what_it_should() -> None:
    assert lix(["Ik ga naar school."]) == 4 + 0  # 4 words, none long
    assert round(lix(["Verantwoordelijkheidsgevoel ontbreekt."]), 1) == 2 + 100


def test_po_sentences_are_short() -> None:
    too_long = [
        sentence
        for text in po_texts()
        for sentence in sentences(text)
        if len(words(sentence)) > MAX_WORDS
    ]
    assert too_long == []


def test_po_texts_are_easy_to_read() -> None:
    texts = po_texts()
    assert lix(texts) < MAX_LIX_OVERALL
    hard = [(round(lix([text])), text) for text in texts if lix([text]) > MAX_LIX_TEXT]
    assert hard == []
