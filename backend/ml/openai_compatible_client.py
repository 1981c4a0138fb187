"""Client for any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, Field, ValidationError

from backend.ml.description_retry import RetryPolicy, call_with_retries
from backend.ml.description_types import (
    ChatPrompt,
    ChatReply,
    DescriptionError,
    DescriptionPermanentError,
    DescriptionTransientError,
    TokenUsage,
)
from backend.shared.config import Settings

log = structlog.get_logger(__name__)

PROVIDER = "openai"

_TRANSIENT_STATUSES = frozenset({408, 409, 425, 429})
_HINTS = {
    401: " (check IMAGINEAI_OPENAI_API_KEY)",
    403: " (check IMAGINEAI_OPENAI_API_KEY)",
    404: (
        " (check IMAGINEAI_OPENAI_BASE_URL, which usually ends in /v1, and IMAGINEAI_OPENAI_MODEL)"
    ),
}


class _Message(BaseModel):
    content: str | list[dict[str, Any]] | None = None


class _Choice(BaseModel):
    message: _Message
    finish_reason: str | None = None


class _Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Completion(BaseModel):
    model: str | None = None
    choices: list[_Choice] = Field(min_length=1)
    usage: _Usage | None = None


class OpenAICompatibleClient:
    """A chat model behind ``POST {base_url}/chat/completions``, retried while overloaded."""

    def __init__(
        self, http: httpx.Client, *, model: str, retry: RetryPolicy, json_mode: bool = True
    ) -> None:
        self._http = http
        self._model = model
        self._retry = retry
        self._json_mode = json_mode

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatibleClient:
        if not settings.openai_model:
            raise DescriptionPermanentError(
                "IMAGINEAI_OPENAI_MODEL must name the model to use with"
                " IMAGINEAI_DESCRIPTION_PROVIDER=openai"
            )
        headers = {}
        if settings.openai_api_key is not None:
            headers["Authorization"] = f"Bearer {settings.openai_api_key.get_secret_value()}"
        http = httpx.Client(
            base_url=settings.openai_base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(
                settings.description_read_timeout_seconds,
                connect=settings.description_connect_timeout_seconds,
            ),
        )
        return cls(
            http,
            model=settings.openai_model,
            retry=RetryPolicy.from_settings(settings),
            json_mode=settings.openai_json_mode,
        )

    @property
    def provider(self) -> str:
        return PROVIDER

    def close(self) -> None:
        self._http.close()

    def complete(self, prompt: ChatPrompt) -> ChatReply:
        body = self._body(prompt)
        return call_with_retries(lambda: self._post(body), self._retry, provider=PROVIDER)

    def _body(self, prompt: ChatPrompt) -> dict[str, Any]:
        user: str | list[dict[str, Any]] = prompt.user
        if prompt.image is not None:
            encoded = base64.b64encode(prompt.image.data).decode("ascii")
            user = [
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:{prompt.image.media_type};base64,{encoded}"},
                },
                {"type": "text", "text": prompt.user},
            ]
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": user},
            ],
            "max_tokens": prompt.max_output_tokens,
            "temperature": prompt.temperature,
        }
        if self._json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def _post(self, body: dict[str, Any]) -> ChatReply:
        try:
            response = self._http.post("chat/completions", json=body)
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
            raise DescriptionTransientError(
                f"OpenAI-compatible endpoint {self._http.base_url} unreachable or too slow:"
                f" {type(error).__name__} {error}"
            ) from error
        except httpx.HTTPError as error:
            raise DescriptionPermanentError(
                f"OpenAI-compatible endpoint {self._http.base_url} could not be called: {error}"
            ) from error
        if response.status_code != httpx.codes.OK:
            raise self._status_error(response)
        return self._reply(response)

    def _status_error(self, response: httpx.Response) -> DescriptionError:
        status = response.status_code
        message = (
            f"OpenAI-compatible endpoint answered {status} for model {self._model}:"
            f" {_server_message(response)}"
        )
        if status in _TRANSIENT_STATUSES or status >= 500:
            return DescriptionTransientError(message, retry_after=_retry_after(response))
        return DescriptionPermanentError(message + _HINTS.get(status, ""))

    def _reply(self, response: httpx.Response) -> ChatReply:
        try:
            completion = _Completion.model_validate_json(response.content)
        except ValidationError as error:
            fields = ", ".join(".".join(map(str, e["loc"])) or e["type"] for e in error.errors())
            raise DescriptionPermanentError(
                f"OpenAI-compatible endpoint {self._http.base_url} returned a malformed"
                f" chat completion (missing or invalid: {fields})"
            ) from error
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            raise DescriptionPermanentError(
                f"model {self._model} stopped at the token limit before finishing the listing;"
                " raise IMAGINEAI_DESCRIPTION_MAX_OUTPUT_TOKENS"
            )
        if choice.finish_reason == "content_filter":
            raise DescriptionPermanentError(
                f"model {self._model} refused the request (content_filter)"
            )
        text = _text_of(choice.message.content)
        if not text.strip():
            raise DescriptionPermanentError(
                f"OpenAI-compatible endpoint {self._http.base_url} returned a malformed"
                " chat completion (no text in choices[0].message.content)"
            )
        usage = completion.usage or _Usage()
        log.info(
            "description.openai_reply",
            model=completion.model or self._model,
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
        )
        return ChatReply(
            text=text,
            model=completion.model or self._model,
            usage=TokenUsage(usage.prompt_tokens, usage.completion_tokens),
        )


def _text_of(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part.get("text"), str))
    return content or ""


def _server_message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300]
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))[:300]
    return str(error or payload)[:300]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
