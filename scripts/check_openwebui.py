"""`make check-openwebui`: our service behind a real Open WebUI, checked through its HTTP API and its page.

1. installs Open WebUI (PyPI ``open-webui``, several GB with torch) into its own venv, var/openwebui/venv, once;
2. serves our index (``qa serve``, QA_PUBLIC_URL set) and starts Open WebUI offline against it: no Ollama, no
   sign-in (WEBUI_AUTH=False), OFFLINE_MODE, a fresh data folder, everything on 127.0.0.1;
3. through Open WebUI's HTTP API: the model is listed, a question gets "18.5%" and a source whose document is
   the cited sentence, and its background tasks (title, follow-ups, tags, queries) are answered;
4. in headless Chromium: the question typed into Open WebUI's chat page shows 18.5% and, in the source pop-up,
   the cited sentence; a screenshot is saved to var/openwebui/screenshot.png.

It prints what it saw and exits non-zero when a check fails. Not part of `make test`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "openwebui"
VENV = WORK / "venv"
OPENWEBUI_VERSION = "0.12.4"
QUESTION = "郴州行政复议纠错率是多少"
ANSWER = "18.5%"
SENTENCE = "纠错率为**18.5%**"  # the cited sentence, the answer in bold, as our source document carries it
SENTENCE_SHOWN = "纠错率为18.5%"  # the same sentence as the page shows it (Markdown rendered)
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


class CheckFailed(AssertionError):
    pass


def check(ok: bool, what: str) -> None:
    print(("  ok   " if ok else "  FAIL ") + what, flush=True)
    if not ok:
        raise CheckFailed(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install() -> Path:
    """Open WebUI in its own venv (torch first, the CPU build, as `make setup` does)."""
    exe = VENV / "bin" / "open-webui"
    if exe.exists():
        return exe
    print(f"installing open-webui=={OPENWEBUI_VERSION} into {VENV} (several GB) …", flush=True)
    subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "pip"), "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "torch==2.13.0"], check=True)
    subprocess.run([*pip, f"open-webui=={OPENWEBUI_VERSION}"], check=True)
    return exe


def wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise CheckFailed(f"{url}: the process exited ({proc.returncode}); see {log}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise CheckFailed(f"{url} did not answer in {timeout:.0f} s; see {log}")


@contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def our_server(port: int, index_dir: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "QA_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    return [str(ROOT / ".venv" / "bin" / "qa"), "serve", "--host", "127.0.0.1", "--port", str(port)], env


def openwebui(exe: Path, port: int, qa_port: int, data: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ,
           "DATA_DIR": str(data), "WEBUI_SECRET_KEY": "check-openwebui", "WEBUI_AUTH": "False",
           "ENABLE_OLLAMA_API": "False", "OPENAI_API_BASE_URL": f"http://127.0.0.1:{qa_port}/v1",
           "OPENAI_API_KEY": "unused", "DEFAULT_MODELS": "fazhi-qa", "OFFLINE_MODE": "True",
           "HF_HUB_OFFLINE": "1", "ENABLE_WEB_SEARCH": "False", "ENABLE_VERSION_UPDATE_CHECK": "False",
           "ENABLE_EVALUATION_ARENA_MODELS": "False", "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "False",
           "ANONYMIZED_TELEMETRY": "False", "SCARF_NO_ANALYTICS": "true", "DO_NOT_TRACK": "true"}
    return [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)], env


def check_api(base: str) -> None:
    print(f"Open WebUI HTTP API at {base}:", flush=True)
    token = httpx.post(f"{base}/api/v1/auths/signin", json={"email": "", "password": ""}, timeout=30).json()["token"]
    http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    models = [m["id"] for m in http.get("/api/models").json()["data"]]
    print(f"  models: {models}")
    check("fazhi-qa" in models, "our model is listed")
    messages = [{"role": "user", "content": QUESTION}]
    body = http.post("/api/chat/completions", json={"model": "fazhi-qa", "messages": messages,
                                                    "stream": False}).json()
    content = body["choices"][0]["message"]["content"]
    sources = body.get("sources") or []
    print(f"  answer: {content.splitlines()[0]!r}; {len(sources)} sources")
    if sources:
        print(f"  source [1] {sources[0]['source']['name']}\n           {sources[0]['document'][0].splitlines()[0]}")
    check(ANSWER in content, f"the answer {ANSWER} comes through")
    check(bool(sources) and SENTENCE in sources[0]["document"][0], "source [1] carries the cited sentence")
    history = messages + [{"role": "assistant", "content": content}]
    for task in ("title", "follow_up", "tags", "queries"):
        r = http.post(f"/api/v1/tasks/{task}/completions", json={"model": "fazhi-qa", "messages": history})
        shown = r.json()["choices"][0]["message"]["content"] if r.status_code == 200 else r.text[:200]
        print(f"  task {task}: HTTP {r.status_code} {shown}")
        check(r.status_code == 200, f"the {task} task is answered")


def browser_driver(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--window-size=1400,1000", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)


def check_page(base: str, shot: Path) -> None:
    from selenium.common.exceptions import WebDriverException

    print(f"Open WebUI page at {base} (headless Chromium):", flush=True)
    profile = tempfile.mkdtemp(prefix="owui-chromium-")
    driver = browser_driver(profile)
    try:
        _page_checks(driver, base)
    except WebDriverException as e:
        body = driver.find_element("tag name", "body").text
        print("  the page read: " + " | ".join(x for x in body.splitlines() if x.strip())[:600])
        raise CheckFailed(f"in the page: {type(e).__name__} {str(e).splitlines()[0] if str(e) else ''}") from None
    finally:
        shot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(shot))
        print(f"  screenshot: {shot}")
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _page_checks(driver, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/")
    box = WebDriverWait(driver, 120).until(lambda d: d.find_element(By.ID, "chat-input"))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)  # a first-run dialog, if any
    box.click()
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 120).until(lambda d: ANSWER in d.find_element(By.TAG_NAME, "body").text)
    check(True, f"the page shows {ANSWER}")
    toggle = WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "button[aria-label^='Toggle'][aria-label*='source' i]"))
    print(f"  sources button: {toggle.text!r}")
    toggle.click()
    listed = WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "button[id^='source-']"))
    print("  sources listed: " + " | ".join(b.text.replace("\n", " ") for b in listed))
    listed[0].click()
    modal = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "[role='dialog']"))
    WebDriverWait(driver, 30).until(lambda d: SENTENCE_SHOWN in modal.text)
    print("  source [1] pop-up: " + " | ".join(x for x in modal.text.splitlines() if x.strip()))
    check(SENTENCE_SHOWN in modal.text, "the source pop-up shows the cited sentence")
    bold = modal.find_elements(By.TAG_NAME, "strong")
    check(any(b.text == ANSWER for b in bold), f"… with {ANSWER} in bold")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=Path(os.environ.get("QA_INDEX_DIR", ROOT / "var" / "index")))
    ap.add_argument("--startup-timeout", type=float, default=600.0, help="seconds for Open WebUI to come up")
    ap.add_argument("--no-browser", action="store_true", help="check through the HTTP API only")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    exe = install()
    if not (args.index / "current").exists():
        subprocess.run([str(ROOT / ".venv" / "bin" / "qa"), "index", "build", "--seeds", str(ROOT / "seeds"),
                        "--index", str(args.index)], check=True)
    data = WORK / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    qa_port, ui_port = free_port(), free_port()
    cmd, env = our_server(qa_port, args.index)
    try:
        with process(cmd, env, WORK / "qa.log", ROOT) as qa_proc:
            wait_http(f"http://127.0.0.1:{qa_port}/readyz", qa_proc, 300, WORK / "qa.log")
            print(f"our service: http://127.0.0.1:{qa_port}", flush=True)
            cmd, env = openwebui(exe, ui_port, qa_port, data)
            with process(cmd, env, WORK / "webui.log", WORK) as ui_proc:
                base = f"http://127.0.0.1:{ui_port}"
                t0 = time.time()
                wait_http(f"{base}/health", ui_proc, args.startup_timeout, WORK / "webui.log")
                print(f"Open WebUI {OPENWEBUI_VERSION}: {base} (up in {time.time() - t0:.0f} s)", flush=True)
                check_api(base)
                if not args.no_browser:
                    check_page(base, WORK / "screenshot.png")
    except CheckFailed as e:
        print(f"check-openwebui: FAILED: {e}", file=sys.stderr)
        return 1
    except (httpx.HTTPError, KeyError, json.JSONDecodeError, subprocess.CalledProcessError) as e:
        print(f"check-openwebui: FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("check-openwebui: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
