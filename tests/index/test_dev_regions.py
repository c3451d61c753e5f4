"""Region detection on the development set of real reports (``../shared/dev``), when it is present.

The reports are read from ``../shared/dev/reports`` and never copied here. The names below are the expected
outputs — the reporting body's place as ``SOURCES.md`` gives it, in its full official form — not rules.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import load_document

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "dev"

EXPECTED = {
    "d01": "山东省", "d02": "浙江省", "d03": "广东省", "d04": "黑龙江省", "d05": "陕西省", "d06": "山西省",
    "d07": "新疆维吾尔自治区", "d08": "四川省", "d09": "四川省", "d10": "山东省", "d11": "广东省", "d12": "湖南省",
    "d13": "浙江省", "d14": "贵州省", "d15": "天津市", "d16": "重庆市", "d17": "石家庄市", "d18": "桂林市",
    "d19": "淮安市", "d20": "鹤岗市", "d21": "安庆市", "d22": "黔西南布依族苗族自治州", "d23": "海西蒙古族藏族自治州",
    "d24": "三亚市", "d25": "周口市", "d26": "长春市", "d27": "白城市", "d28": "厦门市", "d29": "大连市",
    "d30": "洛阳市", "d31": "乌鲁木齐市", "d32": "南宁市", "d33": "广元市", "d34": "青岛市", "d35": "莆田市",
    "d36": "宁波市", "d37": "厦门市", "d38": "通城县", "d39": "潼关县", "d40": "锡山区", "d41": "市中区",
    "d42": "铜梁区", "d43": "龙华区", "d44": "兰州新区", "d45": "天津经济技术开发区", "d46": "西咸新区",
    "d47": "下陆区", "d48": "嘉善县", "d49": "赵县", "d50": "浮梁县", "d51": "弋阳县", "d52": "高台县",
    "d53": "长葛市", "d54": "房县", "d55": "下太镇", "d56": "坡子街街道", "d57": "北城街街道", "d58": "栗子乡",
    "d59": "中长街道", "d60": "宜城街道",
}

pytestmark = pytest.mark.skipif(not (DEV / "reports").is_dir(), reason="../shared/dev is not present")


def test_region_of_each_dev_report():
    got = {k: load_document(DEV / "reports" / f"{k}.txt").meta for k in EXPECTED}
    misses = {k: (EXPECTED[k], m.region) for k, m in got.items() if m.region != EXPECTED[k]}
    right = len(EXPECTED) - len(misses)
    print(f"\nregion right for {right} of {len(EXPECTED)} dev reports")
    for k, (want, have) in sorted(misses.items()):
        print(f"  {k}: expected {want}, detected {have}")
    assert right >= 58, misses
