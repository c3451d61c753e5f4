"""PDF reports: the text layer (PDFium, via pypdfium2), line by line in reading order, rebuilt into paragraphs.

A line continues the paragraph above it when that line ran to the right margin, this one is not indented
(Chinese reports indent each paragraph's first line by two characters) and does not open a heading (一、, （二）,
3.); page numbers (``— 3 —``, ``第3页``) are dropped. Spaces PDFium infers from gaps between glyphs (justified or
letter-spaced Chinese: ``审 结 3 8 9 件``) are dropped unless they part two Latin letters. Each page's start
offset in the text is kept so that a citation can name its page. A PDF without a text layer (a scan) is refused:
there is no OCR.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.formats.base import MAX_PDF_PAGES, Extracted, ExtractOptions, ReportLimitError, refuse
from index.formats.text import require_chinese, to_simplified

_HEADING_START = re.compile(r"^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|"
                            r"\d{1,2}[.、．](?!\d)|第[一二三四五六七八九十]+[章节部分条])")
_RAGGED = 2.5  # a wrapped line may end this many characters short of the margin (wide glyphs left for the next)
_GAP = "\x00"  # a space PDFium inferred from a gap between glyphs
_PAGE_NUMBER = re.compile(r"^[\s\-—–_·•]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*共?\s*\d{1,4}\s*页?)?[\s\-—–_·•]*$")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    size: float


def _gaps(chars: list[tuple[str, float, float, float]]) -> str:
    """The line's text; an inferred space stays where it parts two Latin letters or spans a character's width
    or more (table columns, tab stops), else it is dropped (letter-spaced or justified Chinese)."""
    out = []
    for k, (ch, _left, _right, size) in enumerate(chars):
        if ch != _GAP:
            out.append(ch)
            continue
        prev, nxt = chars[k - 1] if k else None, chars[k + 1] if k + 1 < len(chars) else None
        if prev is None or nxt is None:
            continue
        wide = nxt[1] - prev[2] >= 0.9 * size
        latin = prev[0].isascii() and prev[0].isalpha() and nxt[0].isascii() and nxt[0].isalpha()
        if wide or latin:
            out.append(" ")
    return "".join(out)


def _line(chars: list[tuple[str, float, float, float]]) -> _Line | None:
    """One line from its characters (text, left, right, font size); None for a page number or a blank line."""
    text = _gaps(chars).strip()
    boxed = [c for c in chars if c[0].strip() and c[0] != _GAP]
    if not text or not boxed or _PAGE_NUMBER.match(text):
        return None
    sizes = sorted(c[3] for c in boxed)
    return _Line(text, min(c[1] for c in boxed), max(c[2] for c in boxed), sizes[len(sizes) // 2] or 10.0)


def _lines(textpage) -> list[_Line]:
    """The page's lines in PDFium's reading order (it breaks lines where the text moves to a new line)."""
    import pypdfium2.raw as pdfium_c

    out: list[_Line | None] = []
    chars: list[tuple[str, float, float, float]] = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if ch in ("\r", "\n", "\r\n", ""):
            if ch and chars:
                out.append(_line(chars))
                chars = []
            continue
        if ch == " " and pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
            ch = _GAP  # inferred from a gap: kept only between two Latin letters (see _line)
        left, _bottom, right, _top = textpage.get_charbox(i)
        chars.append((ch, left, right, float(pdfium_c.FPDFText_GetFontSize(textpage.raw, i))))
    if chars:
        out.append(_line(chars))
    return [ln for ln in out if ln is not None]


class _Paragraphs:
    """Joins wrapped lines into paragraphs across pages; records where each page starts."""

    def __init__(self) -> None:
        self.paras: list[str] = []
        self.page_starts: list[int] = []
        self.prev: _Line | None = None
        self.prev_right = 0.0

    def _length(self) -> int:
        return sum(len(p) + 1 for p in self.paras)

    def add_page(self, lines: list[_Line]) -> None:
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=0.0)
        if not lines:
            self.page_starts.append(self._length())
        for i, ln in enumerate(lines):
            prev = self.prev
            cont = bool(self.paras) and prev is not None and prev.x1 >= self.prev_right - _RAGGED * prev.size \
                and ln.x0 <= left + 0.8 * ln.size and abs(ln.size - prev.size) < 0.5 \
                and not _HEADING_START.match(ln.text)
            if i == 0:
                self.page_starts.append(self._length() - 1 if cont else self._length())
            if cont:
                self.paras[-1] += ln.text
            else:
                self.paras.append(ln.text)
            self.prev, self.prev_right = ln, right

    def result(self) -> tuple[str, list[int]]:
        text = "\n".join(self.paras)
        return text, [min(max(s, 0), len(text)) for s in self.page_starts]


def _open(data: bytes, name: str):
    import pypdfium2 as pdfium

    if b"%%EOF" not in data[-2048:]:
        raise refuse(name, "corrupt or truncated PDF (no %%EOF end marker): download the file again")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise refuse(name, "encrypted PDF (password protected): cannot read its text") from None
        raise refuse(name, f"corrupt PDF ({e})") from None


def _simplified_pages(text: str, starts: list[int]) -> tuple[str, list[int]]:
    """``text`` in simplified characters, converted page by page so that page starts stay exact."""
    bounds = [*starts, len(text)]
    pieces = [to_simplified(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    new_starts = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
    return text[:bounds[0]] + "".join(pieces), [s + bounds[0] for s in new_starts]


def read_pdf(data: bytes, name: str, options: ExtractOptions) -> Extracted:
    paras = _Paragraphs()
    pdf = _open(data, name)
    try:
        if len(pdf) > MAX_PDF_PAGES:
            raise ReportLimitError(f"{name}: the PDF has {len(pdf)} pages, more than the {MAX_PDF_PAGES} allowed "
                                   "(page limit)")
        for page in pdf:
            paras.add_page(_lines(page.get_textpage()))
        meta = pdf.get_metadata_dict()
        n_pages = len(pdf)
    finally:
        pdf.close()
    text, starts = paras.result()
    if not text.strip():
        raise refuse(name, f"PDF has no text layer ({n_pages} page(s) of images, a scan?); OCR is not supported")
    require_chinese(text, name)
    title = str(meta.get("Title") or "").strip()
    title = title if re.search(r"[\u4e00-\u9fff]", title) and not re.search(r"\.(docx?|wps|pdf)$", title) else ""
    if options.to_simplified:
        (text, starts), title = _simplified_pages(text, starts), to_simplified(title)
    # the file's creation date is not the report's publication date: only the title is taken from the metadata
    return Extracted(text=text, format="pdf", media_type="application/pdf", title=title or None,
                     page_starts=starts)
