"""The chat page in headless Chromium (selenium) against the real uvicorn server.

Needs the Debian packages chromium + chromium-driver (`make browser`)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from api_testlib import EXAMPLE_A, EXAMPLE_Q

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("headless Chromium is not installed (/usr/bin/chromium, /usr/bin/chromedriver): run `make browser`")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install selenium")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="qa-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_ask_and_open_the_cited_source(browser, server_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server_url + "/")
    assert "法治报告问答" in browser.title
    wait.until(lambda d: "份报告" in d.find_element(By.ID, "doc-count").text)  # the page loaded /documents

    box = browser.find_element(By.ID, "question")
    box.clear()
    box.send_keys(EXAMPLE_Q)
    browser.find_element(By.ID, "ask").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "answer"), EXAMPLE_A))
    assert browser.find_element(By.ID, "answer").text.strip() == EXAMPLE_A
    # the sentence, with the answer highlighted in it
    sentence = browser.find_element(By.ID, "sentence")
    assert "纠错率为18.5%" in sentence.text
    assert sentence.find_element(By.TAG_NAME, "mark").text == EXAMPLE_A

    sources = browser.find_elements(By.CSS_SELECTOR, "#sources a.source")
    assert sources, "no source links"
    first = sources[0]
    assert "郴州市2024年法治政府建设情况报告" in first.text
    first.click()

    mark = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#doc-text mark")))
    assert mark.text == EXAMPLE_A
    assert "郴州" in browser.find_element(By.ID, "doc-title").text
    # the highlighted span is the cited one: same offsets as the API citation
    full = browser.execute_script("return document.getElementById('doc-text').textContent")
    start = int(first.get_attribute("data-start"))
    end = int(first.get_attribute("data-end"))
    assert full[start:end] == EXAMPLE_A
    assert browser.execute_script("return document.querySelector('#doc-text mark').textContent "
                                  "=== document.getElementById('doc-text').textContent.slice(arguments[0], arguments[1])",
                                  start, end)
    # ... and it was scrolled into view inside the report panel
    wait.until(lambda d: d.execute_script("""
        const m = document.querySelector('#doc-text mark').getBoundingClientRect();
        const box = document.getElementById('doc-text').getBoundingClientRect();
        return m.top >= box.top && m.bottom <= box.bottom && m.top >= 0 && m.bottom <= window.innerHeight;
    """))


def test_unanswerable_question_in_the_page(browser, server_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server_url + "/")
    box = browser.find_element(By.ID, "question")
    box.send_keys("长沙市行政复议纠错率是多少")
    browser.find_element(By.ID, "ask").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "answer"), "未找到相关内容"))
    assert "长沙" in browser.find_element(By.ID, "reason").text


def test_citation_url_opens_the_report_highlighted(browser, server_url, served_qa):
    """A citation url from the OpenAI endpoint (/documents/{id}?start=&end=) opened in a browser shows the report
    with the span highlighted."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    r = served_qa.ask(EXAMPLE_Q)
    c = r.answers[0].citation
    browser.get(f"{server_url}/documents/{c.doc_id}?start={c.start}&end={c.end}")
    mark = WebDriverWait(browser, 30).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#doc-text mark")))
    assert mark.text == EXAMPLE_A


def ask_in_page(browser, question: str) -> None:
    from selenium.webdriver.common.by import By

    before = len(browser.find_elements(By.CSS_SELECTOR, "#turns li"))
    box = browser.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    browser.find_element(By.ID, "ask").click()
    wait_for(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#turns li")) == before + 1)


def wait_for(driver, timeout: float):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout)


def test_follow_up_questions_in_the_page(browser, server_url):
    """The page keeps the conversation and sends it as chat messages: a follow-up takes the indicator of the
    question before, the page says which question it answered, and 新对话 forgets it."""
    from selenium.webdriver.common.by import By

    browser.get(server_url + "/")
    ask_in_page(browser, "郴州行政机关负责人出庭应诉率是多少")
    assert browser.find_element(By.ID, "answer").text.strip() == "100%"
    assert not browser.find_element(By.ID, "resolved").is_displayed()

    ask_in_page(browser, "开封示范区呢？")
    resolved = browser.find_element(By.ID, "resolved")
    assert resolved.is_displayed() and "开封市示范区" in resolved.text and "行政机关负责人出庭应诉率" in resolved.text
    assert browser.find_element(By.ID, "answer").text.strip() == "100%"
    first = browser.find_element(By.CSS_SELECTOR, "#sources a.source")
    assert first.get_attribute("data-doc").startswith("002_")  # the 开封市示范区 report, not 郴州's

    ask_in_page(browser, "调解率呢？")  # the state carries on: 开封市示范区, another indicator
    assert "开封" in browser.find_element(By.ID, "resolved").text
    turns = browser.find_elements(By.CSS_SELECTOR, "#turns li")
    assert [t.find_element(By.CSS_SELECTOR, ".q").text for t in turns] == [
        "郴州行政机关负责人出庭应诉率是多少", "开封示范区呢？", "调解率呢？"]

    browser.find_element(By.ID, "new-chat").click()
    assert not browser.find_element(By.ID, "conversation").is_displayed()
    ask_in_page(browser, "2024年呢？")  # nothing before it now: asked as it is
    assert not browser.find_element(By.ID, "resolved").is_displayed()


def test_confidence_and_timing(browser, server_url):
    import re

    from selenium.webdriver.common.by import By

    browser.get(server_url + "/")
    for _ in range(2):  # the second time the answer comes from the cache, in microseconds
        ask_in_page(browser, EXAMPLE_Q)
        assert browser.find_element(By.ID, "answer").text.strip() == EXAMPLE_A
        confidence = browser.find_element(By.ID, "confidence")
        assert confidence.is_displayed() and re.fullmatch(r"置信度 \d{2,3}%\((高|中|低)\)", confidence.text)
        took = browser.find_element(By.ID, "took").text
        assert re.fullmatch(r"用时 (不到 1|\d+(\.\d)?) 毫秒", took) and not re.search(r"(?<![\d.])0 毫秒", took)
    assert took == "用时 不到 1 毫秒"


