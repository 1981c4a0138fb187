"""Types shared by the description generator, its providers and its callers.

They are independent of the ML pipeline's own result types: the worker maps an analysis onto
``ProductFacts``, and stores ``GeneratedDescription`` in ``analysis_results`` and ``products``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class AttributeFact:
    """One extracted attribute, e.g. ``("color", "navy blue", 0.82)``."""

    name: str
    value: str
    confidence: float


@dataclass(frozen=True)
class DefectFact:
    """One detected defect, e.g. ``("scratch", "minor", 0.74)``."""

    defect_type: str
    severity: str
    confidence: float


@dataclass(frozen=True)
class ProductImage:
    """The product photo, for providers that look at it (multimodal models)."""

    data: bytes = field(repr=False)
    media_type: str


@dataclass(frozen=True)
class ProductFacts:
    """Everything known about a product: what the seller wrote and what the analysis found.

    Confidences are probabilities in [0, 1]; a fact the seller set explicitly has confidence 1.
    ``condition`` is the item's condition (``new``, ``used``, ``damaged``...) when known.
    """

    title: str
    seller_notes: str = ""
    category: str | None = None
    subcategory: str | None = None
    category_confidence: float = 0.0
    attributes: tuple[AttributeFact, ...] = ()
    defects: tuple[DefectFact, ...] = ()
    condition: str | None = None
    condition_confidence: float = 1.0
    image: ProductImage | None = None


class Tone(StrEnum):
    PROFESSIONAL = "professional"
    FRIENDLY = "friendly"
    LUXURY = "luxury"
    CASUAL = "casual"


class Length(StrEnum):
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"

    @property
    def target_words(self) -> int:
        return {"short": 50, "medium": 100, "long": 180}[self.value]


@dataclass(frozen=True)
class DescriptionOptions:
    """How to write: tone, length and output language (a BCP 47 tag such as ``en`` or ``de``)."""

    tone: Tone = Tone.PROFESSIONAL
    length: Length = Length.MEDIUM
    language: str = "en"

    def __post_init__(self) -> None:
        if not _LANGUAGE_TAG.match(self.language):
            raise ValueError(
                f"language must be a BCP 47 tag such as 'en' or 'pt-BR', got {self.language!r}"
            )
        object.__setattr__(self, "tone", Tone(self.tone))
        object.__setattr__(self, "length", Length(self.length))

    @property
    def primary_language(self) -> str:
        return self.language.split("-", 1)[0].lower()


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class DraftDescription:
    """A provider's answer before the guardrails."""

    title_suggestion: str
    description: str
    highlights: tuple[str, ...]
    seo_keywords: tuple[str, ...]
    model: str
    usage: TokenUsage = TokenUsage()


@dataclass(frozen=True)
class GeneratedDescription:
    """A listing ready to publish.

    ``model`` is the value for ``analysis_results.description_model``: ``<provider>/<model id>``.
    """

    title_suggestion: str
    description: str
    highlights: tuple[str, ...]
    seo_keywords: tuple[str, ...]
    model: str
    provider: str
    language: str
    usage: TokenUsage


@dataclass(frozen=True)
class StatedAttribute:
    """An attribute confident enough to be stated; several values for one name are kept together."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class StatedFacts:
    """The facts a description may state: only what passed the confidence thresholds.

    Providers see only this, so nothing below a threshold can reach the text.
    ``unconfirmed_defects`` is true when the analysis saw possible defects below the threshold:
    they are not stated, but they forbid any claim that the item is flawless.
    """

    title: str
    seller_notes: str
    category: str | None
    subcategory: str | None
    attributes: tuple[StatedAttribute, ...]
    defects: tuple[DefectFact, ...]
    condition: str | None
    unconfirmed_defects: bool
    image: ProductImage | None

    def values_of(self, name: str) -> tuple[str, ...]:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute.values
        return ()

    @property
    def may_have_flaws(self) -> bool:
        return bool(self.defects) or self.unconfirmed_defects


@dataclass(frozen=True)
class ChatPrompt:
    """One request to a chat model: system prompt, user text and an optional photo."""

    system: str
    user: str
    image: ProductImage | None
    max_output_tokens: int
    temperature: float


@dataclass(frozen=True)
class ChatReply:
    text: str
    model: str
    usage: TokenUsage


class ChatModel(Protocol):
    """A remote chat model (Bedrock Converse, an OpenAI-compatible endpoint)."""

    @property
    def provider(self) -> str: ...

    def complete(self, prompt: ChatPrompt) -> ChatReply: ...


class DescriptionProvider(Protocol):
    """Writes a draft listing from the stated facts; the generator applies the guardrails."""

    @property
    def provider(self) -> str: ...

    def write(self, facts: StatedFacts, options: DescriptionOptions) -> DraftDescription: ...


class DescriptionError(Exception):
    """A description could not be generated."""


class DescriptionTransientError(DescriptionError):
    """Worth retrying later: throttling, timeouts, an overloaded or unreachable endpoint."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DescriptionPermanentError(DescriptionError):
    """Retrying will not help: configuration, credentials, a refused request, a malformed answer."""
