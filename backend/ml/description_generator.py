"""Natural-language product descriptions: facts in, a listing ready to publish out.

``generate_description`` applies the confidence thresholds, lets the provider chosen in
settings write a draft (the offline writer, Bedrock, or an OpenAI-compatible endpoint), and
passes every draft through the same guardrails.
"""

from __future__ import annotations

import threading
import time

import structlog

from backend.ml.bedrock_client import BedrockClient
from backend.ml.description_facts import Thresholds, select_facts
from backend.ml.description_guardrails import Limits, apply_guardrails
from backend.ml.description_image import image_for_model
from backend.ml.description_prompt import build_chat_prompt, parse_listing
from backend.ml.description_types import (
    AttributeFact,
    ChatModel,
    DefectFact,
    DescriptionError,
    DescriptionOptions,
    DescriptionPermanentError,
    DescriptionProvider,
    DescriptionTransientError,
    DraftDescription,
    GeneratedDescription,
    Length,
    ProductFacts,
    ProductImage,
    StatedFacts,
    TokenUsage,
    Tone,
)
from backend.ml.offline_writer import OfflineWriter
from backend.ml.openai_compatible_client import OpenAICompatibleClient
from backend.shared.config import Settings, get_settings

__all__ = [
    "AttributeFact",
    "ChatDescriptionProvider",
    "DefectFact",
    "DescriptionError",
    "DescriptionOptions",
    "DescriptionPermanentError",
    "DescriptionProvider",
    "DescriptionTransientError",
    "GeneratedDescription",
    "Length",
    "ProductFacts",
    "ProductImage",
    "TokenUsage",
    "Tone",
    "create_provider",
    "generate_description",
    "provider_for",
]

log = structlog.get_logger(__name__)


class ChatDescriptionProvider:
    """Listings from a chat model: the house-style prompt out, the listing JSON back."""

    def __init__(self, chat: ChatModel, settings: Settings, *, send_image: bool) -> None:
        self._chat = chat
        self._settings = settings
        self._send_image = send_image

    @property
    def provider(self) -> str:
        return self._chat.provider

    def write(self, facts: StatedFacts, options: DescriptionOptions) -> DraftDescription:
        image = image_for_model(facts.image) if self._send_image and facts.image else None
        prompt = build_chat_prompt(
            facts,
            options,
            image=image,
            title_chars=self._settings.description_max_title_chars,
            highlights=self._settings.description_max_highlights,
            keywords=self._settings.description_max_keywords,
            max_output_tokens=self._settings.description_max_output_tokens,
            temperature=self._settings.description_temperature,
        )
        return parse_listing(self._chat.complete(prompt), self._chat.provider)


def create_provider(settings: Settings) -> DescriptionProvider:
    """A new provider for ``settings.description_provider``."""
    if settings.description_provider == "bedrock":
        bedrock = BedrockClient.from_settings(settings)
        return ChatDescriptionProvider(bedrock, settings, send_image=settings.bedrock_send_image)
    if settings.description_provider == "openai":
        openai = OpenAICompatibleClient.from_settings(settings)
        return ChatDescriptionProvider(openai, settings, send_image=settings.openai_send_image)
    return OfflineWriter()


_providers: dict[str, DescriptionProvider] = {}
_providers_lock = threading.Lock()


def provider_for(settings: Settings) -> DescriptionProvider:
    """The provider for these settings, built once per process (clients keep their connections)."""
    key = _provider_key(settings)
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = create_provider(settings)
    return provider


def _provider_key(settings: Settings) -> str:
    fields = {
        name
        for name in Settings.model_fields
        if name.startswith(("description_", "bedrock_", "openai_"))
    }
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    return settings.model_dump_json(include=fields) + api_key


def generate_description(
    facts: ProductFacts,
    options: DescriptionOptions | None = None,
    settings: Settings | None = None,
    *,
    provider: DescriptionProvider | None = None,
) -> GeneratedDescription:
    """Write a listing for ``facts``.

    Raises ``DescriptionTransientError`` when a later retry may succeed (throttling, timeouts)
    and ``DescriptionPermanentError`` when it will not (configuration, credentials, refusals).
    """
    settings = settings or get_settings()
    options = options or DescriptionOptions()
    provider = provider or provider_for(settings)
    stated = select_facts(
        facts,
        Thresholds(
            attribute=settings.description_attribute_min_confidence,
            category=settings.description_category_min_confidence,
            defect=settings.description_defect_min_confidence,
        ),
    )
    started = time.perf_counter()
    draft = apply_guardrails(
        provider.write(stated, options),
        stated,
        Limits(
            title_chars=settings.description_max_title_chars,
            description_chars=settings.description_max_chars,
            highlights=settings.description_max_highlights,
            keywords=settings.description_max_keywords,
        ),
        language=options.language,
    )
    log.info(
        "description.generated",
        provider=provider.provider,
        model=draft.model,
        chars=len(draft.description),
        input_tokens=draft.usage.input_tokens,
        output_tokens=draft.usage.output_tokens,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    return GeneratedDescription(
        title_suggestion=draft.title_suggestion,
        description=draft.description,
        highlights=draft.highlights,
        seo_keywords=draft.seo_keywords,
        model=f"{provider.provider}/{draft.model}"[:200],
        provider=provider.provider,
        language=options.language,
        usage=draft.usage,
    )
