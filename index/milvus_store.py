"""The Milvus store: reports, passages, BM25 and vectors in Milvus (Lite embedded, or a standalone/cluster server).

Chosen by ``QA_STORE=milvus`` with ``QA_MILVUS_URI`` = a local path (Milvus Lite, in this process) or
``http://host:19530``. Four collections, named ``<prefix>_…`` (``QA_MILVUS_COLLECTION``, default ``qa``):

* ``passages``: one row per passage — its report (``doc``), region, level, parents, department, year, section,
  offsets as scalar fields, its jieba tokens, the dense vector, and a sparse BM25 vector that Milvus computes
  itself (a BM25 function over the field ``bm25_in``);
* ``sentences``: every sentence's offsets and its vector (for answer extraction);
* ``docs``: each report's cleaned text and metadata (JSON, in chunks), written LAST: a report is committed —
  visible to the service — only when all its chunks are there;
* ``meta``: the encoder the collections were built with and a generation number bumped by every change.

Adding a report is an insert, deleting one a delete; there is no rebuild. A crash (even SIGKILL) in the middle
leaves a report either committed (complete) or uncommitted: readers ignore uncommitted rows and the next sync
removes them and inserts the report again. Reports are embedded and inserted in batches, so a build's memory
is bounded by a batch and a rerun skips every report already committed.

BM25 input (``bm25``): ``tokens`` (default) feeds Milvus our own jieba tokens (user dictionary, stopwords),
each written as a hash word so Milvus's standard analyzer keeps it whole; ``jieba`` gives Milvus the raw text
and its own jieba analyzer with our user dictionary and stopwords. Both are scored by Milvus (k1=1.5, b=0.75,
like bm25s); README "Scaling out" has the comparison.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from index.encoders import Encoder
from index.models import Document, Passage
from index.passages import embed_text
from index.text import sentence_spans, stopwords, tokenize

CHUNK_CHARS = 16_000  # JSON characters per docs row (<= 64 KiB of UTF-8)
MAX_VARCHAR = 65_535
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's defaults
PAGE = 4_000  # rows per query page when reading a collection
Progress = Callable[[str, int, int], None]


class MilvusStoreError(RuntimeError):
    """Milvus cannot be reached, or its collections do not fit what is asked (another encoder …)."""


@dataclass(frozen=True)
class MilvusSpec:
    """Where the collections are: ``uri`` (local path = Milvus Lite, or http://host:port) and name prefix."""

    uri: str
    prefix: str = "qa"
    bm25: Literal["tokens", "jieba"] = "tokens"

    def to_dict(self) -> dict[str, str]:
        return {"uri": self.uri, "prefix": self.prefix, "bm25": self.bm25}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MilvusSpec:
        return cls(uri=str(d["uri"]), prefix=str(d.get("prefix", "qa")), bm25=d.get("bm25", "tokens"))

    @property
    def remote(self) -> bool:
        return bool(re.match(r"^(https?|tcp|grpc|unix)://", self.uri))


_CLIENTS: dict[str, Any] = {}


def client_for(uri: str) -> Any:
    """A MilvusClient for ``uri`` (one per process and uri). A local path starts Milvus Lite in this process."""
    from pymilvus import MilvusClient

    if uri in _CLIENTS:
        return _CLIENTS[uri]
    # Milvus Lite has no server timestamps for iterators; pymilvus warns on every scan and falls back correctly
    logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)
    target = uri
    if not MilvusSpec(uri).remote and not uri.endswith(".db"):
        from milvus_lite import server_manager_instance

        target = server_manager_instance.start_and_get_uri(uri) or ""
        if not target:
            raise MilvusStoreError(f"cannot start Milvus Lite at {uri} (is another process using it? Serve it "
                                   "with `milvus-lite server --data-dir PATH` and use its http:// address)")
    try:
        _CLIENTS[uri] = MilvusClient(uri=target)
    except Exception as e:  # noqa: BLE001 - any connection failure becomes one clear message
        raise MilvusStoreError(f"cannot connect to Milvus at {uri}: {e}") from None
    return _CLIENTS[uri]


