"""The Bedrock client against a local server speaking the Converse wire protocol.

boto3 signs and sends real HTTP requests to the server (``endpoint_url``), with dummy
credentials given to its session here; the server answers with scripted Converse responses.
"""

from __future__ import annotations

import base64
import io
import json
import socket
from collections.abc import Iterator

import boto3
import pytest
from PIL import Image

from backend.ml.bedrock_client import BedrockClient
from backend.ml.description_generator import (
    AttributeFact,
    ChatDescriptionProvider,
    DefectFact,
    DescriptionOptions,
    DescriptionPermanentError,
    DescriptionTransientError,
    GeneratedDescription,
    Length,
    ProductFacts,
    ProductImage,
    Tone,
    generate_description,
)
from backend.shared.config import Settings
from tests.ml.description_fixtures.scripted_server import ScriptedResponse, ScriptedServer

MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
LISTING = {
    "title": "Red ceramic espresso cup, like new",
    "description": (
        "A handmade red and white ceramic espresso cup that holds a double shot.\n\n"
        "It is like new. More photos at https://cups.example.com/red.\n\n"
        "The glaze shows two light scratches near the rim."
    ),
    "highlights": ["Red and white glaze", "Ceramic", "Two light scratches near the rim"],
    "seo_keywords": ["espresso cup", "red ceramic cup", "#handmade"],
}


def _converse_answer(text: str, stop_reason: str = "end_turn") -> ScriptedResponse:
    return ScriptedResponse(
        200,
        {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": stop_reason,
            "usage": {"inputTokens": 812, "outputTokens": 240, "totalTokens": 1052},
            "metrics": {"latencyMs": 930},
        },
    )


def _aws_error(status: int, code: str, message: str) -> ScriptedResponse:
    # restJson services name the error in this header; botocore reads the code from it.
    return ScriptedResponse(
        status,
        {"message": message},
        headers={
            "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
        },
    )


THROTTLED = _aws_error(429, "ThrottlingException", "Too many requests, please wait.")


def _png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(buffer, "PNG")
    return buffer.getvalue()


PHOTO = _png()
FACTS = ProductFacts(
    title="Handmade espresso cup",
    seller_notes="Holds a double espresso.",
    category="kitchen",
    subcategory="mugs",
    category_confidence=0.91,
    attributes=(
        AttributeFact("color", "red", 0.86),
        AttributeFact("color", "white", 0.64),
        AttributeFact("material", "ceramic", 0.78),
        AttributeFact("material", "glass", 0.12),
    ),
    defects=(DefectFact("scratch", "low", 0.77), DefectFact("stain", "low", 0.3)),
    condition="used",
    condition_confidence=0.74,
    image=ProductImage(PHOTO, "image/png"),
)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer().running() as running:
        yield running


