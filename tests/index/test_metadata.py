"""index.metadata: region, year, issuer, publication date and title from a report's own text; sidecars."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.ingest import document_from_text, load_document, load_folder
from index.loader import ReportError
from index.metadata import compose_title, detect_metadata, place_mentions

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

SEED_META = {
    "000": ("郴州市", 2024),
    "001": ("海安市", 2023),
    "002": ("开封市示范区", 2024),
    "003": ("岳阳县", 2021),
    "004": ("邵阳市", 2024),
}

QINGHE = """\
青禾县人民政府关于2022年度法治政府建设情况的报告
2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,深入践行习近平法治思想,扎实推进法治政府建设。现将有关情况报告如下。
一、2022年法治政府建设主要成效
(一)依法全面履行政府职能。一是深化“放管服”改革。全县共取消行政审批事项12项,下放乡镇事项37项,政务服务事项网上可办率达98.6%。二是优化法治化营商环境。全年清理涉企规范性文件23件,新增市场主体4156户。
(二)推进行政复议体制改革。全县共收到行政复议申请96件,受理88件,审结85件,纠错率为14.1%。行政机关负责人出庭应诉率达100%。
(三)加强普法宣传。开展“送法下乡”活动126场,培养农村“法律明白人”1820名,发放宣传资料3.5万份。
二、存在的问题
我县法治政府建设还存在一些不足:基层执法力量相对薄弱,部分干部法治意识有待提高。
三、2023年工作安排
我县将继续深化法治政府建设,完善重大行政决策程序,加强行政执法监督,推动法治政府建设再上新台阶。
青禾县人民政府
2023年3月10日
"""


def seed_path(prefix: str) -> Path:
    (p,) = SEEDS.glob(f"{prefix}_*.txt")
    return p


@pytest.fixture(scope="module")
def seeds() -> dict[str, object]:
    return {d.doc_id[:3]: d for d in load_folder(SEEDS)}


@pytest.mark.parametrize("prefix, region, year", [(k, *v) for k, v in SEED_META.items()])
def test_seed_region_and_year(seeds, prefix, region, year):
    m = seeds[prefix].meta
    assert (m.region, m.year) == (region, year)
    # the title a user sees names the place and the year
    assert region in m.title and str(year) in m.title


def test_seed_issuer_published_title(seeds):
    m3 = seeds["003"].meta
    assert m3.issuer == "岳阳县人民政府"
    assert m3.title == "岳阳县人民政府关于2021年度法治政府建设工作报告"
    assert m3.published == "2022-03-25"  # the page's 发布时间
    m1 = seeds["001"].meta
    assert m1.published == "2024-02-02"  # the pipe row's 发布日期
    assert "亚洲通" not in m1.title  # the page's garbled 名称 is not shown
    assert seeds["004"].meta.published == "2025-01-16"  # the closing date line
    assert seeds["002"].meta.issuer == "中共开封市示范区工委 开封市示范区管委会"
    assert seeds["002"].meta.title == "开封市示范区2024年度法治政府建设情况的报告"
    assert seeds["000"].meta.published is None


def test_seed_doc_ids(seeds):
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    for d in seeds.values():
        assert d.doc_id == Path(d.source).stem


def test_made_up_county(tmp_path):
    p = tmp_path / "qinghe_2022.txt"
    p.write_text(QINGHE, encoding="utf-8")
    m = load_document(p).meta
    assert m.region == "青禾县"
    assert m.year == 2022
    assert m.issuer == "青禾县人民政府"
    assert m.published == "2023-03-10"
    assert m.title == "青禾县人民政府关于2022年度法治政府建设情况的报告"


def test_made_up_county_without_title():
    body = QINGHE.split("\n", 1)[1]
    m = document_from_text(body, "qinghe", "qinghe.txt").meta
    assert m.region == "青禾县"
    assert m.year == 2022
    assert m.title == compose_title("青禾县", 2022) == "青禾县2022年法治政府建设情况报告"
    assert m.issuer == "青禾县人民政府"
    assert m.published == "2023-03-10"


def test_no_title_no_signature():
    """Nothing names the place: no region is invented, the composed title still carries the year."""
    body = "\n".join(QINGHE.split("\n")[1:-3])
    assert "青禾" not in body
    m = document_from_text(body, "qinghe", "qinghe.txt").meta
    assert (m.region, m.year) == (None, 2022)
    assert m.title == compose_title(None, 2022) == "2022年法治政府建设情况报告"
    assert m.issuer is None and m.published is None
    # one mention of the place in the body is enough
    m = document_from_text(body + "\n青禾县法治政府建设取得新成效。", "qinghe", "qinghe.txt").meta
    assert m.region == "青禾县" and m.title == "青禾县2022年法治政府建设情况报告"


@pytest.mark.parametrize("name, level", [("石桥县", "县"), ("云岭市", "市"), ("柳湾区", "区"), ("芦溪县", "县")])
def test_other_made_up_places(name, level):
    text = QINGHE.replace("青禾县", name).replace("我县", f"我{level}").replace("全县", f"全{level}")
    m = document_from_text(text, "x", "x.txt").meta
    assert m.region == name
    assert m.year == 2022
    assert m.issuer == f"{name}人民政府"


def test_level_words_pick_the_report_place():
    """A county report that mentions its city more often still belongs to the county (我县)."""
    text = QINGHE.split("\n", 1)[1].replace("青禾县人民政府\n", "") + "\n"
    text = "在望川市委、望川市政府的领导下,按照望川市统一部署,我县扎实推进各项工作。\n" + text \
        + "青禾县法治政府建设取得新成效。\n"
    m = detect_metadata(text)
    assert m.region == "青禾县"


def test_page_fields_used():
    fields = {"名称": "青禾县2022年法治政府建设情况报告", "发布日期": "2023-03-12", "发布机构": "青禾县司法局"}
    body = "\n".join(QINGHE.split("\n")[1:-3])
    m = detect_metadata(body, fields)
    assert m.title == "青禾县2022年法治政府建设情况报告"
    assert m.published == "2023-03-12"
    assert m.issuer == "青禾县司法局"
    assert (m.region, m.year) == ("青禾县", 2022)


def test_place_mentions():
    assert "开封市示范区" in place_mentions("中共开封市示范区工委 开封市示范区管委会")
    assert place_mentions("岳阳县人民政府关于2021年度法治政府建设工作报告") == ["岳阳县"]
    assert place_mentions("全县各乡镇、村(社区)和城区") == []


# ---- sidecars ---------------------------------------------------------------------------------------------

def _copy_seed(tmp_path: Path, prefix: str) -> Path:
    src = seed_path(prefix)
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst


def test_sidecar_overrides(tmp_path):
    p = _copy_seed(tmp_path, "004")
    before = load_document(p).meta
    assert before.issuer is None
    side = p.with_name(p.stem + ".meta.json")
    side.write_text(json.dumps({"issuer": "邵阳市司法局", "year": "2024", "published": None,
                                "title": "邵阳市司法局2024年度法治政府建设情况报告"}, ensure_ascii=False),
                    encoding="utf-8")
    m = load_document(p).meta
    assert m.issuer == "邵阳市司法局"
    assert m.year == 2024 and isinstance(m.year, int)
    assert m.title == "邵阳市司法局2024年度法治政府建设情况报告"
    assert m.published == before.published  # null keeps the detected value
    assert m.region == "邵阳市"


def test_sidecar_corrects_region_and_year(tmp_path):
    p = tmp_path / "qinghe.txt"
    p.write_text(QINGHE, encoding="utf-8")
    p.with_name("qinghe.meta.json").write_text('{"region": "青禾县示范区", "year": 2021}', encoding="utf-8")
    m = load_document(p).meta
    assert (m.region, m.year) == ("青禾县示范区", 2021)
    assert m.issuer == "青禾县人民政府"


def test_sidecar_in_folder_is_not_a_report(tmp_path):
    p = _copy_seed(tmp_path, "002")
    p.with_name(p.stem + ".meta.json").write_text('{"issuer": "开封市示范区管委会"}', encoding="utf-8")
    docs = load_folder(tmp_path)
    assert len(docs) == 1
    assert docs[0].meta.issuer == "开封市示范区管委会"


@pytest.mark.parametrize("content, words", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not valid JSON"),
    (b'["region", "x"]', "expected a JSON object"),
    ('{"regoin": "青禾县"}'.encode(), "unknown metadata field"),
    (b'{"year": "twenty"}', "year must be an integer"),
], ids=["syntax", "binary", "list", "unknown-field", "bad-year"])
def test_bad_sidecar(tmp_path, content, words):
    p = _copy_seed(tmp_path, "000")
    side = p.with_name(p.stem + ".meta.json")
    side.write_bytes(content)
    with pytest.raises(ReportError) as ei:
        load_document(p)
    msg = str(ei.value)
    assert words in msg
    assert p.stem in msg  # names the report or its sidecar
    with pytest.raises(ReportError):
        load_folder(tmp_path)


# ---- who reports: region, level, parents, department (texts written for these tests) --------------------------
# Real places (from China's administrative divisions) that the development set does not use, and made-up ones.

def _body(self_word: str, whole: str) -> str:
    """A report body in the usual shape; ``self_word`` is how the body names itself (我县, 我厅 …)."""
    return (f"一、主要工作和成效\n(一)加强组织领导。{self_word}把法治建设纳入年度工作要点,{whole}共开展专题学法12次。\n"
            f"(二)严格规范执法。{whole}评查行政执法案卷86卷,优秀率为81.4%。{self_word}持续深化“放管服”改革。\n"
            "二、存在的不足\n基层执法力量仍然薄弱。\n")


def test_provincial_department_without_title():
    """我厅 and 全省: a provincial department; the province is named only in a regulation's title; the
    department is the one its ministry (交通运输部) speaks of."""
    text = ("2023年,在省委、省政府坚强领导下,在交通运输部的指导支持下,我厅认真贯彻落实《法治政府建设实施纲要》,"
            "现将有关情况报告如下。\n" + _body("我厅", "全省交通运输系统")
            + "完成《云南省道路运输条例》修订调研。\n")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents, m.department) == ("云南省", "province", [], "云南省交通运输厅")
    assert m.year == 2023 and m.title == "云南省交通运输厅2023年法治政府建设情况报告"


def test_provincial_department_named_by_level_word():
    """省生态环境厅 as the first sentence's subject; the province by its short form (云南)."""
    text = ("关于2023年度法治政府建设情况的报告\n2023年,省生态环境厅坚持以习近平法治思想为指导,服务美丽云南建设。\n"
            + _body("我厅", "全省生态环境系统"))
    m = detect_metadata(text)
    assert (m.region, m.level, m.department) == ("云南省", "province", "云南省生态环境厅")


