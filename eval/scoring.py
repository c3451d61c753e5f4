"""Ask every question of a set through ``QA.ask`` (the API's code path) and score it: EM/F1 overall, per answer
type and per tag, Recall@k/MRR/nDCG of each retriever, abstention and the abstention curve, citations, latency."""
from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass, field

from eval import EvalError
from eval.metrics import (
    Outcome,
    abstention_curve,
    best_threshold,
    cost_all,
    cost_answerable,
    exact_match,
    failure_kind,
    find_answer_span,
    group_by,
    mrr_at,
    ndcg_at,
    percentile,
    recall_at,
    summarize,
    thresholds,
)
from eval.questions import Question

MODES = ("hybrid", "bm25", "dense")
KS = (1, 3, 5, 10)


@dataclass
class EvalResult:
    n: int
    modes: list[str]
    threshold: float
    curve_floor: float  # the engine's own threshold while evaluating: the curve below it is incomplete
    retrieval: dict[str, dict[str, float]]
    by_mode_em: dict[str, float]
    answers: dict[str, float | None]
    by_type: dict[str, dict]
    by_tag: dict[str, dict]
    curve: list[dict]
    best: dict  # lowest wrong answers + unanswerable answered + false abstentions
    best_answerable: dict  # lowest wrong answers + false abstentions, answerable questions only (always from t=0)
    miss_kinds: dict[str, int]
    latency_ms: dict[str, float]
    citations_checked: int = 0
    citations_wrong: int = 0
    failures: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _relevance(q: Question, passages, docs) -> list[int]:
    doc = docs.get(q.doc_id)
    if doc is None or not q.answers:
        return [0] * len(passages)
    spans = find_answer_span(doc.clean_text, q.evidence, q.answers)
    return [int(p.doc_id == q.doc_id and any(p.start <= a and b <= p.end for a, b in spans)) for p in passages]


def _citations_wrong(r, docs) -> int:
    wrong = 0
    for a in r.answers:
        c = a.citation
        text = docs[c.doc_id].clean_text
        wrong += text[c.start:c.end] != a.text or text[c.sentence_start:c.sentence_end] != a.sentence
    return wrong


def _tags(q: Question, untagged: bool = False) -> list[str]:
    """The question's tags, plus ``paraphrase`` / ``no_place`` from our flags, plus ``untagged`` (when
    ``untagged``: the set tags some questions) for a question without tags of its own."""
    return q.tags + ["untagged"] * (untagged and not q.tags) + ["paraphrase"] * q.paraphrase + ["no_place"] * q.no_place


