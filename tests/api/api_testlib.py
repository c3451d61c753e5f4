"""Helpers shared by the HTTP service tests (imported by conftest.py and the test modules)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_Q = "郴州行政复议纠错率是多少"
EXAMPLE_A = "18.5%"
ADMIN_TOKEN = "test-admin-token-qinghe"
# report-borne markup: a script, an image with a handler, a Markdown link and a Markdown image (test_hostile.py,
# test_api_browser.py): wherever the report is shown it must stay text
INJECTED = ("<script>alert(1)</script><img src=x onerror=alert(1)>[点此下载附件](http://evil.example/a)"
            "![图](http://evil.example/i.png)")
INJECT_Q = "青禾县行政复议纠错率是多少"


def injected_report() -> str:
    """qinghe_2022.txt with a Markdown link, an image and a script in the sentence that answers INJECT_Q."""
    text = (DATA / "qinghe_2022.txt").read_text(encoding="utf-8")
    return text.replace("行政复议纠错率为23.4%。", f"行政复议纠错率为23.4%,详见{INJECTED}。", 1)


def copy_index(src: Path, dst: Path) -> Path:
    # not the wrong-admin-token counts another test left in the source (api.limits.SharedFailedAuthLimiter), nor
    # the builds the processes serving the source serve (api.state: workers/)
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(".auth-failures.json", "workers"))
    return dst


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app):
    """Run ``app`` under uvicorn on 127.0.0.1:<free port> in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if not thread.is_alive() or time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "uvicorn did not stop"


def wait_job(get, job_id: str, timeout: float = 180.0) -> dict:
    """Poll GET /jobs/{job_id} (``get`` is client.get or httpx.get with a base URL) until it is finished."""
    deadline = time.time() + timeout
    while True:
        r = get(f"/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] != "pending":
            return job
        if time.time() > deadline:
            raise AssertionError(f"job {job_id} still pending after {timeout}s")
        time.sleep(0.2)


class Serve:
    """``qa serve`` in its own process group on a free port, over ``index_dir``."""

    def __init__(self, index_dir: Path, workers: int, pause_at: str, log: Path, env: dict | None = None) -> None:
        self.index_dir, self.workers, self.pause_at, self.log = index_dir, workers, pause_at, log
        self.env = env or {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Serve:
        env = {**os.environ, "QA_ADMIN_TOKEN": ADMIN_TOKEN, "QA_PAUSE_AT": self.pause_at, "QA_PAUSE_SECONDS": "300",
               "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", **self.env}
        cmd = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(self.port),
               "--workers", str(self.workers), "--index", str(self.index_dir)]
        with open(self.log, "ab") as logf:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("server not ready: " + self.log.read_text(errors="replace")[-2000:])

    def kill(self) -> None:
        """SIGKILL to every process of the server (supervisor and workers)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base + path, timeout=30)
