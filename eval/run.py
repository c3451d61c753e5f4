"""`qa eval`: run a question set through ``QA.ask`` (the API's code path) and report the figures.

Writes ``report.md``, ``recall.png`` (Recall@k per retriever) and ``results.json`` into the output folder.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tqdm import tqdm

from eval.metrics import (char_f1, exact_match, find_answer_span, mrr_at, ndcg_at, normalize, percentile,
                          recall_at)
from eval.thresholds import MIN_CITATION_ACCURACY, MIN_EXACT_MATCH, MIN_HYBRID_RECALL_AT_5

MODES = ("bm25", "dense", "hybrid")
KS = (1, 3, 5, 10)


class EvalError(ValueError):
    pass


@dataclass
class Question:
    id: str
    question: str
    answers: list[str]
    doc_id: str
    evidence: str
    type: str = ""
    paraphrase: bool = False
    no_place: bool = False


@dataclass
class EvalResult:
    n: int
    retrieval: dict[str, dict[str, float]]
    answers: dict[str, float]
    by_mode_em: dict[str, float]
    latency_ms: dict[str, float]
    failures: list[dict] = field(default_factory=list)
    citations_checked: int = 0
    citations_wrong: int = 0
    gate: dict[str, bool] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def default_set() -> Path:
    return Path(str(resources.files("eval").joinpath("questions.jsonl")))


def load_questions(path: Path) -> list[Question]:
    if not path.is_file():
        raise EvalError(f"{path}: question set not found")
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Question(id=str(d["id"]), question=d["question"], answers=list(d["answers"]),
                                doc_id=d.get("doc_id") or "", evidence=d.get("evidence") or "",
                                type=d.get("type", ""), paraphrase=bool(d.get("paraphrase")),
                                no_place=bool(d.get("no_place"))))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise EvalError(f"{path}:{i}: not a valid question ({e.__class__.__name__}: {e})") from None
    if not out:
        raise EvalError(f"{path}: no questions")
    return out


def _relevance(q: Question, passages, docs) -> list[int]:
    doc = docs.get(q.doc_id)
    if doc is None or not q.answers:
        return [0] * len(passages)
    spans = find_answer_span(doc.clean_text, q.evidence, q.answers)
    return [int(p.doc_id == q.doc_id and any(p.start <= a and b <= p.end for a, b in spans)) for p in passages]


def evaluate(qa, questions: list[Question], progress: bool = True) -> EvalResult:
    docs = qa.index.documents
    answerable = [q for q in questions if q.answers]
    missing = sorted({q.doc_id for q in answerable if q.doc_id not in docs})
    if missing:
        raise EvalError(f"the index has no report(s) {', '.join(missing)} that the question set refers to")
    ranks: dict[str, list[int | None]] = {m: [] for m in MODES}
    rels: dict[str, list[list[int]]] = {m: [] for m in MODES}
    em_by_mode: dict[str, list[float]] = {m: [] for m in MODES}
    ems, f1s, lat = [], [], []
    abst_tp = abst_fp = abst_fn = 0
    cit_checked = cit_wrong = 0
    failures = []
    bar = tqdm(total=len(questions) * len(MODES), desc="eval", unit="q", disable=not progress)
    for q in questions:
        for mode in ("hybrid", "bm25", "dense"):  # hybrid first: its latency is measured without warm caches
            t0 = time.perf_counter()
            r = qa.ask(q.question, top_k=10, mode=mode, use_cache=False)
            dt = (time.perf_counter() - t0) * 1000
            bar.update(1)
            em_by_mode[mode].append(exact_match(r.answer, q.answers))
            if q.answers:
                rel = _relevance(q, r.passages, docs)
                rels[mode].append(rel)
                ranks[mode].append(next((i + 1 for i, x in enumerate(rel) if x), None))
            if mode != "hybrid":
                continue
            lat.append(dt)
            em = exact_match(r.answer, q.answers)
            ems.append(em)
            f1s.append(char_f1(r.answer, q.answers))
            for a in r.answers:
                cit_checked += 1
                c = a.citation
                if docs[c.doc_id].clean_text[c.start:c.end] != a.text \
                        or docs[c.doc_id].clean_text[c.sentence_start:c.sentence_end] != a.sentence:
                    cit_wrong += 1
            if not q.answers:
                abst_tp += r.answer is None
                abst_fn += r.answer is not None
            else:
                abst_fp += r.answer is None
            if em < 1:
                failures.append({"id": q.id, "question": q.question, "expected": q.answers or None,
                                 "got": r.answer, "reason": r.reason,
                                 "score": r.answers[0].score if r.answers else None,
                                 "doc_expected": q.doc_id or None,
                                 "doc_got": r.answers[0].citation.doc_id if r.answers else None})
    bar.close()
    retrieval = {}
    for m in MODES:
        d = {f"recall@{k}": round(recall_at(ranks[m], k), 4) for k in KS}
        d["mrr@10"] = round(mrr_at(ranks[m], 10), 4)
        d["ndcg@10"] = round(ndcg_at(rels[m], 10), 4)
        retrieval[m] = d
    n_un = sum(1 for q in questions if not q.answers)
    answers = {
        "exact_match": round(sum(ems) / len(ems), 4),
        "f1": round(sum(f1s) / len(f1s), 4),
        "exact_match_answerable": round(sum(e for e, q in zip(ems, questions) if q.answers) / max(len(answerable), 1), 4),
        "abstention_precision": round(abst_tp / (abst_tp + abst_fp), 4) if abst_tp + abst_fp else 0.0,
        "abstention_recall": round(abst_tp / n_un, 4) if n_un else 0.0,
        "citation_accuracy": round(1 - cit_wrong / cit_checked, 4) if cit_checked else 1.0,
    }
    for label, pick in (("paraphrase", lambda q: q.paraphrase), ("no_place", lambda q: q.no_place)):
        sel = [e for e, q in zip(ems, questions) if pick(q)]
        if sel:
            answers[f"exact_match_{label}"] = round(sum(sel) / len(sel), 4)
    res = EvalResult(
        n=len(questions), retrieval=retrieval, answers=answers,
        by_mode_em={m: round(sum(v) / len(v), 4) for m, v in em_by_mode.items()},
        latency_ms={"p50": round(percentile(lat, 50), 2), "p95": round(percentile(lat, 95), 2),
                    "mean": round(sum(lat) / len(lat), 2)},
        failures=failures, citations_checked=cit_checked, citations_wrong=cit_wrong)
    res.gate = {
        f"hybrid recall@5 >= {MIN_HYBRID_RECALL_AT_5}": retrieval["hybrid"]["recall@5"] >= MIN_HYBRID_RECALL_AT_5,
        f"exact match >= {MIN_EXACT_MATCH}": answers["exact_match"] >= MIN_EXACT_MATCH,
        f"citation accuracy >= {MIN_CITATION_ACCURACY}": answers["citation_accuracy"] >= MIN_CITATION_ACCURACY,
    }
    return res


def _chart(res: EvalResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    for m, style in zip(MODES, ("--o", "-.s", "-^")):
        ax.plot(KS, [res.retrieval[m][f"recall@{k}"] for k in KS], style, label=m)
    ax.set_xlabel("k (passages)")
    ax.set_ylabel("Recall@k")
    ax.set_xticks(KS)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"Retrieval recall@k on {res.n} questions")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def render_markdown(res: EvalResult, set_name: str, manifest: dict) -> str:
    lines = [f"# Evaluation: {set_name}", "",
             f"{res.n} questions · index: {manifest.get('document_count')} reports, {manifest.get('passage_count')} "
             f"passages, encoder `{manifest.get('encoder')}`", "", "## Retrieval", "",
             "| retriever | R@1 | R@3 | R@5 | R@10 | MRR@10 | nDCG@10 | answer EM |", "|---|---|---|---|---|---|---|---|"]
    for m in MODES:
        r = res.retrieval[m]
        lines.append(f"| {m} | {r['recall@1']:.3f} | {r['recall@3']:.3f} | {r['recall@5']:.3f} | {r['recall@10']:.3f} "
                     f"| {r['mrr@10']:.3f} | {r['ndcg@10']:.3f} | {res.by_mode_em[m]:.3f} |")
    lines += ["", "![recall@k](recall.png)", "", "## Answers (hybrid)", "", "| metric | value |", "|---|---|"]
    for k, v in res.answers.items():
        lines.append(f"| {k} | {v:.3f} |")
    lines += [f"| citations checked / wrong | {res.citations_checked} / {res.citations_wrong} |",
              f"| latency p50 / p95 (ms) | {res.latency_ms['p50']} / {res.latency_ms['p95']} |", "",
              "## Quality gate", ""]
    for k, ok in res.gate.items():
        lines.append(f"- {'PASS' if ok else 'FAIL'}: {k}")
    lines += ["", f"## Failures ({len(res.failures)})", "", "| id | question | expected | got |", "|---|---|---|---|"]
    for f in res.failures:
        got = f["got"] if f["got"] is not None else f"(none: {f['reason']})"
        exp = " / ".join(f["expected"]) if f["expected"] else "(unanswerable)"
        lines.append(f"| {f['id']} | {f['question']} | {exp} | {str(got)[:80]} |")
    return "\n".join(lines) + "\n"


def run_eval(qa, set_file: Path | None, out: Path, progress: bool = True) -> str:
    path = Path(set_file) if set_file else default_set()
    questions = load_questions(path)
    res = evaluate(qa, questions, progress=progress)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = qa.index.manifest.to_dict()
    (out / "results.json").write_text(json.dumps({"set": str(path), "manifest": manifest, **res.to_dict()},
                                                 ensure_ascii=False, indent=2), encoding="utf-8")
    _chart(res, out / "recall.png")
    (out / "report.md").write_text(render_markdown(res, path.name, manifest), encoding="utf-8")
    h = res.retrieval["hybrid"]
    return (f"hybrid R@1 {h['recall@1']:.3f} R@5 {h['recall@5']:.3f} MRR@10 {h['mrr@10']:.3f} | "
            f"EM {res.answers['exact_match']:.3f} F1 {res.answers['f1']:.3f} | citations wrong "
            f"{res.citations_wrong}/{res.citations_checked} | p50 {res.latency_ms['p50']} ms | "
            f"gate {'PASS' if all(res.gate.values()) else 'FAIL'} -> {out}/report.md")


__all__ = ["run_eval", "evaluate", "load_questions", "EvalError", "normalize"]