def token_word(tok: str) -> str:
    """A token as one word Milvus's standard analyzer keeps whole (letters and digits only)."""
    return "t" + hashlib.blake2b(tok.encode(), digest_size=8).hexdigest()


def bm25_query(tokens: list[str], mode: str) -> str:
    return " ".join(token_word(t) for t in tokens) if mode == "tokens" else " ".join(tokens)


def _user_words() -> list[str]:
    from importlib.resources import files

    text = files("index").joinpath("data/userdict.txt").read_text(encoding="utf-8")
    return [line.split()[0] for line in text.splitlines() if line.split()]


def _analyzer(mode: str) -> dict[str, Any]:
    if mode == "tokens":
        return {"tokenizer": "standard"}
    return {"tokenizer": {"type": "jieba", "mode": "search", "dict": _user_words()},
            "filter": [{"type": "stop", "stop_words": sorted(stopwords())}]}


# ------------------------------------------------------------------------------------------------ schema


def _dummy(schema: Any, DataType: Any) -> None:
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus needs a vector field in every collection


def _passages_schema(client: Any, dim: int, mode: str) -> tuple[Any, Any]:
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False)
    s.add_field("pid", DataType.VARCHAR, is_primary=True, max_length=512)
    for name in ("doc", "region", "level", "department"):
        s.add_field(name, DataType.VARCHAR, max_length=512)
    s.add_field("parents", DataType.VARCHAR, max_length=2048)
    s.add_field("section", DataType.VARCHAR, max_length=8192)
    s.add_field("header", DataType.VARCHAR, max_length=8192)
    for name in ("year", "seq", "start", "end"):
        s.add_field(name, DataType.INT64)
    s.add_field("tokens", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("bm25_in", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                analyzer_params=_analyzer(mode))
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["bm25_in"],
                            output_field_names=["sparse"]))
    ip = client.prepare_index_params()
    ip.add_index("dense", index_type="FLAT", metric_type="IP")
    ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=dict(BM25_PARAMS))
    return s, ip


def _sentences_schema(client: Any, dim: int) -> tuple[Any, Any]:
    from pymilvus import DataType

    s = client.create_schema(auto_id=False)
    s.add_field("sid", DataType.VARCHAR, is_primary=True, max_length=600)
    s.add_field("pid", DataType.VARCHAR, max_length=512)
    s.add_field("doc", DataType.VARCHAR, max_length=512)
    s.add_field("start", DataType.INT64)
    s.add_field("end", DataType.INT64)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
    ip = client.prepare_index_params()
    ip.add_index("vec", index_type="FLAT", metric_type="IP")
    return s, ip


def _kv_schema(client: Any, value_field: str) -> tuple[Any, Any]:
    """docs and meta: a string key, a few scalars, a JSON text value."""
    from pymilvus import DataType

    s = client.create_schema(auto_id=False)
    s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=600)
    s.add_field("doc", DataType.VARCHAR, max_length=512)
    s.add_field("k", DataType.INT64)
    s.add_field("n", DataType.INT64)
    s.add_field("ord", DataType.INT64)
    s.add_field(value_field, DataType.VARCHAR, max_length=MAX_VARCHAR)
    _dummy(s, DataType)
    ip = client.prepare_index_params()
    ip.add_index("v", index_type="FLAT", metric_type="L2")
    return s, ip


# ------------------------------------------------------------------------------------------------ rows


def _passage_row(p: Passage, doc: Document, seq: int, vec: np.ndarray, mode: str) -> dict[str, Any]:
    m = doc.meta
    toks = tokenize(embed_text(p))
    return {"pid": p.passage_id, "doc": p.doc_id, "region": m.region or "", "level": m.level or "",
            "department": m.department or "", "parents": "/".join(m.parents), "year": m.year or -1,
            "section": json.dumps(p.section, ensure_ascii=False), "header": p.header, "seq": seq,
            "start": p.start, "end": p.end, "tokens": " ".join(toks),
            "bm25_in": bm25_query(toks, mode) if mode == "tokens" else embed_text(p),
            "dense": vec.astype(np.float32).tolist()}


