"""The admin as one ASGI application: Django for pages, Starlette for its static files.

No separate web server is needed for the CSS and JavaScript, in embedded mode or in a
container; ``imagineai up`` and ``imagineai admin`` both serve this with uvicorn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from django.core.asgi import get_asgi_application
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.django_app.conf import STATIC_URL, migrate_admin_tables, setup_django
from backend.shared.config import Settings, get_settings

STATIC_PACKAGES: list[str | tuple[str, str]] = [
    ("django.contrib.admin", "static"),
    ("backend.django_app", "static"),
]


class AdminApplication:
    """Routes ``/static/`` to the files, everything else to Django, and answers lifespan."""

    def __init__(self, django_app: Callable[..., Awaitable[None]], static_app: ASGIApp) -> None:
        self._django = django_app
        self._static = static_app
        self._static_root = STATIC_URL.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] != "http":
            await self._refuse_websocket(receive, send)
        elif scope["path"].startswith(STATIC_URL):
            root_path = scope.get("root_path", "") + self._static_root
            await self._static({**scope, "root_path": root_path}, receive, send)
        else:
            await self._django(scope, receive, send)

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        # Django's handler refuses lifespan events; uvicorn's lifespan="on" would then abort.
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _refuse_websocket(receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": 1008})


def create_admin_app(settings: Settings | None = None, *, migrate: bool = True) -> ASGIApp:
    """Configure Django for ``settings``, create its own tables if asked, return the app."""
    setup_django(settings or get_settings())
    if migrate:
        migrate_admin_tables()
    # StaticFiles answers a missing file by raising; the middleware turns that into a 404.
    static = ExceptionMiddleware(StaticFiles(packages=STATIC_PACKAGES, check_dir=True))
    return AdminApplication(get_asgi_application(), static)
