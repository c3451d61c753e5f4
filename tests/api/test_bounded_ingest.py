"""Hostile uploads never wedge ingestion, against a real ``qa serve`` process (files generated here).

* A .txt with a 200,000-character line (no sentence end in it) is accepted: its passages are bounded, and its
  job ends within its time budget (QA_JOB_SECONDS, 15 s here) — ``failed`` with the reason — so a small report
  uploaded behind it is indexed within 60 s. A .docx whose one paragraph holds 4 million characters is refused
  at once with 413 naming the limit. The same holds after ``kill -9`` in the middle of the long job and a restart.
* A zip bomb (.docx of ~40 KB unpacking into 40 MB) gets 413 naming the decompression limit in under 2 s, and the
  server's resident memory grows by less than 200 MB meanwhile.
* SIGTERM while a job is embedding: the server exits within 10 s, the job stays queued in the journal, and after
  a restart it completes and its report answers its question.

青禾县-like counties and figures are made up (variants of tests/api/data/qinghe_2022.txt).
"""
from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from api_testlib import ADMIN_TOKEN, DATA, Serve, copy_index

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BASE = (DATA / "qinghe_2022.txt").read_text(encoding="utf-8")
UNIT = "坚持依法行政推进法治政府建设，"
BUDGET_S = 15


