"""index.places: China's administrative divisions from jionlp's data file — lookups, short forms, mentions."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from index.places import Level, Place, common_parents, data_path, divisions, find_places, lookup, short_forms

ROOT = Path(__file__).resolve().parents[2]


def test_data_file_of_the_installed_package():
    assert data_path().name == "china_location.zip" and data_path().is_file()


def test_loads_fast_without_importing_jionlp():
    code = ("import time; t = time.perf_counter(); from index.places import divisions; d = divisions(); "
            "import sys; print(len(d.places), 'jionlp' in sys.modules, round(time.perf_counter() - t, 2))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    n, imported, seconds = out.stdout.split()
    print(f"divisions: {n} places in {seconds} s")
    assert int(n) > 40_000 and imported == "False"
    assert float(seconds) < 5  # about 1 s on an idle machine; the bound leaves room for a busy one


def test_levels_and_parents():
    (p,) = lookup("凤庆县")
    assert p == Place("凤庆县", Level.COUNTY, ("云南省", "临沧市"), "530921", ("凤庆",))
    assert dataclasses.is_dataclass(p) and p.chain == ("云南省", "临沧市", "凤庆县")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]
    (t,) = [t for t in lookup("凤翔街道") if t.parents[-1] == "临翔区"]
    assert (t.level, t.parents, t.code) == (Level.TOWN, ("云南省", "临沧市", "临翔区"), None)
    # a municipality is a province; its districts hang directly under it
    (bj,) = lookup("北京市")
    assert bj.level == Level.PROVINCE
    assert lookup("东城区")[0].parents == ("北京市",)
    # rows that only group places (省直辖行政区划) are nobody's parent
    assert lookup("仙桃市")[0].parents == ("湖北省",)


def test_no_villages():
    assert all(p.level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN) for p in divisions().places)
    assert not lookup("北新村")


@pytest.mark.parametrize("short, full", [
    ("云南", "云南省"), ("宁夏", "宁夏回族自治区"), ("大理", "大理白族自治州"), ("大理州", "大理白族自治州"),
    ("平川", "平川区"), ("凤庆", "凤庆县"), ("临沧", "临沧市"),
])
def test_short_forms(short, full):
    assert full in [p.name for p in lookup(short)]


def test_one_character_stem_has_no_short_form():
    (p,) = lookup("云县")
    assert p.short == () and "云" not in divisions().by_short
    assert short_forms("云县", "云县") == ()
    # generic aliases of the data (高新区 for a named zone) are not short forms
    assert short_forms("某某稀土高新技术产业开发区", "高新区") == ()
    assert short_forms("巴音郭楞蒙古自治州", "巴州/巴音郭楞") == ("巴州", "巴音郭楞", "巴音郭楞州")


def test_find_places_with_parents():
    ms = find_places("临沧市临翔区凤翔街道办事处")
    assert [(m.text, m.place.level) for m in ms] == [("临沧市", Level.CITY), ("临翔区", Level.COUNTY),
                                                     ("凤翔街道", Level.TOWN)]
    assert ms[-1].place.parents == ("云南省", "临沧市", "临翔区")


def test_ambiguous_town_is_resolved_by_the_county_named_nearby():
    (m,) = find_places("凤山镇综治中心调处纠纷")
    assert m.place is None and len(m.candidates) > 1  # ten towns are called 凤山镇
    assert len(common_parents(list(m.candidates))) < 3
    m = find_places("凤庆县凤山镇综治中心调处纠纷")[-1]
    assert m.place.parents == ("云南省", "临沧市", "凤庆县")
    # a parent named elsewhere in the text also decides
    m = find_places("凤山镇召开会议。会议传达了凤庆县委的部署。")[0]
    assert m.place.parents[-1] == "凤庆县"


def test_everyday_words_are_not_places():
    assert find_places("坚持长治久安,建设平安中国,市委和县委高度重视,全市城区") == []
    # a county's short form counts only beside the county's full name
    assert [m.text for m in find_places("会同有关部门开展检查")] == []
    assert [m.text for m in find_places("凤庆县召开会议,凤庆各乡镇参加")] == ["凤庆县", "凤庆"]
    # a province's or a city's short form counts anywhere
    assert [m.place.name for m in find_places("法治云南建设")] == ["云南省"]


def test_one_character_stem_county_in_a_title():
    (m,) = find_places("云县人民政府关于2023年度法治政府建设情况的报告", strict=False)
    assert m.place.name == "云县" and m.place.parents == ("云南省", "临沧市")


def test_short_form_followed_by_another_suffix_is_another_place():
    """凤庆 is 凤庆县's short form, but 凤庆市 (made up) is no division: not 凤庆县."""
    assert find_places("凤庆市2023年法治政府建设年度报告", strict=False) == []
    assert [m.place.name for m in find_places("凤庆县2023年", strict=False)] == ["凤庆县"]
