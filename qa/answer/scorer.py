"""The one scorer: named features (features.py) -> the probability that a candidate is the right answer.

A logistic regression fitted by ``python -m eval.fit_scorer`` on the labelled questions (the seed eval and the
development set), cross-validated on held-out *reports*; its weights are data (``qa/data/scorer.json``, with the
command, data and figures that produced them). Answer types fall in two groups that are weighed apart, figures
(count, rate, money, duration, ordinal, date) and names (everything else); each group has its own weights.

    >>> sc = Scorer.load()
    >>> p, parts = sc.explain({"hand": 0.9, "cover": 1.0}, figure=True)   # parts: (feature, contribution)
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

WEIGHTS_FILE = "scorer.json"


@dataclass(frozen=True)
class GroupWeights:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def parts(self, feats: dict[str, float]) -> list[tuple[str, float]]:
        """Each feature's contribution to the log-odds; a feature the candidate lacks (dense similarity when
        only BM25 runs) counts as the training mean, i.e. contributes nothing."""
        return [(n, c * (feats.get(n, m) - m) / s)
                for n, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)]


@dataclass(frozen=True)
class Scorer:
    groups: dict[str, GroupWeights]
    threshold: float  # abstain below this probability (chosen on the cross-validated curve)
    meta: dict

    @classmethod
    def from_dict(cls, d: dict) -> Scorer:
        groups = {g: GroupWeights(tuple(w["features"]), tuple(w["mean"]), tuple(w["scale"]), tuple(w["coef"]),
                                  float(w["intercept"])) for g, w in d["groups"].items()}
        return cls(groups, float(d["threshold"]), {k: v for k, v in d.items() if k not in ("groups",)})

    @classmethod
    def load(cls, path: str | Path | None = None) -> Scorer:
        if path is None:
            text = resources.files("qa").joinpath("data", WEIGHTS_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    def explain(self, feats: dict[str, float], figure: bool) -> tuple[float, list[tuple[str, float]]]:
        g = self.groups["figure" if figure else "name"]
        parts = g.parts(feats)
        z = g.intercept + sum(v for _n, v in parts)
        return 1.0 / (1.0 + math.exp(-z)), parts

    def prob(self, feats: dict[str, float], figure: bool) -> float:
        return self.explain(feats, figure)[0]


@cache
def default_scorer() -> Scorer | None:
    """The committed scorer, or None before one was fitted (then the hand-set score decides)."""
    try:
        return Scorer.load()
    except FileNotFoundError:
        return None
