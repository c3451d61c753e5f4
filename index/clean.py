"""Strip web boilerplate from a scraped report while keeping every line of report text.

The cleaned text is the reference for all character offsets. Metadata that the web page carried in
boilerplate (pipe-table rows such as ``索引号: | … |``, ``来源:… 发布时间:…`` lines) is returned
separately so that metadata detection can use it; the fields a reader may ask about (文号, 发布机构, 发布日期 …)
come back after the body as lines of their own (:func:`page_info`), so an answer taken from them is cited like
any other text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Whole-line boilerplate, matched against a stripped line.
_DROP_PATTERNS = [
    r"^(当前位置|您的位置|您当前的位置|你的位置|当前的位置|所在位置)\s*[:：].*",
    r"^首页\s*[>›»/].*",
    r".*扫一扫在手机(上)?(打开|查看|浏览)(当前|本)页.*",
    r"^(【?(打印本页|打印|关闭窗口|关闭|收藏|返回顶部|分享到)】?[\s|]*)+$",
    r"^(上一篇|下一篇|相关链接|相关文章|附件下载)\s*[:：].*",
    r".*(版权所有|ICP备|网站标识码|主办单位\s*[:：]|承办单位\s*[:：]).*",
    r"^【?字体\s*[:：]?\s*[大中小\s]+】?$",
]
_DROP = [re.compile(p) for p in _DROP_PATTERNS]
# "来源:县政府办公室 发布时间:2022-03-25 11:19 浏览次数:1" and similar page-info lines.
_INFO_KEYS = (r"(来源|发布时间|发布日期|浏览次数|点击数|点击次数|点击量|阅读次数|阅读量|访问量|作者|信息来源|"
              r"发布者|字号)")
_INFO_LINE = re.compile(rf"^(\s*{_INFO_KEYS}\s*[:：][^\n]*){{1,}}$")
_INFO_FIELD = re.compile(rf"{_INFO_KEYS}\s*[:：]\s*(.*?)(?=\s+{_INFO_KEYS}\s*[:：]|$)")
_MAX_INFO_LINE = 120
# the page fields kept after the body, in this order (what a reader asks of the report itself: its number, issuer,
# dates, source); others (索引号, 分类, 有效性, 浏览次数) are page furniture
# the fields naming who published it (read by qa/answer/registry.py for 这份报告是哪个部门发布的)
PAGE_ISSUER_KEYS = ("发布机构", "发文机关", "信息来源", "来源")
_PAGE_INFO_KEYS = PAGE_ISSUER_KEYS + ("文号", "发文字号", "成文日期", "发文日期", "发布日期", "发布时间")
_PAGE_INFO_MAX = 40  # a field value longer than this is no single number, body or date: not kept


@dataclass
class CleanResult:
    text: str
    fields: dict[str, str] = field(default_factory=dict)  # page metadata: 名称, 发布机构, 成文日期, 来源 …
    dropped: list[str] = field(default_factory=list)


def _parse_pipe_row(line: str, fields: dict[str, str]) -> None:
    """``索引号: | K123 | 分类: | 综合 | ||`` -> {"索引号": "K123", "分类": "综合"}."""
    cells = [c.strip() for c in line.split("|")]
    key: str | None = None
    for cell in cells:
        if not cell:
            continue
        m = re.fullmatch(r"(.{1,12}?)\s*[:：]\s*(.*)", cell)
        if m and not m.group(2):
            key = m.group(1).strip()
        elif m and len(m.group(1)) <= 8:
            fields.setdefault(m.group(1).strip(), m.group(2).strip())
            key = None
        elif key:
            fields.setdefault(key, cell)
            key = None


def _is_pipe_row(line: str) -> bool:
    if line.count("|") < 1:
        return False
    cells = [c.strip() for c in line.split("|")]
    has_key = any(re.fullmatch(r".{1,12}?\s*[:：].*", c) for c in cells if c)
    longest = max((len(c) for c in cells), default=0)
    return has_key and longest <= 80 and not re.search(r"[。；！？]", line)


def clean_report(raw: str) -> CleanResult:
    """Return the report's text without web boilerplate, one paragraph per line."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    fields: dict[str, str] = {}
    kept: list[str] = []
    dropped: list[str] = []
    for line in text.split("\n"):
        s = line.replace("\u3000", " ").replace("\xa0", " ").strip()
        if not s:
            continue
        if _is_pipe_row(s):
            _parse_pipe_row(s, fields)
            dropped.append(s)
            continue
        if len(s) <= _MAX_INFO_LINE and _INFO_LINE.match(s):
            for m in _INFO_FIELD.finditer(s):
                fields.setdefault(m.group(1), m.group(2).strip())
            dropped.append(s)
            continue
        if any(p.match(s) for p in _DROP):
            dropped.append(s)
            continue
        kept.append(s)
    return CleanResult(text="\n".join(_unwrap(kept)), fields=fields, dropped=dropped)


def page_info(fields: dict[str, str]) -> str:
    """The page fields a reader may ask about, one ``key:value`` line each, to follow the body ("" if none):
    {"文号": "青政〔2024〕3号", "发布日期": "2024-02-02"} -> "\\n文号:青政〔2024〕3号\\n发布日期:2024-02-02"."""
    lines = []
    for key in _PAGE_INFO_KEYS:
        value = " ".join(fields.get(key, "").split())
        if value and len(value) <= _PAGE_INFO_MAX and f"{key}:{value}" not in lines:
            lines.append(f"{key}:{value}")
    return "".join("\n" + line for line in lines)


_HEADING_START = re.compile(r"^([一二三四五六七八九十百]+[、.．是]|[（(][一二三四五六七八九十\d]+[)）]|"
                            r"\d{1,2}[.、．](?!\d)|第[一二三四五六七八九十]+[章节部分条])")
_ENDS_SENTENCE = re.compile(r"[。！？；：:!?;”」』)）…]$")
_WRAP_MIN = 25


def _unwrap(lines: list[str]) -> list[str]:
    """Join lines that a hard wrap cut mid-sentence (text copied from PDFs): a long line that does not end a
    sentence, followed by a line that does not start a heading, continues on that line."""
    out: list[str] = []
    for line in lines:
        if out:
            prev = out[-1]
            if len(prev) >= _WRAP_MIN and not _ENDS_SENTENCE.search(prev) and not _HEADING_START.match(prev) \
                    and "报告" not in prev[-6:] and not _HEADING_START.match(line):
                out[-1] = prev + line
                continue
        out.append(line)
    return out
