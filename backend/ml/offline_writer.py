"""The offline writer: listing text built from the stated facts alone, with no model.

It is the default when no provider is configured. It never adds a fact: every attribute,
condition and defect it mentions comes from ``StatedFacts``, and the rest of each sentence is
fixed wording. Wording is picked by a generator seeded with the product's facts, so the same
product always reads the same, while products side by side read differently.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from backend.ml.description_guardrails import (
    capitalize_first,
    clean_text,
    forbidden_claims,
    truncate_text,
)
from backend.ml.description_phrases import (
    defect_list_phrase,
    humanize,
    join_words,
    with_article,
)
from backend.ml.description_types import (
    DescriptionOptions,
    DescriptionPermanentError,
    DraftDescription,
    Length,
    StatedFacts,
    Tone,
)
from backend.ml.taxonomy import load_taxonomy

PROVIDER = "offline"
WRITER_VERSION = "offline-writer-1"
_NOTES_CHARS = 320

_PAIRED = frozenset(
    {
        "sneakers", "shoes", "boots", "sandals", "heels", "trainers", "loafers", "slippers",
        "jeans", "trousers", "shorts", "pants", "leggings", "headphones", "earphones", "earbuds",
        "sunglasses", "glasses", "gloves", "socks", "earrings", "skis",
    }
)  # fmt: skip
_COLLECTIVE_NOUNS = {
    "jewellery": "piece of jewellery",
    "jewelry": "piece of jewelry",
    "furniture": "piece of furniture",
    "luggage": "piece of luggage",
    "cookware": "piece of cookware",
    "tableware": "piece of tableware",
    "kitchenware": "kitchen item",
    "lighting": "light",
    "audio": "audio device",
    "electronics": "device",
    "apparel": "garment",
    "clothing": "garment",
    "footwear": "pair of shoes",
    "watches clocks": "timepiece",
    "beauty": "beauty product",
    "sports": "sports item",
    "stationery": "stationery item",
}
_IRREGULAR_SINGULARS = {
    "knives": "knife",
    "shelves": "shelf",
    "dresses": "dress",
    "watches": "watch",
}

_DETAIL_PHRASES = {
    "brand": "brand {}",
    "size": "size {}",
    "model": "model {}",
    "pattern": "{} pattern",
    "style": "{} style",
    "finish": "{} finish",
    "shape": "{} shape",
    "fit": "{} fit",
    "texture": "{} texture",
    "capacity": "{} capacity",
    "dimensions": "dimensions {}",
    "weight": "weight {}",
}
_DESCRIPTOR_ATTRIBUTES = ("color", "material")

# Every opening starts with the seller's title, which may be a brand or model name that must
# keep its own capitals.
_OPENINGS = {
    Tone.PROFESSIONAL: (
        "{title}: {item}{condition}.",
        "{title} \N{EM DASH} {item}{condition}, available now.",
        "{title}. This listing is for {item}{condition}.",
    ),
    Tone.FRIENDLY: (
        "{title}: {item}{condition}, ready for a new home.",
        "{title} \N{EM DASH} meet {item}{condition}.",
        "{title} \N{EM DASH} here is {item}{condition}.",
    ),
    Tone.LUXURY: (
        "{title}: {item}{condition}, offered with care.",
        "{title} \N{EM DASH} {item}{condition}, an understated choice.",
        "{title}. Presented here: {item}{condition}.",
    ),
    Tone.CASUAL: (
        "{title}: {item}{condition}, up for grabs.",
        "{title} \N{EM DASH} selling {item}{condition}.",
        "{title}. Got {item} here{condition}.",
    ),
}
_DETAIL_LEADS = {
    Tone.PROFESSIONAL: ("Key details: {}.", "Specifications: {}.", "Details: {}."),
    Tone.FRIENDLY: ("A few more details: {}.", "Good to know: {}."),
    Tone.LUXURY: ("Particulars: {}.", "Details of note: {}."),
    Tone.CASUAL: ("Quick details: {}.", "The basics: {}."),
}
_CATEGORY_LINES = (
    "Listed under {category}.",
    "It belongs in the {category} category.",
    "Category: {category}.",
)
_NOTES_LEADS = {
    Tone.PROFESSIONAL: ("Seller's notes: {}", "From the seller: {}"),
    Tone.FRIENDLY: ("In the seller's own words: {}", "A note from the seller: {}"),
    Tone.LUXURY: ("From the seller: {}", "The seller adds: {}"),
    Tone.CASUAL: ("Seller says: {}", "From the seller: {}"),
}
_DEFECT_LINES = {
    Tone.PROFESSIONAL: (
        "Please note: the photos show {defects}.",
        "Condition note: the analysis of the photos found {defects}.",
        "For full transparency, the photos show {defects}.",
    ),
    Tone.FRIENDLY: (
        "To be upfront, the photos show {defects}.",
        "An honest heads-up: the photos show {defects}.",
    ),
    Tone.LUXURY: (
        "In the interest of transparency, the photos show {defects}.",
        "Please note that the photos show {defects}.",
    ),
    Tone.CASUAL: (
        "Heads up: the photos show {defects}.",
        "Being honest here, the photos show {defects}.",
    ),
}
_NO_DEFECT_LINES = {
    Tone.PROFESSIONAL: (
        "No defects were detected in the photos.",
        "The photo analysis found no visible defects.",
    ),
    Tone.FRIENDLY: (
        "Good news: no defects were spotted in the photos.",
        "No defects were spotted in the photos.",
    ),
    Tone.LUXURY: ("No visible defects were detected in the photos.",),
    Tone.CASUAL: (
        "No visible defects spotted in the photos.",
        "No defects showed up in the photos.",
    ),
}
_LOOK_CLOSELY_LINES = (
    "Please look closely at the photos to judge the condition for yourself.",
    "The photos are the best guide to its condition, so please study them.",
)
_CLOSINGS = {
    Tone.PROFESSIONAL: (
        "Please review all photos before buying.",
        "Questions are welcome before you buy.",
        "See the photos for the exact item on offer.",
    ),
    Tone.FRIENDLY: (
        "Have a good look at the photos, and feel free to ask any questions!",
        "Questions? Just ask before you buy!",
    ),
    Tone.LUXURY: ("Every detail is shown in the photos.", "Please take your time with the photos."),
    Tone.CASUAL: ("Check the pics and ask away if anything's unclear.", "Any questions, just ask."),
}


@dataclass(frozen=True)
class _Noun:
    """How to name the item: ``head`` + descriptor + ``word`` ("pair of" white "sneakers")."""

    word: str
    head: str = ""

    def phrase(self, descriptor: str) -> str:
        return " ".join(part for part in (self.head, descriptor, self.word) if part)


class OfflineWriter:
    """Writes English listings from the stated facts, deterministically per product."""

    @property
    def provider(self) -> str:
        return PROVIDER

    def write(self, facts: StatedFacts, options: DescriptionOptions) -> DraftDescription:
        if options.primary_language != "en":
            raise DescriptionPermanentError(
                f"the offline writer writes English only, not {options.language!r}; set"
                " IMAGINEAI_DESCRIPTION_PROVIDER=bedrock or openai for other languages"
            )
        rng = random.Random(_seed(facts, options))  # noqa: S311 - wording choice, not security
        noun = _noun(facts)
        descriptor = _descriptor(facts)
        paragraphs = [
            _introduction(facts, options, rng, with_article(noun.phrase(descriptor))),
            _seller_notes(facts, options.tone, rng) if options.length is not Length.SHORT else "",
            _condition_paragraph(facts, options, rng),
        ]
        return DraftDescription(
            title_suggestion=_title(facts, descriptor, noun),
            description="\n\n".join(p for p in paragraphs if p),
            highlights=_highlights(facts),
            seo_keywords=_keywords(facts, noun),
            model=WRITER_VERSION,
        )


def _introduction(
    facts: StatedFacts, options: DescriptionOptions, rng: random.Random, item: str
) -> str:
    condition = f" in {facts.condition} condition" if facts.condition else ""
    name = facts.title or capitalize_first(item)
    sentences = [
        rng.choice(_OPENINGS[options.tone]).format(title=name, item=item, condition=condition)
    ]
    details = _details(facts)
    if details:
        sentences.append(rng.choice(_DETAIL_LEADS[options.tone]).format(join_words(details)))
    if options.length is Length.LONG and facts.category:
        category = _category_name(facts.category)
        if facts.subcategory and facts.subcategory.lower() != facts.category.lower():
            category = f"{category} / {facts.subcategory.title()}"
        sentences.append(rng.choice(_CATEGORY_LINES).format(category=category))
    return " ".join(sentences)


def _category_name(label: str) -> str:
    """A taxonomy category by its display name ("Watches & Clocks", not "Watches Clocks"); a
    seller's own category title-cased."""
    try:
        return load_taxonomy().category(label.replace(" ", "_")).name.title()
    except KeyError:
        return label.title()


