"""Loading questionnaire files: validation errors name file, item and reason; the version."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from flows.loader import (
    DEFAULT_QUESTIONNAIRE_ID,
    available_questionnaires,
    check_version,
    load_questionnaire,
    load_questionnaire_file,
)
from veilig.errors import QuestionnaireError

SOURCE = (
    resources.files("flows.questionnaires")
    .joinpath(f"{DEFAULT_QUESTIONNAIRE_ID}.yaml")
    .read_text(encoding="utf-8")
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questionnaire.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def changed(old: str, new: str) -> str:
    assert SOURCE.count(old) == 1, f"fixture text {old!r} must occur exactly once"
    return SOURCE.replace(old, new)


def test_the_packaged_questionnaire_loads() -> None:
    assert DEFAULT_QUESTIONNAIRE_ID in available_questionnaires()
    q = load_questionnaire()
    assert q.id == DEFAULT_QUESTIONNAIRE_ID
    assert len(q.version) == 64
    int(q.version, 16)
    assert load_questionnaire() is q  # cached


def test_a_copy_of_the_file_loads_with_the_same_version(tmp_path: Path) -> None:
    assert load_questionnaire_file(write(tmp_path, SOURCE)).version == load_questionnaire().version


def test_unknown_questionnaire_lists_the_available_ones() -> None:
    with pytest.raises(QuestionnaireError, match=DEFAULT_QUESTIONNAIRE_ID):
        load_questionnaire("personeel")


@pytest.mark.parametrize(
    ("old", "new", "item", "reason"),
    [
        (
            "        scale: place\n",
            "        scale: places\n",
            "bullied_where",
            "answer scale 'places' does not exist",
        ),
        (
            "      - id: gender\n        construct: context\n",
            "      - id: gender\n        construct: context\n        colour: red\n",
            "gender",
            "Extra inputs are not permitted",
        ),
        (
            'condition: {kind: any_marked, items: [told_staff, told_parent], mark: "yes"}',
            'condition: {kind: any_marked, items: [bullying_others], mark: "yes"}',
            "adult_helped",
            "does not come earlier",
        ),
        (
            'condition: {kind: any_marked, items: [told_staff, told_parent], mark: "yes"}',
            "condition: {kind: any_marked, items: [told_staff], mark: often}",
            "adult_helped",
            "mark 'often'",
        ),
        (
            'vo: "Hoe vaak werd je de afgelopen paar maanden gepest vanwege een beperking, '
            'handicap of ziekte?"',
            'vo: "Hoe vaak werd je gepest vanwege een beperking, handicap of ziekte?"',
            "bullied_disability",
            "lacks the recall period",
        ),
        (
            "      - id: likes_school\n        construct: welbevinden\n",
            "      - id: likes_school\n        construct: geluk\n",
            "likes_school",
            "construct 'geluk' is not listed",
        ),
        (
            "      - id: has_friends\n",
            "      - id: has_friends\n        reverse: maybe\n",
            "has_friends",
            "reverse",
        ),
        (
            "      - id: belongs\n",
            "      - id: safe_school\n",
            "safe_school",
            "used more than once",
        ),
        (
            "    mark: bullied\n    items: [bullied]\n",
            "    mark: bullied\n    items: [bullied, bulied]\n",
            "scales.gepest",
            "scale names item 'bulied', which does not exist",
        ),
        (
            "    mark: bullied\n    group: bullying\n",
            "    mark: bullied\n    group: bullies\n",
            "scales.aantasting",
            "scale names group 'bullies', which does not exist",
        ),
        (
            "    mark: agree\n    items: [safe_school]\n",
            "    mark: agree\n    items: [safe_school, bullied]\n",
            "scales.voelt_zich_veilig",
            "scale uses mark 'agree', which scale 'frequency' does not define for band 'po'",
        ),
    ],
)
def test_a_bad_file_names_file_item_and_reason(
    tmp_path: Path, old: str, new: str, item: str, reason: str
) -> None:
    path = write(tmp_path, changed(old, new))
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_file(path)
    message = str(caught.value)
    assert str(path) in message
    line = next((line for line in message.splitlines() if item in line), "")
    assert reason in line, message


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE.replace("sections:\n", "sections: [\n", 1))
    with pytest.raises(
        QuestionnaireError, match=r"questionnaire\.yaml: line \d+ is not valid YAML"
    ):
        load_questionnaire_file(path)


def test_an_unreadable_file_is_a_questionnaire_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="cannot be read"):
        load_questionnaire_file(tmp_path / "missing.yaml")


def test_version_changes_with_an_item_text(tmp_path: Path) -> None:
    base = load_questionnaire().version
    edited = changed('po: "Ga jij graag naar school?"', 'po: "Ga jij graag naar je school?"')
    assert load_questionnaire_file(write(tmp_path, edited)).version != base


def test_version_changes_with_a_code(tmp_path: Path) -> None:
    base = load_questionnaire().version
    edited = changed(
        '{id: other, code: 3, label: "Anders"}', '{id: other, code: 9, label: "Anders"}'
    )
    assert load_questionnaire_file(write(tmp_path, edited)).version != base


def test_version_ignores_helplines_and_comments(tmp_path: Path) -> None:
    base = load_questionnaire().version
    edited = changed('number: "0800-2000"', 'number: "0800 2000"').replace(
        "# The pupil questionnaire", "# The (edited) pupil questionnaire"
    )
    assert load_questionnaire_file(write(tmp_path, edited)).version == base


def test_a_round_cannot_continue_on_a_changed_questionnaire() -> None:
    q = load_questionnaire()
    assert check_version(q.id, q.version) is q
    with pytest.raises(QuestionnaireError, match="has changed since this round was opened"):
        check_version(q.id, "0" * 64)