def _settings(endpoint_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "description_provider": "bedrock",
        "bedrock_endpoint_url": endpoint_url,
        "bedrock_region": "eu-central-1",
        "description_max_attempts": 3,
        "description_retry_base_seconds": 0.01,
        "description_read_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def _client(settings: Settings) -> BedrockClient:
    session = boto3.session.Session(
        aws_access_key_id="AKIDIMAGINEAITEST",
        aws_secret_access_key="dummy-secret-for-tests",
        region_name=settings.bedrock_region,
    )
    return BedrockClient.from_settings(settings, session=session)


def _generate(settings: Settings) -> GeneratedDescription:
    provider = ChatDescriptionProvider(
        _client(settings), settings, send_image=settings.bedrock_send_image
    )
    return generate_description(FACTS, DescriptionOptions(), settings, provider=provider)


def test_converse_request_and_answer(server: ScriptedServer) -> None:
    server.script(_converse_answer(json.dumps(LISTING)))
    settings = _settings(server.url)
    provider = ChatDescriptionProvider(_client(settings), settings, send_image=True)

    result = generate_description(
        FACTS,
        DescriptionOptions(tone=Tone.FRIENDLY, length=Length.SHORT),
        settings,
        provider=provider,
    )

    [request] = server.requests
    assert request.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    assert request.headers["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDIMAGINEAITEST/"
    )
    assert "/eu-central-1/bedrock/aws4_request" in request.headers["authorization"]
    body = request.json()
    assert "house style" in body["system"][0]["text"].lower()
    assert "warm and friendly" in body["system"][0]["text"]
    assert body["inferenceConfig"] == {"maxTokens": 1024, "temperature": 0.5}
    image_block, text_block = body["messages"][0]["content"]
    assert image_block["image"]["format"] == "png"
    assert base64.b64decode(image_block["image"]["source"]["bytes"]) == PHOTO
    facts_sent = json.loads(text_block["text"].split("\n", 1)[1].rsplit("\n\n", 1)[0])
    assert facts_sent["attributes"] == {"color": ["red", "white"], "material": ["ceramic"]}
    assert facts_sent["defects"] == [{"type": "scratch", "severity": "minor", "count": 1}]
    assert facts_sent["possible_unconfirmed_flaws"] is True

    assert result.provider == "bedrock"
    assert result.model == f"bedrock/{MODEL_ID}"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (812, 240)
    # The guardrails ran on the model's answer: no "like new" for a scratched cup, no URL.
    assert result.title_suggestion == "Red ceramic espresso cup"
    assert "like new" not in result.description.lower()
    assert "http" not in result.description
    assert "two light scratches" in result.description
    assert result.seo_keywords == ("espresso cup", "red ceramic cup", "handmade")


def test_image_left_out_when_disabled(server: ScriptedServer) -> None:
    server.script(_converse_answer(json.dumps(LISTING)))
    _generate(_settings(server.url, bedrock_send_image=False))
    [block] = server.requests[0].json()["messages"][0]["content"]
    assert set(block) == {"text"}


def test_throttling_is_retried_with_backoff(server: ScriptedServer) -> None:
    server.script(THROTTLED, THROTTLED, _converse_answer(json.dumps(LISTING)))
    result = _generate(_settings(server.url))
    assert len(server.requests) == 3
    assert "two light scratches" in result.description


def test_throttling_that_never_ends_is_a_transient_error(server: ScriptedServer) -> None:
    server.script(THROTTLED, THROTTLED, THROTTLED)
    with pytest.raises(DescriptionTransientError, match="ThrottlingException"):
        _generate(_settings(server.url))
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("answer", "missing"),
    [
        (ScriptedResponse(200, {"stopReason": "end_turn", "usage": {}}), "output"),
        (ScriptedResponse(200, {"output": {"message": {}}, "stopReason": "end_turn"}), "content"),
        (ScriptedResponse(200, b"<html>Bad gateway</html>"), "output"),
        (_converse_answer(""), "no text"),
    ],
)
def test_malformed_response_is_a_clear_permanent_error(
    server: ScriptedServer, answer: ScriptedResponse, missing: str
) -> None:
    server.script(answer)
    with pytest.raises(DescriptionPermanentError, match="malformed Converse response") as caught:
        _generate(_settings(server.url))
    assert missing in str(caught.value)
    assert MODEL_ID in str(caught.value)
    assert len(server.requests) == 1


def test_access_denied_is_permanent_with_a_hint(server: ScriptedServer) -> None:
    server.script(_aws_error(403, "AccessDeniedException", "You don't have access to the model."))
    with pytest.raises(DescriptionPermanentError, match="bedrock:InvokeModel"):
        _generate(_settings(server.url))
    assert len(server.requests) == 1


def test_server_error_is_retried(server: ScriptedServer) -> None:
    server.script(
        _aws_error(503, "ServiceUnavailableException", "Service unavailable"),
        _converse_answer(json.dumps(LISTING)),
    )
    _generate(_settings(server.url))
    assert len(server.requests) == 2


def test_answer_that_is_not_the_listing_json_is_transient(server: ScriptedServer) -> None:
    server.script(_converse_answer("Sure! Here is a lovely description of your cup."))
    with pytest.raises(DescriptionTransientError, match="did not answer with the listing JSON"):
        _generate(_settings(server.url, description_max_attempts=1))


def test_fenced_json_answer_is_accepted(server: ScriptedServer) -> None:
    server.script(_converse_answer("```json\n" + json.dumps(LISTING) + "\n```"))
    result = _generate(_settings(server.url))
    assert result.highlights[0] == "Red and white glaze"


def test_answer_cut_at_the_token_limit_is_permanent(server: ScriptedServer) -> None:
    server.script(_converse_answer('{"title": "Red cup", "descr', stop_reason="max_tokens"))
    with pytest.raises(DescriptionPermanentError, match="IMAGINEAI_DESCRIPTION_MAX_OUTPUT_TOKENS"):
        _generate(_settings(server.url))


def test_read_timeout_is_retried(server: ScriptedServer) -> None:
    slow = _converse_answer(json.dumps(LISTING))
    server.script(
        ScriptedResponse(slow.status, slow.body, delay_seconds=1.0),
        _converse_answer(json.dumps(LISTING)),
    )
    _generate(_settings(server.url, description_read_timeout_seconds=0.3))
    assert len(server.requests) == 2


def test_unreachable_endpoint_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = _settings(f"http://127.0.0.1:{closed_port}", description_max_attempts=2)
    with pytest.raises(DescriptionTransientError, match="unreachable"):
        _generate(settings)