def test_city_bureau_keeps_its_department():
    """临沧市人社局 is the city's human-resources bureau, not the city government."""
    text = "临沧市人社局2023年法治政府建设工作报告\n2023年,我局坚持依法行政。\n" + _body("我局", "全市人社系统")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("临沧市", "city", ["云南省"])
    assert m.department == "临沧市人力资源和社会保障局"
    assert m.title == "临沧市人社局2023年法治政府建设工作报告"


def test_city_bureau_from_the_first_sentence():
    """No title: 市人社局 in the first sentence, the city named once further on."""
    text = ("2023年,市人社局坚持以习近平法治思想为指导,全面推进依法行政。\n" + _body("我局", "全系统")
            + "组织干部参加临沧市领导干部网上学法考试。\n")
    m = detect_metadata(text)
    assert (m.region, m.department) == ("临沧市", "临沧市人力资源和社会保障局")


def test_town_under_a_county():
    """我镇; 凤山镇 is the name of ten towns: the county the text names (凤庆县) decides which."""
    text = ("2023年,在凤庆县委、县政府的坚强领导下,我镇坚持以习近平法治思想为指导,扎实推进法治政府建设。\n"
            + _body("我镇", "全镇") + "凤山镇综治中心全年调处矛盾纠纷136件。\n")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("凤山镇", "town", ["云南省", "临沧市", "凤庆县"])
    assert m.department is None


