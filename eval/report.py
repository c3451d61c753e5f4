"""What a run writes: ``report.md`` (figures overall, per answer type, per tag, against the pinned figures and
the targets, the abstention curve, every failure), ``results.json`` (all of it, plus one row per question), the
charts, and the one-line summary."""
from __future__ import annotations

import json
from pathlib import Path

from eval.charts import curve_chart, recall_chart
from eval.gate import GateReport, repo_relative
from eval.metrics import UNANSWERABLE, cost_all, cost_answerable, format_ranges
from eval.scoring import EvalResult


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
    doc = {"set": repo_relative(set_file), "corpus": repo_relative(corpus), "command": command,
           "expected_key": key,
           "manifest": manifest, "figures": measured,
           "gate": {"ok": gate.ok, "drops": gate.drops, "changes": gate.changes}, "targets": targets,
           **res.to_dict()}
    (out / "results.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    recall_chart(res, out / "recall.png")
    curve_chart(res, out / "abstention.png")
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
