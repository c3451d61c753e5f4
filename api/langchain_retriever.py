"""LangChain retrievers over the reports (the optional extra ``pip install 'fazhi-qa[langchain]'``, langchain-core).

* :class:`FazhiQARetriever` calls a running service (``POST /ask``) over HTTP: only langchain-core (and the
  httpx it brings) is needed on the caller's side.
* :class:`FazhiQALocalRetriever` loads an index in this process (``QA.load``) and asks it directly.

Both return one ``Document`` per retrieved passage, best first: ``page_content`` is the passage text and
``metadata`` carries the citation — doc id, passage id, title, region, year, section, the passage's character
offsets in the report (``start``/``end``), its score and rank, ``source`` (a link to the span, or
``<doc_id>:<start>-<end>``) — and, on the passage that holds it, the extractive answer to the query (``answer``,
``answer_score``, ``answer_start``/``answer_end``, ``sentence``). Example::

    from api.langchain_retriever import FazhiQARetriever
    retriever = FazhiQARetriever(base_url="http://127.0.0.1:8000", top_k=3)
    docs = retriever.invoke("青禾县2023年行政复议纠错率是多少")
    print(docs[0].metadata.get("answer"), docs[0].metadata["title"], docs[0].metadata["source"])
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

PASSAGE_FIELDS = ("doc_id", "passage_id", "title", "region", "year", "section", "start", "end", "score", "rank")


def documents_from_result(result: dict[str, Any], base_url: str | None = None) -> list[Document]:
    """The Documents of an ``/ask`` response body (passages, each with the answer it holds)."""
    best: dict[str, dict[str, Any]] = {}
    for a in result.get("answers") or []:
        best.setdefault(a["citation"]["passage_id"], a)
    docs = []
    for p in result.get("passages") or []:
        md: dict[str, Any] = {k: p.get(k) for k in PASSAGE_FIELDS}
        if base_url:
            md["source"] = f"{base_url.rstrip('/')}/documents/{quote(p['doc_id'], safe='')}?start={p['start']}" \
                           f"&end={p['end']}"
        else:
            md["source"] = f"{p['doc_id']}:{p['start']}-{p['end']}"
        a = best.get(p["passage_id"])
        if a is not None:
            c = a["citation"]
            md.update(answer=a["text"], answer_score=a["score"], answer_start=c["start"], answer_end=c["end"],
                      sentence=a["sentence"], sentence_start=c["sentence_start"], sentence_end=c["sentence_end"])
        docs.append(Document(page_content=p["text"], metadata=md, id=p["passage_id"]))
    return docs


def _filters(region: str | None, year: int | None) -> dict[str, Any] | None:
    f: dict[str, Any] = {k: v for k, v in (("region", region), ("year", year)) if v not in (None, "")}
    return f or None


class FazhiQARetriever(BaseRetriever):
    """Passages (with citations and the extractive answer) from a running 法治报告问答 service."""

    base_url: str = Field("http://127.0.0.1:8000", description="the service's address")
    top_k: int = Field(5, ge=1, le=50, description="passages to return")
    region: str | None = Field(None, description="only reports of this place (any level)")
    year: int | None = Field(None, description="only reports about this year")
    timeout: float = Field(30.0, gt=0, description="seconds to wait for the service")

    def _body(self, query: str) -> dict[str, Any]:
        body: dict[str, Any] = {"question": query, "top_k": self.top_k}
        filters = _filters(self.region, self.year)
        if filters:
            body["filters"] = filters
        return body

    def _documents(self, r: httpx.Response) -> list[Document]:
        if r.status_code != 200:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise ValueError(f"POST {self.base_url}/ask answered {r.status_code}: {detail}")
        return documents_from_result(r.json(), self.base_url)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        r = httpx.post(f"{self.base_url.rstrip('/')}/ask", json=self._body(query), timeout=self.timeout)
        return self._documents(r)

    async def _aget_relevant_documents(self, query: str, *,
                                       run_manager: AsyncCallbackManagerForRetrieverRun) -> list[Document]:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            r = await client.post(f"{self.base_url.rstrip('/')}/ask", json=self._body(query))
        return self._documents(r)


class FazhiQALocalRetriever(BaseRetriever):
    """Passages (with citations and the extractive answer) from an index loaded in this process."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    qa: Any = Field(description="a loaded qa.engine.QA (see from_index)")
    top_k: int = Field(5, ge=1, le=50)
    region: str | None = None
    year: int | None = None

    @classmethod
    def from_index(cls, index_dir: str | Path, encoder: Any = None, **kwargs: Any) -> FazhiQALocalRetriever:
        """Load the index at ``index_dir`` (built by ``qa index build``); ``encoder``: a name or a loaded one."""
        from qa.engine import QA

        return cls(qa=QA.load(index_dir, encoder), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        from api.schemas import AskResponse

        result = self.qa.ask(query, top_k=self.top_k, filters=_filters(self.region, self.year))
        return documents_from_result(AskResponse.model_validate(result, from_attributes=True).model_dump())
