"""GET /facts, comparison answers in POST /ask and the chat endpoint, the chat page's table script — real HTTP
through the app (TestClient) over the two-report seed index (郴州市 2024, 开封市示范区 2024)."""
from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest


def _span(client, url: str) -> str:
    parts = urlsplit(url)
    r = client.get("/" + parts.path.lstrip("/") + "?" + parts.query, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()["span"]["text"]


def test_facts_by_indicator_each_row_slices_back(client):
    r = client.get("/facts", params={"indicator": "法律援助案件"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["keys"] == ["legal_aid.cases"] and body["count"] == body["returned"] == len(body["facts"])
    got = {(f["region"], f["year"], f["text"]) for f in body["facts"]}
    assert {("郴州市", 2024, "8185件"), ("开封市示范区", 2024, "620件")} <= got
    for f in body["facts"]:
        assert f["key"] == "legal_aid.cases" and f["unit"] == "件" and f["key_name"] == "法律援助案件"
        assert _span(client, f["url"]) == f["text"]


def test_synonyms_meet_and_sort_by_value(client):
    body = client.get("/facts", params={"indicator": "被纠正的比例", "sort": "-value"}).json()
    assert body["keys"] == ["review.correction_rate"]
    assert [(f["region"], f["text"]) for f in body["facts"]] == [("郴州市", "18.5%")]
    apps = client.get("/facts", params={"indicator": "review.applications", "sort": "value"}).json()["facts"]
    assert [f["value"] for f in apps] == sorted(f["value"] for f in apps) and len(apps) >= 2


def test_a_province_returns_its_places(client):
    hunan = client.get("/facts", params={"region": "湖南", "indicator": "法律援助"}).json()
    assert hunan["places"] == ["湖南省"]
    assert {f["region"] for f in hunan["facts"]} == {"郴州市"}
    henan = client.get("/facts", params={"region": "河南省", "year": 2024, "limit": 5}).json()
    assert {f["region"] for f in henan["facts"]} == {"开封市示范区"} and henan["returned"] == 5
    assert henan["count"] > 5
    nowhere = client.get("/facts", params={"region": "黑龙江"}).json()
    assert nowhere["count"] == 0 and nowhere["places"] == []


def test_free_text_without_a_key_matches_the_reports_words(client):
    body = client.get("/facts", params={"indicator": "涉案标的额"}).json()
    assert body["keys"] == [] and [f["text"] for f in body["facts"]] == ["7.61亿元"]
    assert body["facts"][0]["value"] == 761000000


def test_csv(client):
    r = client.get("/facts", params={"indicator": "出庭应诉率", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["region"] for row in rows} == {"郴州市", "开封市示范区"}
    assert all(row["text"] == "100%" and row["key"] == "litigation.appearance_rate" for row in rows)
    assert all(_span(client, row["url"]) == row["text"] for row in rows)


@pytest.mark.parametrize("params", [{"sort": "size"}, {"format": "xml"}, {"year": 1800}, {"limit": 0},
                                    {"kind": "target"}, {"indicator": "率" * 101}])
def test_bad_parameters_are_422(client, params):
    r = client.get("/facts", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_ask_answers_a_comparison_with_a_table(client):
    r = client.post("/ask", json={"question": "比较郴州和开封示范区的法律援助案件数"})
    assert r.status_code == 200, r.text
    body = r.json()
    c = body["comparison"]
    assert c["mode"] == "compare" and c["unit"] == "件"
    assert [(row["region"], row["text"]) for row in c["rows"]] == [("郴州市", "8185件"), ("开封市示范区", "620件")]
    assert body["answer"] == c["conclusion"] and "郴州市" in body["answer"]
    assert [a["text"] for a in body["answers"]] == ["8185件", "620件"]
    plain = client.post("/ask", json={"question": "郴州行政复议纠错率是多少"}).json()
    assert plain["comparison"] is None and plain["answer"] == "18.5%"


def test_chat_answers_a_comparison_with_a_markdown_table(client):
    r = client.post("/v1/chat/completions", json={"model": "fazhi-qa", "messages": [
        {"role": "user", "content": "郴州比开封示范区多办理多少法律援助案件"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    msg = body["choices"][0]["message"]
    content = msg["content"]
    assert content.startswith("法律援助案件:郴州市(2024年,8185件)比开封市示范区(2024年,620件)多7565件")
    assert "| # | 地方 | 年份 | 数值 | 报告中的说法 | 来源 |" in content
    assert "[1]" in content and "[2]" in content and "来源:" in content
    assert len(body["citations"]) == 2 and len(body["sources"]) == 2
    for a in msg["annotations"]:
        u = a["url_citation"]
        assert content[u["start_index"]:u["end_index"]].startswith("[")
        assert _span(client, u["url"]) in ("8185件", "620件")


def test_chat_page_loads_the_table_script(client):
    page = client.get("/").text
    assert '<script src="compare.js"></script>' in page
    js = client.get("/compare.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "comparison" in js.text and "bar" in js.text


def test_qa_facts_command_output(api_index_dir, tmp_path):
    from api.render import print_facts

    table = print_facts(api_index_dir, "法律援助案件", "湖南", None, "-value", 10, "table").splitlines()
    assert table[0].split("\t")[:3] == ["地方", "年份", "数值"]
    assert table[1].startswith("郴州市\t2024\t8185件\t")
    rows = list(csv.DictReader(io.StringIO(print_facts(api_index_dir, "纠错率", None, 2024, "document", 5, "csv"))))
    assert [(r["region"], r["text"]) for r in rows] == [("郴州市", "18.5%")]
    with pytest.raises(ValueError, match="unknown format"):
        print_facts(api_index_dir, None, None, None, "document", 5, "xml")
    with pytest.raises(ValueError, match="unknown sort"):
        print_facts(api_index_dir, None, None, None, "size", 5, "table")
    with pytest.raises(ValueError, match="no index found"):
        print_facts(tmp_path, None, None, None, "document", 5, "table")


@pytest.mark.slow
def test_chat_page_draws_the_comparison_table(server_url):
    """The page in headless Chromium: a comparison answer gets a table with one bar per row and its sources."""
    from test_api_browser import CHROMEDRIVER, CHROMIUM

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("headless Chromium is not installed: run `make browser`")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        driver.get(server_url + "/?")
        box = driver.find_element(By.ID, "question")
        box.send_keys("比较郴州和开封示范区的法律援助案件数")
        driver.find_element(By.ID, "ask").click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#comparison tbody tr"))
        rows = driver.find_elements(By.CSS_SELECTOR, "#comparison tbody tr")
        assert [r.find_elements(By.TAG_NAME, "td")[3].text for r in rows] == ["8185件", "620件"]
        widths = [float(b.get_attribute("style").split("width:")[1].split("%")[0].strip())
                  for b in driver.find_elements(By.CSS_SELECTOR, "#comparison .bar")]
        assert widths[0] == 100.0 and 0 < widths[1] < 10  # 620 / 8185 of the widest bar
        link = rows[0].find_element(By.CSS_SELECTOR, "a.source")
        assert "start=" in link.get_attribute("href")
        box.clear()
        box.send_keys("郴州行政复议纠错率是多少")
        driver.find_element(By.ID, "ask").click()
        WebDriverWait(driver, 30).until(lambda d: not d.find_elements(By.ID, "comparison"))
    finally:
        driver.quit()
