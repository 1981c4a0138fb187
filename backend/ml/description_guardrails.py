"""Guardrails every draft passes, whoever wrote it.

Length limits; no URLs, e-mail addresses, phone numbers or invitations to take contact
elsewhere; no claims that contradict the defects or the condition; every stated defect
disclosed (checked for English text). A sentence that breaks a rule is dropped whole: cutting
the offending words out of it leaves broken prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import structlog

from backend.ml.description_phrases import (
    defect_is_mentioned,
    defect_terms,
    disclosure_sentence,
    normalize_key,
)
from backend.ml.description_types import DraftDescription, StatedFacts

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Limits:
    title_chars: int
    description_chars: int
    highlights: int
    keywords: int
    highlight_chars: int = 120
    keyword_chars: int = 40


_URL = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,12}/\S*"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    r"(?:com|net|org|info|biz|io|co|shop|store|online|site|app|dev|ai|me|ly|tv|xyz|link|page"
    r"|de|uk|fr|es|it|nl|eu|us|ca|au|nz|ie|pt|at|ch|be|se|dk|fi|pl|cz|jp|cn|br|mx|in)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,}")
_CONTACT_INVITATION = re.compile(
    r"\b(?:whats\s?app|telegram|wechat|viber|call me|text me|dm me|e-?mail me|ring me)\b",
    re.IGNORECASE,
)
_PHONE_CANDIDATE = re.compile(r"(?<![\w.])(?:\+|\()?\d[\d\s().\-/]{5,}\d(?![\w])")
# Digit runs that look like phone numbers but are not: year ranges and dates.
_NOT_PHONE = re.compile(
    r"^(?:(?:19|20)\d\d\s*[-/]\s*(?:19|20)\d\d|\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d\d)$"
)

_PERFECTION_CLAIMS = (
    r"flawless",
    r"like[\s-]new",
    r"as[\s-]new",
    r"mint(?![\s-]*(?:green|blue|colou?r|tone|shade|hue))",
    r"pristine",
    r"immaculate",
    r"perfect(?:ly)? (?:condition|shape|state)",
    r"in perfect",
    r"no (?:visible |signs of )?(?:defects?|flaws?|damage|imperfections?|blemish(?:es)?|wear)",
    r"(?:free of|without) (?:any )?(?:defects?|flaws?|damage|imperfections?|blemish(?:es)?)",
    r"(?:defect|flaw|damage|blemish)[\s-]free",
)
_NEWNESS_CLAIMS = (
    r"brand[\s-]new",
    r"never (?:been )?(?:used|worn)",
    r"unused",
    r"unworn",
    r"new with(?:out)? tags",
    r"nwt",
    r"bnwt",
    r"bnib",
    r"factory[\s-]sealed",
)
_WORN_CONDITIONS = frozenset({"used", "pre_owned", "preowned", "damaged", "worn", "refurbished"})
_SENTENCE_END = re.compile("(?<=[.!?])\\s+|(?<=[\u3002\uff01\uff1f])\\s*")
_TRAILING_PUNCTUATION = " ,;:-\N{EN DASH}\N{EM DASH}"
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")


def apply_guardrails(
    draft: DraftDescription, facts: StatedFacts, limits: Limits, *, language: str
) -> DraftDescription:
    forbidden = forbidden_claims(facts)
    description = clean_text(draft.description, forbidden)
    if language.split("-", 1)[0].lower() == "en":
        description = _disclose_defects(description, facts, limits.description_chars)
    else:
        description = truncate_text(description, limits.description_chars)
    return DraftDescription(
        title_suggestion=_clean_title(draft.title_suggestion, facts, forbidden, limits),
        description=description,
        highlights=_clean_items(
            draft.highlights, forbidden, limits.highlights, limits.highlight_chars
        ),
        seo_keywords=_clean_keywords(draft.seo_keywords, forbidden, limits),
        model=draft.model,
        usage=draft.usage,
    )


def forbidden_claims(facts: StatedFacts) -> re.Pattern[str] | None:
    """The claims this product's facts contradict, as one pattern (None when nothing is)."""
    patterns: list[str] = []
    if facts.may_have_flaws:
        patterns += _PERFECTION_CLAIMS
        for defect in facts.defects:
            terms = defect_terms(defect.defect_type)
            patterns.append(rf"(?:no|zero|free of|without) (?:any )?(?:visible )?(?:{terms})")
            patterns.append(rf"(?:{terms})[\s-]free")
    worn = facts.condition is not None and normalize_key(facts.condition) in _WORN_CONDITIONS
    if facts.defects or worn:
        patterns += _NEWNESS_CLAIMS
    if not patterns:
        return None
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


