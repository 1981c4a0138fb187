"""The offline writer on analysis results of several kinds of product.

The facts (tests/ml/description_fixtures/analysed_products.json) are shaped like the
pipeline's output: colours and materials with confidences, photo-quality measurements,
defects with severities, low-confidence guesses mixed in, and sellers' notes that contain
contact details and claims the photos contradict.
"""

from __future__ import annotations

import itertools
import re

import pytest

from backend.ml.description_facts import Thresholds, select_facts
from backend.ml.description_generator import (
    AttributeFact,
    DescriptionOptions,
    DescriptionPermanentError,
    GeneratedDescription,
    Length,
    ProductFacts,
    Tone,
    generate_description,
)
from backend.ml.description_guardrails import has_contact_details
from backend.ml.description_phrases import defect_is_mentioned, defect_key, severity_word
from backend.ml.offline_writer import OfflineWriter
from backend.shared.config import Settings
from tests.ml.description_fixtures import analysed_products

SETTINGS = Settings()
THRESHOLDS = Thresholds(
    attribute=SETTINGS.description_attribute_min_confidence,
    category=SETTINGS.description_category_min_confidence,
    defect=SETTINGS.description_defect_min_confidence,
)
PRODUCTS = analysed_products()
ALL_OPTIONS = [DescriptionOptions(tone=t, length=n) for t, n in itertools.product(Tone, Length)]
# The words the writer uses for each kind of defect.
DEFECT_NOUNS = {
    "scratch": "scratch",
    "crack": "crack",
    "stain": "stain",
    "dent": "dent",
    "tear": "tear",
    "missing part": "missing_part",
    "discolouration": "discolouration",
    "flaw": "other",
}


def _write(facts: ProductFacts, options: DescriptionOptions | None = None) -> GeneratedDescription:
    return generate_description(facts, options, SETTINGS, provider=OfflineWriter())


def _every_output() -> list[tuple[str, DescriptionOptions, GeneratedDescription]]:
    return [(key, o, _write(facts, o)) for key, facts in PRODUCTS.items() for o in ALL_OPTIONS]


OUTPUTS = _every_output()


def _text(result: GeneratedDescription) -> str:
    parts = [result.title_suggestion, result.description, *result.highlights, *result.seo_keywords]
    return "\n".join(parts)


def _mentions(term: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(term.lower())}(?![\w-])", text.lower()) is not None


def _seller_words(facts: ProductFacts) -> str:
    return f"{facts.title} {facts.seller_notes}"


def test_every_stated_fact_comes_from_the_input() -> None:
    every_value = {a.value for facts in PRODUCTS.values() for a in facts.attributes}
    for key, _, result in OUTPUTS:
        facts = PRODUCTS[key]
        stated = select_facts(facts, THRESHOLDS)
        sources = " ".join(
            [_seller_words(facts), *(v for a in stated.attributes for v in a.values)]
        )
        text = _text(result)
        for value in every_value:
            if _mentions(value, text):
                assert _mentions(value, sources), f"{key}: {value!r} is not among its facts"
        stated_kinds = {defect_key(d.defect_type) for d in stated.defects}
        for noun, kind in DEFECT_NOUNS.items():
            if re.search(rf"\b{noun}(?:e?s)?\b", text, re.IGNORECASE):
                assert kind in stated_kinds, f"{key}: mentions a {noun} the analysis did not state"
        for condition in re.findall(r"\bin ([\w-]+) condition\b|Condition: ([\w-]+)", text):
            assert stated.condition in condition, f"{key}: condition {condition} not stated"