def _doc_rows(doc: Document, ord_: int) -> list[dict[str, Any]]:
    """The report in JSON chunks; chunk 0 (inserted last) commits it."""
    body = json.dumps(doc.to_dict(), ensure_ascii=False)
    parts = [body[i:i + CHUNK_CHARS] for i in range(0, len(body), CHUNK_CHARS)] or [""]
    return [{"key": f"{doc.doc_id}#{k}", "doc": doc.doc_id, "k": k, "n": len(parts), "ord": ord_, "body": part,
             "v": [0.0, 0.0]} for k, part in enumerate(parts)]


def _quote(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


@dataclass
class ReportBatch:
    """The rows of a few reports, ready to insert."""

    passages: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    docs: list[list[dict[str, Any]]] = field(default_factory=list)


class MilvusStore:
    """The collections of one spec. ``sync`` makes them hold exactly a list of reports (inserts/deletes only)."""

    def __init__(self, spec: MilvusSpec) -> None:
        self.spec = spec
        self.client = client_for(spec.uri)
        self.names = {k: f"{spec.prefix}_{k}" for k in ("passages", "sentences", "docs", "meta")}
        self._load()

    def _load(self) -> None:
        """Load existing collections into memory (a reopened Milvus Lite holds them released)."""
        for name in self.names.values():
            if self.client.has_collection(name) and "NotLoad" in str(self.client.get_load_state(name).get("state")):
                self.client.load_collection(name)

    # ------------------------------------------------------------ setup
    def ensure(self, encoder_name: str, dim: int) -> None:
        """Create the collections (for ``encoder_name``) or check they were built with it."""
        c, n = self.client, self.names
        if not c.has_collection(n["meta"]):
            for name, (schema, ip) in (("passages", _passages_schema(c, dim, self.spec.bm25)),
                                       ("sentences", _sentences_schema(c, dim)),
                                       ("docs", _kv_schema(c, "body")), ("meta", _kv_schema(c, "value"))):
                if c.has_collection(n[name]):
                    c.drop_collection(n[name])
                c.create_collection(n[name], schema=schema, index_params=ip)
            self._put_meta("encoder", {"name": encoder_name, "dim": dim, "bm25": self.spec.bm25})
            return
        have = self.encoder_info()
        if have.get("name") != encoder_name or int(have.get("dim", 0)) != dim:
            raise MilvusStoreError(f"Milvus collections {self.spec.prefix}_* at {self.spec.uri} were built with "
                                   f"encoder {have.get('name')!r}, not {encoder_name!r}: use that encoder or "
                                   "another QA_MILVUS_COLLECTION")

    def exists(self) -> bool:
        return bool(self.client.has_collection(self.names["meta"]))

    def drop(self) -> None:
        for name in self.names.values():
            if self.client.has_collection(name):
                self.client.drop_collection(name)

    def _put_meta(self, key: str, value: Any) -> None:
        self.client.upsert(self.names["meta"], [{"key": key, "doc": "", "k": 0, "n": 1, "ord": 0,
                                                 "value": json.dumps(value), "v": [0.0, 0.0]}])

    def _get_meta(self, key: str) -> Any:
        rows = self.client.query(self.names["meta"], filter=f"key == {json.dumps(key)}", output_fields=["value"])
        return json.loads(rows[0]["value"]) if rows else None

    def encoder_info(self) -> dict[str, Any]:
        return self._get_meta("encoder") or {}

    def generation(self) -> int:
        """Bumped by every sync that changed something: replicas compare it to notice changes."""
        return int(self._get_meta("generation") or 0)

    # ------------------------------------------------------------ reading
    def _scan(self, collection: str, output: list[str], expr: str = "") -> Iterator[dict[str, Any]]:
        it = self.client.query_iterator(collection, batch_size=PAGE, filter=expr, output_fields=output)
        try:
            while batch := it.next():
                yield from batch
        finally:
            it.close()

    def committed(self) -> dict[str, tuple[int, int]]:
        """doc_id -> (ord, chunks) of every committed report (chunk 0 present and every chunk there)."""
        heads: dict[str, tuple[int, int]] = {}
        seen: Counter[str] = Counter()
        for r in self._scan(self.names["docs"], ["doc", "k", "n", "ord"]):
            seen[r["doc"]] += 1
            if r["k"] == 0:
                heads[r["doc"]] = (int(r["ord"]), int(r["n"]))
        return {d: h for d, h in heads.items() if seen[d] == h[1]}

    def documents(self, doc_ids: Iterable[str] | None = None) -> list[Document]:
        """Committed reports in insertion order."""
        heads = self.committed()
        wanted = set(heads) if doc_ids is None else set(doc_ids) & set(heads)
        chunks: dict[str, dict[int, str]] = {}
        for r in self._scan(self.names["docs"], ["doc", "k", "body"]):
            if r["doc"] in wanted:
                chunks.setdefault(r["doc"], {})[int(r["k"])] = r["body"]
        order = sorted(wanted, key=lambda d: heads[d][0])
        return [Document.from_dict(json.loads("".join(chunks[d][k] for k in range(heads[d][1])))) for d in order]

    def passage_rows(self) -> list[dict[str, Any]]:
        fields = ["pid", "doc", "seq", "start", "end", "section", "header", "tokens"]
        return list(self._scan(self.names["passages"], fields))

    def sentence_rows(self) -> list[dict[str, Any]]:
        return list(self._scan(self.names["sentences"], ["pid", "start", "end", "vec"]))

    # ------------------------------------------------------------ writing
    def delete(self, doc_ids: Iterable[str]) -> int:
        """Remove reports: uncommit first (they vanish at once), then their passages and sentences."""
        ids = sorted(set(doc_ids))
        for i in range(0, len(ids), 500):
            expr = f"doc in {_quote(ids[i:i + 500])}"
            self.client.delete(self.names["docs"], filter=expr)
            self.client.delete(self.names["passages"], filter=expr)
            self.client.delete(self.names["sentences"], filter=expr)
        return len(ids)

    def insert(self, batch: ReportBatch) -> None:
        """Insert a batch's passages and sentences, then commit each report (its chunk 0 last)."""
        c, n = self.client, self.names
        for i in range(0, len(batch.passages), 1000):
            c.insert(n["passages"], batch.passages[i:i + 1000])
        for i in range(0, len(batch.sentences), 2000):
            c.insert(n["sentences"], batch.sentences[i:i + 2000])
        for rows in batch.docs:
            if len(rows) > 1:
                c.insert(n["docs"], rows[1:])
            c.insert(n["docs"], rows[:1])

    def bump(self) -> int:
        gen = self.generation() + 1
        self._put_meta("generation", gen)
        return gen

    def flush(self) -> None:
        for name in self.names.values():
            self.client.flush(name)


# ------------------------------------------------------------------------------------------------ sync


@dataclass
class SyncResult:
    added: int
    deleted: int
    skipped: int  # already committed (a resumed build, or an incremental add)
    generation: int


def _sentence_rows_of(doc: Document, passages: list[Passage]) -> list[tuple[Passage, int, int, str]]:
    return [(p, s, e, doc.clean_text[s:e]) for p in passages for s, e in sentence_spans(doc.clean_text, p.start,
                                                                                          p.end)]


def _fp16(x: np.ndarray) -> list[list[float]]:
    """Sentence vectors rounded through float16, exactly as the FAISS store keeps them."""
    return np.asarray(x, dtype=np.float16).astype(np.float32).tolist()


class Syncer:
    """Embeds and inserts reports in batches for :func:`sync`."""

    def __init__(self, store: MilvusStore, encoder: Encoder, progress: Progress, batch_texts: int,
                 sentence_vectors: bool) -> None:
        self.store, self.encoder, self.progress = store, encoder, progress
        self.batch_texts, self.with_sentences = max(batch_texts, 1), sentence_vectors

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = [self.encoder.encode_passages(texts[i:i + self.batch_texts], batch_size=self.batch_texts)
               for i in range(0, len(texts), self.batch_texts)]
        return np.concatenate(out) if out else np.zeros((0, self.encoder.dim), dtype=np.float32)

    def batch(self, items: list[tuple[Document, list[Passage], int]]) -> ReportBatch:
        """The rows of a few reports; their passages (and sentences) are encoded together."""
        out = ReportBatch()
        mode = self.store.spec.bm25
        vecs = iter(self._encode([embed_text(p) for _, ps, _ in items for p in ps]))
        sents = [(doc, *row) for doc, ps, _ in items for row in
                 (_sentence_rows_of(doc, ps) if self.with_sentences else [])]
        svecs = _fp16(self._encode([row[-1] for row in sents])) if sents else []
        for doc, ps, ord_ in items:
            out.passages += [_passage_row(p, doc, seq, next(vecs), mode) for seq, p in enumerate(ps)]
            out.docs.append(_doc_rows(doc, ord_))
        out.sentences = [{"sid": f"{p.passage_id}:{s}", "pid": p.passage_id, "doc": doc.doc_id, "start": s, "end": e,
                          "vec": v} for (doc, p, s, e, _), v in zip(sents, svecs, strict=True)]
        return out


def _batches(todo: list[Document], by_doc: dict[str, list[Passage]], texts: int) -> Iterator[list[Document]]:
    """Consecutive reports with about ``texts`` passages together (at least one report each)."""
    batch: list[Document] = []
    size = 0
    for d in todo:
        batch.append(d)
        size += len(by_doc.get(d.doc_id, []))
        if size >= texts:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def sync(store: MilvusStore, docs: list[Document], passages: list[Passage], encoder: Encoder, *,
         progress: Progress, batch_texts: int = 64, sentence_vectors: bool = True) -> SyncResult:
    """Make the collections hold exactly ``docs``: delete the others, insert the missing ones in batches of
    about ``batch_texts`` passages (embedding only those), skip the committed ones. Safe to rerun after a crash
    at any point: a report is committed after all its rows are in."""
    store.ensure(encoder.name, encoder.dim)
    have = store.committed()
    wanted = {d.doc_id for d in docs}
    gone = [d for d in have if d not in wanted]
    todo = [d for d in docs if d.doc_id not in have]
    store.delete(gone + [d.doc_id for d in todo])  # + leftovers of an interrupted insert of these reports
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    syncer = Syncer(store, encoder, progress, batch_texts, sentence_vectors)
    next_ord = max((o for o, _ in have.values()), default=-1) + 1
    pos = {d.doc_id: i for i, d in enumerate(docs)}
    progress("reports", 0, len(todo))
    done = 0
    for chunk in _batches(todo, by_doc, batch_texts):
        store.insert(syncer.batch([(d, by_doc.get(d.doc_id, []), next_ord + pos[d.doc_id]) for d in chunk]))
        done += len(chunk)
        progress("reports", done, len(todo))
    gen = store.generation()
    if gone or todo:
        store.flush()  # sealed: Milvus Lite scores BM25 with the statistics of a segment, not of unsealed rows
        gen = store.bump()
    return SyncResult(added=len(todo), deleted=len(gone), skipped=len(docs) - len(todo), generation=gen)


# ------------------------------------------------------------------------------------------------ serving


@dataclass
class View:
    """What the service keeps in memory of the committed reports (retrieval itself runs in Milvus)."""

    documents: list[Document]
    passages: list[Passage]
    tokens: list[list[str]]
    sentences: np.ndarray  # int32 rows: passage index, start, end
    sentence_vectors: np.ndarray | None  # float16
    generation: int


def _passages_of(rows: list[dict[str, Any]], docs: list[Document]) -> tuple[list[Passage], list[list[str]]]:
    text = {d.doc_id: d.clean_text for d in docs}
    rank = {d.doc_id: i for i, d in enumerate(docs)}
    rows = sorted((r for r in rows if r["doc"] in rank), key=lambda r: (rank[r["doc"]], r["seq"]))
    out = [Passage(passage_id=r["pid"], doc_id=r["doc"], start=int(r["start"]), end=int(r["end"]),
                   text=text[r["doc"]][int(r["start"]):int(r["end"])], section=json.loads(r["section"]),
                   header=r["header"]) for r in rows]
    return out, [r["tokens"].split(" ") if r["tokens"] else [] for r in rows]


def load_view(store: MilvusStore, sentence_vectors: bool = True) -> View:
    """The committed reports, their passages (in build order) and sentences with vectors."""
    gen = store.generation()
    docs = store.documents()
    passages, tokens = _passages_of(store.passage_rows(), docs)
    row_of = {p.passage_id: i for i, p in enumerate(passages)}
    sents = sorted(((row_of[r["pid"]], int(r["start"]), int(r["end"]), r["vec"]) for r in store.sentence_rows()
                    if r["pid"] in row_of), key=lambda t: (t[0], t[1]))
    rows = np.asarray([s[:3] for s in sents], dtype=np.int32).reshape(-1, 3)
    vecs = None
    if sentence_vectors and sents:
        vecs = np.asarray([s[3] for s in sents], dtype=np.float16)
    return View(docs, passages, tokens, rows, vecs, gen)


class MilvusSearch:
    """BM25 and dense top-k over the passages collection, scoped by filter expressions, as passage rows of
    the view (passages Milvus holds but the view does not — committed after it was loaded — are left out)."""

    def __init__(self, store: MilvusStore, passage_ids: list[str]) -> None:
        self.store, self.name = store, store.names["passages"]
        self.row_of = {pid: i for i, pid in enumerate(passage_ids)}
        self.ids = passage_ids

    def _hits(self, res: Any, absolute: bool) -> dict[int, float]:
        out: dict[int, float] = {}
        for h in res[0] if res else []:
            row = self.row_of.get(h["pid"] if "pid" in h else h["id"])
            if row is not None:  # milvus-lite reports BM25 as a negative distance, Milvus as the score
                out[row] = abs(float(h["distance"])) if absolute else float(h["distance"])
        return out

    @staticmethod
    def scope(doc_ids: list[str] | None) -> str:
        return f"doc in {_quote(doc_ids)}" if doc_ids else ""

    def bm25(self, tokens: list[str], doc_ids: list[str] | None, k: int) -> dict[int, float]:
        if not tokens:
            return {}
        res = self.store.client.search(self.name, data=[bm25_query(tokens, self.store.spec.bm25)],
                                       anns_field="sparse", limit=k, filter=self.scope(doc_ids),
                                       output_fields=["pid"], search_params={"metric_type": "BM25"})
        scale = 1.0 + BM25_PARAMS["bm25_k1"]  # Milvus keeps BM25's (k1 + 1) factor, Lucene and bm25s drop it
        return {i: s / scale for i, s in self._hits(res, True).items() if s > 0}

    def dense(self, qvec: np.ndarray, doc_ids: list[str] | None, k: int) -> dict[int, float]:
        res = self.store.client.search(self.name, data=[np.asarray(qvec, dtype=np.float32).tolist()],
                                       anns_field="dense", limit=k, filter=self.scope(doc_ids),
                                       output_fields=["pid"], search_params={"metric_type": "IP"})
        return self._hits(res, False)

    def vectors(self) -> np.ndarray:
        """Every passage's dense vector, in view order (to reuse them in another index)."""
        out = np.zeros((len(self.ids), 0), dtype=np.float32)
        for r in self.store._scan(self.name, ["pid", "dense"]):
            row = self.row_of.get(r["pid"])
            if row is not None:
                if out.shape[1] == 0:
                    out = np.zeros((len(self.ids), len(r["dense"])), dtype=np.float32)
                out[row] = r["dense"]
        return out

    def dense_of(self, qvec: np.ndarray, rows: list[int]) -> dict[int, float]:
        """Exact inner products of the query with the given passages."""
        if not rows:
            return {}
        res = self.store.client.search(self.name, data=[np.asarray(qvec, dtype=np.float32).tolist()],
                                       anns_field="dense", limit=len(rows),
                                       filter=f"pid in {_quote(self.ids[r] for r in rows)}",
                                       output_fields=["pid"], search_params={"metric_type": "IP"})
        return self._hits(res, False)