def test_street_with_its_district_and_city():
    text = "临沧市临翔区凤翔街道办事处2023年法治政府建设年度报告\n2023年,街道党工委坚持依法办事。\n" \
        + _body("我街道", "全街道")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("凤翔街道", "town", ["云南省", "临沧市", "临翔区"])


def test_street_not_in_the_divisions():
    text = "青禾街街道办事处2023年法治政府建设年度报告\n2023年,青禾街街道办事处坚持依法办事。\n" \
        + _body("我街道", "全街")
    m = detect_metadata(text)
    assert (m.region, m.level) == ("青禾街街道", "town")


def test_report_without_title_signed_at_the_end():
    """No title line: the signature above the closing date names the county (a one-character stem)."""
    text = ("2023年,我县坚持以习近平新时代中国特色社会主义思想为指导,扎实推进法治政府建设。\n" + _body("我县", "全县")
            + "云县人民政府\n2024年3月1日\n")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("云县", "county", ["云南省", "临沧市"])
    assert (m.year, m.published, m.issuer) == (2023, "2024-03-01", "云县人民政府")
    assert m.title == "云县2023年法治政府建设情况报告"


def test_county_with_a_one_character_stem_in_the_title():
    text = "云县人民政府关于2023年度法治政府建设情况的报告\n2023年,云县坚持依法行政。\n" + _body("我县", "全县")
    m = detect_metadata(text)
    assert (m.region, m.level, m.department) == ("云县", "county", None)