def test_nothing_below_the_threshold_is_stated() -> None:
    checked = 0
    for key, _, result in OUTPUTS:
        facts = PRODUCTS[key]
        stated = select_facts(facts, THRESHOLDS)
        stated_values = {v.lower() for a in stated.attributes for v in a.values}
        text = _text(result)
        for attribute in facts.attributes:
            value = attribute.value
            said_elsewhere = value.lower() in stated_values or _mentions(
                value, _seller_words(facts)
            )
            if attribute.confidence < THRESHOLDS.attribute and not said_elsewhere:
                assert not _mentions(value, text), f"{key}: low-confidence {value!r} stated"
                checked += 1
    assert checked > 100  # every product has some, in all 12 tone x length combinations
    watch = _text(_write(PRODUCTS["watch"]))
    assert "used" not in watch  # condition confidence 0.55 < 0.6
    assert not defect_is_mentioned("scratch", watch)  # scratch confidence 0.38 < 0.5
    assert "sharpness" not in watch.lower()
    red_mug = _write(PRODUCTS["red_mug"])
    assert not defect_is_mentioned("stain", red_mug.description)  # stain confidence 0.31
    unknown = _text(_write(PRODUCTS["unknown_object"]))
    assert "unknown" not in unknown.lower()  # category confidence 0.21


def test_defects_are_disclosed_honestly() -> None:
    for key, _, result in OUTPUTS:
        stated = select_facts(PRODUCTS[key], THRESHOLDS)
        for defect in stated.defects:
            assert defect_is_mentioned(defect.defect_type, result.description), key
            assert severity_word(defect.severity) in result.description, key
        if stated.defects:
            assert result.highlights[0].startswith("Shown in the photos:")
        elif not stated.unconfirmed_defects:
            assert "no visible defects" in result.description.lower() or (
                "no defects" in result.description.lower()
            )
    phone = _write(PRODUCTS["phone"]).description
    assert "a severe crack" in phone
    assert "damaged condition" in phone
    red_mug = _write(PRODUCTS["red_mug"]).description
    assert "two scratches (one moderate, one minor)" in red_mug


def test_the_writer_itself_discloses_defects_before_any_guardrail() -> None:
    for facts in PRODUCTS.values():
        stated = select_facts(facts, THRESHOLDS)
        draft = OfflineWriter().write(stated, DescriptionOptions(length=Length.SHORT))
        for defect in stated.defects:
            assert defect_is_mentioned(defect.defect_type, draft.description), facts.title


def test_no_claims_that_the_photos_contradict() -> None:
    for key in ("red_mug", "sneakers"):
        text = _text(_write(PRODUCTS[key])).lower()
        for claim in ("like new", "flawless", "no scuffs"):
            assert claim not in text, f"{key}: {claim!r} kept despite defects"
    # A new backpack with no defects keeps the seller's own "never used".
    assert "never used" in _write(PRODUCTS["backpack"]).description


def test_no_urls_or_contact_details() -> None:
    for key, _, result in OUTPUTS:
        for part in (result.title_suggestion, result.description, *result.highlights):
            assert not has_contact_details(part), f"{key}: {part!r}"
        text = _text(result)
        for leak in ("http", "www.", "@", "912 345 678", "lisbon-crafts", "Email me"):
            assert leak not in text, f"{key}: {leak!r}"
    # The rest of the seller's notes survive.
    assert "Bought at a craft market in Lisbon." in _write(PRODUCTS["red_mug"]).description
    assert "Solid and sturdy" in _write(PRODUCTS["chair"]).description


def test_two_different_products_never_get_the_same_text() -> None:
    for options in ALL_OPTIONS:
        results = [result for _, o, result in OUTPUTS if o == options]
        descriptions = [r.description for r in results]
        titles = [r.title_suggestion for r in results]
        assert len(set(descriptions)) == len(PRODUCTS), options
        assert len(set(titles)) == len(PRODUCTS), options


def test_products_differing_in_one_fact_read_differently() -> None:
    base = PRODUCTS["headphones"]
    recoloured = ProductFacts(
        **{
            **base.__dict__,
            "attributes": (AttributeFact("color", "white", 0.9), *base.attributes[2:]),
        }
    )
    renamed = ProductFacts(**{**base.__dict__, "title": "Over-ear wireless headphones (2)"})
    texts = {_write(f).description for f in (base, recoloured, renamed)}
    assert len(texts) == 3


