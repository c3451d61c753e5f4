"""Write the eval figures into README.md from the eval's ``results.json`` files (no figure is typed by hand).

    python -m eval.readme_figures            # = make readme-figures
    python -m eval.readme_figures --check    # exit 1 when README.md is not what the results say

The README holds two generated blocks, each between markers (pyserini-style: the command that produced the
figures is printed above them):

* ``<!-- figures:seed:start -->`` … ``<!-- figures:seed:end -->`` — the seed set (``make eval``): retrieval per
  retriever, answer figures, figures per tag (the hard questions by kind). Read from ``--seed``, default the
  newer of ``var/eval/results.json`` (``make eval``) and ``eval/results/results.json`` (``make eval REFRESH=1``).
* ``<!-- figures:dev:start -->`` … ``<!-- figures:dev:end -->`` — the development set (``make eval-dev``):
  overall figures and figures per answer type. Read from ``--dev``, default ``var/eval-dev/results.json``; when
  it is missing the block is left as it is.

Only the text between the markers changes.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from eval.metrics import UNANSWERABLE, cost_all, format_ranges

ROOT = Path(os.path.abspath(__file__)).parents[1]
README = ROOT / "README.md"
SEED_RESULTS = (ROOT / "var" / "eval" / "results.json", ROOT / "eval" / "results" / "results.json")
DEV_RESULTS = ROOT / "var" / "eval-dev" / "results.json"
# the make target that writes each results folder
MAKE = {"var/eval": "make eval", "eval/results": "make eval REFRESH=1", "var/eval-dev": "make eval-dev"}
RETRIEVERS = {"bm25": "BM25 only", "dense": "dense only", "hybrid": "**hybrid**"}
# tags of the seed set, in the order shown, with what they mean
TAGS = {
    "untagged": "original questions",
    "hard": "hard questions, of which",
    "everyday": "· everyday wording, not the report's",
    "distractor": "· another figure of the same unit nearby",
    "answer-type": "· non-numeric answer types",
    "absent": "· facts the reports lack",
    "paraphrase": "paraphrases (both parts)",
    "no_place": "questions naming no place",
}


class FiguresError(ValueError):
    """A results file or README the script cannot use (one-line message)."""


def _f(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _rel(p: Path) -> str:
    return os.path.relpath(os.path.abspath(p), ROOT)


def load(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise FiguresError(f"{path}: cannot read eval results ({e})") from None


def seed_path() -> Path | None:
    """The newer of var/eval/results.json and eval/results/results.json (whichever exists)."""
    found = [p for p in SEED_RESULTS if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def _counts(res: dict) -> tuple[int, int, int, int]:
    """(answerable, unanswerable, answerable that abstained, unanswerable that abstained)."""
    rows = res["questions"]
    n_ans = sum(1 for q in rows if q["expected"])
    ab_ans = sum(1 for q in rows if q["expected"] and q["got"] is None)
    ab_una = sum(1 for q in rows if not q["expected"] and q["got"] is None)
    return n_ans, len(rows) - n_ans, ab_ans, ab_una


def _header(res: dict, source: Path) -> list[str]:
    m = res.get("manifest") or {}
    n_ans, n_una, _, _ = _counts(res)
    out = _rel(source.parent)
    command = f"{res['command']} --out {out}"
    make = MAKE.get(out)
    return ["```bash", f"{make}   # = {command}" if make else command, "```", "",
            f"{res['n']} questions ({n_ans} answerable, {n_una} unanswerable) · index: {m.get('document_count')} "
            f"reports, {m.get('passage_count')} passages, encoder `{m.get('encoder')}` · abstention threshold "
            f"{res['threshold']} · from `{_rel(source)}`", ""]


def _answers_table(res: dict) -> list[str]:
    a = res["answers"]
    n_ans, n_una, ab_ans, ab_una = _counts(res)
    return ["| answers (hybrid) | |", "|---|---|",
            f"| exact match / char F1 (CMRC-normalised) | {_f(a['exact_match'])} / {_f(a['f1'])} |",
            f"| answerable questions only: exact match / char F1 | {_f(a['exact_match_answerable'])} / "
            f"{_f(a['f1_answerable'])} |",
            f"| Recall@5 (hybrid) | {_f(res['retrieval']['hybrid']['recall@5'])} |",
            f"| answerable questions that abstain | {_f(a['answerable_abstained'])} ({ab_ans} of {n_ans}) |",
            f"| unanswerable questions that abstain | {_f(a['unanswerable_abstained'])} ({ab_una} of {n_una}) |",
            f"| citations checked / wrong | {res['citations_checked']} / {res['citations_wrong']} |"]


def _curve_line(res: dict) -> list[str]:
    b = res["best"]
    now = next((r for r in res["curve"] if abs(r["t"] - res["threshold"]) < 1e-9), None)
    line = (f"Abstention curve (`abstention.png` beside the results): wrong answers + unanswerable questions "
            f"answered + false abstentions are lowest ({b['cost']}) for t = {format_ranges(b['ranges'])}")
    if now is not None:
        line += f"; at the threshold in use, {res['threshold']}: {cost_all(now)}"
    return [line + "."]


def seed_block(res: dict, source: Path) -> list[str]:
    L = _header(res, source)
    L += ["| retriever | R@1 | R@3 | R@5 | R@10 | MRR@10 | nDCG@10 | answer EM |", "|---|---|---|---|---|---|---|---|"]
    for mode in [m for m in RETRIEVERS if m in res["modes"]]:
        r = res["retrieval"][mode]
        L.append(f"| {RETRIEVERS[mode]} | {r['recall@1']:.3f} | {r['recall@3']:.3f} | {r['recall@5']:.3f} | "
                 f"{r['recall@10']:.3f} | {r['mrr@10']:.3f} | {r['ndcg@10']:.3f} | {res['by_mode_em'][mode]:.3f} |")
    L += [""] + _answers_table(res) + [""]
    if res.get("by_tag"):
        L += ["| questions (hybrid) | tag | n | EM | F1 | answerable abstained | unanswerable abstained |",
              "|---|---|---|---|---|---|---|"]
        order = [t for t in TAGS if t in res["by_tag"]] + [t for t in res["by_tag"] if t not in TAGS]
        for tag in order:
            s = res["by_tag"][tag]
            L.append(f"| {TAGS.get(tag, tag)} | `{tag}` | {s['n']} | {_f(s['exact_match'])} | {_f(s['f1'])} | "
                     f"{_f(s['answerable_abstained'])} | {_f(s['unanswerable_abstained'])} |")
        L.append("")
    return L + _curve_line(res)


def dev_block(res: dict, source: Path) -> list[str]:
    L = _header(res, source) + _answers_table(res) + [""]
    L += ["| answer type | n | EM | F1 | abstained |", "|---|---|---|---|---|"]
    types = sorted(res["by_type"].items(), key=lambda kv: (kv[0] == UNANSWERABLE, -kv[1]["n"], kv[0]))
    for t, s in types:
        abst = s["unanswerable_abstained"] if t == UNANSWERABLE else s["answerable_abstained"]
        L.append(f"| {t} | {s['n']} | {_f(s['exact_match'])} | {_f(s['f1'])} | {_f(abst)} |")
    return L + [""] + _curve_line(res)


def replace_block(text: str, key: str, lines: list[str]) -> str:
    start, end = f"<!-- figures:{key}:start -->", f"<!-- figures:{key}:end -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if len(pattern.findall(text)) != 1:
        raise FiguresError(f"README needs exactly one {start} … {end} pair")
    body = "\n".join([start, "", *lines, "", end])
    return pattern.sub(lambda _m: body, text)


def _warn_gate(res: dict, source: Path) -> None:
    gate = res.get("gate") or {}
    if not gate.get("ok", True):
        print(f"note: {_rel(source)} differs from the figures pinned in eval/expected.json "
              f"({len(gate.get('drops', []))} drops, {len(gate.get('changes', []))} changes): "
              "make eval-expected if that is intended", file=sys.stderr)


def render(text: str, seed: Path | None, dev: Path | None) -> str:
    if seed is None:
        raise FiguresError("no seed results: run `make eval` (writes var/eval/results.json)")
    res = load(seed)
    _warn_gate(res, seed)
    text = replace_block(text, "seed", seed_block(res, seed))
    if dev is not None and dev.is_file():
        res = load(dev)
        _warn_gate(res, dev)
        text = replace_block(text, "dev", dev_block(res, dev))
    else:
        print(f"note: no {_rel(dev) if dev else 'dev results'}: run `make eval-dev`; dev figures left as they are",
              file=sys.stderr)
    return text


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.readme_figures",
                                description="Write the eval figures into README.md between its figures markers.")
    p.add_argument("--seed", type=Path, help="seed results.json [newer of var/eval/ and eval/results/]")
    p.add_argument("--dev", type=Path, default=DEV_RESULTS, help="dev results.json [var/eval-dev/results.json]")
    p.add_argument("--readme", type=Path, default=README, help="file to rewrite [README.md]")
    p.add_argument("--check", action="store_true", help="do not write; exit 1 when the file would change")
    args = p.parse_args(argv)
    try:
        text = args.readme.read_text(encoding="utf-8")
        new = render(text, args.seed or seed_path(), args.dev)
    except (OSError, FiguresError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.check:
        if new != text:
            print(f"{_rel(args.readme)}: figures are not those of the results (python -m eval.readme_figures)",
                  file=sys.stderr)
            return 1
        return 0
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    print(f"{_rel(args.readme)}: figures {'updated' if new != text else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
