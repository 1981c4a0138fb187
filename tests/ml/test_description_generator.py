"""Fact selection, guardrails, prompt and answer, photo preparation, retries, provider choice."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from backend.ml.description_facts import Thresholds, select_facts
from backend.ml.description_generator import (
    AttributeFact,
    DefectFact,
    DescriptionOptions,
    DescriptionPermanentError,
    DescriptionTransientError,
    Length,
    ProductFacts,
    ProductImage,
    Tone,
    generate_description,
    provider_for,
)
from backend.ml.description_guardrails import Limits, apply_guardrails, has_contact_details
from backend.ml.description_image import MAX_SIDE_PX, image_for_model
from backend.ml.description_prompt import build_chat_prompt, facts_payload, parse_listing
from backend.ml.description_retry import RetryPolicy, call_with_retries
from backend.ml.description_types import ChatReply, DraftDescription, StatedFacts, TokenUsage
from backend.shared.config import Settings
from tests.ml.description_fixtures import analysed_products

THRESHOLDS = Thresholds(attribute=0.6, category=0.5, defect=0.5)
LIMITS = Limits(title_chars=60, description_chars=600, highlights=4, keywords=5)
PRODUCTS = analysed_products()
RED_MUG = select_facts(PRODUCTS["red_mug"], THRESHOLDS)
BLUE_MUG = select_facts(PRODUCTS["blue_mug"], THRESHOLDS)


def _draft(description: str, **fields: object) -> DraftDescription:
    values: dict[str, object] = {
        "title_suggestion": "Red espresso cup",
        "description": description,
        "highlights": (),
        "seo_keywords": (),
        "model": "test-model",
    }
    values.update(fields)
    return DraftDescription(**values)  # type: ignore[arg-type]


def _guard(
    draft: DraftDescription, facts: StatedFacts = RED_MUG, language: str = "en"
) -> DraftDescription:
    return apply_guardrails(draft, facts, LIMITS, language=language)


# --- which facts may be stated ------------------------------------------------------------


def test_select_facts_applies_every_threshold() -> None:
    assert RED_MUG.attributes[0].name == "color"
    assert RED_MUG.values_of("color") == ("red", "white")
    assert RED_MUG.values_of("material") == ("ceramic",)
    assert RED_MUG.values_of("sharpness") == ()  # photo quality, not a product fact
    assert [d.defect_type for d in RED_MUG.defects] == ["scratch", "scratch"]
    assert RED_MUG.unconfirmed_defects is True  # the 0.31 stain
    assert (RED_MUG.category, RED_MUG.subcategory, RED_MUG.condition) == ("kitchen", "mugs", "used")
    strict = select_facts(PRODUCTS["red_mug"], Thresholds(attribute=0.8, category=0.95, defect=0.7))
    assert strict.values_of("color") == ("red",)
    assert strict.values_of("material") == ()
    assert [d.severity for d in strict.defects] == ["low"]
    assert (strict.category, strict.condition) == (None, None)


def test_colour_spellings_and_repeats_merge() -> None:
    facts = ProductFacts(
        title="Scarf",
        attributes=(
            AttributeFact("Colour", "Red", 0.9),
            AttributeFact("color", "red", 0.8),
            AttributeFact("colours", "white", 0.7),
        ),
    )
    assert select_facts(facts, THRESHOLDS).values_of("color") == ("Red", "white")


def test_new_condition_is_not_stated_beside_defects() -> None:
    facts = ProductFacts(
        title="Mug", condition="like_new", defects=(DefectFact("crack", "high", 0.9),)
    )
    assert select_facts(facts, THRESHOLDS).condition is None


def test_condition_may_come_as_an_attribute() -> None:
    facts = ProductFacts(title="Mug", attributes=(AttributeFact("condition", "used", 0.7),))
    assert select_facts(facts, THRESHOLDS).condition == "used"
    assert select_facts(facts, THRESHOLDS).attributes == ()


# --- guardrails -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Call +49 170 1234567 today.",
        "Ring (555) 123-4567.",
        "Questions to a.buyer+shop@example.org please.",
        "More at www.shop.de/cups.",
        "Details: https://x.io/a?b=1",
        "See lisbon-crafts.pt/cups.",
        "Ping @seller_01 on Instagram.",
        "WhatsApp only.",
        "Text me for a discount.",
    ],
)
def test_contact_details_are_recognised(text: str) -> None:
    assert has_contact_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "Size EU 42.",
        "Sizes 30 32 34 also listed.",
        "Made in 2019.",
        "Serviced in 2021-2022.",
        "Bought on 12/05/2021, receipt kept.",
        "Last serviced 03.11.2023.",
        "Dimensions 120 x 60 x 75 cm.",
        "Battery health 84%.",
        "Cable length about 1.5 m.",
        "Takes an E27 bulb.",
        "Levi's 501, W32 L34.",
    ],
)
def test_ordinary_facts_are_not_mistaken_for_contact_details(text: str) -> None:
    assert not has_contact_details(text)


def test_sentences_with_contact_details_or_contradicting_claims_are_dropped() -> None:
    draft = _draft(
        "A handmade red cup. It is in mint condition! Visit https://shop.example.com now.\n\n"
        "Holds a double espresso. Flawless glaze with no scratches. Call 0170 1234567.",
    )
    result = _guard(draft)
    assert result.description == (
        "A handmade red cup.\n\nHolds a double espresso.\n\n"
        "Please note: the photos show two scratches (one moderate, one minor)."
    )


def test_perfection_claims_are_kept_when_nothing_contradicts_them() -> None:
    result = _guard(_draft("A flawless navy blue cup, like new."), facts=BLUE_MUG)
    assert result.description == "A flawless navy blue cup, like new."


def test_mint_as_a_colour_is_not_a_claim() -> None:
    result = _guard(_draft("A mint green glaze with two scratches. Mint condition."))
    assert result.description == "A mint green glaze with two scratches."


def test_newness_claims_are_dropped_for_used_items() -> None:
    used = select_facts(PRODUCTS["headphones"], THRESHOLDS)
    result = _guard(_draft("Black headphones. Brand new in box. Never used."), facts=used)
    assert result.description == "Black headphones."


def test_disclosure_is_added_only_when_the_text_omits_a_defect() -> None:
    mentioned = _guard(_draft("A red cup. The rim has two light scratches."))
    assert mentioned.description == "A red cup. The rim has two light scratches."
    chair = select_facts(PRODUCTS["chair"], THRESHOLDS)
    partly = _guard(_draft("A brown chair with a small dent."), facts=chair)
    assert partly.description == (
        "A brown chair with a small dent.\n\n"
        "Please note: the photos show a minor patch of discolouration."
    )


def test_disclosure_covers_a_mention_cut_to_make_room_for_it() -> None:
    chair = select_facts(PRODUCTS["chair"], THRESHOLDS)
    filler = "The frame is solid and the joints are tight. " * 12  # 540 characters
    result = _guard(_draft(filler + "It has a dent."), facts=chair)
    assert len(result.description) <= LIMITS.description_chars
    assert "It has a dent." not in result.description
    assert result.description.endswith(
        "Please note: the photos show a moderate dent and a minor patch of discolouration."
    )


def test_a_market_is_not_a_stain() -> None:
    stained = select_facts(
        ProductFacts(title="Cup", defects=(DefectFact("stain", "low", 0.9),)), THRESHOLDS
    )
    result = _guard(_draft("Bought at a market."), facts=stained)
    assert result.description.endswith("Please note: the photos show a minor stain.")


def test_no_english_disclosure_is_appended_to_other_languages() -> None:
    result = _guard(_draft("Eine rote Tasse. Besuchen Sie www.tassen.de."), language="de")
    assert result.description == "Eine rote Tasse."


def test_length_limits_keep_whole_sentences_and_the_disclosure() -> None:
    sentence = "This handmade cup has a deep red glaze and a white inside. "
    result = _guard(_draft(sentence * 40))
    assert len(result.description) <= LIMITS.description_chars
    assert result.description.endswith("two scratches (one moderate, one minor).")
    body = result.description.split("\n\n")[0]
    assert body.endswith("white inside.")


def test_title_is_cleaned_and_limited() -> None:
    assert (
        _guard(_draft("x", title_suggestion="**Red cup, like new**")).title_suggestion == "Red cup"
    )
    fallback = _guard(_draft("x", title_suggestion="Red cup - call 0170 1234567"))
    assert fallback.title_suggestion == "Handmade espresso cup"
    long_title = (
        "Handmade red and white ceramic espresso cup from a craft market in Lisbon, Portugal"
    )
    clipped = _guard(_draft("x", title_suggestion=long_title)).title_suggestion
    assert len(clipped) <= LIMITS.title_chars
    assert long_title.startswith(clipped)
    assert not clipped.endswith(",")


def test_highlights_and_keywords_are_tidied_and_limited() -> None:
    result = _guard(
        _draft(
            "x",
            highlights=(
                "- Red glaze",
                "• red glaze",
                "1. Ceramic",
                "**Like new**",
                "Holds 60 ml",
                "Handmade",
                "Gift",
            ),
            seo_keywords=(
                "#Espresso Cup",
                "espresso cup",
                "red cup",
                "flawless cup",
                "www.cups.com",
                "a",
                "b",
                "c",
            ),
        )
    )
    assert result.highlights == ("Red glaze", "Ceramic", "Holds 60 ml", "Handmade")
    assert result.seo_keywords == ("espresso cup", "red cup", "a", "b", "c")


# --- prompt and answer ----------------------------------------------------------------------


def test_prompt_carries_house_style_options_and_only_stated_facts() -> None:
    photo = ProductImage(b"jpeg bytes", "image/jpeg")
    prompt = build_chat_prompt(
        RED_MUG,
        DescriptionOptions(tone=Tone.LUXURY, length=Length.LONG, language="pt-BR"),
        image=photo,
        title_chars=80,
        highlights=6,
        keywords=10,
        max_output_tokens=900,
        temperature=0.3,
    )
    assert "refined and understated" in prompt.system
    assert "about 180 words" in prompt.system
    assert "write every field in Portuguese (pt-BR)" in prompt.system
    assert '"seo_keywords"' in prompt.system
    assert prompt.user.endswith("The product photo is attached.")
    assert (prompt.image, prompt.max_output_tokens, prompt.temperature) == (photo, 900, 0.3)
    payload = json.loads(prompt.user.split("\n", 1)[1].rsplit("\n\n", 1)[0])
    assert payload == facts_payload(RED_MUG)
    assert payload["seller_notes"].startswith("Bought at a craft market")
    assert "beige" not in prompt.user
    assert "glass" not in prompt.user
    assert "0.86" not in prompt.user


def test_unlisted_language_is_named_by_its_tag() -> None:
    prompt = build_chat_prompt(
        BLUE_MUG, DescriptionOptions(language="eu"), image=None, title_chars=80,
        highlights=6, keywords=10, max_output_tokens=900, temperature=0.3,
    )  # fmt: skip
    assert "the language with the BCP 47 tag eu" in prompt.system
    assert "photo" not in prompt.user


@pytest.mark.parametrize(
    "text",
    [
        '{"title": "T", "description": "D", "highlights": ["h"], "seo_keywords": ["k"]}',
        'Here you go:\n```json\n{"title": "T", "description": "D", "highlights": ["h"],'
        ' "keywords": ["k"]}\n```',
        '{"title_suggestion": "T", "description": "D", "highlights": ["h"],'
        ' "seo_keywords": ["k"]} Hope it helps!',
    ],
)
def test_listing_json_is_read_from_common_answer_shapes(text: str) -> None:
    draft = parse_listing(ChatReply(text, "m", TokenUsage(5, 7)), "bedrock")
    assert (draft.title_suggestion, draft.description, draft.highlights, draft.seo_keywords) == (
        "T",
        "D",
        ("h",),
        ("k",),
    )
    assert (draft.model, draft.usage) == ("m", TokenUsage(5, 7))


@pytest.mark.parametrize(
    "text", ["No JSON at all.", '{"title": "T"}', '{"title": "T", "description": ""}']
)
def test_answers_without_the_listing_are_transient(text: str) -> None:
    with pytest.raises(DescriptionTransientError, match="did not answer with the listing JSON"):
        parse_listing(ChatReply(text, "m", TokenUsage()), "openai")


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        DescriptionOptions(language="english please")
    options = DescriptionOptions(tone="casual", length="long", language="en-GB")  # type: ignore[arg-type]
    assert (options.tone, options.length, options.primary_language) == (
        Tone.CASUAL,
        Length.LONG,
        "en",
    )


# --- photo ------------------------------------------------------------------------------------


def _encoded(image: Image.Image, image_format: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **save)
    return buffer.getvalue()


def test_small_photo_is_sent_as_is_with_its_sniffed_type() -> None:
    data = _encoded(Image.new("RGB", (320, 240), "red"), "JPEG")
    assert image_for_model(ProductImage(data, "application/octet-stream")) == ProductImage(
        data, "image/jpeg"
    )


def test_large_photo_is_downscaled_to_jpeg() -> None:
    data = _encoded(Image.new("RGB", (3000, 2000), "blue"), "PNG")
    prepared = image_for_model(ProductImage(data, "image/png"))
    assert prepared is not None
    assert prepared.media_type == "image/jpeg"
    with Image.open(io.BytesIO(prepared.data)) as decoded:
        assert decoded.size == (MAX_SIDE_PX, round(2000 * MAX_SIDE_PX / 3000))


def test_rotated_photo_is_turned_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    data = _encoded(Image.new("RGB", (400, 200), "green"), "JPEG", exif=exif)
    prepared = image_for_model(ProductImage(data, "image/jpeg"))
    assert prepared is not None
    with Image.open(io.BytesIO(prepared.data)) as decoded:
        assert decoded.size == (200, 400)


def test_undecodable_photo_is_left_out() -> None:
    assert image_for_model(ProductImage(b"not an image", "image/jpeg")) is None


# --- retries ----------------------------------------------------------------------------------


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_attempts=6, base_delay_seconds=1.0, max_delay_seconds=5.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (5, 5.0)]:
        assert ceiling / 2 <= policy.delay(attempt, None) <= ceiling
    assert policy.delay(1, 3.0) == 3.0
    assert policy.delay(1, 60.0) == 5.0


def test_transient_errors_are_retried_and_permanent_ones_are_not() -> None:
    sleeps: list[float] = []
    outcomes: list[Exception | str] = [
        DescriptionTransientError("busy"),
        DescriptionTransientError("busy"),
        "ok",
    ]

    def flaky() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    policy = RetryPolicy(max_attempts=3, base_delay_seconds=0.5)
    assert call_with_retries(flaky, policy, provider="test", sleep=sleeps.append) == "ok"
    assert len(sleeps) == 2

    def refused() -> str:
        raise DescriptionPermanentError("no")

    with pytest.raises(DescriptionPermanentError):
        call_with_retries(refused, policy, provider="test", sleep=sleeps.append)
    assert len(sleeps) == 2


# --- provider choice --------------------------------------------------------------------------


def test_offline_writer_is_the_default_provider() -> None:
    settings = Settings()
    assert settings.description_provider == "offline"
    assert provider_for(settings).provider == "offline"
    result = generate_description(PRODUCTS["lamp"], settings=settings)
    assert (result.provider, result.model, result.language) == (
        "offline",
        "offline/offline-writer-1",
        "en",
    )
    assert result.usage == TokenUsage()
