"""The pinned figures (eval/expected.json): which entry a run is held to, the gate (a drop fails, a rise or a
new figure asks for re-pinning), the targets (floors, not the gate) and re-pinning."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from eval import ROOT
from eval.questions import default_set
from eval.scoring import EvalResult

EXPECTED = ROOT / "eval" / "expected.json"
TYPE_MIN_N = 5  # per-type figures are pinned (and held to targets) for types with at least this many questions


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


def repo_relative(p: Path | None) -> str | None:
    if p is None:
        return None
    return os.path.relpath(os.path.abspath(p), ROOT)  # abspath, not resolve: ../shared/dev may be a symlink


def set_key(set_file: Path, corpus: Path | None, expected: dict | None = None) -> str:
    """The entry of eval/expected.json for this set and corpus: the one naming the same files, else ``seed``
    for the default set without a corpus, else the set's name (``dev`` for ``../shared/dev/questions.jsonl``)."""
    expected = read_expected() if expected is None else expected
    for key, e in expected.get("sets", {}).items():
        if e.get("set") == repo_relative(set_file) and e.get("corpus") == repo_relative(corpus):
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
        "set": repo_relative(set_file), "corpus": repo_relative(corpus), "n": n,
        "set_sha1": set_fingerprint(set_file),
        "encoder": encoder, "threshold": threshold, "pinned": date.today().isoformat(),
        "figures": dict(sorted(measured.items())),
    }
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
