"""AWS Bedrock client for Claude-based descriptions, through the Converse API.

Credentials come only from the standard AWS chain (environment, shared config, IRSA web
identity in Kubernetes, instance profile); nothing here reads or holds a key. botocore's own
retries are off: ``call_with_retries`` backs off on throttling with the policy from settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from pydantic import BaseModel, Field, ValidationError

from backend.ml.description_image import IMAGE_FORMATS
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

PROVIDER = "bedrock"

_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceQuotaExceededException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
        "ModelErrorException",
    }
)
_HINTS = {
    "AccessDeniedException": (
        " (the identity from the AWS credential chain needs bedrock:InvokeModel on this model,"
        " and the model must be enabled for this account in this region)"
    ),
    "ResourceNotFoundException": " (check IMAGINEAI_BEDROCK_MODEL_ID and IMAGINEAI_BEDROCK_REGION)",
    "UnrecognizedClientException": " (the AWS credentials were rejected)",
}


class ConverseClient(Protocol):
    """The part of boto3's ``bedrock-runtime`` client used here."""

    def converse(self, **kwargs: Any) -> Mapping[str, Any]: ...


class _Usage(BaseModel):
    input_tokens: int = Field(default=0, alias="inputTokens")
    output_tokens: int = Field(default=0, alias="outputTokens")


class _Message(BaseModel):
    content: list[dict[str, Any]]


class _Output(BaseModel):
    message: _Message


class _ConverseResponse(BaseModel):
    output: _Output
    stop_reason: str = Field(alias="stopReason")
    usage: _Usage | None = None


class BedrockClient:
    """A chat model on Bedrock: one Converse call per prompt, retried while throttled."""

    def __init__(self, runtime: ConverseClient, *, model_id: str, retry: RetryPolicy) -> None:
        self._runtime = runtime
        self._model_id = model_id
        self._retry = retry

    @classmethod
    def from_settings(
        cls, settings: Settings, *, session: boto3.session.Session | None = None
    ) -> BedrockClient:
        """Build the boto3 client; ``session`` defaults to one on the standard credential chain."""
        config = Config(
            connect_timeout=settings.description_connect_timeout_seconds,
            read_timeout=settings.description_read_timeout_seconds,
            retries={"total_max_attempts": 1, "mode": "standard"},
            user_agent_extra="imagineai-descriptions",
        )
        runtime = (session or boto3.session.Session()).client(
            "bedrock-runtime",
            region_name=settings.bedrock_region,
            endpoint_url=settings.bedrock_endpoint_url,
            config=config,
        )
        return cls(
            cast(ConverseClient, runtime),
            model_id=settings.bedrock_model_id,
            retry=RetryPolicy.from_settings(settings),
        )

    @property
    def provider(self) -> str:
        return PROVIDER

    @property
    def model_id(self) -> str:
        return self._model_id

    def complete(self, prompt: ChatPrompt) -> ChatReply:
        request = self._request(prompt)
        return call_with_retries(lambda: self._converse(request), self._retry, provider=PROVIDER)

    def _request(self, prompt: ChatPrompt) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if prompt.image is not None:
            image_format = IMAGE_FORMATS[prompt.image.media_type]
            content.append(
                {"image": {"format": image_format, "source": {"bytes": prompt.image.data}}}
            )
        content.append({"text": prompt.user})
        return {
            "modelId": self._model_id,
            "system": [{"text": prompt.system}],
            "messages": [{"role": "user", "content": content}],
            "inferenceConfig": {
                "maxTokens": prompt.max_output_tokens,
                "temperature": prompt.temperature,
            },
        }

    def _converse(self, request: dict[str, Any]) -> ChatReply:
        try:
            response = self._runtime.converse(**request)
        except ClientError as error:
            raise self._client_error(error) from error
        except (BotoConnectionError, HTTPClientError) as error:
            raise DescriptionTransientError(
                f"Bedrock endpoint unreachable or too slow for model {self._model_id}: {error}"
            ) from error
        except BotoCoreError as error:
            raise DescriptionPermanentError(
                f"Bedrock call for model {self._model_id} could not be made: {error}"
            ) from error
        return self._reply(response)

    def _client_error(self, error: ClientError) -> DescriptionError:
        details = error.response.get("Error", {})
        code = details.get("Code", "UnknownError")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        message = f"Bedrock {code} for model {self._model_id}: {details.get('Message', '')}"
        if code in _TRANSIENT_CODES or status == 429 or status >= 500:
            return DescriptionTransientError(message)
        return DescriptionPermanentError(message + _HINTS.get(code, ""))

    def _reply(self, response: Mapping[str, Any]) -> ChatReply:
        try:
            parsed = _ConverseResponse.model_validate(response)
        except ValidationError as error:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
            raise DescriptionPermanentError(
                f"Bedrock returned a malformed Converse response for model {self._model_id}"
                f" (missing or invalid: {fields})"
            ) from error
        _check_stop_reason(parsed.stop_reason, self._model_id)
        text = "".join(
            block["text"]
            for block in parsed.output.message.content
            if isinstance(block.get("text"), str)
        )
        if not text.strip():
            raise DescriptionPermanentError(
                f"Bedrock returned a malformed Converse response for model {self._model_id}"
                " (no text in output.message.content)"
            )
        usage = parsed.usage or _Usage()
        log.info(
            "description.bedrock_reply",
            model=self._model_id,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
        )
        return ChatReply(
            text=text,
            model=self._model_id,
            usage=TokenUsage(usage.input_tokens, usage.output_tokens),
        )


def _check_stop_reason(stop_reason: str, model_id: str) -> None:
    if stop_reason == "max_tokens":
        raise DescriptionPermanentError(
            f"Bedrock model {model_id} stopped at the token limit before finishing the listing;"
            " raise IMAGINEAI_DESCRIPTION_MAX_OUTPUT_TOKENS"
        )
    if stop_reason in {"guardrail_intervened", "content_filtered"}:
        raise DescriptionPermanentError(
            f"Bedrock model {model_id} refused the request ({stop_reason})"
        )
    if stop_reason == "malformed_model_output":
        raise DescriptionTransientError(f"Bedrock model {model_id} produced malformed output")
