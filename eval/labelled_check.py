"""Checks of a labelled question set over the seed reports (stdlib only), shared by eval/fresh/check.py and
eval/typed/check.py.

Verifies, with exact string comparison (no normalisation):
  - every line is a JSON object with the expected keys and value types;
  - ids are unique;
  - type is one of the allowed types;
  - answerable items: doc_id names an existing seeds/<doc_id>.txt, every answer is a
    non-empty string that occurs in the evidence, and the evidence occurs in the report;
  - unanswerable items: answers == [], doc_id == "", evidence is null.
Prints counts by type, by report and by paraphrase flag, and (as warnings only) any item whose (answer, evidence)
pair an older set already asks, and any duplicate within the set. ``main`` returns 0 when all checks pass, else 1.
"""
import collections
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "seeds")

TYPES = {"count", "rate", "money", "duration", "date", "ordinal", "person", "role", "body",
         "honour", "name", "list", "place", "document", "unanswerable"}
KEYS = {"id": str, "question": str, "answers": list, "doc_id": str, "type": str,
        "paraphrase": bool, "no_place": bool}


def main(path: str, olds: list[str]) -> int:
    """Check the labelled questions at ``path``; warn on (answer, evidence) pairs already asked in ``olds``."""
    errors = []
    texts = {}
    seen = set()
    items = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {ln}: bad JSON: {e}")
                continue
            items.append(d)
            qid = d.get("id", f"<line {ln}>")
            for k, t in KEYS.items():
                if not isinstance(d.get(k), t):
                    errors.append(f"{qid}: key {k!r} missing or not {t.__name__}")
            if "evidence" not in d:
                errors.append(f"{qid}: key 'evidence' missing")
            if qid in seen:
                errors.append(f"{qid}: duplicate id")
            seen.add(qid)
            typ = d.get("type")
            if typ not in TYPES:
                errors.append(f"{qid}: invalid type {typ!r}")
            if not str(d.get("question", "")).strip():
                errors.append(f"{qid}: empty question")
            answers = d.get("answers") or []
            ev = d.get("evidence")
            if typ == "unanswerable":
                if answers or d.get("doc_id") != "" or ev is not None:
                    errors.append(f"{qid}: unanswerable item must have answers [], doc_id '', evidence null")
                continue
            doc = d.get("doc_id", "")
            if doc not in texts:
                p = os.path.join(SEEDS, f"{doc}.txt")
                if not doc or not os.path.isfile(p):
                    errors.append(f"{qid}: no report file seeds/{doc}.txt")
                    continue
                with open(p, encoding="utf-8") as tf:
                    texts[doc] = tf.read()
            text = texts[doc]
            if not answers:
                errors.append(f"{qid}: answerable item with no answers")
            if not isinstance(ev, str) or not ev:
                errors.append(f"{qid}: evidence missing")
                continue
            if ev not in text:
                errors.append(f"{qid}: evidence not found verbatim in seeds/{doc}.txt")
            for a in answers:
                if not isinstance(a, str) or not a:
                    errors.append(f"{qid}: empty/non-string answer {a!r}")
                elif a not in ev:
                    errors.append(f"{qid}: answer {a!r} not in evidence")

    # overlap with the existing sets (warning only)
    overlap = []
    for old in olds:
        if not os.path.isfile(old):
            continue
        old_pairs = set()
        with open(old, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    for a in o.get("answers") or []:
                        old_pairs.add((o.get("doc_id"), a, o.get("evidence")))
        rel = os.path.relpath(old, ROOT)
        for d in items:
            for a in d.get("answers") or []:
                if (d.get("doc_id"), a, d.get("evidence")) in old_pairs:
                    overlap.append(f"{d.get('id')}: {a!r} (in {rel})")
    # same (doc, answer, evidence) asked twice within this set, or same question text (warning only)
    dup = []
    seen_pairs: dict[tuple, str] = {}
    seen_q: dict[str, str] = {}
    for d in items:
        if d.get("question") in seen_q:
            dup.append(f"{d.get('id')}: same question as {seen_q[d.get('question')]}")
        seen_q.setdefault(d.get("question"), d.get("id"))
        if d.get("type") == "unanswerable":
            continue
        key = (d.get("doc_id"), (d.get("answers") or [None])[0], d.get("evidence"))
        if key in seen_pairs:
            dup.append(f"{d.get('id')}: same gold and evidence as {seen_pairs[key]}")
        seen_pairs.setdefault(key, d.get("id"))

    by_type = collections.Counter(d.get("type") for d in items)
    by_doc = collections.Counter(d.get("doc_id") or "(unanswerable)" for d in items)
    by_doc_type: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for d in items:
        by_doc_type[d.get("doc_id") or "(unanswerable)"][d.get("type")] += 1
    ans = [d for d in items if d.get("type") != "unanswerable"]
    para = sum(1 for d in ans if d.get("paraphrase"))
    noplace = sum(1 for d in ans if d.get("no_place"))

    print(f"{path}: {len(items)} questions ({len(ans)} answerable, "
          f"{len(items) - len(ans)} unanswerable); paraphrase {para}/{len(ans)}, "
          f"no_place {noplace}/{len(ans)}")
    print("by type:")
    for t, n in sorted(by_type.items(), key=lambda x: (-x[1], x[0])):
        print(f"  {t:13s} {n}")
    print("by report:")
    for doc, n in sorted(by_doc.items()):
        detail = ", ".join(f"{t} {c}" for t, c in sorted(by_doc_type[doc].items()))
        print(f"  {doc:22s} {n:3d}   ({detail})")
    if overlap:
        print(f"WARNING: {len(overlap)} (answer, evidence) pairs already in an existing set:")
        for o in overlap:
            print("  " + o)
    if dup:
        print(f"WARNING: {len(dup)} duplicate(s) within this set:")
        for o in dup:
            print("  " + o)
    if errors:
        print(f"FAILED: {len(errors)} problem(s)")
        for problem in errors:
            print("  " + problem)
        return 1
    print("OK: all checks passed")
    return 0

