"""The MCP server, driven by the ``mcp`` SDK's own client over both transports.

* stdio: ``qa mcp --index <two-report seed index>`` started as a subprocess by ``mcp.client.stdio.stdio_client``;
* streamable HTTP: the real app under uvicorn, ``/mcp``, through ``mcp.client.streamable_http.streamable_http_client``.

Over each: the tools are listed with their schemas, ``ask`` answers 郴州行政复议纠错率是多少 with 18.5% and a
citation that resolves in the report resource, ``facts`` lists the figure, an unanswerable question says so,
``search`` and ``list_reports`` work, and the reports are resources.
"""
from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from api_testlib import EXAMPLE_A, EXAMPLE_Q, live_server

pytestmark = pytest.mark.slow  # a subprocess server and uvicorn

ROOT = Path(__file__).resolve().parents[2]
CHENZHOU = "000_c33fefab3f638279"
UNANSWERABLE = "郴州市2024年法治政府建设投入了多少经费"  # eval/questions.jsonl q157: the report does not say
NO_SUCH_YEAR = "郴州2019年新收行政复议申请多少件"  # q151: no 2019 report


@pytest.fixture(scope="module")
def http_url(served_qa, api_index_dir):
    from api.app import create_app
    from api.settings import Settings

    with live_server(create_app(qa=served_qa, settings=Settings(index_dir=api_index_dir, max_body_bytes=65536))) \
            as url:
        yield url


def stdio_session(index_dir: Path) -> Callable[[], AbstractAsyncContextManager]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    keep = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "HF_", "TRANSFORMERS_"))}
    params = StdioServerParameters(command=sys.executable, args=["-m", "api.cli", "mcp", "--index", str(index_dir)],
                                   cwd=str(ROOT), env={**keep, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)})

    @asynccontextmanager
    async def session() -> AsyncIterator[ClientSession]:
        with open(os.devnull, "w") as errlog:  # jieba's and the loader's progress lines
            async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as s:
                await s.initialize()
                yield s

    return session


def http_session(url: str) -> Callable[[], AbstractAsyncContextManager]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    @asynccontextmanager
    async def session() -> AsyncIterator[ClientSession]:
        async with streamable_http_client(url) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            yield s

    return session


async def drive(session) -> dict:
    """Everything the tests check, in one session (a stdio session starts a process: ~5 s)."""
    out: dict = {}
    async with session() as s:
        out["tools"] = {t.name: t for t in (await s.list_tools()).tools}
        out["ask"] = await s.call_tool("ask", {"question": EXAMPLE_Q})
        out["unanswerable"] = await s.call_tool("ask", {"question": UNANSWERABLE})
        out["no_such_year"] = await s.call_tool("ask", {"question": NO_SUCH_YEAR})
        out["greeting"] = await s.call_tool("ask", {"question": "你好"})
        out["facts"] = await s.call_tool("facts", {"indicator": "纠错率", "region": "郴州"})
        out["search"] = await s.call_tool("search", {"query": "法律援助", "top_k": 3})
        out["reports"] = await s.call_tool("list_reports", {})
        out["bad"] = await s.call_tool("search", {"query": "法律援助", "top_k": 500})
        out["resources"] = (await s.list_resources()).resources
        out["report"] = await s.read_resource(f"report://{CHENZHOU}")
    return out


@pytest.fixture(scope="module", params=["stdio", "http"])
def run(request, api_index_dir) -> dict:
    if request.param == "stdio":
        session = stdio_session(api_index_dir)
    else:
        session = http_session(request.getfixturevalue("http_url") + "/mcp")
    return anyio.run(drive, session)


def test_tools_are_listed_with_schemas_and_descriptions(run):
    tools = run["tools"]
    assert set(tools) == {"ask", "search", "facts", "list_reports"}
    ask = tools["ask"]
    assert ask.input_schema["required"] == ["question"]
    assert {"question", "region", "year"} <= set(ask.input_schema["properties"])
    assert "行政复议纠错率是多少" in ask.description and "found=false" in ask.description
    assert "纠错率" in tools["facts"].description and "-value" in tools["facts"].description
    assert tools["search"].input_schema["properties"]["top_k"]["maximum"] == 50
    assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())


def test_ask_answers_with_its_citation(run):
    r = run["ask"]
    assert not r.is_error
    a = r.structured_content
    assert a["found"] is True and a["answer"] == EXAMPLE_A and 0.4 <= a["confidence"] <= 1
    assert EXAMPLE_A in a["sentence"] and "纠错率" in a["sentence"]
    c = a["citation"]
    assert c["doc_id"] == CHENZHOU and c["title"] == "郴州市2024年法治政府建设情况报告" and c["year"] == 2024
    assert c["uri"] == f"report://{CHENZHOU}"
    text = run["report"].contents[0].text
    assert text[c["start"]:c["end"]] == EXAMPLE_A  # the citation resolves in the report resource
    assert text[c["sentence_start"]:c["sentence_end"]] == a["sentence"]
    assert EXAMPLE_A in r.content[0].text  # the text a client without structured output shows


def test_unanswerable_questions_say_so(run):
    for key in ("unanswerable", "no_such_year"):
        a = run[key].structured_content
        assert a["found"] is False and a["answer"] is None and a["citation"] is None, a
        assert "未找到" in a["summary"]
    assert "2019" in run["no_such_year"].structured_content["reason"]


def test_a_greeting_gets_what_to_ask_not_not_found(run):
    a = run["greeting"].structured_content
    assert a["found"] is False and a["answer"] is None and a["citation"] is None, a
    assert "可以这样问" in a["summary"] and "未找到答案" not in a["summary"]


def test_facts(run):
    f = run["facts"].structured_content
    assert f["count"] >= 1 and "review.correction_rate" in f["indicator_keys"]
    row = next(r for r in f["facts"] if r["text"] == EXAMPLE_A)
    assert row["value"] == 18.5 and row["unit"] == "%" and row["region"] == "郴州市" and row["year"] == 2024
    assert run["report"].contents[0].text[row["start"]:row["end"]] == EXAMPLE_A


def test_search_reports_and_resources(run):
    passages = run["search"].structured_content["passages"]
    assert 1 <= len(passages) <= 3 and "法律援助" in passages[0]["text"]
    reports = run["reports"].structured_content
    assert reports["count"] == 2 and {r["region"] for r in reports["reports"]} == {"郴州市", "开封市示范区"}
    assert {str(r.uri) for r in run["resources"]} == {r["uri"] for r in reports["reports"]}
    assert run["report"].contents[0].mime_type == "text/plain"


def test_invalid_arguments_are_tool_errors(run):
    assert run["bad"].is_error and "top_k" in run["bad"].content[0].text


def test_http_endpoint_keeps_the_services_limits(http_url):
    """/mcp is under the app's body-size limit, and refuses a Host that is not this server (DNS rebinding)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    big = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": "' + b"a" * 70_000 + b'"}}'
    assert httpx.post(f"{http_url}/mcp", content=big, headers=headers).status_code == 413
    r = httpx.post(f"{http_url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                   headers={**headers, "Host": "evil.example"})
    assert r.status_code in (400, 403, 421)
