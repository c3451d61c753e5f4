"""Standard formats: BEIR datasets (read and write), TREC run files and TREC qrels files.

* BEIR (https://github.com/beir-cellar/beir): ``corpus.jsonl`` (``{"_id", "title", "text"}``),
  ``queries.jsonl`` (``{"_id", "text"}``), ``qrels/<split>.tsv`` (header ``query-id corpus-id score``, tab
  separated).
* TREC run: ``qid Q0 docno rank score tag`` per line; TREC qrels: ``qid 0 docno grade``.

Run files are written so that every tool reads the ranking we produced: trec_eval (and ranx) order by score,
so a tie is broken by lowering the later score by 1e-6 (rank order is kept, scores stay the engine's to 1e-6).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

Ranking = list[tuple[str, float]]  # (docno, score), best first


class FormatError(ValueError):
    """A dataset or file that cannot be read (one line, names the file)."""


@dataclass
class BeirDataset:
    corpus: dict[str, dict[str, str]]  # _id -> {"title", "text"}
    queries: dict[str, str]  # _id -> text
    qrels: dict[str, dict[str, int]]  # query-id -> {corpus-id: score}


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise FormatError(f"{path}: not found")
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
                row["_id"] = str(row["_id"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise FormatError(f"{path}:{i}: not a BEIR record ({e.__class__.__name__}: {e})") from None
            if not row["_id"] or any(c.isspace() for c in row["_id"]):
                raise FormatError(f"{path}:{i}: _id {row['_id']!r} is empty or holds whitespace (TREC files "
                                  "cannot hold it)")
            rows.append(row)
    return rows


def read_beir(folder: Path, split: str = "test") -> BeirDataset:
    """A BEIR dataset folder; only queries that have qrels in ``split`` are kept (as BEIR's loader does)."""
    folder = Path(folder)
    corpus = {r["_id"]: {"title": str(r.get("title") or ""), "text": str(r.get("text") or "")}
              for r in _jsonl(folder / "corpus.jsonl")}
    queries = {r["_id"]: str(r.get("text") or "") for r in _jsonl(folder / "queries.jsonl")}
    qpath = folder / "qrels" / f"{split}.tsv"
    if not qpath.is_file():
        raise FormatError(f"{qpath}: not found (splits there: "
                          f"{', '.join(p.stem for p in sorted((folder / 'qrels').glob('*.tsv'))) or 'none'})")
    qrels: dict[str, dict[str, int]] = {}
    with qpath.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    for i, row in enumerate(rows, 1):
        if i == 1 and row and row[0] == "query-id":
            continue
        if not row:
            continue
        try:
            qid, did, score = row[0], row[1], int(float(row[2]))
        except (IndexError, ValueError):
            raise FormatError(f"{qpath}:{i}: expected query-id, corpus-id, score") from None
        if did not in corpus:
            raise FormatError(f"{qpath}:{i}: corpus-id {did!r} is not in corpus.jsonl")
        if score > 0:
            qrels.setdefault(qid, {})[did] = score
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise FormatError(f"{qpath}: query-ids without a query in queries.jsonl: {', '.join(missing[:5])}")
    return BeirDataset(corpus=corpus, queries={q: queries[q] for q in queries if q in qrels}, qrels=qrels)


def write_beir(folder: Path, data: BeirDataset, split: str = "test") -> Path:
    folder = Path(folder)
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for did, d in data.corpus.items():
            f.write(json.dumps({"_id": did, "title": d.get("title", ""), "text": d["text"]}, ensure_ascii=False)
                    + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as f:
        for qid, text in data.queries.items():
            f.write(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "qrels" / f"{split}.tsv").open("w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for qid, rel in data.qrels.items():
            for did, score in rel.items():
                f.write(f"{qid}\t{did}\t{score}\n")
    return folder


def strictly_decreasing(ranking: Ranking, eps: float = 1e-6) -> Ranking:
    """Scores lowered where needed so each is below the previous one: score order == rank order."""
    out: Ranking = []
    prev = float("inf")
    for did, s in ranking:
        s = min(float(s), prev - eps)
        out.append((did, s))
        prev = s
    return out


def write_trec_run(path: Path, run: dict[str, Ranking], tag: str) -> Path:
    """``run``: qid -> ranking (best first; made strictly decreasing first). Queries with no results are
    absent from the file, as trec_eval expects."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = "".join(c if not c.isspace() else "_" for c in tag)
    with path.open("w", encoding="utf-8") as f:
        for qid, ranking in run.items():
            for rank, (did, s) in enumerate(ranking, 1):
                f.write(f"{qid} Q0 {did} {rank} {s!r} {tag}\n")
    return path


def read_trec_run(path: Path) -> dict[str, Ranking]:
    out: dict[str, Ranking] = {}
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 6:
            raise FormatError(f"{path}:{i}: expected 'qid Q0 docno rank score tag'")
        out.setdefault(parts[0], []).append((parts[2], float(parts[4])))
    return out


def write_trec_qrels(path: Path, qrels: dict[str, dict[str, int]]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for qid, rel in qrels.items():
            for did, g in sorted(rel.items()):
                f.write(f"{qid} 0 {did} {g}\n")
    return path