def evaluate(qa, questions: list[Question], *, threshold: float | None = None, modes=MODES,
             progress: bool | None = None) -> EvalResult:
    """Ask every question (``top_k`` 10) in each of ``modes`` ("hybrid" first and always) and score it.

    ``threshold``: the abstention threshold to apply to the top candidate's score (default: the engine's
    own, ``qa.config.min_answer_score``); run the engine with threshold 0 (``load_open_qa``) for a full curve.
    """
    from tqdm import tqdm

    modes = ["hybrid"] + [m for m in modes if m != "hybrid"]
    floor = float(qa.config.min_answer_score)
    threshold = floor if threshold is None else float(threshold)
    docs = qa.index.documents
    missing = sorted({q.doc_id for q in questions if q.answerable and q.doc_id not in docs})
    if missing:
        raise EvalError(f"the index has no report(s) {', '.join(missing)} that the question set refers to")
    ranks: dict[str, list[int | None]] = {m: [] for m in modes}
    rels: dict[str, list[list[int]]] = {m: [] for m in modes}
    em_by_mode: dict[str, list[float]] = {m: [] for m in modes}
    outcomes: list[Outcome] = []
    rows: list[dict] = []
    lat: list[float] = []
    cit_checked = cit_wrong = 0
    some_tagged = any(q.tags for q in questions)
    bar = tqdm(total=len(questions) * len(modes), desc="eval", unit="q",
               disable=not (sys.stderr.isatty() if progress is None else progress), file=sys.stderr)
    for q in questions:
        for mode in modes:  # hybrid first: its latency is measured without warm caches
            t0 = time.perf_counter()
            r = qa.ask(q.question, top_k=10, mode=mode, use_cache=False)
            dt = (time.perf_counter() - t0) * 1000
            bar.update(1)
            top = r.answers[0] if r.answers else None
            answer = top.text if top is not None and top.score >= threshold else None
            em_by_mode[mode].append(exact_match(answer, q.answers))
            rank = None
            if q.answerable:
                rel = _relevance(q, r.passages, docs)
                rels[mode].append(rel)
                rank = next((i + 1 for i, x in enumerate(rel) if x), None)
                ranks[mode].append(rank)
            if mode != "hybrid":
                continue
            lat.append(dt)
            cit_checked += len(r.answers)
            cit_wrong += _citations_wrong(r, docs)
            o = Outcome(answerable=q.answerable, answer=answer, candidate=top.text if top else None,
                        score=round(top.score, 4) if top else None, golds=tuple(q.answers), type=q.type,
                        tags=tuple(_tags(q, some_tagged)))
            outcomes.append(o)
            reason = r.reason if top is None else (None if answer is not None else "score below threshold")
            rows.append({"id": q.id, "type": q.type, "tags": list(o.tags), "question": q.question,
                         "expected": q.answers or None, "got": answer, "candidate": o.candidate, "score": o.score,
                         "em": o.em, "f1": round(o.f1, 4), "kind": failure_kind(answer, q.answers),
                         "reason": reason, "rank": rank, "doc_expected": q.doc_id or None,
                         "doc_got": top.citation.doc_id if top else None})
    bar.close()
    return _result(questions, modes, threshold, floor, outcomes, rows, ranks, rels, em_by_mode, lat,
                   cit_checked, cit_wrong)


def _result(questions, modes, threshold, floor, outcomes, rows, ranks, rels, em_by_mode, lat, cit_checked,
            cit_wrong) -> EvalResult:
    retrieval = {}
    for m in modes:
        d = {f"recall@{k}": round(recall_at(ranks[m], k), 4) for k in KS}
        d["mrr@10"] = round(mrr_at(ranks[m], 10), 4)
        d["ndcg@10"] = round(ndcg_at(rels[m], 10), 4)
        retrieval[m] = d
    overall = summarize(outcomes)
    ans = [o for o in outcomes if o.answerable]
    una = [o for o in outcomes if not o.answerable]
    abst_tp = sum(o.answer is None for o in una)
    abst_fp = sum(o.answer is None for o in ans)
    answers = {
        "exact_match": overall["exact_match"],
        "f1": overall["f1"],
        "exact_match_answerable": round(sum(o.em for o in ans) / len(ans), 4) if ans else None,
        "f1_answerable": round(sum(o.f1 for o in ans) / len(ans), 4) if ans else None,
        "answerable_abstained": overall["answerable_abstained"],
        "unanswerable_abstained": overall["unanswerable_abstained"],
        "abstention_precision": round(abst_tp / (abst_tp + abst_fp), 4) if abst_tp + abst_fp else None,
        "citation_accuracy": round(1 - cit_wrong / cit_checked, 4) if cit_checked else 1.0,
    }
    curve = abstention_curve(outcomes, sorted({*thresholds(), round(threshold, 4)}))  # the one in use too
    kinds: dict[str, int] = {}
    for row in rows:
        if row["kind"] != "ok":
            kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    return EvalResult(
        n=len(questions), modes=list(modes), threshold=threshold, curve_floor=floor, retrieval=retrieval,
        by_mode_em={m: round(sum(v) / len(v), 4) for m, v in em_by_mode.items()}, answers=answers,
        by_type=group_by(outcomes, lambda o: o.type or "-"), by_tag=group_by(outcomes, lambda o: list(o.tags)),
        curve=curve, best=best_threshold(curve, cost_all), best_answerable=best_threshold(curve, cost_answerable),
        miss_kinds=dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        latency_ms={"p50": round(percentile(lat, 50), 2), "p95": round(percentile(lat, 95), 2),
                    "mean": round(sum(lat) / len(lat), 2) if lat else 0.0},
        citations_checked=cit_checked, citations_wrong=cit_wrong,
        failures=[r for r in rows if r["kind"] != "ok"], questions=rows)
