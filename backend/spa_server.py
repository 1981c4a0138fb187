"""The web app on :4200: the built SPA plus the same API and WebSocket, so it is same-origin."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from backend.fastapi_app.main import create_app
from backend.shared.config import Settings

NOT_BUILT_PAGE = """<!doctype html><html lang="en"><head><title>ImagineAI</title></head>
<body><h1>The web app is not built yet</h1>
<p>Run <code>make frontend-build</code> (or <code>make run</code>, which builds it), then reload.
The API is up: <a href="/docs">/docs</a>.</p></body></html>"""


class SpaStaticFiles(StaticFiles):
    """Serve built files; any other path gets ``index.html`` so client-side routes load."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except StarletteHTTPException as exc:
            if exc.status_code != 404:
                raise
            return await super().get_response("index.html", scope)
        if response.status_code == 404:
            return await super().get_response("index.html", scope)
        return response


def create_spa_app(settings: Settings) -> FastAPI:
    app = create_app(settings, serves_spa=True)
    dist = settings.frontend_dist_dir
    if (dist / "index.html").is_file():
        app.mount("/", SpaStaticFiles(directory=dist, html=True), name="spa")
    else:

        @app.get("/", include_in_schema=False)
        def not_built() -> HTMLResponse:
            return HTMLResponse(NOT_BUILT_PAGE, status_code=503)

    return app
