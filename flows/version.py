"""The version of a questionnaire: a SHA-256 over the content that defines measurement.

A round records the version it was opened with; if the file changes so that the hash
changes, the bot refuses to continue that round with it (``check_version`` in
:mod:`flows.loader`). What counts:

- included: the questionnaire id, source language, recall period, band keys, the answer scales
  (option ids, codes, Dutch labels, pictures, marks), every section (id, Dutch name and intro)
  and item (id, construct, scale, Dutch texts per band, reverse flag, condition), the groups,
  the analytic scales and the support card's condition;
- left out: translations, the intro/outro/support-card wording, helplines, interface words,
  notes and descriptions. These do not change what an answer means; leaving them out lets a
  translator fix a typo in a draft language, or a helpline number be corrected, while a round
  is open. A change to a Dutch item text or option label does change the version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flows.model import Questionnaire


def measurement_content(q: Questionnaire) -> dict[str, Any]:
    """The canonical, JSON-ready content that the version hash covers."""
    scales = {
        scale_id: {
            "kind": scale.kind,
            "variants": {
                band: {
                    "options": [option.model_dump() for option in options.options],
                    "marks": {mark: sorted(codes) for mark, codes in options.marks.items()},
                }
                for band, options in scale.variants.items()
            },
        }
        for scale_id, scale in q.answer_scales.items()
    }
    sections = [
        {
            "id": section.id,
            "name": section.name,
            "intro": section.intro,
            "items": [
                item.model_dump(mode="json", by_alias=True, exclude={"note"})
                for item in section.items
            ],
        }
        for section in q.sections
    ]
    return {
        "id": q.id,
        "source_language": q.source_language,
        "recall_period": q.recall_period,
        "bands": sorted(q.bands),
        "answer_scales": scales,
        "sections": sections,
        "groups": {name: list(items) for name, items in q.groups.items()},
        "scales": {
            name: scale.model_dump(mode="json", by_alias=True) for name, scale in q.scales.items()
        },
        "support_condition": q.support_card.condition.model_dump(mode="json"),
    }


def version_of(q: Questionnaire) -> str:
    """Hex SHA-256 of :func:`measurement_content` as canonical JSON (sorted keys, UTF-8)."""
    canonical = json.dumps(
        measurement_content(q), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
