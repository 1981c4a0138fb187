"""The OpenAI-compatible provider against a local server speaking chat completions over HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from backend.ml.description_generator import (
    ChatDescriptionProvider,
    DefectFact,
    DescriptionOptions,
    DescriptionPermanentError,
    DescriptionTransientError,
    GeneratedDescription,
    ProductFacts,
    ProductImage,
    create_provider,
    generate_description,
    provider_for,
)
from backend.ml.openai_compatible_client import OpenAICompatibleClient
from backend.shared.config import Settings
from tests.ml.description_fixtures import analysed_products
from tests.ml.description_fixtures.scripted_server import ScriptedResponse, ScriptedServer

MODEL = "llama3.1:8b-instruct-q4_K_M"
LISTING = {
    "title": "Adidas Stan Smith sneakers, EU 42",
    "description": (
        "White leather Adidas Stan Smith sneakers in EU 42, worn a handful of times.\n\n"
        "Flawless, with no scratches at all. Message me on WhatsApp for a quick deal."
    ),
    "highlights": ["White leather", "EU 42", "Original box included"],
    "keywords": ["stan smith", "adidas sneakers", "white leather sneakers"],
}
SNEAKERS = analysed_products()["sneakers"]


def _completion(content: str, finish_reason: str = "stop") -> ScriptedResponse:
    return ScriptedResponse(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 655, "completion_tokens": 187, "total_tokens": 842},
        },
    )


OK = _completion(json.dumps(LISTING))


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer().running() as running:
        yield running


def _settings(base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "description_provider": "openai",
        "openai_base_url": f"{base_url}/v1",
        "openai_model": MODEL,
        "description_max_attempts": 3,
        "description_retry_base_seconds": 0.01,
        "description_read_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def _generate(settings: Settings, facts: ProductFacts = SNEAKERS) -> GeneratedDescription:
    client = OpenAICompatibleClient.from_settings(settings)
    try:
        provider = ChatDescriptionProvider(client, settings, send_image=settings.openai_send_image)
        return generate_description(facts, DescriptionOptions(), settings, provider=provider)
    finally:
        client.close()


def test_chat_completion_request_and_answer(server: ScriptedServer) -> None:
    server.script(OK)
    result = _generate(_settings(server.url, openai_api_key=SecretStr("sk-local-test")))

    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-local-test"
    body = request.json()
    assert body["model"] == MODEL
    assert body["response_format"] == {"type": "json_object"}
    assert body["max_tokens"] == 1024
    system, user = body["messages"]
    assert system["role"] == "system"
    assert "Never include URLs" in system["content"]
    assert user["role"] == "user"
    assert isinstance(user["content"], str)
    facts_sent = json.loads(user["content"].split("\n", 1)[1])
    # Stated facts only: "perforated" (0.41) and photo-quality noise stay out of the prompt.
    assert facts_sent["attributes"] == {
        "color": ["white"],
        "material": ["leather"],
        "brand": ["Adidas"],
        "size": ["EU 42"],
    }
    assert facts_sent["condition"] == "used"

    assert result.provider == "openai"
    assert result.model == f"openai/{MODEL}"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (655, 187)
    assert result.seo_keywords == ("stan smith", "adidas sneakers", "white leather sneakers")
    # Guardrails: the "flawless, no scratches" sentence and the WhatsApp invitation are gone,
    # and the stain and scratch the model left out are disclosed.
    assert "flawless" not in result.description.lower()
    assert "whatsapp" not in result.description.lower()
    assert "Please note: the photos show a minor stain and a minor scratch." in result.description


def test_no_api_key_sends_no_authorization(server: ScriptedServer) -> None:
    server.script(OK)
    _generate(_settings(server.url, openai_json_mode=False))
    assert "authorization" not in server.requests[0].headers
    assert "response_format" not in server.requests[0].json()


def test_photo_sent_as_data_url_when_enabled(server: ScriptedServer) -> None:
    server.script(OK)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    facts = ProductFacts(
        title="Test cup",
        defects=(DefectFact("crack", "high", 0.9),),
        image=ProductImage(png, "image/jpeg"),  # declared wrongly: the bytes are PNG
    )
    _generate(_settings(server.url, openai_send_image=True), facts)
    image_part, text_part = server.requests[0].json()["messages"][1]["content"]
    assert image_part["type"] == "image_url"
    assert (
        image_part["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(png).decode()
    )
    assert text_part["type"] == "text"
    assert text_part["text"].endswith("The product photo is attached.")


def test_rate_limit_and_overload_are_retried(server: ScriptedServer) -> None:
    server.script(
        ScriptedResponse(429, {"error": {"message": "rate limited"}}, headers={"Retry-After": "0"}),
        ScriptedResponse(503, b"upstream overloaded"),
        OK,
    )
    result = _generate(_settings(server.url))
    assert len(server.requests) == 3
    assert result.title_suggestion == "Adidas Stan Smith sneakers, EU 42"


def test_overload_that_never_ends_is_transient(server: ScriptedServer) -> None:
    server.script(*[ScriptedResponse(503, {"error": "busy"})] * 3)
    with pytest.raises(DescriptionTransientError, match="answered 503"):
        _generate(_settings(server.url))
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (ScriptedResponse(200, {"choices": []}), "choices"),
        (ScriptedResponse(200, {"object": "list", "data": []}), "choices"),
        (ScriptedResponse(200, b"<html>It works!</html>"), "json_invalid"),
        (_completion(""), "no text"),
    ],
)
def test_malformed_response_is_a_clear_permanent_error(
    server: ScriptedServer, answer: ScriptedResponse, detail: str
) -> None:
    server.script(answer)
    with pytest.raises(DescriptionPermanentError, match="malformed chat completion") as caught:
        _generate(_settings(server.url))
    assert detail in str(caught.value)
    assert len(server.requests) == 1


def test_rejected_key_is_permanent_with_a_hint(server: ScriptedServer) -> None:
    server.script(ScriptedResponse(401, {"error": {"message": "Invalid API key"}}))
    with pytest.raises(DescriptionPermanentError, match=r"401.*Invalid API key.*OPENAI_API_KEY"):
        _generate(_settings(server.url))
    assert len(server.requests) == 1


def test_unknown_model_is_permanent_with_a_hint(server: ScriptedServer) -> None:
    server.script(ScriptedResponse(404, {"error": {"message": f"model '{MODEL}' not found"}}))
    with pytest.raises(DescriptionPermanentError, match="IMAGINEAI_OPENAI_BASE_URL"):
        _generate(_settings(server.url))


def test_answer_cut_at_the_token_limit_is_permanent(server: ScriptedServer) -> None:
    server.script(_completion('{"title": "Stan', finish_reason="length"))
    with pytest.raises(DescriptionPermanentError, match="token limit"):
        _generate(_settings(server.url))


def test_read_timeout_is_retried(server: ScriptedServer) -> None:
    server.script(ScriptedResponse(OK.status, OK.body, delay_seconds=1.0), OK)
    _generate(_settings(server.url, description_read_timeout_seconds=0.3))
    assert len(server.requests) == 2


def test_model_must_be_configured() -> None:
    settings = Settings(description_provider="openai", openai_model=None)
    with pytest.raises(DescriptionPermanentError, match="IMAGINEAI_OPENAI_MODEL"):
        create_provider(settings)


def test_provider_chosen_from_settings_and_reused(server: ScriptedServer) -> None:
    server.script(OK)
    settings = _settings(server.url)
    provider = provider_for(settings)
    assert provider.provider == "openai"
    assert provider_for(settings.model_copy()) is provider
    assert provider_for(_settings(server.url, openai_model="other-model")) is not provider
    result = generate_description(SNEAKERS, settings=settings)
    assert result.model == f"openai/{MODEL}"
