"""Question sets: ours (``answers`` list, ``doc_id``, ``type``, optional ``tags``) and the development set's
(``answer`` string or null, ``doc`` file name, ``type`` ``none`` for unanswerable), read into one ``Question``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from eval import ROOT, EvalError
from eval.metrics import UNANSWERABLE


@dataclass
class Question:
    id: str
    question: str
    answers: list[str]
    doc_id: str
    evidence: str
    type: str = ""
    paraphrase: bool = False
    no_place: bool = False
    tags: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def default_set() -> Path:
    return ROOT / "eval" / "questions.jsonl"


def question_from_dict(d: dict) -> Question:
    """One question in our schema or the development set's (``doc`` "d01.txt" -> doc_id "d01", ``answer`` ->
    ``answers``, type ``none`` -> unanswerable)."""
    from index.ingest import make_doc_id

    if "answers" in d:
        answers = [a for a in (d["answers"] or []) if a]
    else:
        answers = [d["answer"]] if d["answer"] else []
    doc = d.get("doc_id") or (make_doc_id(d["doc"]) if d.get("doc") else "")
    typ = d.get("type") or ""
    if typ in ("none", "") and not answers:
        typ = UNANSWERABLE
    tags = d.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise TypeError("tags must be a list of strings")
    if not isinstance(d["question"], str) or not d["question"].strip():
        raise TypeError("question must be a non-empty string")
    return Question(id=str(d["id"]), question=d["question"], answers=list(answers), doc_id=doc,
                    evidence=d.get("evidence") or "", type=typ, paraphrase=bool(d.get("paraphrase")),
                    no_place=bool(d.get("no_place")), tags=list(tags))


def load_questions(path: Path) -> list[Question]:
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"{path}: question set not found")
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(question_from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
            raise EvalError(f"{path}:{i}: not a valid question ({e.__class__.__name__}: {e})") from None
    if not out:
        raise EvalError(f"{path}: no questions")
    dup = sorted({q.id for q in out if sum(1 for x in out if x.id == q.id) > 1})
    if dup:
        raise EvalError(f"{path}: duplicate question ids {', '.join(dup[:5])}")
    return out
