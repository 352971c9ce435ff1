"""Evaluating the typed conditions of a questionnaire against answers.

Only answers to items that are themselves visible count, so a stale answer to an item that a
changed answer has hidden cannot switch anything on. An answer of ``None`` ("I'd rather not
say") never satisfies a condition.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from flows.model import AllOf, AnyAtLeast, AnyMarked, AnyOf, Condition, Questionnaire


def holds(
    q: Questionnaire,
    band: str,
    condition: Condition,
    answers: Mapping[str, int | None],
    visible: Collection[str],
) -> bool:
    """Whether ``condition`` holds for ``answers`` in ``band``, counting only ``visible`` items."""
    if isinstance(condition, AnyOf):
        return any(holds(q, band, inner, answers, visible) for inner in condition.conditions)
    if isinstance(condition, AllOf):
        return all(holds(q, band, inner, answers, visible) for inner in condition.conditions)
    for ref in q.refs(condition):
        code = answers.get(ref)
        if code is None or ref not in visible:
            continue
        if isinstance(condition, AnyAtLeast):
            if code >= condition.code:
                return True
            continue
        if _marked(q, band, ref, code, condition):
            return True
    return False


def _marked(q: Questionnaire, band: str, ref: str, code: int, condition: AnyMarked) -> bool:
    item = q.item(ref)
    options = q.options(item, band) if item is not None else None
    return options is not None and code in options.marks.get(condition.mark, frozenset())


def describe(q: Questionnaire, condition: Condition) -> str:
    """The condition in words, for staff (``veilig questionnaire show``)."""
    if isinstance(condition, AnyOf | AllOf):
        joiner = " or " if isinstance(condition, AnyOf) else " and "
        return "(" + joiner.join(describe(q, inner) for inner in condition.conditions) + ")"
    what = f"group {condition.group}" if condition.group else ", ".join(condition.items)
    if isinstance(condition, AnyAtLeast):
        return f"any of [{what}] >= {condition.code}"
    return f"any of [{what}] is '{condition.mark}'"
