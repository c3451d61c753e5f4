"""Imported once by the fork server of :mod:`index.isolated` (never by the service itself): loads every
reader and warms the caches reading a report fills (jieba's dictionary, the places table …), so that each
child forked to read an upload starts warm (~1 ms for a short report instead of ~0.5 s)."""
from __future__ import annotations

import contextlib

from index.ingest import document_from_bytes
from index.passages import split_passages

SAMPLE = ("青禾县人民政府关于2022年法治政府建设情况的报告\n"
          "一、主要工作\n"
          "全县各级行政机关坚持依法行政，审结行政复议案件12件，纠错率为8.3%。\n"
          "青禾县人民政府\n2023年1月10日\n")


def warm() -> None:
    for module in ("docx", "pypdfium2", "trafilatura", "lxml.etree"):
        with contextlib.suppress(ImportError):
            __import__(module)
    with contextlib.suppress(Exception):
        split_passages(document_from_bytes(SAMPLE.encode("utf-8"), "sample.txt"))


warm()
