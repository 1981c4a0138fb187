"""The ``imagineai`` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from backend import __version__
from backend.django_app import cli as admin_cli
from backend.ml import cli as ml_cli

app = typer.Typer(
    name="imagineai",
    help="ImagineAI: product-image analysis platform.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
ml_cli.register(app)
admin_cli.register(app)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"imagineai {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """ImagineAI command line."""


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from backend.shared.db.migrate import upgrade

    upgrade(revision)
    typer.echo(f"database upgraded to {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Revert migrations down to REVISION."""
    from backend.shared.db.migrate import downgrade

    downgrade(revision)
    typer.echo(f"database downgraded to {revision}")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Autogenerate a migration from the models (for developers)."""
    from backend.shared.db.migrate import make_revision

    make_revision(message)


@app.command()
def createsuperuser(
    email: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    full_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a staff superuser who can log in to the API and the admin panel."""
    from backend.domain.auth.service import check_password_policy
    from backend.domain.errors import DomainError
    from backend.domain.users import service as users_service
    from backend.domain.users.passwords import PasswordTooLongError
    from backend.shared.config import get_settings
    from backend.shared.db.session import session_scope

    try:
        check_password_policy(password, email=email, settings=get_settings())
        with session_scope() as session:
            user = users_service.create(
                session, email=email, password=password, full_name=full_name, is_superuser=True
            )
    except (DomainError, PasswordTooLongError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"superuser {user.email} created")


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Serve the REST API and the WebSocket."""
    import uvicorn

    from backend.shared.config import get_settings
    from backend.shared.memory import return_large_buffers_to_os

    settings = get_settings()
    return_large_buffers_to_os(settings.malloc_mmap_threshold_bytes)
    uvicorn.run(
        "backend.fastapi_app.main:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_config=None,
        proxy_headers=True,
        timeout_keep_alive=settings.api_keep_alive_seconds,
    )


@app.command()
def up() -> None:
    """Start the whole platform on embedded defaults (migrates the database first)."""
    from backend.embedded import run_embedded
    from backend.shared.config import get_settings
    from backend.shared.memory import return_large_buffers_to_os

    return_large_buffers_to_os(get_settings().malloc_mmap_threshold_bytes)
    run_embedded()


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Worker processes (default: settings or CPU count).")
    ] = None,
    queues: Annotated[str, typer.Option(help="Queues to consume, comma separated.")] = "ml,default",
) -> None:
    """Run a Celery worker (RabbitMQ in real mode)."""
    from backend.shared.config import get_settings
    from backend.shared.logging import configure_logging
    from backend.shared.memory import return_large_buffers_to_os
    from backend.workers.celery_app import get_celery_app

    settings = get_settings()
    configure_logging(settings)
    # Set before the pool forks: the children inherit the allocator's settings.
    return_large_buffers_to_os(settings.malloc_mmap_threshold_bytes)
    argv = [
        "worker",
        f"--queues={queues}",
        f"--loglevel={settings.log_level}",
        "--hostname=worker@%h",
    ]
    chosen = concurrency or settings.worker_concurrency
    if chosen:
        argv.append(f"--concurrency={chosen}")
    get_celery_app().worker_main(argv)


@app.command()
def beat() -> None:
    """Run Celery Beat: recovery sweep, clean-up and health pings on a schedule."""
    from backend.shared.config import get_settings
    from backend.shared.logging import configure_logging
    from backend.workers.celery_app import get_celery_app

    settings = get_settings()
    configure_logging(settings)
    schedule = settings.var_dir / "celerybeat-schedule"
    get_celery_app().start(["beat", f"--loglevel={settings.log_level}", f"--schedule={schedule}"])


@app.command()
def status() -> None:
    """Show whether the database, storage and workers answer, and the queue depths."""
    from backend.domain.health import service as health_service
    from backend.shared.config import get_settings
    from backend.shared.db.session import session_scope
    from backend.shared.storage.factory import get_storage
    from backend.workers.queues import queue_depths

    settings = get_settings()
    with session_scope() as session:
        report = health_service.readiness(
            session=session, storage=get_storage(settings), settings=settings
        )
    typer.echo(f"status: {report.status}")
    for name, check in report.checks.items():
        mark = "ok  " if check.ok else "FAIL"
        typer.echo(f"  {mark} {name:<9} {check.detail}")
    for queue, depth in queue_depths().items():
        typer.echo(f"  queue {queue:<8} {depth if depth is not None else 'unknown'} waiting")
    if report.status == "unavailable":
        raise typer.Exit(code=1)
