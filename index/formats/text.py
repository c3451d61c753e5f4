"""Plain-text reports (.txt, .md) in any common Chinese encoding.

Byte-order marks decide UTF-8/16/32 outright (a UTF-16/32 file whose last code unit is cut short loses only that
unit); otherwise strict UTF-8, and then charset-normalizer chooses among the other encodings (GB18030/GBK, Big5,
UTF-16/32 without a BOM …) by how coherent each decoding reads. Traditional Chinese is converted to simplified
only when asked (:attr:`ExtractOptions.to_simplified`).
"""
from __future__ import annotations

import codecs
import re

from index.formats.base import Extracted, ExtractOptions, refuse

_BOMS = (  # longest first: the UTF-32-LE mark begins with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", 4), (codecs.BOM_UTF32_BE, "utf-32-be", 4),
    (codecs.BOM_UTF8, "utf-8", 1), (codecs.BOM_UTF16_LE, "utf-16-le", 2), (codecs.BOM_UTF16_BE, "utf-16-be", 2),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _bom_decode(data: bytes, name: str) -> tuple[str, str] | None:
    for bom, enc, unit in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            body = body[:len(body) - len(body) % unit]  # a last code unit cut short is dropped, not a crash
            try:
                return body.decode(enc), enc
            except UnicodeDecodeError as e:
                raise refuse(name, f"starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()} "
                                   f"(byte {e.start + len(bom)}): undecodable") from None
    return None


def _guess_decode(data: bytes, name: str) -> tuple[str, str]:
    has_nul = b"\x00" in data
    if not has_nul:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if has_nul and (best is None or not str(best.encoding).startswith(("utf_16", "utf_32"))):
        raise refuse(name, "binary file (contains NUL bytes), not a text report")
    if best is None or best.encoding is None:
        raise refuse(name, "undecodable: not valid UTF-8/16/32, GB18030/GBK or Big5 text (binary?)")
    if best.encoding in ("gbk", "gb2312"):  # GB18030 is their superset
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in; ReportError when it is not text."""
    decoded = _bom_decode(data, name)
    if decoded is None:
        decoded = _guess_decode(data, name)
    text, enc = decoded
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise refuse(name, f"binary file ({controls} control characters), not a text report")
    return text.replace("\ufeff", ""), enc


def to_simplified(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("t2s").convert(text))


def require_chinese(text: str, name: str) -> None:
    if not _CJK.search(text):
        raise refuse(name, "contains no Chinese text; expected a report in Chinese")


_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def _markdown_to_text(text: str) -> str:
    """A Markdown report's text: heading marks (``## 一、…``) and bold markers taken off, the words kept."""
    return _MD_EMPHASIS.sub(r"\2", _MD_HEADING.sub(r"\1", text))


def read_text(data: bytes, name: str, options: ExtractOptions) -> Extracted:
    text, enc = decode_text(data, name)
    if name.lower().endswith(".md"):
        text = _markdown_to_text(text)
    require_chinese(text, name)
    if options.to_simplified:
        text = to_simplified(text)
    return Extracted(text=text, format="text", media_type="text/plain; charset=utf-8", encoding=enc)
