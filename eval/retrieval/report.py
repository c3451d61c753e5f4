"""What a retrieval eval writes: the Markdown table, results.json, TREC files, charts, and the pinned figures.

* **Table.** One row per system: Recall@1/3/5/10, MRR@10, nDCG@10, MAP (ranx, over the questions with qrels)
  and, for our sets, the answers each retriever leads to: EM and char F1 (CMRC-2018, as ``qa eval``) and ACC
  (lenient: the answer contains a gold answer after normalisation; an unanswerable question counts when the
  service abstains), over every question. The best value per column is bold; ▲/▼ mark a system significantly
  better/worse than the FIRST system (two-sided paired t-test, p < 0.05, per question, ranx).
* **Pinned figures** (``eval/expected_retrieval.json``): each system's retrieval metrics per set; a drop of more
  than 0.01 fails (``--check``, ``tests/eval/test_retrieval_eval.py``), a rise asks for re-pinning
  (``--update-expected``), as the answer eval's gate does.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from eval.metrics import char_f1, exact_match, normalize
from eval.retrieval.measures import LABELS, Measured
from eval.retrieval.systems import System

ROOT = Path(os.path.abspath(__file__)).parents[2]
EXPECTED = ROOT / "eval" / "expected_retrieval.json"
TOLERANCE = 0.01


# ---------------------------------------------------------------------------------------------- answers
def lenient(pred: str | None, golds: list[str]) -> float:
    if not golds:
        return 1.0 if pred is None else 0.0
    if pred is None:
        return 0.0
    p = normalize(pred)
    return float(any(normalize(g) and normalize(g) in p for g in golds))


def answer_figures(answers: dict[str, str | None], questions: list) -> dict[str, float]:
    n = len(questions) or 1
    return {"em": round(sum(exact_match(answers.get(q.id), q.answers) for q in questions) / n, 4),
            "f1": round(sum(char_f1(answers.get(q.id), q.answers) for q in questions) / n, 4),
            "acc": round(sum(lenient(answers.get(q.id), q.answers) for q in questions) / n, 4)}


# ---------------------------------------------------------------------------------------------- table
def _mark(m: Measured, name: str, metric: str) -> str:
    if name not in m.significant or not m.significant[name][metric]:
        return ""
    return "▲" if m.means[name][metric] > m.means[m.systems[0]][metric] else "▼"


def table(systems: list[System], primary: str, m: Measured, answers: dict[str, dict[str, float]] | None) -> str:
    cols = [LABELS[x] for x in m.metrics] + (["EM", "F1", "ACC"] if answers else [])
    best = {x: max(round(m.means[s.name][x], 3) for s in systems) for x in m.metrics}
    abest = {x: max(round(answers[s.name][x], 3) for s in systems) for x in ("em", "f1", "acc")} if answers else {}
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for s in systems:
        cells = []
        for x in m.metrics:
            v = round(m.means[s.name][x], 3)
            cell = f"{v:.3f}"
            cells.append((f"**{cell}**" if v == best[x] else cell) + _mark(m, s.name, x))
        if answers:
            for x in ("em", "f1", "acc"):
                v = round(answers[s.name][x], 3)
                cells.append(f"**{v:.3f}**" if v == abest[x] else f"{v:.3f}")
        lines.append(f"| {s.label(primary)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sweep_table(sweep: dict[str, dict[str, float]]) -> str:
    keys = [("recall@1", "R@1"), ("recall@5", "R@5"), ("mrr@10", "MRR@10"), ("ndcg@10", "nDCG@10"),
            ("map", "MAP"), ("em", "EM"), ("f1", "F1")]
    keys = [(k, lab) for k, lab in keys if all(k in row for row in sweep.values())]
    best = {k: max(round(row[k], 3) for row in sweep.values()) for k, _ in keys}
    lines = ["| dense weight w | " + " | ".join(lab for _, lab in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for w, row in sweep.items():
        cells = [f"**{row[k]:.3f}**" if round(row[k], 3) == best[k] else f"{row[k]:.3f}" for k, _ in keys]
        lines.append(f"| {w} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- charts
def fusion_chart(sweep: dict[str, dict[str, float]], default_w: float, path: Path, title: str,
                 rrf: dict[str, float] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ws = [float(w) for w in sweep]
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=120)
    for key, label, style in (("ndcg@10", "nDCG@10", "-o"), ("mrr@10", "MRR@10", "-s"), ("recall@1", "R@1", "-^"),
                              ("recall@5", "R@5", "-v"), ("em", "answer EM", "--D")):
        if all(key in r for r in sweep.values()):
            line, = ax.plot(ws, [r[key] for r in sweep.values()], style, ms=4, label=label)
            if rrf and key in rrf:
                ax.axhline(rrf[key], color=line.get_color(), ls=":", lw=1, alpha=0.8)
    ax.axvline(default_w, color="grey", lw=1, alpha=0.7)
    ax.text(default_w, 0.02, f" default w = {default_w:g}", fontsize=8, color="grey",
            transform=ax.get_xaxis_transform())
    ax.set_xlabel("dense weight w of the score fusion (BM25 weight 1 − w)")
    ax.set_ylabel("figure")
    ax.set_xlim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title + (" (dotted: RRF w = 0.5)" if rrf else ""), fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def recall_chart(curves: dict[str, list[float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=120)
    for label, ys in curves.items():
        ax.plot(range(1, len(ys) + 1), ys, "-", marker=".", label=label)
    ax.set_xlabel("k (passages)")
    n = max((len(ys) for ys in curves.values()), default=1)
    ax.set_xticks([k for k in (1, 3, 5, 10, 15, 20, 30, 40, 50) if k <= n])
    ax.set_ylabel("Recall@k")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------- pinned figures
def figures(m: Measured) -> dict[str, float]:
    return {f"{s}/{x}": round(m.means[s][x], 4) for s in m.systems for x in m.metrics}


def read_expected(path: Path = EXPECTED) -> dict:
    if not path.is_file():
        return {"tolerance": TOLERANCE, "sets": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def fingerprint(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]


@dataclass
class Gate:
    key: str
    drops: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drops and not self.changes

    def lines(self, update: str) -> list[str]:
        if self.ok:
            return [f"matches the pinned figures of {self.key!r} in eval/expected_retrieval.json (±{TOLERANCE})"]
        return [f"DROP: {d}" for d in self.drops] + [f"CHANGED: {c}" for c in self.changes] + [
            f"if this is intended, pin the new figures: {update}"]


def compare(measured: dict[str, float], key: str, set_sha1: str, expected: dict | None = None) -> Gate:
    expected = read_expected() if expected is None else expected
    tol = float(expected.get("tolerance", TOLERANCE))
    gate = Gate(key)
    entry = expected.get("sets", {}).get(key)
    if entry is None:
        gate.changes.append(f"no pinned figures for {key!r}")
        return gate
    if entry.get("set_sha1") != set_sha1:
        gate.changes.append(f"the question set changed since it was pinned ({entry.get('set_sha1')} -> {set_sha1})")
    pinned = entry.get("figures", {})
    for name, want in pinned.items():
        got = measured.get(name)
        if got is None:
            gate.changes.append(f"{name} is pinned ({want}) but was not measured")
        elif got < want - tol - 1e-9:
            gate.drops.append(f"{name} {want:.4f} -> {got:.4f} (worse by {want - got:.4f} > {tol})")
        elif got > want + tol + 1e-9:
            gate.changes.append(f"{name} {want:.4f} -> {got:.4f} (better by {got - want:.4f} > {tol})")
    for name in sorted(measured.keys() - pinned.keys()):
        gate.changes.append(f"{name} = {measured[name]:.4f} is measured but not pinned")
    return gate


def update_expected(key: str, measured: dict[str, float], *, command: str, set_file: str | None,
                    corpus: str | None, set_sha1: str, n: int, path: Path = EXPECTED) -> None:
    expected = read_expected(path)
    expected["tolerance"] = expected.get("tolerance", TOLERANCE)
    expected.setdefault("sets", {})[key] = {
        "command": command, "update": f"{command} --update-expected", "set": set_file, "corpus": corpus, "n": n,
        "set_sha1": set_sha1, "pinned": date.today().isoformat(), "figures": dict(sorted(measured.items()))}
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
