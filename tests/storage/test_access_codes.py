from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage import access_codes
from storage.pseudonyms import Keyring


def test_codes_carry_at_least_40_bits() -> None:
    assert access_codes.ENTROPY_BITS >= 40
    assert not set("0O1IL") & set(access_codes.ALPHABET)


def test_printed_form_is_grouped_for_reading_aloud() -> None:
    printed = access_codes.format_code(access_codes.generate())
    assert [len(part) for part in printed.split("-")] == [3, 3, 3]


@given(st.text(alphabet=access_codes.ALPHABET, min_size=9, max_size=9))
def test_any_case_and_separators_normalise(code: str) -> None:
    printed = access_codes.format_code(code)
    for typed in (printed, printed.lower(), code.lower(), printed.replace("-", " ")):
        assert access_codes.normalize(typed) == code


@given(st.text(max_size=20))
def test_normalize_never_accepts_look_alikes_or_wrong_lengths(typed: str) -> None:
    result = access_codes.normalize(typed)
    if result is not None:
        assert len(result) == access_codes.LENGTH
        assert set(result) <= set(access_codes.ALPHABET)


def test_digests_differ_per_purpose_and_key() -> None:
    one, two = Keyring(b"a" * 32), Keyring(b"b" * 32)
    assert one.code_digest("K7QFM3XAP") != two.code_digest("K7QFM3XAP")
    assert one.code_digest("K7QFM3XAP") != one.invite_digest("K7QFM3XAP")
    assert one.resume_key("telegram", "42") != one.resume_key("web", "42")
    assert one.resume_key("telegram", "42") != two.resume_key("telegram", "42")
    assert one.code_key("K7QFM3XAP") != one.code_digest("K7QFM3XAP")
    assert one.coordinator_identity("telegram", "42") != one.resume_key("telegram", "42")