def _seed(facts: StatedFacts, options: DescriptionOptions) -> int:
    image_digest = hashlib.sha256(facts.image.data).hexdigest() if facts.image else ""
    canonical = repr((replace(facts, image=None), image_digest, options))
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big")


def _noun(facts: StatedFacts) -> _Noun:
    label = (facts.subcategory or facts.category or "").strip().lower()
    if not label:
        return _Noun("item")
    if label in _COLLECTIVE_NOUNS:
        return _Noun(_COLLECTIVE_NOUNS[label])
    *leading, last = label.split()
    prefix = " ".join(leading)
    if last in _PAIRED:
        return _Noun(f"{prefix} {last}".strip(), head="pair of")
    if last in _COLLECTIVE_NOUNS:
        return _Noun(f"{prefix} {_COLLECTIVE_NOUNS[last]}".strip())
    return _Noun(f"{prefix} {_singular(last)}".strip())


def _singular(word: str) -> str:
    if word in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _descriptor(facts: StatedFacts) -> str:
    colours = join_words(facts.values_of("color")[:3])
    materials = join_words(facts.values_of("material")[:2])
    return " ".join(part for part in (colours, materials) if part)


def _details(facts: StatedFacts) -> list[str]:
    details = []
    for attribute in facts.attributes:
        if attribute.name in _DESCRIPTOR_ATTRIBUTES:
            continue
        value = join_words(attribute.values)
        template = _DETAIL_PHRASES.get(attribute.name)
        details.append(
            template.format(value) if template else f"{humanize(attribute.name)} {value}"
        )
    return details