def test_title_about_a_city():
    """关于某市…的报告: the region is the city, not "关于某市"."""
    text = "关于临沧市2023年度法治政府建设情况的报告\n2023年,临沧市坚持依法行政。\n" + _body("我市", "全市")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("临沧市", "city", ["云南省"])


def test_party_committee_and_government_title():
    text = "中共临沧市委 临沧市人民政府2023年度法治政府建设工作报告\n2023年,市委、市政府坚持依法行政。\n" \
        + _body("我市", "全市")
    m = detect_metadata(text)
    assert (m.region, m.department) == ("临沧市", None)


def test_city_report_that_names_one_of_its_counties_first():
    """The first sentence opens with a county's honour; the report speaks for the city (我市, 全市)."""
    text = ("2023年,凤庆县获评全省法治政府建设示范县,我市法治政府建设取得新进展。\n" + _body("我市", "全市")
            + "临沧市行政复议纠错率为12.5%。\n")
    m = detect_metadata(text)
    assert (m.region, m.level) == ("临沧市", "city")


def test_addressee_names_the_reporter():
    """某某县委、县人大常委会: the county government reports to them; 市委、市政府 would be above the reporter."""
    text = "中共凤庆县委、县人大常委会:\n2023年,县政府坚持依法行政。\n" + _body("我县", "全县")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("凤庆县", "county", ["云南省", "临沧市"])


def test_made_up_zone():
    text = "青禾经济技术开发区管理委员会2023年法治政府建设情况报告\n2023年,管委会坚持依法行政。\n" \
        + _body("我区", "全区")
    m = detect_metadata(text)
    assert (m.region, m.level) == ("青禾经济技术开发区", "zone")


