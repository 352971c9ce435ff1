"""The questionnaire's content rules that the analytics and the law rely on."""

from __future__ import annotations

from flows.model import Questionnaire
from tests.flows.participant import BULLYING_FORMS, FOLLOW_UPS

LAW = {"veiligheidsbeleving", "aantasting", "welbevinden"}


def test_the_three_questions_of_the_law_are_measured(q: Questionnaire) -> None:
    counts = {c: sum(1 for _, i in q.items() if i.construct_id == c) for c in LAW}
    assert counts["veiligheidsbeleving"] >= 5
    assert counts["welbevinden"] >= 5
    assert {"bullied", *BULLYING_FORMS} <= {i.id for _, i in q.items()}
    assert {"bullying_others", "adults_act", "gender"} <= {i.id for _, i in q.items()}


def test_bands_use_their_scales(q: Questionnaire) -> None:
    agree = q.answer_scales["agree"]
    sizes = {band: len(options.options) for band, options in agree.variants.items()}
    assert sizes == {"po": 4, "vo": 5, "so": 3}
    assert all(option.picture for option in agree.variants["po"].options)
    assert q.bands["po"].pictures and q.bands["so"].pictures and not q.bands["vo"].pictures
    so_labels = [option.label for option in agree.variants["so"].options]
    assert so_labels == ["Ja", "Een beetje", "Nee"]


def test_olweus_scale_and_cut_off(q: Questionnaire) -> None:
    for band in ("po", "vo"):
        options = q.answer_scales["frequency"].variants[band]
        assert [o.id for o in options.options] == [
            "never",
            "once_twice",
            "monthly",
            "weekly",
            "several_weekly",
        ]
        assert options.marks["bullied"] == {3, 4, 5}  # 2-3 times a month or more


def test_higher_codes_mean_more_agreement_or_more_often(q: Questionnaire) -> None:
    # Options are shown agree-first (agreement) and never-first (frequency); codes must follow.
    for scale in q.answer_scales.values():
        for options in scale.variants.values():
            codes = [option.code for option in options.options]
            if scale.kind in ("agreement", "yes_no"):
                assert codes == sorted(codes, reverse=True), scale.id
            elif scale.kind == "frequency" and options.options[0].id == "never":
                assert codes == sorted(codes), scale.id


def test_every_bullying_item_is_frequency_coded_in_every_band(q: Questionnaire) -> None:
    for item_id in q.groups["bullying"]:
        item = q.item(item_id)
        assert item is not None and item.scale == "frequency"
        assert not item.reverse


def test_reverse_items_are_marked_and_in_a_scale(q: Questionnaire) -> None:
    reverse = {item.id for _, item in q.items() if item.reverse}
    assert reverse == {"afraid_school", "lonely"}
    in_scales = {i for scale in q.scales.values() for i in q.refs(scale)}
    assert reverse <= in_scales


def test_follow_ups_are_conditional(q: Questionnaire) -> None:
    for item_id in FOLLOW_UPS:
        item = q.item(item_id)
        assert item is not None and item.condition is not None


def test_analytic_scales_cover_the_headline_figures(q: Questionnaire) -> None:
    assert {"veiligheidsbeleving", "welbevinden", "gepest", "voelt_zich_veilig"} <= set(q.scales)
    assert q.scales["gepest"].mark == "bullied"
