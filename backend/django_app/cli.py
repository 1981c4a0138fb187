"""``imagineai admin``: the Django admin panel on its own port."""

from __future__ import annotations

from typing import Annotated

import typer


def admin(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8001).")] = None,
    migrate: Annotated[
        bool, typer.Option(help="Create or update Django's own tables (sessions, admin log) first.")
    ] = True,
    migrate_only: Annotated[
        bool, typer.Option(help="Only create or update Django's own tables, then exit.")
    ] = False,
) -> None:
    """Serve the admin panel for staff (static files included, no extra web server needed)."""
    import uvicorn

    from backend.django_app.asgi import create_admin_app
    from backend.django_app.conf import AdminConfigurationError
    from backend.shared.config import get_settings
    from backend.shared.logging import configure_logging

    settings = get_settings()
    configure_logging(settings)
    try:
        application = create_admin_app(settings, migrate=migrate or migrate_only)
    except AdminConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if migrate_only:
        typer.echo("admin tables are up to date")
        return
    uvicorn.run(
        application,
        host=host or settings.api_host,
        port=port or settings.admin_port,
        log_config=None,
        proxy_headers=True,
        lifespan="on",
    )


def register(app: typer.Typer) -> None:
    app.command(name="admin")(admin)
