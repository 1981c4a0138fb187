"""English wording of facts, shared by the offline writer and the guardrails."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from backend.ml.description_types import DefectFact

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

_SEVERITY_WORDS = {
    "low": "minor",
    "minor": "minor",
    "slight": "minor",
    "medium": "moderate",
    "moderate": "moderate",
    "high": "severe",
    "major": "major",
    "severe": "severe",
    "critical": "severe",
}
_SEVERITY_ORDER = ("severe", "major", "moderate", "minor", "")

# defect type -> (singular, plural, patterns of the words that count as disclosing it)
_DEFECT_WORDING: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "scratch": ("scratch", "scratches", (r"scratch(?:es|ed)?", r"scuff(?:s|ed)?")),
    "crack": ("crack", "cracks", (r"crack(?:s|ed)?", r"chip(?:s|ped)?")),
    "stain": ("stain", "stains", (r"stain(?:s|ed)?", r"marks?", r"spots?")),
    "dent": ("dent", "dents", (r"dent(?:s|ed)?",)),
    "tear": ("tear", "tears", (r"tears?", r"torn", r"rips?", r"ripped", r"holes?")),
    "missing_part": ("missing part", "missing parts", (r"missing",)),
    "discolouration": (
        "patch of discolouration",
        "patches of discolouration",
        (r"discolou?r(?:ation|ed)", r"fad(?:e|ed|ing)", r"yellow(?:ed|ing)"),
    ),
    "other": (
        "flaw",
        "flaws",
        (r"flaws?", r"defects?", r"imperfections?", r"damage[sd]?", r"wear"),
    ),
}
# "a severe missing part" misreads; these take their severity after the noun.
_SEVERITY_AFTER_NOUN = frozenset({"missing_part"})
_DEFECT_ALIASES = {"discoloration": "discolouration", "missing": "missing_part"}


def normalize_key(name: str) -> str:
    """``"Missing part"`` / ``"missing-part"`` -> ``"missing_part"``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def humanize(name: str) -> str:
    return normalize_key(name).replace("_", " ")


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def count_word(count: int) -> str:
    return _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else str(count)


def severity_word(severity: str) -> str:
    return _SEVERITY_WORDS.get(normalize_key(severity), "")


def defect_key(defect_type: str) -> str:
    key = normalize_key(defect_type)
    key = _DEFECT_ALIASES.get(key, key)
    return key if key in _DEFECT_WORDING else "other"


def defect_list_phrase(defects: Sequence[DefectFact]) -> str:
    """``"two scratches (one moderate, one minor) and a minor stain"``, most severe first."""
    by_type: dict[str, list[str]] = {}
    for defect in defects:
        by_type.setdefault(defect_key(defect.defect_type), []).append(
            severity_word(defect.severity)
        )
    for severities in by_type.values():
        severities.sort(key=_SEVERITY_ORDER.index)
    ordered = sorted(by_type.items(), key=lambda item: _SEVERITY_ORDER.index(item[1][0]))
    return join_words([_defect_group(key, severities) for key, severities in ordered])


def _defect_group(key: str, severities: list[str]) -> str:
    singular, plural, _ = _DEFECT_WORDING[key]
    count = len(severities)
    rated = [s for s in severities if s]
    uniform = len(rated) == count and len(set(rated)) == 1
    if uniform and key not in _SEVERITY_AFTER_NOUN:
        severity = rated[0]
        return (
            with_article(f"{severity} {singular}")
            if count == 1
            else f"{count_word(count)} {severity} {plural}"
        )
    counted = with_article(singular) if count == 1 else f"{count_word(count)} {plural}"
    if not rated:
        return counted
    if uniform:
        quantity = "" if count == 1 else "both " if count == 2 else "all "
        return f"{counted} ({quantity}{rated[0]})"
    split = ", ".join(f"{count_word(n)} {s}" for s, n in Counter(rated).items())
    return f"{counted} ({split})"


def disclosure_sentence(defects: Sequence[DefectFact]) -> str:
    phrase = defect_list_phrase(defects)
    return f"Please note: the photos show {phrase}."


def defect_terms(defect_type: str) -> str:
    """A regular expression (no anchors) for the words that name this kind of defect."""
    return "|".join(_DEFECT_WORDING[defect_key(defect_type)][2])


def defect_is_mentioned(defect_type: str, text: str) -> bool:
    return re.search(rf"\b(?:{defect_terms(defect_type)})\b", text, re.IGNORECASE) is not None
