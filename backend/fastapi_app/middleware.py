"""Pure ASGI middleware: request ids and security headers (work for streams and WebSockets)."""

from __future__ import annotations

import re
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The interactive docs load their own scripts; API answers are JSON and need nothing.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The web app loads only its own files; images may come from the storage's signed URLs.
SPA_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob: https: http:; "
    "connect-src 'self' https: http: ws: wss:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; script-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
API_PATH_PREFIXES = ("/api/", "/ws", "/openapi.json")


def request_id_of(scope: Scope) -> str:
    state = scope.get("state") or {}
    return str(state.get("request_id", ""))


class RequestIdMiddleware:
    """Accept a sane incoming ``X-Request-ID`` or make one; log it and return it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = (
            dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")
        )
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, serves_spa: bool = False) -> None:
        self.app = app
        self.serves_spa = serves_spa

    def _policy(self, path: str) -> str | None:
        if path in DOCS_PATHS:
            return None
        if self.serves_spa and not path.startswith(API_PATH_PREFIXES):
            return SPA_CONTENT_SECURITY_POLICY
        return API_CONTENT_SECURITY_POLICY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self._policy(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if policy is not None:
                    headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
