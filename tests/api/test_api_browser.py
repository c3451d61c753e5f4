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
