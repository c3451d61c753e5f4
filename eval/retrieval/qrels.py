"""Relevance judgements from gold evidence: a passage is relevant when it holds the question's evidence sentence.

Grades (TREC style, higher is better):

* ``2`` — the passage holds the whole evidence sentence (one occurrence of it in the gold report);
* ``1`` — the passage holds only part of it (the evidence crosses a passage boundary) and that part carries a
  gold answer or at least half of the evidence's characters;
* not judged (0) — anything else, including passages that merely contain the answer string elsewhere (a
  figure like 12次 occurs in many passages: containing it is not being relevant).

Only passages of the question's gold report are judged. Unanswerable questions (no evidence) get no qrels and
are left out of the retrieval figures (they still count in the answer figures).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

FULL, PARTIAL = 2, 1


@dataclass
class Judged:
    """Qrels ``{qid: {passage_id: grade}}`` and the answerable questions whose evidence was not found."""

    qrels: dict[str, dict[str, int]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    out, i = [], text.find(needle)
    while needle and i >= 0:
        out.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return out


def grade(p_start: int, p_end: int, ev: tuple[int, int], answers: list[tuple[int, int]]) -> int:
    """The grade of passage ``[p_start, p_end)`` for one evidence occurrence ``ev`` with the gold answers'
    offsets ``answers`` inside it (all document offsets)."""
    a, b = ev
    if p_start <= a and b <= p_end:
        return FULL
    overlap = min(b, p_end) - max(a, p_start)
    if overlap <= 0:
        return 0
    if overlap * 2 >= b - a or any(p_start <= s and e <= p_end for s, e in answers):
        return PARTIAL
    return 0


def judge(qid: str, doc_text: str, doc_passages: Iterable, evidence: str, answers: list[str]) -> dict[str, int]:
    """``{passage_id: grade}`` for one question over its gold report's passages (objects with ``passage_id``,
    ``start`` and ``end`` offsets into ``doc_text``); empty when the evidence does not occur in the text."""
    evidence = evidence.strip()
    out: dict[str, int] = {}
    passages = list(doc_passages)
    for ev in _occurrences(doc_text, evidence):
        seg = doc_text[ev[0]:ev[1]]
        spans = [(ev[0] + s, ev[0] + e) for ans in answers if ans for s, e in _occurrences(seg, ans)]
        for p in passages:
            g = grade(p.start, p.end, ev, spans)
            if g > out.get(p.passage_id, 0):
                out[p.passage_id] = g
    return out


def qrels_from_evidence(questions: list, documents: dict, passages: list) -> Judged:
    """Qrels for ``questions`` (``eval.questions.Question``: id, doc_id, evidence, answers) over an index's
    ``documents`` (doc_id -> Document) and ``passages``."""
    by_doc: dict[str, list] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    out = Judged()
    for q in questions:
        if not q.answerable:
            continue
        doc = documents.get(q.doc_id)
        rel = judge(q.id, doc.clean_text, by_doc.get(q.doc_id, []), q.evidence, q.answers) if doc and q.evidence \
            else {}
        if rel:
            out.qrels[q.id] = rel
        else:
            out.missing.append(q.id)
    return out
