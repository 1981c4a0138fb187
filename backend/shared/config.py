"""All settings of ImagineAI, read once from the environment (``IMAGINEAI_`` prefix) and ``.env``.

This is the only module that reads the environment. The defaults give the embedded mode:
SQLite and local image storage under ``var/``, an in-process broker and pub/sub, and the
offline description writer. Setting the URLs below switches each part to its real service.
"""

from __future__ import annotations

import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MEGABYTE = 1024 * 1024
T = TypeVar("T")
_GENERATED_SECRETS_FILE = "secrets.json"


def normalize_database_url(url: str) -> str:
    """Accept the URL forms users paste and pick the SQLAlchemy driver ourselves.

    ``postgres://`` and ``postgresql://`` use psycopg 3; a relative SQLite path is taken
    relative to the working directory, and its folder is created.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:"):
        path_part = url.removeprefix("sqlite+pysqlite:").removeprefix("sqlite:")
        if path_part in ("", "//", "///:memory:", "//:memory:"):
            return "sqlite+pysqlite:///:memory:"
        file_path = Path(path_part.removeprefix("///"))
        file_path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+pysqlite:///{file_path}"
    if "://" not in url:
        raise ValueError(
            "IMAGINEAI_DATABASE_URL must look like postgresql://user@host:5432/db "
            "or sqlite:///path/to/file.db"
        )
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="IMAGINEAI_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- general -------------------------------------------------------------------------
    environment: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    log_level: str = "INFO"
    log_json: bool = False
    require_services: bool = Field(
        default=False,
        description="Tests fail instead of skipping when a real service is unreachable.",
    )

    # --- secrets (generated into var/secrets.json when unset, outside production) ----------
    jwt_secret_key: SecretStr | None = None
    signing_key: SecretStr | None = None

    # --- database ------------------------------------------------------------------------
    database_url: str | None = None
    database_echo: bool = False

    # --- HTTP servers --------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        description="How long the API keeps an idle HTTP connection open; longer than the idle "
        "timeout of the load balancer in front (60 s on AWS ALB), so the balancer never "
        "reuses a connection the API is closing",
    )
    admin_port: int = 8001
    frontend_port: int = 4200
    public_base_url: str = "http://localhost:8000"
    frontend_dist_dir: Path = Path("frontend/dist")
    cors_origins: Annotated[list[str], NoDecode] = [
        "http://localhost:4200",
        "http://127.0.0.1:4200",
    ]

    # --- admin panel (backend/django_app, served on admin_port) ------------------------------
    admin_allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1", "[::1]"]
    admin_csrf_trusted_origins: Annotated[list[str], NoDecode] = Field(
        default=[], description="Extra origins (scheme://host[:port]) allowed to post admin forms"
    )
    admin_session_hours: float = Field(default=8.0, gt=0)
    admin_list_per_page: int = Field(default=50, ge=10, le=500)

    # --- auth ----------------------------------------------------------------------------
    access_token_expire_minutes: int = 30
    refresh_token_expire_days: int = 7
    jwt_issuer: str = "imagineai"
    password_min_length: int = 10
    login_attempts_per_ip: int = 20
    login_attempts_per_email: int = 10
    register_attempts_per_ip: int = 10
    auth_rate_window_seconds: int = 300

    # --- image storage -------------------------------------------------------------------
    storage_backend: Literal["local", "s3"] = "local"
    local_storage_dir: Path | None = None
    s3_bucket: str = "imagineai-images"
    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = Field(
        default=None,
        description="Endpoint written into presigned URLs when browsers reach the S3 server "
        "under another name than the backend does (e.g. MinIO in docker compose)",
    )
    s3_region: str = "us-east-1"
    upload_url_expire_seconds: int = 900
    download_url_expire_seconds: int = 300
    max_upload_bytes: int = 50 * MEGABYTE
    max_image_pixels: int = 100_000_000
    malloc_mmap_threshold_bytes: int = Field(
        default=MEGABYTE,
        ge=0,
        description="API and worker processes hand freed buffers of this size and more back to "
        "the OS (glibc mmap threshold; 0 leaves the allocator's default)",
    )

    # --- task queue and live updates ------------------------------------------------------
    broker_url: str | None = None
    redis_url: str | None = None
    websocket_heartbeat_seconds: float = 20.0

    # --- workers and the scheduler ---------------------------------------------------------
    worker_concurrency: int | None = Field(
        default=None, description="Worker processes (threads in embedded mode); default CPUs"
    )
    task_max_retries: int = 5
    retry_backoff_base_seconds: float = 2.0
    retry_backoff_max_seconds: float = 60.0
    step_lease_seconds: int = 300
    recovery_stalled_after_seconds: int = 600
    recovery_interval_seconds: float = 60.0
    cleanup_interval_seconds: float = 3600.0
    health_ping_interval_seconds: float = 30.0
    worker_heartbeat_stale_seconds: int = 120
    unconfirmed_upload_max_age_hours: float = 24.0
    deleted_retention_days: float = 7.0
    job_auto_retry_limit: int = 2

    # --- product descriptions (offline writer unless a provider is chosen) -----------------
    description_provider: Literal["offline", "bedrock", "openai"] = "offline"
    description_attribute_min_confidence: float = Field(default=0.6, ge=0, le=1)
    description_category_min_confidence: float = Field(default=0.5, ge=0, le=1)
    description_defect_min_confidence: float = Field(default=0.5, ge=0, le=1)
    description_max_title_chars: int = Field(default=80, ge=20)
    description_max_chars: int = Field(default=1500, ge=200)
    description_max_highlights: int = Field(default=6, ge=1)
    description_max_keywords: int = Field(default=10, ge=1)
    description_max_output_tokens: int = Field(default=1024, ge=128)
    description_temperature: float = Field(default=0.5, ge=0, le=1)
    description_max_attempts: int = Field(default=4, ge=1)
    description_retry_base_seconds: float = Field(default=1.0, ge=0)
    description_retry_max_seconds: float = Field(default=20.0, ge=0)
    description_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    description_read_timeout_seconds: float = Field(default=60.0, gt=0)
    bedrock_model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    bedrock_region: str = "us-east-1"
    bedrock_endpoint_url: str | None = None
    bedrock_send_image: bool = True
    openai_base_url: str = "http://127.0.0.1:11434/v1"
    openai_model: str | None = None
    openai_api_key: SecretStr | None = None
    openai_send_image: bool = False
    openai_json_mode: bool = True

    # --- ML pipeline (backend/ml) ------------------------------------------------------------
    ml_models_dir: Path | None = Field(
        default=None, description="Folder with manifest.json and ONNX files; default: bundled"
    )
    ml_reference_dir: Path | None = Field(
        default=None,
        description="User-added defect-free reference images per category (default var/ml)",
    )
    ml_model_version: str | None = Field(
        default=None, description="Pin one backbone version from the manifest"
    )
    ml_intra_op_threads: int = Field(default=2, ge=1, description="ONNX Runtime threads per call")
    ml_inter_op_threads: int = Field(default=1, ge=1)
    ml_batch_threads: int = Field(
        default=2,
        ge=1,
        description="Images analysed at once by batch callers such as imagineai analyze",
    )
    ml_use_gpu: bool = Field(default=True, description="Use the CUDA provider when it is present")
    ml_preload: bool = Field(default=False, description="Load the models at worker start-up")
    ml_ab_experiment: str | None = Field(
        default=None, description="Name of the running A/B experiment (None: no experiment)"
    )
    ml_ab_candidate_version: str | None = None
    ml_ab_candidate_share: float = Field(default=0.0, ge=0, le=1)
    ml_unknown_threshold: float = Field(default=0.35, ge=0, le=1)

    # --- visual search, duplicates and custom categories ------------------------------------
    search_ann_min_vectors: int = Field(
        default=5000,
        ge=2,
        description="A catalogue this large is searched through a FAISS IVF index; "
        "smaller ones exactly",
    )
    search_ann_nprobe: int = Field(
        default=16, ge=1, description="IVF cells scanned per query (more: better recall, slower)"
    )
    search_threads: int = Field(default=1, ge=1, description="FAISS threads per process")
    search_cached_catalogues: int = Field(
        default=64, ge=1, description="Catalogue indexes kept in memory per process (LRU)"
    )
    duplicate_embedding_threshold: float = Field(
        default=0.88, ge=0, le=1, description="Cosine similarity that alone marks a near-duplicate"
    )
    duplicate_hash_max_distance: int = Field(
        default=10, ge=0, le=64, description="Perceptual-hash bits that may differ in a duplicate"
    )
    duplicate_hash_min_similarity: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Cosine similarity a perceptual-hash match must also reach",
    )
    duplicate_candidates: int = Field(
        default=10, ge=1, le=100, description="Nearest neighbours checked for a duplicate"
    )
    custom_min_examples_per_label: int = Field(
        default=3, ge=1, description="Examples a custom label needs before the head learns it"
    )
    custom_auto_train_every: int = Field(
        default=5, ge=0, description="Retrain a head after this many label changes (0: off)"
    )
    custom_gate_slack: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="The head answers above this share of its least typical example's similarity",
    )
    custom_min_similarity: float = Field(
        default=0.2, ge=0, le=1, description="Lowest similarity gate a custom label may have"
    )
    custom_min_probability: float = Field(default=0.5, ge=0, le=1)
    custom_base_confident_above: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A base label this confident makes the custom head clear a higher gate",
    )
    custom_base_margin: float = Field(default=0.1, ge=0, le=1)

    # --- listing readiness, exports, webhooks, bulk import -----------------------------------
    readiness_default_preset: str = Field(
        default="generic", description="Rule preset used when a request names none"
    )
    export_page_size: int = Field(default=200, ge=1, le=5000, description="Rows per DB page")
    webhook_max_endpoints_per_user: int = Field(default=20, ge=1)
    webhook_require_https: bool = Field(
        default=True, description="Refuse http:// endpoints (turn off only for local testing)"
    )
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="CIDRs webhooks may reach although private, loopback or link-local "
        "(self-hosting, tests); everything else special is refused",
    )
    webhook_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_read_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_retry_base_seconds: float = Field(default=10.0, ge=0)
    webhook_retry_max_seconds: float = Field(default=3600.0, ge=0)
    webhook_response_max_chars: int = Field(default=2000, ge=0)
    webhook_sweep_interval_seconds: float = Field(default=60.0, gt=0)
    import_max_archive_bytes: int = Field(default=500 * MEGABYTE, ge=1)
    import_max_entries: int = Field(default=500, ge=1)
    import_max_uncompressed_bytes: int = Field(default=2048 * MEGABYTE, ge=1)
    import_max_compression_ratio: float = Field(default=100.0, gt=1)
    import_max_urls: int = Field(default=200, ge=1)
    import_max_csv_bytes: int = Field(default=2 * MEGABYTE, ge=1)
    import_url_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    import_url_read_timeout_seconds: float = Field(default=20.0, gt=0)
    import_url_max_redirects: int = Field(default=3, ge=0, le=10)
    import_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="CIDRs image URLs may point to although private, loopback or link-local",
    )

    # --- the test suite's real services (used only by tests/) -----------------------------
    test_database_url: str = "postgresql://postgres@127.0.0.1:5432/test"
    test_fuzz_examples: int = Field(
        default=15, description="Schemathesis examples per operation (`make soak` raises it)"
    )
    test_redis_url: str = "redis://127.0.0.1:6379/15"
    test_broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    test_s3_server: Literal["auto", "localstack", "moto"] = Field(
        default="auto",
        description="S3-protocol server the tests start: LocalStack checks presigned "
        "signatures and expiry, moto does not; auto takes LocalStack when installed",
    )
    test_localstack_venv: Path = Path(".venv/localstack")

    @field_validator(
        "cors_origins",
        "admin_allowed_hosts",
        "admin_csrf_trusted_origins",
        "webhook_allowed_networks",
        "import_allowed_networks",
        mode="before",
    )
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _fill_derived(self) -> Settings:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.var_dir / 'imagineai.db'}"
        self.database_url = normalize_database_url(self.database_url)
        if self.local_storage_dir is None:
            self.local_storage_dir = self.var_dir / "storage"
        if self.jwt_secret_key is None or self.signing_key is None:
            if self.environment == "production":
                raise ValueError(
                    "IMAGINEAI_JWT_SECRET_KEY and IMAGINEAI_SIGNING_KEY must be set in production"
                )
            generated = _load_or_create_secrets(self.var_dir)
            self.jwt_secret_key = self.jwt_secret_key or SecretStr(generated["jwt_secret_key"])
            self.signing_key = self.signing_key or SecretStr(generated["signing_key"])
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return _derived(self.database_url, "database_url")

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def jwt_secret(self) -> str:
        return _derived(self.jwt_secret_key, "jwt_secret_key").get_secret_value()

    @property
    def signing_secret(self) -> bytes:
        return _derived(self.signing_key, "signing_key").get_secret_value().encode()

    @property
    def storage_dir(self) -> Path:
        return _derived(self.local_storage_dir, "local_storage_dir")


def _derived(value: T | None, name: str) -> T:
    """A field the validator always fills; ``None`` here means the validator was bypassed."""
    if value is None:
        raise RuntimeError(f"setting {name} was not derived; build Settings through validation")
    return value


def _load_or_create_secrets(var_dir: Path) -> dict[str, str]:
    """Generate the development secrets once and keep them, so tokens survive restarts."""
    path = var_dir / _GENERATED_SECRETS_FILE
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        if {"jwt_secret_key", "signing_key"} <= stored.keys():
            return stored
    generated = {
        "jwt_secret_key": secrets.token_urlsafe(48),
        "signing_key": secrets.token_urlsafe(48),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(generated, handle)
    return generated


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