def test_new_fields_can_be_overridden(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text(QINGHE, encoding="utf-8")
    p.with_name("x.meta.json").write_text(json.dumps(
        {"department": "青禾县司法局", "level": "county", "parents": ["某某省", "某某市"]}, ensure_ascii=False),
        encoding="utf-8")
    m = load_document(p).meta
    assert (m.region, m.department, m.level, m.parents) == ("青禾县", "青禾县司法局", "county", ["某某省", "某某市"])


def test_old_manifest_metadata_loads():
    """Metadata written before level/parents/department existed still loads (defaults)."""
    from index.models import Document

    d = Document.from_dict({"doc_id": "a", "source": "a.txt", "clean_text": "x",
                            "meta": {"region": "青禾县", "year": 2022, "issuer": None, "published": None,
                                     "title": "t"}})
    assert (d.meta.level, d.meta.parents, d.meta.department) == (None, [], None)


def test_addressed_to_the_city_means_a_body_below_it():
    """市委、市政府: the reporter is below the city: the district, though the city is named more often."""
    text = ("市委、市政府:\n2023年,在临沧市委、临沧市政府的坚强领导下,临翔区深入推进依法行政,"
            "认真落实临沧市法治政府建设部署。\n" + _body("区政府", "各部门"))
    m = detect_metadata(text)
    assert (m.region, m.parents) == ("临翔区", ["云南省", "临沧市"])
    # without the district's own words the city is not taken for the reporter
    text = text.replace("临翔区", "本地")
    assert detect_metadata(text).region is None


def test_autonomous_region_without_title():
    """自治区 as the subject and 全区 in the body: the autonomous region itself, named by its short form."""
    text = ("2023年,自治区人民政府坚持以习近平法治思想为指导,推进法治宁夏建设。\n" + _body("自治区", "全区")
            + "银川市兴庆区获评全国法治政府建设示范区。\n")
    m = detect_metadata(text)
    assert (m.region, m.level) == ("宁夏回族自治区", "province")


def test_banner_by_its_short_form_in_the_title():
    """Banners go by short forms (科右前旗 for 科尔沁右翼前旗); 全旗 in the body."""
    text = "科右前旗人民政府关于2023年度法治政府建设情况的报告\n2023年,我旗坚持依法行政。\n" + _body("我旗", "全旗")
    m = detect_metadata(text)
    assert (m.region, m.level, m.parents) == ("科尔沁右翼前旗", "county", ["内蒙古自治区", "兴安盟"])


def test_provincial_report_that_never_names_its_province():
    """省政府 and 全省; only the province's cities are named (and another province once): the cities decide."""
    text = ("2023年,省政府坚持以习近平法治思想为指导,推进法治政府建设。\n" + _body("省政府", "全省")
            + "曲靖市、玉溪市、大理州获评全国法治政府建设示范地区。对口支援西藏工作扎实推进。\n")
    m = detect_metadata(text)
    assert (m.region, m.level) == ("云南省", "province")


def test_government_report_under_an_office_heading():
    """The page's first line is the office that posts it; the report speaks as the county government."""
    text = "凤庆县人民政府办公室\n2023年法治政府建设年度报告\n2023年,县政府坚持依法行政。\n" + _body("我县", "全县")
    m = detect_metadata(text)
    assert (m.region, m.department) == ("凤庆县", None)


def test_made_up_city_on_a_real_short_form():
    """凤庆市 is made up (凤庆 is 凤庆县's short form): the report's region is 凤庆市, not 凤庆县."""
    text = "凤庆市2023年法治政府建设年度报告\n2023年,我市坚持依法行政。\n" + _body("我市", "全市")
    m = detect_metadata(text)
    assert (m.region, m.parents) == ("凤庆市", [])


def test_title_that_forwards_the_report():
    """关于印发《某县…报告》的通知: the county inside the quoted title."""
    text = ("关于印发《凤庆县2023年法治政府建设工作报告》的通知\n各乡镇人民政府,县直各部门:\n"
            "2023年,我县坚持依法行政。\n" + _body("我县", "全县"))
    m = detect_metadata(text)
    assert (m.region, m.level, m.department) == ("凤庆县", "county", None)
