"""The eval's two charts: Recall@k per retriever (recall.png) and the abstention curve (abstention.png)."""
from __future__ import annotations

from pathlib import Path

from eval.metrics import cost_all, cost_answerable, format_ranges
from eval.scoring import KS, EvalResult


def recall_chart(res: EvalResult, path: Path) -> None:
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


def curve_chart(res: EvalResult, path: Path) -> None:
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