def long_line(n: int) -> str:
    return (UNIT * (n // len(UNIT) + 1))[:n]


def county_report(county: str, rate: str) -> str:
    return BASE.replace("青禾县", county).replace("23.4%", rate)


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def post(srv: Serve, name: str, data: bytes, mime: str = "text/plain") -> httpx.Response:
    return httpx.post(srv.base + "/documents", headers=AUTH, timeout=120, files={"file": (name, data, mime)})


def job(srv: Serve, job_id: str) -> dict:
    r = srv.get(f"/jobs/{job_id}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_finished(srv: Serve, job_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        j = job(srv, job_id)
        if j["status"] != "pending":
            return j
        assert time.monotonic() < deadline, f"job still pending after {timeout}s: {j}"
        time.sleep(0.25)


def wait_stage(srv: Serve, job_id: str, stages: set[str], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        j = job(srv, job_id)
        if j["stage"] in stages:
            return j
        assert j["status"] == "pending" and time.monotonic() < deadline, j
        time.sleep(0.1)


def answers(srv: Serve, question: str, expected: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        body = httpx.post(srv.base + "/ask", json={"question": question}, timeout=30).json()
        if body.get("answer") == expected:
            return
        assert time.monotonic() < deadline, body
        time.sleep(0.3)


def assert_long_job_bounded(j: dict) -> None:
    """The long report's job: done, or failed naming its time budget — never still running."""
    assert j["status"] in ("done", "failed"), j
    if j["status"] == "failed":
        assert "QA_JOB_SECONDS" in j["error"] and f"{BUDGET_S} s" in j["error"], j


@pytest.fixture()
def index_dir(tmp_path, small_seed_index_dir) -> Path:
    return copy_index(small_seed_index_dir, tmp_path / "index")


def serve(index_dir: Path, tmp_path: Path, **env: str) -> Serve:
    return Serve(index_dir, 1, "", tmp_path / "serve.log", {"QA_JOB_SECONDS": str(BUDGET_S), **env})


@pytest.mark.slow
def test_a_huge_line_and_a_huge_paragraph_do_not_wedge_the_queue(index_dir, tmp_path):
    srv = serve(index_dir, tmp_path).start()
    try:
        t0 = time.monotonic()
        r = post(srv, "long_line.txt", (county_report("岚溪县", "31.2%") + "\n" + long_line(200_000)).encode())
        assert r.status_code == 202, r.text
        assert time.monotonic() - t0 < 20
        long_job = r.json()["job_id"]

        t0 = time.monotonic()
        big = docx_bytes(BASE.splitlines() + [long_line(4_000_000)])
        r = post(srv, "huge_paragraph.docx", big, "application/octet-stream")
        assert r.status_code == 413, r.text
        assert "limit" in r.json()["detail"], r.text
        assert time.monotonic() - t0 < 10

        t0 = time.monotonic()
        r = post(srv, "yanqiu.txt", county_report("雁丘县", "32.3%").encode())
        assert r.status_code == 202, r.text
        small = wait_finished(srv, r.json()["job_id"], timeout=60)
        assert small["status"] == "done", small
        print(f"small upload behind the long one: done in {time.monotonic() - t0:.1f} s; long job:",
              job(srv, long_job)["status"])
        assert time.monotonic() - t0 < 60
        assert_long_job_bounded(job(srv, long_job))
        answers(srv, "雁丘县行政复议纠错率是多少", "32.3%")
    finally:
        srv.stop()


@pytest.mark.slow
def test_a_huge_line_does_not_wedge_the_queue_after_kill_9(index_dir, tmp_path):
    srv = serve(index_dir, tmp_path).start()
    try:
        r = post(srv, "long_line.txt", (county_report("岚溪县", "31.2%") + "\n" + long_line(200_000)).encode())
        assert r.status_code == 202, r.text
        long_job = r.json()["job_id"]
        wait_stage(srv, long_job, {"passages", "sentences"})
        r = post(srv, "qiwu.txt", county_report("栖梧县", "33.4%").encode())
        assert r.status_code == 202, r.text
        small_job = r.json()["job_id"]
        srv.kill()

        srv.start()  # the journal resumes the long job first, within its budget again; then the small one
        t0 = time.monotonic()
        small = wait_finished(srv, small_job, timeout=60)
        assert small["status"] == "done", small
        print(f"after kill -9 and restart: small upload done {time.monotonic() - t0:.1f} s after the restart")
        assert time.monotonic() - t0 < 60
        long = job(srv, long_job)
        assert_long_job_bounded(long)
        assert long["attempts"] == 2, long
        answers(srv, "栖梧县行政复议纠错率是多少", "33.4%")
    finally:
        srv.stop()


def _bomb(size: int = 40 * 1024 * 1024) -> bytes:
    import zipfile

    real = zipfile.ZipFile(io.BytesIO(docx_bytes(["青禾县2022年法治政府建设情况报告"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in real.infolist():
            data = real.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p><w:r><w:t>" + b"A" * size + b"</w:t></w:r></w:p></w:body>")
            z.writestr(info.filename, data)
    return out.getvalue()


def _rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` and its children (the server and its fork server's children)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


@pytest.mark.slow
def test_a_zip_bomb_upload_is_refused_in_under_2_s_with_little_memory(index_dir, tmp_path):
    bomb = _bomb()
    assert len(bomb) < 200_000
    srv = serve(index_dir, tmp_path).start()
    try:
        warm = post(srv, "warm.txt", b"not a report")  # starts the fork server: its memory is not the bomb's
        assert warm.status_code == 422
        assert srv.proc is not None
        pid = srv.proc.pid
        base = peak = _rss_mb(pid)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.01):
                peak = max(peak, _rss_mb(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.monotonic()
        r = post(srv, "bomb.docx", bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        took = time.monotonic() - t0
        stop.set()
        sampler.join()
        assert r.status_code == 413, r.text
        assert "decompression" in r.json()["detail"] and "limit" in r.json()["detail"], r.text
        print(f"zip bomb: 413 in {took:.2f} s, RSS {base:.0f} -> peak {peak:.0f} MB")
        assert took < 2.0, took
        assert peak - base < 200, (base, peak)
    finally:
        srv.stop()


def _medium_report() -> str:
    """A report of ~20 passages (its own figures in each paragraph): a job that embeds for several seconds."""
    paras = [f"（{i}）第{i}项工作。全县推进第{i}批法治建设示范项目，完成{i + 10}件，覆盖{i + 3}个乡镇，"
             f"群众满意度达到{80 + i % 20}.{i % 10}%，形成可复制经验{i % 7 + 1}条。" * 2 for i in range(1, 17)]
    return county_report("澄渚县", "34.5%") + "\n" + "\n".join(paras) + "\n"


@pytest.mark.slow
def test_sigterm_during_a_job_exits_fast_and_the_job_completes_after_restart(index_dir, tmp_path):
    srv = Serve(index_dir, 1, "", tmp_path / "serve.log").start()
    try:
        r = post(srv, "chengzhu.txt", _medium_report().encode())
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        wait_stage(srv, job_id, {"passages", "sentences"})
        assert srv.proc is not None
        t0 = time.monotonic()
        os.killpg(srv.proc.pid, signal.SIGTERM)
        srv.proc.wait(timeout=30)
        took = time.monotonic() - t0
        print(f"SIGTERM to exit: {took:.1f} s")
        assert took < 10, took

        rec = json.loads((index_dir / "journal" / "jobs" / f"{job_id}.json").read_text())
        assert rec["status"] == "pending" and rec["interrupted"] == 1, rec  # abandoned, not crashed
        assert any(m.endswith(job_id) for m in os.listdir(index_dir / "journal" / "queue"))

        srv.start()
        done = wait_finished(srv, job_id, timeout=180)
        assert done["status"] == "done", done
        answers(srv, "澄渚县行政复议纠错率是多少", "34.5%")
    finally:
        srv.stop()
