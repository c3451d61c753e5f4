"""index.passages: exact offsets, whole sentences, bounded length, section paths, stable ids, headers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.ingest import document_from_text, load_folder
from index.models import Document, ReportMeta
from index.passages import build_header, corpus_checksum, split_passages
from index.text import MAX_SENTENCE_CHARS, SENTENCE_END, sentence_spans

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MAX = 320

QINGHE = """\
青禾县人民政府关于2022年度法治政府建设情况的报告
2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,深入践行习近平法治思想,扎实推进法治政府建设。现将有关情况报告如下。
一、2022年法治政府建设主要成效
(一)依法全面履行政府职能
1.深化“放管服”改革。全县共取消行政审批事项12项,下放乡镇事项37项,政务服务事项网上可办率达98.6%。
2.优化法治化营商环境。全年清理涉企规范性文件23件,新增市场主体4156户,涉企行政检查同比下降31.5%。
(二)推进行政复议体制改革。全县共收到行政复议申请96件,受理88件,审结85件,纠错率为14.1%。行政机关负责人出庭应诉率达100%。
二、存在的问题
我县法治政府建设还存在一些不足:基层执法力量相对薄弱,部分干部法治意识有待提高。
三、2023年工作安排
一是完善重大行政决策程序。全年重大行政决策事项目录公开率达到100%。二是加强行政执法监督,开展执法案卷评查2次。
青禾县人民政府
2023年3月10日
"""


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return load_folder(SEEDS)


@pytest.fixture(scope="module")
def split(docs) -> dict[str, list]:
    return {d.doc_id: split_passages(d) for d in docs}


def body_and_matter(ps: list) -> tuple[list, list]:
    """split_passages lists the body passages in order, then (at most) two matter passages: the lines above
    the body (title, document number, addressee) and the lines below it (signature, date)."""
    body = list(ps)
    while len(body) > 1 and len(ps) - len(body) < 2 \
            and (body[-1].end <= body[0].start or body[-1].start >= max(p.end for p in body[:-1])):
        body.pop()
    return body, ps[len(body):]


def _ends_cleanly(text: str, end: int) -> bool:
    """A passage ends after sentence-ending punctuation (and closing quotes) or at the end of a line."""
    if end == len(text) or text[end] == "\n":
        return True
    tail = text[:end].rstrip("”’」』)）")
    return tail[-1:] in tuple(SENTENCE_END)


def _starts_cleanly(text: str, start: int) -> bool:
    return start == 0 or text[start - 1] == "\n" or _ends_cleanly(text, start)


def test_every_seed_has_passages(split):
    assert len(split) == 5
    for doc_id, ps in split.items():
        assert len(ps) >= 10, doc_id


def test_offsets_exact(docs, split):
    for d in docs:
        body, matter = body_and_matter(split[d.doc_id])
        for p in body + matter:
            assert p.doc_id == d.doc_id
            assert 0 <= p.start < p.end <= len(d.clean_text)
            assert d.clean_text[p.start:p.end] == p.text
            assert p.text == p.text.strip()
        assert all("\n" not in p.text for p in body)
        for p in matter:  # whole lines
            assert (p.start == 0 or d.clean_text[p.start - 1] == "\n")
            assert p.end == len(d.clean_text) or d.clean_text[p.end] == "\n"


def test_passages_in_order_and_disjoint(split):
    for ps in split.values():
        body, matter = body_and_matter(ps)
        for a, b in zip(body, body[1:], strict=False):
            assert a.end <= b.start
        spans = sorted((p.start, p.end) for p in ps)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_never_cut_a_sentence_or_number(docs, split):
    for d in docs:
        t = d.clean_text
        for p in split[d.doc_id]:
            assert _ends_cleanly(t, p.end), (p.passage_id, p.text[-20:])
            assert _starts_cleanly(t, p.start), (p.passage_id, t[max(0, p.start - 10):p.start + 10])
            # a number is never split between two passages
            assert not (p.end < len(t) and t[p.end - 1].isdigit() and t[p.end].isdigit())
            assert not (p.start > 0 and t[p.start - 1].isdigit() and t[p.start].isdigit())


def test_body_fully_covered(docs, split):
    """Every sentence of every body paragraph (not heading, title, signature) is in some passage."""
    for d in docs:
        covered = [(p.start, p.end) for p in split[d.doc_id]]
        t = d.clean_text
        for m in re.finditer(r"[^\n]+", t):
            line = m.group(0)
            if len(line) <= 60 and not re.search(r"[。！？；]", line):
                continue  # headings, titles, signature/date lines
            for s, e in sentence_spans(t, m.start(), m.end()):
                assert any(a <= s and e <= b for a, b in covered), (d.doc_id, t[s:e][:40])


def test_bounded_length(docs, split):
    for d in docs:
        for p in split[d.doc_id]:
            if len(p.text) > MAX:
                # only a single sentence longer than the limit may exceed it
                spans = list(sentence_spans(d.clean_text, p.start, p.end))
                assert len(spans) == 1, (p.passage_id, len(p.text))


@pytest.mark.parametrize("max_chars", [80, 150])
def test_smaller_limit(docs, max_chars):
    d = docs[0]
    ps = split_passages(d, max_chars=max_chars)
    assert len(ps) > len(split_passages(d))
    for p in ps:
        assert d.clean_text[p.start:p.end] == p.text
        assert _ends_cleanly(d.clean_text, p.end)
        if len(p.text) > max_chars:
            assert len(list(sentence_spans(d.clean_text, p.start, p.end))) == 1


def test_section_paths(split):
    ps = split["000_c33fefab3f638279"]
    answer = next(p for p in ps if "纠错率为18.5%" in p.text)
    assert answer.section == ["一、2024年主要工作", "(五)践行法治为民,依法有效化解矛盾纠纷"]
    assert answer.section_path == "一、2024年主要工作 > (五)践行法治为民,依法有效化解矛盾纠纷"
    assert any(p.section[:1] == ["三、2025年工作主要安排"] for p in ps)
    # seed 003 has three levels of headings
    deep = [p for p in split["003_be1c469efe24166a"] if len(p.section) == 3]
    assert deep and deep[0].section[0].startswith("一、") and deep[0].section[1].startswith("(")
    # headings are never passages themselves
    for doc_ps in split.values():
        assert not any(p.text in ("一、2024年主要工作", "二、存在的问题和不足") for p in doc_ps)


def test_inline_sub_heading(split):
    p = next(p for p in split["002_1867eea4f21729fd"] if p.text.startswith("一是加强组织领导"))
    assert p.section[-1] == "一是加强组织领导,坚定不移践行习近平法治思想"


def test_most_passages_have_a_section(split):
    for doc_id, ps in split.items():
        body, _ = body_and_matter(ps)
        with_section = sum(1 for p in body if p.section)
        assert with_section >= len(body) - 2, doc_id


def test_stable_ids(docs, split):
    for d in docs:
        again = split_passages(d)
        assert [p.passage_id for p in again] == [p.passage_id for p in split[d.doc_id]]
        assert [p.to_dict() for p in again] == [p.to_dict() for p in split[d.doc_id]]
        ids = [p.passage_id for p in again]
        assert len(set(ids)) == len(ids)
        for p in again:
            assert p.passage_id == f"{d.doc_id}:{p.start}-{p.end}"


def test_ids_do_not_depend_on_other_documents(docs):
    alone = split_passages(load_folder(SEEDS)[2])
    assert [p.passage_id for p in alone] == [p.passage_id for p in split_passages(docs[2])]


def test_header(docs, split):
    for d in docs:
        m = d.meta
        body, _ = body_and_matter(split[d.doc_id])
        for p in split[d.doc_id]:
            assert m.region in p.header and f"{m.year}年" in p.header
            assert m.title in p.header
            if p.section and p in body:
                assert p.header.endswith(" > ".join(p.section))
            # the header is context for retrieval only: the passage text is the document's own words
            assert p.header not in p.text and not p.text.startswith(m.region + " ")
            assert p.text == d.clean_text[p.start:p.end]


def test_title_line_not_a_passage(split, docs):
    d = next(d for d in docs if d.doc_id.startswith("003"))
    body, matter = body_and_matter(split[d.doc_id])
    assert not any(p.text == d.meta.title or d.meta.title in p.text for p in body)
    assert not any(p.text in ("岳阳县人民政府", "2022年2月25日") for p in body)
    # they are the matter passages, above and below the body
    assert d.meta.title in matter[0].text and matter[0].end <= body[0].start
    assert "2022年2月25日" in matter[-1].text and matter[-1].start >= body[-1].end


def test_made_up_county_split():
    doc = document_from_text(QINGHE, "qinghe_2022", "qinghe_2022.txt")
    ps, matter = body_and_matter(split_passages(doc))
    texts = [p.text for p in ps]
    t = doc.clean_text
    assert [m.text for m in matter] == [doc.meta.title, "青禾县人民政府\n2023年3月10日"]
    assert texts[0].startswith("2022年,我县坚持") and texts[0].endswith("现将有关情况报告如下。")
    assert ps[0].section == []

    def by_start(prefix):
        (found,) = [p for p in ps if p.text.startswith(prefix)]
        return found

    p1 = by_start("1.深化")
    assert p1.section == ["一、2022年法治政府建设主要成效", "(一)依法全面履行政府职能", "1.深化“放管服”改革"]
    p2 = by_start("2.优化法治")
    assert p2.section[:2] == p1.section[:2] and p2.section[2] == "2.优化法治化营商环境"
    p3 = by_start("(二)推进行")
    assert p3.section == ["一、2022年法治政府建设主要成效", "(二)推进行政复议体制改革"]
    assert "纠错率为14.1%" in p3.text
    p4 = by_start("我县法治政")
    assert p4.section == ["二、存在的问题"]
    p5 = by_start("一是完善重大")
    assert p5.section == ["三、2023年工作安排", "一是完善重大行政决策程序"]
    # no heading, title, signature or date line became a passage
    for line in ("青禾县人民政府", "2023年3月10日", "二、存在的问题", "(一)依法全面履行政府职能", doc.meta.title):
        assert line not in texts
    for p in ps:
        assert t[p.start:p.end] == p.text
        assert "青禾县" in p.header and "2022年" in p.header
        assert p.passage_id.startswith("qinghe_2022:")
    # a figure and its unit stay together
    assert any("98.6%" in x for x in texts) and any("4156户" in x for x in texts)


def test_long_paragraph_split_at_sentences():
    sentence = "全县共办理行政复议案件96件,纠错率为14.1%,调解和解率为23.5%,行政机关负责人出庭应诉率达100%。"
    para = sentence * 12  # ~ 12 x 56 chars, well over the limit
    text = f"青禾县人民政府关于2022年度法治政府建设情况的报告\n2022年,我县扎实推进法治政府建设。\n{para}"
    doc = document_from_text(text, "long", "long.txt")
    ps = [p for p in split_passages(doc) if p.text.startswith("全县")]
    assert len(ps) >= 3
    assert "".join(p.text for p in ps) == para
    for p in ps:
        assert len(p.text) <= MAX and p.text.endswith("。") and p.text.startswith("全县共办理")


def test_over_long_sentence_kept_whole():
    sentence = "全县" + ",".join(f"第{i}类事项办理{i * 7}件" for i in range(1, 31)) + "。"
    assert MAX < len(sentence) <= MAX_SENTENCE_CHARS
    text = f"青禾县人民政府关于2022年度法治政府建设情况的报告\n2022年,我县扎实推进法治政府建设。\n{sentence}短句一。"
    doc = document_from_text(text, "long1", "long1.txt")
    ps = split_passages(doc)
    assert sentence in [p.text for p in ps]
    assert "短句一。" in [p.text for p in ps]


def test_sentence_over_the_sentence_bound_is_split_after_commas_and_kept_entire():
    sentence = "全县" + ",".join(f"第{i}类事项办理{i * 7}件" for i in range(1, 60)) + "。"
    assert len(sentence) > MAX_SENTENCE_CHARS
    text = f"青禾县人民政府关于2022年度法治政府建设情况的报告\n2022年,我县扎实推进法治政府建设。\n{sentence}短句一。"
    doc = document_from_text(text, "long2", "long2.txt")
    pieces = [p.text for p in split_passages(doc) if p.text.startswith("全县") or p.text.startswith("第")]
    assert len(pieces) == 2 and "".join(pieces) == sentence  # nothing dropped
    assert all(len(t) <= MAX_SENTENCE_CHARS for t in pieces) and pieces[0].endswith(",")


def test_build_header_without_metadata():
    doc = Document(doc_id="x", source="x.txt", clean_text="正文。", meta=ReportMeta(title="法治政府建设情况报告"))
    assert build_header(doc, []) == "法治政府建设情况报告"
    assert build_header(doc, ["一、概况"]) == "法治政府建设情况报告 | 一、概况"


def test_corpus_checksum(docs):
    c = corpus_checksum(docs)
    assert c == corpus_checksum(list(reversed(docs)))  # order-independent
    assert c != corpus_checksum(docs[:-1])
    changed = [Document(d.doc_id, d.source, d.clean_text, ReportMeta(**{**d.meta.to_dict(), "year": 1999}))
               if i == 0 else d for i, d in enumerate(docs)]
    assert c != corpus_checksum(changed)


def test_a_heading_closes_open_headings_of_its_level_when_a_level_is_skipped():
    from index.models import Document, ReportMeta
    from index.passages import split_passages

    text = ("二、主要负责人履行职责情况\n1.加强统筹部署。市政府常务会议专题研究法治建设4次。\n"
            "2.提升依法行政能力。组织领导干部集中学法6次。\n(一)另一个小节。开展执法检查12次。")
    doc = Document("t", "t.txt", text, ReportMeta(region="某市", year=2023, title="某市2023年法治政府建设情况报告"))
    secs = [p.section for p in split_passages(doc)]
    assert secs[0] == ["二、主要负责人履行职责情况", "1.加强统筹部署"]
    assert secs[1] == ["二、主要负责人履行职责情况", "2.提升依法行政能力"]
    assert secs[2] == ["二、主要负责人履行职责情况", "(一)另一个小节"]


COVER_LETTER_REPORT = """青禾县司法局关于2023年度法治政府建设情况的报告
青司〔2024〕2号
县人民政府:
现将我局2023年度法治政府建设情况报告如下,请审阅。
青禾县司法局
2024年2月6日
青禾县司法局2023年度法治政府建设情况报告
一、主要工作
全年审查规范性文件12件,办理行政复议案件31件,纠错率为9.7%。组织执法人员培训5期,培训320人次。
二、存在的问题
基层法治力量仍然薄弱,执法人员专业素质有待提高。
"""


def test_cover_letter_signature_between_letter_and_report_is_in_a_passage():
    """Every line of the report is in some passage: the cover letter's signature and date sit between the
    letter and the report body, and must be searchable and citable like the title lines above."""
    doc = document_from_text(COVER_LETTER_REPORT, "qinghe_sfj", "qinghe_sfj.txt")
    passages = split_passages(doc)
    text = doc.clean_text
    date_at = text.index("2024年2月6日")
    holders = [p for p in passages if p.start <= date_at < p.end]
    assert len(holders) == 1 and holders[0].section == [doc.meta.title]
    for m in re.finditer(r"^\S[^\n]*", text, flags=re.M):
        if not re.match(r"[一二三四五六七八九十]+、", m.group(0)):  # headings live in the section path
            assert any(p.start <= m.start() < p.end for p in passages), m.group(0)