def test_same_product_same_text() -> None:
    for facts in PRODUCTS.values():
        first = _write(facts)
        assert generate_description(facts, None, SETTINGS, provider=OfflineWriter()) == first


def test_wording_varies_between_products() -> None:
    results = {key: _write(facts) for key, facts in PRODUCTS.items()}
    openings = {
        r.description.removeprefix(PRODUCTS[key].title)[:12]
        for key, r in results.items()
        if r.description.startswith(PRODUCTS[key].title)
    }
    closings = {r.description.rsplit(". ", 1)[-1] for r in results.values()}
    assert len(openings) >= 3
    assert len(closings) >= 3


def test_reads_as_fluent_prose() -> None:
    for key, options, result in OUTPUTS:
        title = PRODUCTS[key].title
        for sentence in re.split(r"(?<=[.!?])\s+", result.description):
            assert sentence[0].isupper() or sentence.startswith(title), (key, sentence)
            assert sentence[-1] in ".!?", (key, sentence)
        assert "  " not in result.description
        assert " ." not in result.description
        assert " ," not in result.description
        assert ".." not in result.description
        assert not re.search(r"\ba [aeiou]", result.description, re.IGNORECASE), result.description
        words = len(result.description.split())
        assert 10 <= words <= options.length.target_words * 1.5, (key, options, words)


def test_length_option_scales_the_text() -> None:
    for facts in PRODUCTS.values():
        short, medium, long = (
            len(_write(facts, DescriptionOptions(length=n)).description) for n in Length
        )
        assert short < medium <= long


def test_tone_changes_the_wording() -> None:
    facts = PRODUCTS["sneakers"]
    texts = {_write(facts, DescriptionOptions(tone=tone)).description for tone in Tone}
    assert len(texts) == len(Tone)


def test_title_keeps_the_seller_title_and_adds_missing_descriptors() -> None:
    assert (
        _write(PRODUCTS["red_mug"]).title_suggestion
        == "Handmade espresso cup \N{EN DASH} Red ceramic"
    )
    assert (
        _write(PRODUCTS["phone"]).title_suggestion
        == "iPhone 12 mini 128 GB \N{EN DASH} Black glass"
    )
    assert _write(PRODUCTS["lamp"]).title_suggestion == "Brass table lamp \N{EN DASH} Gold"


def test_other_languages_are_refused_clearly() -> None:
    with pytest.raises(DescriptionPermanentError, match="English only"):
        _write(PRODUCTS["chair"], DescriptionOptions(language="de"))


def test_limits_from_settings_apply() -> None:
    tight = SETTINGS.model_copy(
        update={
            "description_max_highlights": 2,
            "description_max_keywords": 3,
            "description_max_title_chars": 24,
        }
    )
    result = generate_description(PRODUCTS["sneakers"], None, tight, provider=OfflineWriter())
    assert len(result.highlights) == 2
    assert result.highlights[0].startswith("Shown in the photos:")
    assert len(result.seo_keywords) == 3
    assert len(result.title_suggestion) <= 24


@pytest.mark.parametrize(
    ("category", "noun"),
    [("apparel", "garment"), ("watches_clocks", "timepiece"), ("bags", "bag")],
)
def test_a_category_without_a_subcategory_names_the_item_plainly(category: str, noun: str) -> None:
    """The classifier may answer with a category alone (a garment whose subcategory ImageNet
    cannot tell): the item is named from the category, in good English."""
    facts = ProductFacts(
        title="",
        seller_notes="",
        category=category,
        subcategory=None,
        category_confidence=0.8,
        attributes=(AttributeFact(name="color", value="black", confidence=0.9),),
    )
    result = _write(facts, DescriptionOptions(length=Length.LONG))
    assert _mentions(f"black {noun}", result.description), result.description
    assert _mentions(noun, result.title_suggestion)
    name = {"apparel": "Apparel", "watches_clocks": "Watches & Clocks", "bags": "Bags & Luggage"}
    assert name[category] in result.description