def _seller_notes(facts: StatedFacts, tone: Tone, rng: random.Random) -> str:
    notes = clean_text(facts.seller_notes, forbidden_claims(facts))
    if not notes:
        return ""
    notes = truncate_text(notes, _NOTES_CHARS)
    if notes[-1] not in ".!?…":
        notes += "."
    return rng.choice(_NOTES_LEADS[tone]).format(capitalize_first(notes))


def _condition_paragraph(
    facts: StatedFacts, options: DescriptionOptions, rng: random.Random
) -> str:
    tone = options.tone
    if facts.defects:
        sentences = [
            rng.choice(_DEFECT_LINES[tone]).format(defects=defect_list_phrase(facts.defects))
        ]
    elif facts.unconfirmed_defects:
        sentences = [rng.choice(_LOOK_CLOSELY_LINES)]
    else:
        sentences = [rng.choice(_NO_DEFECT_LINES[tone])]
    if options.length is not Length.SHORT:
        sentences.append(rng.choice(_CLOSINGS[tone]))
    return " ".join(sentences)


def _title(facts: StatedFacts, descriptor: str, noun: _Noun) -> str:
    if not facts.title:
        phrase = noun.phrase(descriptor)
        return capitalize_first(phrase)
    lowered = facts.title.lower()
    missing = [
        value
        for name in _DESCRIPTOR_ATTRIBUTES
        for value in facts.values_of(name)[:1]
        if value.lower() not in lowered
    ]
    if not missing:
        return facts.title
    extra = " ".join(missing)
    return f"{facts.title} \N{EN DASH} {capitalize_first(extra)}"


def _highlights(facts: StatedFacts) -> tuple[str, ...]:
    highlights = []
    if facts.defects:
        highlights.append(f"Shown in the photos: {defect_list_phrase(facts.defects)}")
    if facts.condition:
        highlights.append(f"Condition: {facts.condition}")
    for attribute in facts.attributes:
        label = "Colour" if attribute.name == "color" else humanize(attribute.name).capitalize()
        highlights.append(f"{label}: {join_words(attribute.values)}")
    return tuple(highlights)


def _keywords(facts: StatedFacts, noun: _Noun) -> tuple[str, ...]:
    word = "" if noun.word == "item" else noun.word
    candidates: list[str] = [facts.title, word]
    candidates += [f"{value} {word}" for value in facts.values_of("color")[:2]]
    candidates += [f"{value} {word}" for value in facts.values_of("material")[:1]]
    candidates += list(facts.values_of("brand"))
    if facts.condition and word:
        candidates.append(f"{facts.condition} {word}")
    candidates += [label for label in (facts.subcategory, facts.category) if label]
    return _unique_lower(candidates)


def _unique_lower(items: Sequence[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:
        lowered = item.lower().strip()
        if lowered and lowered not in seen:
            seen.append(lowered)
    return tuple(seen)
