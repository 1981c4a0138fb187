from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.shared.config import Settings, normalize_database_url


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("postgresql://user@host:5432/db", "postgresql+psycopg://user@host:5432/db"),
        ("postgres://user:pw@host/db", "postgresql+psycopg://user:pw@host/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite://", "sqlite+pysqlite:///:memory:"),
    ],
)
def test_database_url_forms_users_paste(pasted: str, expected: str) -> None:
    assert normalize_database_url(pasted) == expected


def test_sqlite_path_gets_driver_and_folder(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "db.sqlite"
    assert normalize_database_url(f"sqlite:///{target}") == f"sqlite+pysqlite:///{target}"
    assert target.parent.is_dir()


def test_nonsense_database_url_is_refused() -> None:
    with pytest.raises(ValueError, match="IMAGINEAI_DATABASE_URL"):
        normalize_database_url("localhost:5432")


def test_embedded_defaults_live_under_var(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite+pysqlite:///{tmp_path / 'imagineai.db'}"
    assert settings.storage_dir == tmp_path / "storage"
    assert settings.storage_backend == "local"
    assert settings.broker_url is None
    assert settings.redis_url is None


def test_secrets_are_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path)
    second = Settings(var_dir=tmp_path)
    assert len(first.jwt_secret) >= 32
    assert first.jwt_secret == second.jwt_secret
    assert first.signing_secret == second.signing_secret
    assert first.jwt_secret.encode() != first.signing_secret
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600


def test_production_refuses_generated_secrets(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must be set in production"):
        Settings(var_dir=tmp_path, environment="production")


def test_settings_read_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGINEAI_DATABASE_URL", "postgresql://app@db:5432/imagineai")
    monkeypatch.setenv("IMAGINEAI_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings(var_dir=tmp_path)
    assert settings.sqlalchemy_url == "postgresql+psycopg://app@db:5432/imagineai"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
