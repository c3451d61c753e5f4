"""Saved web pages (.html, .htm): the page's main content, without navigation, 索引号 tables, share buttons or
footers (trafilatura), headings and paragraphs one per line; title and publication date from the page's meta.

The title, when the main content does not repeat it, is put back as the first line: a report's title line is
where its region and year are read from.
"""
from __future__ import annotations

import re

from index.formats.base import Extracted, ExtractOptions, refuse
from index.formats.text import decode_text, require_chinese, to_simplified

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def _decode_page(data: bytes, name: str) -> tuple[str, str]:
    """The page's text, in the charset its <meta> declares when that decodes it, else as any text file."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = "gb18030" if enc in ("gbk", "gb2312") else enc
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)


def _date(value: str | None) -> str | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    return m.group(0) if m else None


def _row(line: str) -> str | None:
    """A markdown table row ``| a | b |`` as ``a b`` (None for a ``|---|`` rule); other lines unchanged."""
    if not line.startswith("|"):
        return line
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
        return None
    return " ".join(c for c in cells if c)


def _headings(page: str) -> set[str]:
    """The texts of the page's <h1>/<h2> headings."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return set()
    return {" ".join(h.text_content().split()) for h in tree.iter("h1", "h2")}


def _main_text(page: str) -> str:
    import trafilatura

    body = trafilatura.extract(page, output_format="markdown", include_tables=True, include_formatting=False,
                               include_comments=False, include_links=False, include_images=False,
                               favor_recall=True, deduplicate=False) or ""
    lines = (_row(ln.strip()) for ln in body.splitlines())
    return "\n".join(ln for ln in lines if ln)


def read_html(data: bytes, name: str, options: ExtractOptions) -> Extracted:
    import trafilatura

    page, enc = _decode_page(data, name)
    text = _main_text(page)
    if not text:
        raise refuse(name, "web page without any main text (nothing but navigation or an empty page)")
    meta = trafilatura.extract_metadata(page)
    title = ((meta.title if meta else None) or "").strip() or None
    if title and title not in text[:300] and title in _headings(page):
        text = title + "\n" + text  # the page shows it as its heading; the extractor kept it as metadata only
    require_chinese(text, name)
    if options.to_simplified:
        text, title = to_simplified(text), title and to_simplified(title)
    return Extracted(text=text, format="html", media_type="text/html", title=title,
                     published=_date(meta.date if meta else None), encoding=enc)
