from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from madeup import MADEUP_REPORT, MADEUP_REPORT_2, MADEUP_REPORT_3  # noqa: E402


@pytest.fixture(scope="session")
def seed_qa(seed_index_dir, encoder):
    from qa.engine import QA

    return QA.load(seed_index_dir, encoder)


@pytest.fixture(scope="session")
def madeup_qa(tmp_path_factory, seed_docs, seed_index_dir, encoder):
    """The seeds plus a report written for the tests, indexed together (seed vectors reused)."""
    from index.ingest import document_from_text
    from index.store import build_index, load_index
    from qa.engine import QA

    docs = [document_from_text(MADEUP_REPORT, "yunxi_2023", "yunxi_2023.txt"),
            document_from_text(MADEUP_REPORT_2, "shimen_2022", "shimen_2022.txt"),
            document_from_text(MADEUP_REPORT_3, "lanxi_scjg_2024", "lanxi_scjg_2024.txt")]
    index_dir = tmp_path_factory.mktemp("madeup_index")
    build_index(seed_docs + docs, encoder, index_dir, previous=load_index(seed_index_dir))
    return QA.load(index_dir, encoder)


def assert_cited(qa, result) -> None:
    """Every answer's citation slices its text (and its sentence) out of the cited report."""
    for a in result.answers:
        c = a.citation
        text = qa.index.documents[c.doc_id].clean_text
        assert text[c.start:c.end] == a.text, (a.text, c)
        assert text[c.sentence_start:c.sentence_end] == a.sentence
        assert c.sentence_start <= c.start <= c.end <= c.sentence_end
        p = next(p for p in qa.index.passages if p.passage_id == c.passage_id)
        assert p.start <= c.start and c.end <= p.end and p.doc_id == c.doc_id
        assert 0.0 <= a.score <= 1.0
