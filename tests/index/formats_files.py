"""Real report files of every supported format, written from a plain-text report (for the format tests).

Each builder takes a report as plain text (one paragraph per line, the first line its title) and returns the
bytes of a file a person could have downloaded: a government-style web page with navigation, an 索引号 table,
share buttons and a footer; a PDF set in a CJK font with wrapped, indented paragraphs, page numbers and several
pages; a Word .docx with headings, paragraphs and a table. Nothing here is read by the code under test.
"""
from __future__ import annotations

import html
import io
import re

_HEADING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
CJK_FONT = "STSong-Light"  # ReportLab's built-in Adobe CID font: Chinese text extracts as Unicode


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def is_row(line: str) -> bool:
    return line.startswith("|")


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def to_plain(text: str) -> str:
    """The report as a plain-text file has it: a table row ``| a | b |`` is the line ``a b``."""
    return "\n".join(" ".join(cells(ln)) if is_row(ln) else ln for ln in paragraphs(text)) + "\n"


def has_title(lines: list[str]) -> bool:
    """Whether the first line is a title (short, not a sentence) to set as one."""
    return len(lines[0]) <= 40 and not lines[0].endswith(("。", "；"))


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line)) and len(line) <= 40 and not line.endswith("。")


def to_html(text: str, *, published: str | None = "2024-01-20", site: str = "某某市人民政府网") -> bytes:
    """A saved government web page: nav bar, breadcrumb, 索引号 table, title, info line, the report, share
    buttons, related links and a footer. ``published``: the date in the page's meta and info line (None: no
    date anywhere on the page). A report whose first line is no title gets none on the page either."""
    lines = paragraphs(text)
    title, body = (lines[0], lines[1:]) if has_title(lines) else ("", lines)
    parts: list[str] = []
    for line in body:
        if is_row(line):
            row = "".join(f"<td>{html.escape(c)}</td>" for c in cells(line))
            if parts and parts[-1].endswith("</table>"):
                parts[-1] = parts[-1][:-len("</table>")] + f"<tr>{row}</tr></table>"
            else:
                parts.append(f"<table><tr>{row}</tr></table>")
            continue
        tag = "h3" if _is_heading(line) else "p"
        parts.append(f"<{tag}>{html.escape(line)}</{tag}>")
    esc = html.escape(title)
    head = f'<meta name="ArticleTitle" content="{esc}">\n<meta property="og:title" content="{esc}">' if title else ""
    if published:
        head += f'\n<meta name="PubDate" content="{published} 09:30">'
    info = f"发布时间：{published} 09:30　" if published else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{esc + "_" if esc else ""}{site}</title>
{head}
</head><body>
<div class="header"><div class="logo">{site}</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxx/">走进本市</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 法治政府建设</div>
<table class="xxgk"><tr><td>索引号：</td><td>11430000MB1234567X/2024-00012</td><td>分类：</td><td>法治政府建设</td></tr>
<tr><td>发布机构：</td><td>市司法局</td><td>发文日期：</td><td>{published or ""}</td></tr>
<tr><td>名称：</td><td>{esc}</td><td>文号：</td><td></td></tr></table>
<div class="article">
{f'<h1 class="title">{esc}</h1>' if esc else ""}
<div class="info">{info}来源：市司法局　浏览次数：1024</div>
<div class="content" id="zoom">
{chr(10).join(parts)}
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="tools">【打印本页】【关闭窗口】</div>
<div class="qrcode">扫一扫在手机打开当前页</div>
</div>
<div class="related"><h4>相关文章</h4><ul><li><a href="/a1">关于开展“八五”普法验收工作的通知</a></li>
<li><a href="/a2">市人民政府办公室关于印发年度工作要点的通知</a></li></ul></div>
<div class="footer"><p>主办单位：某某市人民政府办公室　承办单位：某某市大数据中心</p>
<p>版权所有：某某市人民政府　网站标识码：4300000001　ICP备12345678号</p></div>
</body></html>""".encode()


_NO_LINE_START = "。，、；：？！）》」』”’%"  # closing punctuation hangs at the end of a line, as Word sets Chinese


def _wrap(line: str, width: float, first_indent: float, size: float, font: str = CJK_FONT,
          spacing: float = 0.0) -> list[tuple[float, str]]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out: list[tuple[float, str]] = []
    indent, cur = first_indent, ""
    for ch in line:
        if stringWidth(cur + ch, font, size) + spacing * len(cur) > width - indent and ch not in _NO_LINE_START:
            out.append((indent, cur))
            indent, cur = 0.0, ""
        cur += ch
    out.append((indent, cur))
    return out


def _register(ttf: str | None) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if ttf is None:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        return CJK_FONT
    pdfmetrics.registerFont(TTFont("ReportTTF", ttf, subfontIndex=0))
    return "ReportTTF"


def _draw(c, x: float, y: float, seg: str, font: str, size: float, spacing: float) -> None:
    """``seg`` at (x, y): in one piece, or glyph by glyph ``spacing`` points apart (as letter-spaced or justified
    Chinese comes out of many PDF writers)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if not spacing:
        c.drawString(x, y, seg)
        return
    for ch in seg:
        c.drawString(x, y, ch)
        x += stringWidth(ch, font, size) + spacing


