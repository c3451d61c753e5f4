"""index.loader: decoding report bytes (UTF-8/BOM, UTF-16 BOM, GBK, GB18030) and refusing non-reports."""
from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pytest

from index.ingest import document_from_bytes, load_document
from index.loader import ReportError, decode_report, read_report

SEED_000 = next((Path(__file__).resolve().parents[2] / "seeds").glob("000_*.txt"))

REPORT = (
    "青禾县人民政府关于2022年度法治政府建设情况的报告\n"
    "2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,扎实推进法治政府建设。\n"
    "全县共收到行政复议申请96件,纠错率为14.1%;“送法下乡”活动126场,发放宣传资料3.5万份。\n"
    "青禾县人民政府\n"
    "2023年3月10日\n"
)
# Characters outside GBK that GB18030 encodes (CJK extension A/B, rare place-name characters).
GB18030_ONLY = "㐀䶵𠀀"


def _png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_gbk_file(tmp_path):
    data = REPORT.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test really exercises the fallback
    p = _write(tmp_path, "gbk_report.txt", data)
    assert read_report(p) == REPORT
    doc = load_document(p)
    assert doc.meta.region == "青禾县" and doc.meta.year == 2022
    assert "纠错率为14.1%" in doc.clean_text


def test_gb18030_file(tmp_path):
    text = REPORT.replace("送法下乡", f"送法下乡{GB18030_ONLY}")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    data = text.encode("gb18030")
    assert read_report(_write(tmp_path, "gb18030_report.txt", data)) == text


def test_real_seed_reencoded_as_gbk(tmp_path):
    text = SEED_000.read_text(encoding="utf-8")
    p = _write(tmp_path, SEED_000.name, text.encode("gbk"))
    assert read_report(p) == text
    assert load_document(p).clean_text == load_document(SEED_000).clean_text


def test_utf8_with_bom(tmp_path):
    p = _write(tmp_path, "bom.txt", REPORT.encode("utf-8-sig"))
    text = read_report(p)
    assert text == REPORT and not text.startswith("\ufeff")
    assert load_document(p).clean_text.startswith("青禾县人民政府关于")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    data = REPORT.encode(codec)
    if codec != "utf-16":  # the explicit-endian codecs write no BOM: add it
        data = ("\ufeff" + REPORT).encode(codec)
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = read_report(_write(tmp_path, f"{codec}.txt", data))
    assert text.lstrip("\ufeff") == REPORT
    assert load_document(tmp_path / f"{codec}.txt").clean_text.split("\n")[0] == REPORT.split("\n")[0]


def test_bytes_api_decodes_like_files():
    for enc in ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"):
        doc = document_from_bytes(REPORT.encode(enc), "上传 报告(1).txt")
        assert doc.meta.region == "青禾县", enc
        assert doc.doc_id == "上传_报告_1"


def _expect_rejected(tmp_path: Path, name: str, data: bytes, words: tuple[str, ...]) -> ReportError:
    p = _write(tmp_path, name, data)
    with pytest.raises(ReportError) as ei:
        read_report(p)
    msg = str(ei.value)
    assert name in msg, msg
    assert any(w in msg for w in words), msg
    # the same error surfaces through ingestion
    with pytest.raises(ReportError, match=name.replace(".", r"\.")):
        load_document(p)
    return ei.value


def test_png_rejected(tmp_path):
    _expect_rejected(tmp_path, "figure.png.txt", _png_bytes(), ("binary",))


def test_random_bytes_with_nuls_rejected(tmp_path):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096)) + b"\x00\x00"
    _expect_rejected(tmp_path, "noise.txt", data, ("binary",))


def test_random_bytes_without_nuls_rejected(tmp_path):
    rng = random.Random(11)
    data = bytes(rng.randrange(1, 256) for _ in range(4096))
    _expect_rejected(tmp_path, "noise2.txt", data, ("binary", "not valid", "no Chinese"))


def test_gbk_text_with_binary_tail_rejected(tmp_path):
    data = REPORT.encode("gbk") + bytes(range(1, 32)) * 20
    _expect_rejected(tmp_path, "tail.txt", data, ("binary",))


@pytest.mark.parametrize("data", [b"", b"   \n\t \r\n  ", b"\n\n\n"], ids=["empty", "whitespace", "newlines"])
def test_empty_rejected(tmp_path, data):
    _expect_rejected(tmp_path, "blank.txt", data, ("empty",))


@pytest.mark.parametrize("data", ["\ufeff  \n ".encode("utf-8"), "\ufeff \n".encode("utf-16")],
                         ids=["utf8-bom", "utf16-bom"])
def test_bom_only_rejected(tmp_path, data):
    _expect_rejected(tmp_path, "bom_only.txt", data, ("empty", "no Chinese"))


def test_english_text_rejected(tmp_path):
    _expect_rejected(tmp_path, "english.txt", b"Annual report on the rule of law.\n" * 5, ("no Chinese",))


def test_boilerplate_only_page_rejected(tmp_path):
    page = "当前位置: 首页 > 政务公开\n来源:县政府办公室 发布时间:2022-03-25 11:19\n扫一扫在手机打开当前页\n"
    p = _write(tmp_path, "nav_only.txt", page.encode("utf-8"))
    with pytest.raises(ReportError, match="nav_only.txt.*no report text"):
        load_document(p)


def test_missing_file(tmp_path):
    p = tmp_path / "does_not_exist.txt"
    with pytest.raises(ReportError, match="does_not_exist.txt.*no such file"):
        read_report(p)
    with pytest.raises(ReportError, match="does_not_exist.txt"):
        load_document(p)


def test_directory_is_not_a_report(tmp_path):
    with pytest.raises(ReportError, match="no such file"):
        read_report(tmp_path)


def test_decode_names_the_input():
    with pytest.raises(ReportError, match="^upload.bin: "):
        decode_report(b"\x00\x01\x02binary", "upload.bin")


def test_too_large_rejected():
    from index.loader import MAX_REPORT_BYTES

    with pytest.raises(ReportError, match="^huge.txt: .*more than"):
        decode_report(REPORT.encode("utf-8") * (MAX_REPORT_BYTES // len(REPORT.encode("utf-8")) + 1), "huge.txt")
