"""``/ws?token=``: a user's live events (job steps, progress, finished analyses)."""

from __future__ import annotations

import uuid
from datetime import datetime

import anyio
import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from backend.domain.auth import service as auth_service
from backend.domain.auth import tokens
from backend.domain.errors import AuthenticationError
from backend.shared.config import Settings, get_settings
from backend.shared.db.session import session_scope
from backend.shared.db.types import utcnow
from backend.shared.pubsub.factory import get_event_bus

router = APIRouter(tags=["live events"])
logger = structlog.get_logger(__name__)

CLOSE_UNAUTHORIZED = 4401


def _authenticate(token: str, settings: Settings) -> tuple[uuid.UUID, datetime]:
    with session_scope() as session:
        user = auth_service.user_from_access_token(session, token=token, settings=settings)
    claims = tokens.decode(
        token, expected_type="access", secret=settings.jwt_secret, issuer=settings.jwt_issuer
    )
    return user.id, claims.expires_at


@router.websocket("/ws")
async def live_events(websocket: WebSocket, token: str = "") -> None:
    settings = get_settings()
    await websocket.accept()
    try:
        user_id, expires_at = await run_in_threadpool(_authenticate, token, settings)
    except AuthenticationError as exc:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason=exc.code)
        return
    bus = get_event_bus()
    async with bus.subscribe(user_id) as events, anyio.create_task_group() as tasks:

        async def send(message: dict[str, object]) -> None:
            try:
                await websocket.send_json(message)
            except (WebSocketDisconnect, RuntimeError, OSError):
                tasks.cancel_scope.cancel()

        async def forward() -> None:
            async for event in events:
                await send(event)

        async def heartbeat() -> None:
            while True:
                await anyio.sleep(settings.websocket_heartbeat_seconds)
                await send({"type": "heartbeat", "ts": utcnow().isoformat()})

        async def expire() -> None:
            # The token's lifetime bounds the stream; the client reconnects with a fresh one.
            await anyio.sleep(max(0.0, (expires_at - utcnow()).total_seconds()))
            with anyio.CancelScope(shield=True):
                await websocket.close(code=CLOSE_UNAUTHORIZED, reason="token_expired")
            tasks.cancel_scope.cancel()

        async def until_disconnect() -> None:
            try:
                while True:
                    await websocket.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                pass
            tasks.cancel_scope.cancel()

        tasks.start_soon(forward)
        tasks.start_soon(heartbeat)
        tasks.start_soon(expire)
        tasks.start_soon(until_disconnect)
    logger.debug("websocket_closed", user_id=str(user_id))