def to_pdf(text: str, *, size: float = 12, lines_per_page: int = 34, title_meta: bool = True,
           ttf: str | None = None, spacing: float = 0.0) -> bytes:
    """An A4 PDF in a CJK font: a centred title, paragraphs indented by two characters and wrapped at the
    margin, table rows as cells in columns, a page number at the foot of each page. ``ttf``: embed this
    TrueType font (a subset, as word processors do) instead of ReportLab's built-in CID font; ``spacing``: draw
    the body glyph by glyph, this many points apart."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _register(ttf)
    buf = io.BytesIO()
    w, h = A4
    c = canvas.Canvas(buf, pagesize=A4)
    lines = paragraphs(text)
    if title_meta and has_title(lines):
        c.setTitle(lines[0])
    left, right, top, leading = 72.0, 72.0, h - 72.0, size * 1.6
    titled = has_title(lines)
    drawn: list[list[tuple[float, str, bool]]] = [[(w / 2, lines[0], True)]] if titled else []  # (x, text, centred)
    for line in lines[1 if titled else 0:]:
        if is_row(line):
            drawn.append([(left + k * 12 * size, cell, False) for k, cell in enumerate(cells(line))])
        else:
            drawn += [[(left + ind, seg, False)]
                      for ind, seg in _wrap(line, w - left - right, 2 * size, size, font, spacing)]
    for page, i in enumerate(range(0, len(drawn), lines_per_page), start=1):
        c.setFont(font, size)
        for j, segments in enumerate(drawn[i:i + lines_per_page]):
            for x, seg, centred in segments:
                if centred:
                    c.drawCentredString(x, top - j * leading, seg)
                else:
                    _draw(c, x, top - j * leading, seg, font, size, spacing)
        c.setFont(font, 9)
        c.drawCentredString(w / 2, 40, f"— {page} —")
        c.showPage()
    c.save()
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A one-page PDF whose only content is a picture (a scanned page): no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = _tiny_png()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(png)), 72, 400, width=400, height=300)
    c.showPage()
    c.save()
    return buf.getvalue()


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([(x * 7 + y * 3) % 256 for x in range(16)]) for y in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def to_docx(text: str) -> bytes:
    """A Word document: the title as a Title paragraph, 一、 headings as Heading 1, （一） as Heading 2, table rows
    as a table, the rest as body paragraphs."""
    from docx import Document

    lines = paragraphs(text)
    doc = Document()
    titled = has_title(lines)
    if titled:
        doc.core_properties.title = lines[0]
        doc.add_heading(lines[0], level=0)
    table: list[list[str]] = []
    for line in lines[1 if titled else 0:]:
        if is_row(line):
            table.append(cells(line))
            continue
        if table:
            _add_table(doc, table)
            table = []
        if _is_heading(line):
            doc.add_heading(line, level=1 if not line.startswith(("（", "(")) else 2)
        else:
            doc.add_paragraph(line)
    if table:
        _add_table(doc, table)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _add_table(doc, rows: list[list[str]]) -> None:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            table.cell(r, k).text = cell


# A made-up county report (桐溪县 and every figure are invented), with a table (rows as ``| a | b |``).
TONGXI_REPORT = """桐溪县2024年法治政府建设情况报告
2024年，在市委、市政府的坚强领导下，我县坚持以习近平法治思想为指导，全面推进法治政府建设，各项工作取得明显成效。现将有关情况报告如下。
一、2024年法治政府建设主要举措和成效
（一）加强组织领导。县委书记陈沐川主持召开县委全面依法治县委员会会议4次，县长许青禾主持召开县政府常务会议专题研究法治政府建设7次，研究解决重大问题18个。
（二）深化行政复议体制改革。全县共收到行政复议申请526件，受理498件，审结471件；经审理，撤销、变更、确认违法等纠错59件，纠错率为12.6%，行政复议决定履行率达100%。县行政复议局全年开展案前调解143次，调解成功率为61.5%。
| 指标 | 2024年 |
| 收到行政复议申请 | 526件 |
| 行政复议纠错率 | 12.6% |
（三）规范行政应诉。全县行政机关作为被告的一审行政诉讼案件176件，行政机关负责人出庭应诉172件，出庭应诉率为97.7%，败诉案件6件，败诉率为3.4%，较上年下降1.9个百分点。
（四）严格规范公正文明执法。制定《桐溪县行政执法监督办法》，组织开展行政执法案卷评查两轮，共评查案卷936卷，评出优秀案卷214卷。全县持证行政执法人员1968人，全年组织执法人员法律知识培训21期。
（五）推进普法依法治理。深入实施“八五”普法规划，开展“桐法护苗”“法治赶集·桐溪行”等主题活动438场次，培养“法律明白人”5120名，建成县级法治文化公园2个、村级法治广场87个。
（六）优化公共法律服务。全县建成村（社区）公共法律服务工作室203个，全年办理法律援助案件1286件，为困难群众挽回经济损失3150万元；人民调解组织调处矛盾纠纷4652件，调解成功率98.3%。
二、存在的问题和不足
一是部分乡镇法治力量不足，执法人员专业化水平有待提高；二是行政复议案前调解的覆盖面还不够广；三是法治宣传的针对性和实效性有待增强。
三、2025年工作打算
（一）持续深化行政复议体制改革，推动行政复议成为化解行政争议的主渠道。
（二）全面推行行政执法“三项制度”，力争年内完成全部执法部门执法数据网上归集。
（三）深化“法律明白人”培养工程，计划新培养“法律明白人”800名。
桐溪县人民政府
2025年2月12日
"""


# ---------------------------------------------------------------------------------------------- legacy Word .doc
# A minimal Word 97 binary document, as the format's specification lays it out: a compound file (CFB v3, 512-byte
# sectors) holding the WordDocument stream (the FIB, then the text in UTF-16LE, one paragraph per \r) and the
# 1Table stream (the piece table: one uncompressed piece covering the whole text).
_SECTOR = 512
_END, _FREE, _FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _padded(data: bytes, size: int = _SECTOR) -> bytes:
    return data + b"\0" * (-len(data) % size)


def _word_streams(text: str) -> tuple[bytes, bytes]:
    import struct

    body = "\r".join(paragraphs(text)) + "\r"
    ccp, fc_text = len(body), 0x800  # the text starts 2048 bytes into WordDocument, after the FIB
    fib = bytearray(fc_text)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0x6027, 0x0804, 0)  # wIdent, nFib (Word 97), product, lid
    struct.pack_into("<H", fib, 0x0A, 0x0200)  # fWhichTblStm: the piece table is in 1Table
    struct.pack_into("<HH", fib, 0x0C, 0x00BF, 0)  # nFibBack, lKey
    struct.pack_into("<II", fib, 0x18, fc_text, fc_text + 2 * ccp)  # fcMin, fcMac
    struct.pack_into("<H", fib, 0x20, 14)  # csw
    struct.pack_into("<H", fib, 0x3E, 22)  # clw
    struct.pack_into("<I", fib, 0x4C, ccp)  # ccpText
    struct.pack_into("<H", fib, 0x98, 93)  # cbRgFcLcb
    pieces = struct.pack("<II", 0, ccp) + struct.pack("<HIH", 0, fc_text, 0)  # CPs, then one PCD (fc: UTF-16)
    clx = b"\x02" + struct.pack("<I", len(pieces)) + pieces
    # an empty style sheet: cbStshi 18, no styles (cstd 0), cbSTDBaseInFile 10, standard fonts 0
    stsh = struct.pack("<HHH", 18, 0, 10) + b"\0" * 16
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))  # fcClx, lcbClx
    struct.pack_into("<II", fib, 0xA2, len(clx), len(stsh))  # fcStshf, lcbStshf
    return _padded(bytes(fib) + body.encode("utf-16-le"), 4096), _padded(clx + stsh, 4096)


def _dir_entry(name: str, kind: int, start: int, size: int, child: int = _FREE, right: int = _FREE) -> bytes:
    import struct

    e = bytearray(128)
    raw = name.encode("utf-16-le") + b"\0\0" if name else b""
    e[:len(raw)] = raw
    struct.pack_into("<HBB", e, 64, len(raw), kind, 1)  # name length, type, black
    struct.pack_into("<III", e, 68, _FREE, right, child)
    struct.pack_into("<II", e, 116, start, size)
    return bytes(e)


def _compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A CFB v3 file with ``streams`` (each at least 4096 bytes, so no mini stream holds them) and a one-sector
    mini stream for the root, as readers expect one."""
    import struct

    sectors: list[bytes] = []
    chains: list[tuple[str, int, int, int]] = []  # name, first sector, sectors, size
    for name, data in streams:
        chains.append((name, len(sectors), len(data) // _SECTOR, len(data)))
        sectors += [data[i:i + _SECTOR] for i in range(0, len(data), _SECTOR)]
    mini, minifat = len(sectors), len(sectors) + 1
    sectors += [b"\0" * _SECTOR, struct.pack("<I", _END) + b"\xff" * (_SECTOR - 4)]
    directory, fat_at = len(sectors), len(sectors) + 1
    fat = [_FREE] * (_SECTOR // 4)
    for _, first, n, _ in chains:
        for i in range(n):
            fat[first + i] = first + i + 1 if i < n - 1 else _END
    fat[mini] = fat[minifat] = fat[directory] = _END
    fat[fat_at] = _FATSECT
    entries = [_dir_entry("Root Entry", 5, mini, 64, child=1)]
    entries += [_dir_entry(name, 2, first, size, right=i + 2 if i + 1 < len(chains) else _FREE)
                for i, (name, first, _, size) in enumerate(chains)]
    entries += [_dir_entry("", 0, 0, 0)] * (_SECTOR // 128 - len(entries))
    header = bytearray(_SECTOR)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)  # minor, major, byte order, shifts
    struct.pack_into("<III", header, 0x2C, 1, directory, 0)  # FAT sectors, first directory sector, signature
    struct.pack_into("<IIIII", header, 0x38, 4096, minifat, 1, _END, 0)  # mini cutoff, mini FAT, DIFAT
    struct.pack_into("<109I", header, 0x4C, fat_at, *([_FREE] * 108))
    return bytes(header) + b"".join(sectors) + b"".join(entries) + struct.pack("<128I", *fat)


def to_doc(text: str) -> bytes:
    """The report as a legacy Word 97 .doc (plain paragraphs; table rows as ``a b`` lines)."""
    doc, table = _word_streams(to_plain(text))
    return _compound_file([("WordDocument", doc), ("1Table", table)])
