"""Helpers shared by the HTTP service tests (imported by conftest.py and the test modules)."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_Q = "郴州行政复议纠错率是多少"
EXAMPLE_A = "18.5%"
ADMIN_TOKEN = "test-admin-token-qinghe"


def copy_index(src: Path, dst: Path) -> Path:
    # not the wrong-admin-token counts another test left in the source (api.limits.SharedFailedAuthLimiter)
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(".auth-failures.json"))
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