def has_contact_details(text: str) -> bool:
    if any(p.search(text) for p in (_URL, _EMAIL, _HANDLE, _CONTACT_INVITATION)):
        return True
    return any(_looks_like_phone(match.group()) for match in _PHONE_CANDIDATE.finditer(text))


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 7 <= len(digits) <= 15 or _NOT_PHONE.match(candidate.strip()):
        return False
    groups = re.findall(r"\d+", candidate)
    # "38 40 42 44" (a size run) has only short groups; phone numbers have a long one.
    return candidate.startswith(("+", "(")) or any(len(group) >= 3 for group in groups)


def _allowed(text: str, forbidden: re.Pattern[str] | None) -> bool:
    if has_contact_details(text):
        return False
    return forbidden is None or not forbidden.search(text)


def clean_text(text: str, forbidden: re.Pattern[str] | None) -> str:
    """Plain-text paragraphs without the sentences that break a rule."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", _MARKDOWN.sub("", text)):
        sentences = _SENTENCE_END.split(" ".join(paragraph.split()))
        kept = [s for s in sentences if s and _allowed(s, forbidden)]
        if len(kept) < len([s for s in sentences if s]):
            log.info("description.sentences_dropped", dropped=len(sentences) - len(kept))
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs)


def _disclose_defects(description: str, facts: StatedFacts, limit: int) -> str:
    """Append a disclosure of the defects the text leaves out, keeping within ``limit``.

    Making room can cut a sentence that mentioned another defect, so the disclosure is
    recomputed until the set of omitted defects stops growing.
    """
    kept = truncate_text(description, limit)
    disclosure = ""
    while True:
        omitted = [d for d in facts.defects if not defect_is_mentioned(d.defect_type, kept)]
        needed = disclosure_sentence(omitted) if omitted else ""
        if needed == disclosure:
            break
        disclosure = needed
        kept = truncate_text(description, limit - len(disclosure) - 2)
    if not disclosure:
        return kept
    return f"{kept}\n\n{disclosure}" if kept else disclosure


def truncate_text(text: str, limit: int) -> str:
    """Cut at the last sentence end that fits, else at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    sentence_ends = re.finditer("[.!?](?=\\s|$)|[\u3002\uff01\uff1f]", cut)
    ends = [m.end() for m in sentence_ends if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return cut[: ends[-1]].rstrip()
    return cut[: max(limit - 1, 0)].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


def capitalize_first(text: str) -> str:
    """Capitalise a leading lower-case word, but leave names such as "iPhone" or "eBay" alone."""
    first = text.split(" ", 1)[0]
    return text[0].upper() + text[1:] if first.islower() else text


def _clip_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(_TRAILING_PUNCTUATION)


def _clean_title(
    title: str, facts: StatedFacts, forbidden: re.Pattern[str] | None, limits: Limits
) -> str:
    for candidate in (title, facts.title):
        cleaned = " ".join(_MARKDOWN.sub("", candidate).strip().strip("\"'“”").split())
        if forbidden is not None:
            cleaned = " ".join(forbidden.sub("", cleaned).split()).strip(
                _TRAILING_PUNCTUATION + "|"
            )
        if cleaned and not has_contact_details(cleaned):
            return _clip_words(capitalize_first(cleaned), limits.title_chars)
    return "Item for sale"


def _clean_items(
    items: Iterable[str], forbidden: re.Pattern[str] | None, count: int, chars: int
) -> tuple[str, ...]:
    kept: list[str] = []
    for item in items:
        text = " ".join(_BULLET.sub("", _MARKDOWN.sub("", item)).split())
        if not text or not _allowed(text, forbidden):
            continue
        text = truncate_text(text, chars)
        if text.lower() not in (k.lower() for k in kept):
            kept.append(text)
    return tuple(kept[:count])


def _clean_keywords(
    keywords: Iterable[str], forbidden: re.Pattern[str] | None, limits: Limits
) -> tuple[str, ...]:
    kept: list[str] = []
    for keyword in keywords:
        text = " ".join(keyword.lower().replace("#", " ").split()).strip(" .,;:!?-")
        if not text or len(text) > limits.keyword_chars or not _allowed(text, forbidden):
            continue
        if text not in kept:
            kept.append(text)
    return tuple(kept[: limits.keywords])
