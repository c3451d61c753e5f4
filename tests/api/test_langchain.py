"""The LangChain retrievers (api/langchain_retriever.py): over HTTP against a live test server, and in-process."""
from __future__ import annotations

import anyio
import pytest
from api_testlib import EXAMPLE_A, EXAMPLE_Q

pytest.importorskip("langchain_core")
CHENZHOU = "000_c33fefab3f638279"


def check(docs, top_k: int) -> None:
    assert 1 <= len(docs) <= top_k
    top = docs[0]
    md = top.metadata
    assert md["doc_id"] == CHENZHOU and md["answer"] == EXAMPLE_A and EXAMPLE_A in md["sentence"]
    assert md["title"] == "郴州市2024年法治政府建设情况报告" and md["region"] == "郴州市" and md["year"] == 2024
    assert md["start"] <= md["answer_start"] < md["answer_end"] <= md["end"]
    assert top.page_content[md["answer_start"] - md["start"]:md["answer_end"] - md["start"]] == EXAMPLE_A
    assert top.id == md["passage_id"] and [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))


def test_local_retriever(served_qa):
    from api.langchain_retriever import FazhiQALocalRetriever

    docs = FazhiQALocalRetriever(qa=served_qa, top_k=3).invoke(EXAMPLE_Q)
    check(docs, 3)
    assert docs[0].metadata["source"] == f"{CHENZHOU}:{docs[0].metadata['start']}-{docs[0].metadata['end']}"
    scoped = FazhiQALocalRetriever(qa=served_qa, top_k=5, region="开封市示范区").invoke("行政复议")
    assert scoped and {d.metadata["doc_id"] for d in scoped} == {"002_1867eea4f21729fd"}


def test_local_retriever_from_index(api_index_dir, api_encoder):
    from api.langchain_retriever import FazhiQALocalRetriever

    check(FazhiQALocalRetriever.from_index(api_index_dir, api_encoder, top_k=2).invoke(EXAMPLE_Q), 2)


@pytest.mark.slow
def test_http_retriever(server_url):
    from api.langchain_retriever import FazhiQARetriever

    retriever = FazhiQARetriever(base_url=server_url, top_k=3)
    docs = retriever.invoke(EXAMPLE_Q)
    check(docs, 3)
    md = docs[0].metadata
    assert md["source"] == f"{server_url}/documents/{CHENZHOU}?start={md['start']}&end={md['end']}"
    adocs = anyio.run(retriever.ainvoke, EXAMPLE_Q)
    assert [d.id for d in adocs] == [d.id for d in docs]
    with pytest.raises(ValueError, match="422"):
        FazhiQARetriever(base_url=server_url).invoke("   ")