UPLOADED = """青禾县2024年法治政府建设情况报告
2024年，青禾县深入推进法治政府建设，现将有关情况报告如下。
一、主要工作
（一）行政复议。全年共收到行政复议申请57件，审结52件，纠错率为12.3%。
（二）行政应诉。行政机关负责人出庭应诉率达98.6%。
二、存在的问题
基层执法力量不足。
青禾县人民政府
2025年1月10日
"""


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory, api_index_dir, api_encoder):
    """uvicorn over a copy of the test index, uploads enabled with an admin token."""
    from api_testlib import ADMIN_TOKEN, copy_index, live_server

    from api.app import create_app
    from api.settings import Settings
    from index.store import load_index
    from qa.engine import QA

    index_dir = copy_index(api_index_dir, tmp_path_factory.mktemp("page_upload") / "index")
    qa = QA(load_index(index_dir, api_encoder.name), api_encoder)
    with live_server(create_app(qa=qa, settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN))) as url:
        yield url, ADMIN_TOKEN


def drop_file(browser, name: str, text: str) -> None:
    """Drop a file on the page, as a user dragging it from the desktop does (a DragEvent with its files)."""
    browser.execute_script("""
        const dt = new DataTransfer();
        dt.items.add(new File([arguments[1]], arguments[0], { type: "text/plain" }));
        window.dispatchEvent(new DragEvent("dragenter", { dataTransfer: dt, bubbles: true }));
        window.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    """, name, text)


def test_drop_a_report_on_the_page_uploads_it(browser, upload_server):
    from selenium.webdriver.common.by import By

    url, token = upload_server
    browser.get(url + "/")
    wait_for(browser, 30).until(lambda d: "共 2 份报告" in d.find_element(By.ID, "doc-count").text)
    browser.execute_script("sessionStorage.clear(); document.getElementById('admin-token').value = '';")

    drop_file(browser, "qinghe_2024.txt", UPLOADED)  # no token: the page asks for one, nothing is added
    status = browser.find_element(By.ID, "upload-status")
    wait_for(browser, 30).until(lambda d: "需要管理员令牌" in status.text)
    assert browser.switch_to.active_element.get_attribute("id") == "admin-token"

    browser.find_element(By.ID, "admin-token").send_keys(token)
    drop_file(browser, "qinghe_2024.txt", UPLOADED)
    wait_for(browser, 240).until(lambda d: "已加入索引" in status.text or "失败" in status.text)
    assert "已加入索引:qinghe_2024.txt" in status.text, status.text
    wait_for(browser, 30).until(lambda d: "共 3 份报告" in d.find_element(By.ID, "doc-count").text)
    assert "青禾县" in [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#region option")]

    ask_in_page(browser, "青禾县行政复议纠错率是多少")
    assert browser.find_element(By.ID, "answer").text.strip() == "12.3%"


@pytest.fixture(scope="module")
def injected_server(tmp_path_factory, api_index_dir, api_encoder):
    """uvicorn over a copy of the test index holding a report whose answering sentence carries a script, an image
    with an onerror handler, a Markdown link and a Markdown image (api_testlib.INJECTED)."""
    import httpx
    from api_testlib import ADMIN_TOKEN, copy_index, injected_report, live_server, wait_job

    from api.app import create_app
    from api.settings import Settings
    from index.store import load_index
    from qa.engine import QA

    index_dir = copy_index(api_index_dir, tmp_path_factory.mktemp("page_inject") / "index")
    qa = QA(load_index(index_dir, api_encoder.name), api_encoder)
    with live_server(create_app(qa=qa, settings=Settings(index_dir=index_dir, admin_token=ADMIN_TOKEN))) as url:
        r = httpx.post(url + "/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=60,
                       json={"name": "qinghe_inject.txt", "text": injected_report()})
        assert r.status_code == 202, r.text
        assert wait_job(lambda p: httpx.get(url + p, timeout=30), r.json()["job_id"])["status"] == "done"
        yield url


def assert_no_live_markup(browser) -> None:
    """Nothing of the report's markup became an element, ran, or opened a dialog."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    assert not browser.find_elements(By.CSS_SELECTOR, "img[src='x'], [onerror], a[href*='evil.example'], "
                                                      "img[src*='evil.example']")
    assert not [s for s in browser.find_elements(By.TAG_NAME, "script") if "alert(1)" in
                (s.get_attribute("innerHTML") or "")]
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018 - raises when no alert() ran


def test_report_markup_shows_as_text_in_the_page(browser, injected_server):
    """A report's <script>, <img onerror>, Markdown link and image are shown as the characters they are: in the
    answer's sentence, in the sources and in the report view."""
    from api_testlib import INJECT_Q, INJECTED
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    browser.get(injected_server + "/")
    ask_in_page(browser, INJECT_Q)
    assert browser.find_element(By.ID, "answer").text.strip() == "23.4%"
    shown = INJECTED.split("!")[0]  # the sentence ends at the "!" of the Markdown image
    assert shown in browser.find_element(By.ID, "sentence").text
    assert_no_live_markup(browser)

    browser.get(injected_server + "/?doc=qinghe_inject")
    wait_for(browser, 30).until(EC.text_to_be_present_in_element((By.ID, "doc-text"), "<script>alert(1)</script>"))
    assert INJECTED in browser.find_element(By.ID, "doc-text").text
    assert_no_live_markup(browser)
