"""index.clean: web boilerplate goes, every line of report text stays, page metadata is parsed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.clean import clean_report

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _raw(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [ln.replace("\u3000", " ").replace("\xa0", " ").strip() for ln in text.replace("\r\n", "\n").split("\n")]


@pytest.fixture(scope="module")
def cleaned() -> dict[str, object]:
    return {p: clean_report(_raw(p)) for p in ("000", "001", "002", "003", "004")}


@pytest.mark.parametrize("prefix, line", [
    ("003", "当前位置: 首页 > 政务公开 > 文件库 > 政府文件"),
    ("003", "来源:县政府办公室 发布时间:2022-03-25 11:19 浏览次数:1"),
    ("004", "扫一扫在手机打开当前页"),
    ("001", "索引号: | K12380210/2024-01388 | 分类: | 综合政务\\政务公开 报告 | ||"),
    ("001", "发布机构: | 政府办 | 文号: | 海政〔2024〕12号 | ||"),
    ("001", "成文日期: | 2024-02-01 | 发布日期: | 2024-02-02 | 有效性: | 有效 |"),
    ("001", "名称: | 亚洲通亚洲通2023年法治政府建设情况的报告 |"),
    ("004", "文件名称: | |||"),
    ("004", "公开目录: | 公开责任部门: | ||"),
    ("004", "生效日期 : | 有效期: |"),
])
def test_boilerplate_line_removed(cleaned, prefix, line):
    assert line in _lines(_raw(prefix)), "the seed should contain this boilerplate line"
    r = cleaned[prefix]
    assert line not in r.text.split("\n")
    assert line in r.dropped
    # nothing of it survives inside another line either
    assert "扫一扫" not in r.text and "当前位置" not in r.text and "浏览次数" not in r.text and "|" not in r.text


@pytest.mark.parametrize("prefix, kept", [
    # the lines right around the removed boilerplate
    ("003", "岳阳县人民政府关于2021年度法治政府建设工作报告"),
    ("003", "按照中共中央办公厅国务院办公厅《法治政府建设与责任落实督察工作规定》(厅字〔2019〕28号)要求,"
            "现将我县2021年法治政府建设工作情况报告如下。"),
    ("003", "岳阳县人民政府"),
    ("003", "2022年2月25日"),
    ("004", "2025年1月16日"),
    ("001", "2023年,海安市始终坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻落实党的二十大精神,深入践行习近平"
            "法治思想,以人民为中心,扎实推进依法行政,不断开创法治政府建设新局面。现将有关情况报告如下。"),
    ("000", "一、2024年主要工作"),
])
def test_report_lines_kept(cleaned, prefix, kept):
    assert kept in cleaned[prefix].text.split("\n")


def test_sentences_next_to_boilerplate_kept(cleaned):
    t4 = cleaned["004"].text
    assert t4.endswith("加强涉外法治建设,护航经济高质量发展。\n2025年1月16日")
    assert t4.startswith("根据中共中央办公厅、国务院办公厅《法治政府建设与责任落实督察工作规定》")
    assert cleaned["003"].text.startswith("岳阳县人民政府关于2021年度法治政府建设工作报告\n按照中共中央办公厅")
    assert cleaned["001"].text.startswith("2023年,海安市始终坚持")
    assert "行政复议" in t4


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_report_line_kept_verbatim(cleaned, prefix):
    """Cleaning only removes whole lines: kept + dropped lines == the raw non-blank lines, in order."""
    r = cleaned[prefix]
    raw_lines = [ln for ln in _lines(_raw(prefix)) if ln]
    assert r.text.split("\n") == [ln for ln in raw_lines if ln not in r.dropped]
    assert len(r.text.split("\n")) + len(r.dropped) == len(raw_lines)
    assert "\n\n" not in r.text and r.text == r.text.strip()
    assert not any(ln != ln.strip() or not ln for ln in r.text.split("\n"))


def test_seeds_without_boilerplate_untouched(cleaned):
    for prefix in ("000", "002"):
        r = cleaned[prefix]
        assert r.dropped == [] and r.fields == {}
        assert r.text == _raw(prefix).strip()


def test_pipe_row_fields_parsed(cleaned):
    f = cleaned["001"].fields
    assert f["索引号"] == "K12380210/2024-01388"
    assert f["发布机构"] == "政府办"
    assert f["文号"] == "海政〔2024〕12号"
    assert f["成文日期"] == "2024-02-01"
    assert f["发布日期"] == "2024-02-02"
    assert f["有效性"] == "有效"
    assert f["名称"] == "亚洲通亚洲通2023年法治政府建设情况的报告"


def test_info_line_fields_parsed(cleaned):
    f = cleaned["003"].fields
    assert f == {"来源": "县政府办公室", "发布时间": "2022-03-25 11:19", "浏览次数": "1"}


def test_empty_pipe_rows_give_no_fields(cleaned):
    f = cleaned["004"].fields
    assert all(v for v in f.values()), f
    assert "索引号" not in f and "文件名称" not in f


SYNTHETIC_PAGE = """\
您的位置:首页 > 信息公开 > 法治政府建设年度报告
【字体:大 中 小】
索引号: | 001234567/2023-00056 | 发布机构: | 青禾县司法局 |
发布日期: | 2023-03-12 | 文号: | 青政报〔2023〕3号 |
名称: | 青禾县2022年法治政府建设情况报告 |
\u3000\u3000
青禾县2022年法治政府建设情况报告
发布时间:2023-03-12 09:30 来源:县司法局 浏览次数:356
\u3000\u30002022年,我县坚持以习近平新时代中国特色社会主义思想为指导,扎实推进法治政府建设。现将有关情况报告如下。\r
一、主要工作
全年办理行政复议案件96件,纠错率为14.1%;法律援助案件1820件。
经费保障: | 全县投入法治建设经费320万元,同比增长12%。
【打印本页】 【关闭窗口】
上一篇:青禾县2021年法治政府建设情况报告
下一篇:关于开展2023年“八五”普法中期检查的通知
主办单位:青禾县人民政府办公室 承办单位:青禾县大数据中心
版权所有 © 青禾县人民政府 湘ICP备12345678号
网站标识码:4306000001
扫一扫在手机上查看当前页
"""


def test_synthetic_page():
    r = clean_report(SYNTHETIC_PAGE)
    assert r.text.split("\n") == [
        "青禾县2022年法治政府建设情况报告",
        "2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,扎实推进法治政府建设。现将有关情况报告如下。",
        "一、主要工作",
        "全年办理行政复议案件96件,纠错率为14.1%;法律援助案件1820件。",
        # a report line that happens to contain a pipe but is a sentence stays
        "经费保障: | 全县投入法治建设经费320万元,同比增长12%。",
    ]
    assert r.fields["索引号"] == "001234567/2023-00056"
    assert r.fields["发布机构"] == "青禾县司法局"
    assert r.fields["发布日期"] == "2023-03-12"
    assert r.fields["文号"] == "青政报〔2023〕3号"
    assert r.fields["名称"] == "青禾县2022年法治政府建设情况报告"
    assert r.fields["发布时间"] == "2023-03-12 09:30"
    assert r.fields["来源"] == "县司法局"
    assert r.fields["浏览次数"] == "356"
    for gone in ("您的位置", "字体", "打印本页", "上一篇", "下一篇", "主办单位", "版权所有", "网站标识码", "扫一扫"):
        assert gone not in r.text
        assert any(gone in d for d in r.dropped)
    assert "\r" not in r.text and "\u3000" not in r.text


def test_bom_and_crlf_normalised():
    r = clean_report("\ufeff标题行\r\n正文第一句。\r正文第二句。\n")
    assert r.text == "标题行\n正文第一句。\n正文第二句。"


def test_report_text_is_never_mistaken_for_page_info():
    text = ("2022年,我县共办理行政复议案件96件。\n"
            "首页案件办理情况良好,群众满意度达98%。\n"
            "来源地不明的投诉件已全部转办。")
    r = clean_report(text)
    assert r.text == text and r.dropped == [] and r.fields == {}
    assert re.search(r"96件", r.text)


def test_page_fields_a_reader_asks_about_follow_the_body():
    """文号, 发布机构, dates and source of the page header come back after the body, one line each; page furniture
    (索引号, 浏览次数) and empty or over-long values do not; the body's offsets do not move."""
    from index.clean import page_info
    from index.ingest import document_from_text

    raw = ("索引号: | Q0001/2024-00007 | 分类: | 综合政务 | ||\n"
           "发布机构: | 县政府办 | 文号: | 青政〔2024〕3号 | ||\n"
           "成文日期: | 2024-02-01 | 发布日期: | 2024-02-02 | 有效性: | 有效 |\n"
           "公开责任部门: | ||\n"
           "青禾县2023年法治政府建设情况报告\n"
           "2023年，青禾县办理行政复议案件12件，纠错率为8.3%。现将有关情况报告如下。\n")
    r = clean_report(raw)
    assert page_info(r.fields) == "\n发布机构:县政府办\n文号:青政〔2024〕3号\n成文日期:2024-02-01\n发布日期:2024-02-02"
    assert page_info({"来源": "本站", "浏览次数": "57", "文号": "", "发布机构": "县" * 41}) == "\n来源:本站"
    doc = document_from_text(raw, "qinghe_2023", "qinghe_2023.txt")
    assert doc.clean_text == r.text + page_info(r.fields)
    assert doc.clean_text.startswith(r.text) and "索引号" not in doc.clean_text
