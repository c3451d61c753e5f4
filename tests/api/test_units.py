"""/facts and /ask read one unit table (index/data/units.tsv): a figure /facts lists, /ask answers whole. Real
HTTP through the app (TestClient) over an index of a report written for the test (a made-up county), built here.

The issue that made the table one: for 组织评查行政执法案卷1240卷 /facts found 1240卷 but /ask found nothing
for 多少卷, and 36批次 came back from /ask as 36批.
"""
from __future__ import annotations

import pytest

REPORT = """青禾县2023年法治政府建设情况报告
2023年，我县深入践行习近平法治思想，法治政府建设取得新进展。现将有关情况报告如下。
一、2023年法治政府建设主要成效
（一）严格规范执法。制定出台《青禾县行政执法案卷评查办法》，组织评查行政执法案卷1240卷，发现问题案卷76卷。
（二）守牢食品安全底线。县市场监管局全年抽检食品36批次，抽检合格率为97.2%。
（三）完善公共法律服务。办理法律援助案件318件，全县建成村（社区）法律服务室42个。
二、2024年工作安排
深化行政执法监督，提升执法规范化水平。
青禾县人民政府
2024年1月16日
"""
FIGURES = [("青禾县2023年组织评查行政执法案卷多少卷", "1240卷"), ("青禾县2023年抽检食品多少批次", "36批次")]


@pytest.fixture(scope="module")
def client(tmp_path_factory, encoder):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from index.ingest import document_from_text
    from index.store import build_index
    from qa.engine import QA

    index_dir = tmp_path_factory.mktemp("units_index")
    build_index([document_from_text(REPORT, "qinghe_2023", "qinghe_2023.txt")], encoder, index_dir)
    settings = Settings(index_dir=index_dir, admin_token=None, trusted_hosts=["testserver"])
    with TestClient(create_app(qa=QA.load(index_dir, encoder), settings=settings)) as c:
        yield c


@pytest.mark.parametrize("question, figure", FIGURES)
def test_facts_and_ask_find_the_same_figure(client, question, figure):
    r = client.get("/facts", params={"region": "青禾县"})
    assert r.status_code == 200, r.text
    listed = {f["text"]: f for f in r.json()["facts"]}
    assert figure in listed, sorted(listed)
    r = client.post("/ask", json={"question": question})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"] == figure, body
    cited = body["answers"][0]["citation"]
    assert (cited["start"], cited["end"]) == (listed[figure]["start"], listed[figure]["end"])
